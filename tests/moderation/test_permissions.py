"""The moderation rules (moderation/permissions.py), each for the audit's auditor (the owner), a
colleague and the outsiders, and the audit page offering only what they allow."""

import pytest
import rules
from django.urls import reverse
from django.utils import timezone

from audits import roles
from audits.grades import Grade
from moderation import services
from moderation.models import Exemplar
from tests import factories, helpers
from tests.helpers import draft_audit, moderated_audit, submitted_audit, taken_audit

pytestmark = pytest.mark.django_db

USERS = [
    "no_role_user",
    "owner",
    "colleague",
    "moderator_user",
    "qa_lead_user",
    "administrator_user",
]
NOBODY = (False,) * 6
THE_MODERATOR = (False, False, False, True, False, False)
THE_QA_LEAD = (False, False, False, False, True, False)


@pytest.fixture
def audits(owner, moderator_user):
    """The owner's audits at each step of moderation."""
    unsampled = factories.AuditActivityFactory(
        name="Not sampled", moderation_rate=0, always_moderate_not_met=False
    )
    other = factories.moderator(username="other-moderator")
    practice = submitted_audit(auditor=owner, case_reference="CR-PRACTICE")
    practice.is_practice = True
    practice.save(update_fields=["is_practice"])
    services.moderation_take(audit=practice, moderator=other)
    services.moderation_record(audit=practice, moderator=other, grade=Grade.MEETS)
    legacy = submitted_audit(auditor=owner, activity=unsampled, case_reference="CR-LEGACY")
    # Marked before exemplars had to be moderated.
    Exemplar.objects.create(audit=legacy, marked_by=other, marked_at=timezone.now())
    exemplar = moderated_audit(auditor=owner, moderator=other, case_reference="CR-EXEMPLAR")
    services.exemplar_mark(audit=exemplar, by=other)
    return {
        "draft": draft_audit(auditor=owner, case_reference="CR-DRAFT"),
        "waiting": submitted_audit(auditor=owner, case_reference="CR-WAITING"),
        "held": taken_audit(moderator=moderator_user, auditor=owner, case_reference="CR-HELD"),
        "held by another": taken_audit(moderator=other, auditor=owner, case_reference="CR-HELD2"),
        "unmoderated": submitted_audit(
            auditor=owner, activity=unsampled, case_reference="CR-UNMODERATED"
        ),
        "moderated": moderated_audit(auditor=owner, moderator=other, case_reference="CR-MOD"),
        "practice": practice,
        "exemplar": exemplar,
        "legacy exemplar": legacy,
    }


#                                            no role  owner  colleague  moderator  QA lead  admin
AUDIT_RULES = {
    ("moderation.moderate_audit", "waiting"): THE_MODERATOR,
    ("moderation.moderate_audit", "held by another"): THE_MODERATOR,
    ("moderation.take_audit", "waiting"): THE_MODERATOR,
    ("moderation.take_audit", "held"): NOBODY,
    ("moderation.take_audit", "held by another"): NOBODY,
    ("moderation.take_audit", "unmoderated"): NOBODY,
    ("moderation.take_audit", "moderated"): NOBODY,
    ("moderation.take_audit", "draft"): NOBODY,
    ("moderation.decide_audit", "held"): THE_MODERATOR,
    ("moderation.decide_audit", "held by another"): NOBODY,
    ("moderation.decide_audit", "waiting"): NOBODY,
    ("moderation.release_audit", "held"): THE_MODERATOR,
    ("moderation.release_audit", "held by another"): NOBODY,
    ("moderation.add_to_queue", "unmoderated"): THE_QA_LEAD,
    ("moderation.add_to_queue", "waiting"): NOBODY,
    ("moderation.add_to_queue", "moderated"): NOBODY,
    ("moderation.add_to_queue", "draft"): NOBODY,
    ("moderation.add_to_queue", "legacy exemplar"): NOBODY,
    ("moderation.mark_exemplar", "moderated"): THE_MODERATOR,
    ("moderation.mark_exemplar", "unmoderated"): NOBODY,
    ("moderation.mark_exemplar", "practice"): NOBODY,
    ("moderation.mark_exemplar", "waiting"): NOBODY,
    ("moderation.mark_exemplar", "held"): NOBODY,
    ("moderation.unmark_exemplar", "exemplar"): THE_MODERATOR,
    ("moderation.unmark_exemplar", "legacy exemplar"): THE_MODERATOR,
    ("moderation.read_feedback", "moderated"): (False, True, False, True, True, True),
    ("moderation.read_feedback", "exemplar"): (False, True, False, True, True, True),
}


@pytest.mark.parametrize(("perm", "target"), list(AUDIT_RULES))
def test_audit_rules(request, audits, perm, target):
    users = [request.getfixturevalue(who) for who in USERS]

    answers = tuple(rules.has_perm(perm, user, audits[target]) for user in users)

    assert answers == AUDIT_RULES[perm, target]


def test_only_the_auditor_acknowledges_feedback(request, audits):
    moderation = audits["moderated"].moderations.get()
    users = [request.getfixturevalue(who) for who in USERS]

    answers = tuple(
        rules.has_perm("moderation.acknowledge_feedback", user, moderation) for user in users
    )

    assert answers == (False, True, False, False, False, False)


#                                no role  owner  colleague  moderator  QA lead  admin
PAGE_RULES = {
    "moderation.view_queue": THE_MODERATOR,
    "moderation.view_statistics": (False, False, False, True, True, True),
    # Drift alerts name auditors: QA leads and administrators only, never a moderator.
    "moderation.view_drift": (False, False, False, False, True, True),
    "moderation.view_feedback": (False, True, True, False, False, False),
    "moderation.view_exemplars": (False, True, True, True, True, True),
}


@pytest.mark.parametrize("perm", list(PAGE_RULES))
def test_page_rules(request, perm):
    users = [request.getfixturevalue(who) for who in USERS]

    assert tuple(rules.has_perm(perm, user) for user in users) == PAGE_RULES[perm]


@pytest.fixture
def auditor_moderator(db):
    """A senior practitioner who audits and moderates: never their own audits."""
    return factories.UserFactory(roles=[roles.AUDITOR, roles.MODERATOR])


def test_a_moderator_who_audits_may_do_nothing_of_moderation_to_their_own(auditor_moderator):
    waiting = submitted_audit(auditor=auditor_moderator, case_reference="CR-OWN")
    moderated = moderated_audit(auditor=auditor_moderator, case_reference="CR-OWN2")
    someone_elses = moderated_audit(case_reference="CR-THEIRS")

    for perm in ("moderation.moderate_audit", "moderation.take_audit"):
        assert not rules.has_perm(perm, auditor_moderator, waiting)
    assert not rules.has_perm("moderation.mark_exemplar", auditor_moderator, moderated)
    assert rules.has_perm("moderation.mark_exemplar", auditor_moderator, someone_elses)
    # Reading their own feedback is theirs as the auditor.
    assert rules.has_perm("moderation.read_feedback", auditor_moderator, moderated)


def test_a_superuser_is_offered_no_moderation(audits):
    superuser = factories.UserFactory(is_superuser=True, is_staff=True)

    assert not rules.has_perm("moderation.take_audit", superuser, audits["waiting"])
    assert not rules.has_perm("moderation.mark_exemplar", superuser, audits["moderated"])
    assert rules.has_perm("moderation.view_statistics", superuser)
    assert rules.has_perm("moderation.view_drift", superuser)
    assert rules.has_perm("moderation.read_feedback", superuser, audits["moderated"])


# --- The audit page offers what the rules allow, and nothing else -----------------------------


BUTTONS = {
    "take": "Take for moderation",
    "continue": "Continue moderating",
    "add": "Add to the moderation queue",
    "mark": "Mark as exemplar",
    "unmark": "Remove from exemplars",
}


def _buttons(client, user, audit):
    client.force_login(user)
    response = client.get(reverse("audits:detail", args=[audit.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    return {name for name, label in BUTTONS.items() if label in html}


@pytest.mark.parametrize(
    ("target", "who", "offered"),
    [
        ("waiting", "moderator_user", {"take"}),
        ("waiting", "owner", set()),
        ("waiting", "qa_lead_user", set()),
        ("held", "moderator_user", {"continue"}),
        ("held by another", "moderator_user", set()),
        ("unmoderated", "qa_lead_user", {"add"}),
        # Completed without moderation: no exemplar until a moderator has agreed its grade.
        ("unmoderated", "moderator_user", set()),
        ("moderated", "moderator_user", {"mark"}),
        ("moderated", "owner", set()),
        ("moderated", "qa_lead_user", set()),
        ("practice", "moderator_user", set()),
        ("exemplar", "moderator_user", {"unmark"}),
        ("legacy exemplar", "moderator_user", {"unmark"}),
        ("legacy exemplar", "qa_lead_user", set()),
    ],
)
def test_the_audit_page_offers_what_the_rules_allow(client, request, audits, target, who, offered):
    assert _buttons(client, request.getfixturevalue(who), audits[target]) == offered


def test_a_moderator_is_not_offered_to_mark_their_own_audit(client, auditor_moderator):
    audit = moderated_audit(auditor=auditor_moderator, grade=Grade.EXCEEDS)

    assert _buttons(client, auditor_moderator, audit) == set()
    assert _buttons(client, factories.moderator(), audit) == {"mark"}


def test_a_superuser_is_offered_no_moderation_button(client, audits):
    superuser = factories.UserFactory(is_superuser=True, is_staff=True)

    assert _buttons(client, superuser, audits["waiting"]) == set()
    assert _buttons(client, superuser, audits["moderated"]) == set()


def test_the_acknowledge_button_is_the_auditors_alone(client, owner, moderator_user, audits):
    audit = audits["moderated"]

    client.force_login(owner)
    assert "Acknowledge this feedback" in client.get(audit.get_absolute_url()).content.decode()
    client.force_login(moderator_user)
    html = client.get(audit.get_absolute_url()).content.decode()
    assert "Acknowledge this feedback" not in html
    assert "Round 1" in html  # the moderator reads the round, without the button


def test_the_menu_offers_the_moderation_pages_the_rules_allow(client, owner, moderator_user):
    pages = {
        "queue": reverse("moderation:queue"),
        "feedback": reverse("moderation:feedback"),
        "statistics": reverse("moderation:dashboard"),
    }

    def offered(user):
        client.force_login(user)
        html = client.get(reverse("audits:home")).content.decode()
        nav = helpers.main_menu(html)
        return {name for name, url in pages.items() if f'href="{url}"' in nav}

    assert offered(owner) == {"feedback"}
    assert offered(moderator_user) == {"queue", "statistics"}
    assert offered(factories.UserFactory(is_superuser=True, is_staff=True)) == {"statistics"}


@pytest.mark.parametrize("user", USERS)
def test_the_queues_buttons_are_the_rules_for_every_kind_of_audit(request, user):
    """moderation.permissions.queue_buttons_for_each asks the take, decide and release rules
    once per kind of audit (whose it is, its status, whether its case is selected and who took
    it): for each kind its answers are the rules', whichever audit of the kind comes first."""
    from audits.models import Audit, Status
    from moderation.models import ModerationCase
    from moderation.permissions import queue_buttons_for_each

    viewer = request.getfixturevalue(user)
    owner = request.getfixturevalue("owner")
    other = factories.UserFactory()
    cases = [
        None,
        {"sampled": True},
        {"sampled": False},
        {"sampled": False, "added_by_id": other.pk},
        {"sampled": True, "taken_by_id": viewer.pk},
        {"sampled": True, "taken_by_id": other.pk},
        {"sampled": False, "taken_by_id": viewer.pk},
    ]
    rows = []
    for auditor in (owner, other, viewer):
        for status in Status.values:
            for case in cases:
                for _twice in range(2):
                    audit = Audit(pk=len(rows) + 1, auditor_id=auditor.pk, status=status)
                    if case is None:
                        Audit.moderation_case.related.set_cached_value(audit, None)
                    else:
                        audit.moderation_case = ModerationCase(**case)
                    rows.append(audit)
    buttons = queue_buttons_for_each(viewer)
    names = ("moderation.take_audit", "moderation.decide_audit", "moderation.release_audit")
    assert [buttons(audit) for audit in rows] == [
        tuple(rules.has_perm(name, viewer, audit) for name in names) for audit in rows
    ]
