"""The moderation pages: who may open them, the queue's filters and order, and query counts
that do not grow with the number of audits."""

import datetime
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audits import services as audit_services
from audits.grades import Grade
from audits.models import Audit, Status
from moderation import selectors, services
from moderation.models import Exemplar
from tests import factories
from tests.helpers import complete_content, moderated_audit, submitted_audit, taken_audit

TODAY = datetime.date(2026, 11, 25)

pytestmark = pytest.mark.django_db

USERS = [
    "no_role_user",
    "owner",
    "colleague",
    "moderator_user",
    "qa_lead_user",
    "administrator_user",
]
GET_PAGES = ["queue", "dashboard", "feedback", "exemplars", "moderate"]
# The owner is the auditor of the audit on the moderate page; the colleague another auditor.
#                 no role  owner  colleague  moderator  QA lead  administrator
EXPECTED = {
    "queue": (403, 403, 403, 200, 403, 403),
    "dashboard": (403, 403, 403, 200, 200, 200),
    "feedback": (403, 200, 200, 403, 403, 403),
    "exemplars": (403, 200, 200, 200, 200, 200),
    "moderate": (403, 403, 403, 200, 403, 403),
}
POST_PAGES = ["take", "release", "add_to_queue", "exemplar", "acknowledge"]


@pytest.fixture
def owners_audit(owner):
    return submitted_audit(auditor=owner, case_reference="CR-OWNER")


def _url(page, audit):
    if page in ("moderate", "take", "release", "add_to_queue", "exemplar"):
        return reverse(f"moderation:{page}", args=[audit.pk])
    if page == "acknowledge":
        return reverse("moderation:acknowledge", args=[1])
    return reverse(f"moderation:{page}")


@pytest.mark.parametrize("page", GET_PAGES + POST_PAGES)
def test_anonymous_is_sent_to_log_in(client, owners_audit, page):
    url = _url(page, owners_audit)
    response = client.post(url) if page in POST_PAGES else client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login") + "?next=")
    owners_audit.refresh_from_db()
    assert owners_audit.status == Status.SUBMITTED


@pytest.mark.parametrize(
    ("page", "who", "expected"),
    [
        pytest.param(page, who, EXPECTED[page][i], id=f"{page}-{who}")
        for page in GET_PAGES
        for i, who in enumerate(USERS)
    ],
)
def test_access_matrix(client, request, owners_audit, page, who, expected):
    client.force_login(request.getfixturevalue(who))

    response = client.get(_url(page, owners_audit))

    assert response.status_code == expected


def test_a_moderator_cannot_open_a_draft_to_moderate_it(client, owner, moderator_user):
    draft = audit_services.audit_save_draft(audit=None, by=owner, content=complete_content())
    client.force_login(moderator_user)

    assert client.get(reverse("moderation:moderate", args=[draft.pk])).status_code == 404
    assert client.post(reverse("moderation:take", args=[draft.pk])).status_code == 404


def test_an_auditor_cannot_take_a_colleagues_audit(client, colleague, owners_audit):
    client.force_login(colleague)

    response = client.post(reverse("moderation:take", args=[owners_audit.pk]))

    assert response.status_code == 404
    owners_audit.refresh_from_db()
    assert owners_audit.status == Status.SUBMITTED


def test_a_moderator_takes_from_the_queue_and_lands_on_the_form(
    client, moderator_user, owners_audit
):
    client.force_login(moderator_user)

    response = client.post(reverse("moderation:take", args=[owners_audit.pk]))

    assert response.url == reverse("moderation:moderate", args=[owners_audit.pk])
    owners_audit.refresh_from_db()
    assert owners_audit.status == Status.IN_MODERATION
    assert owners_audit.moderation_case.taken_by == moderator_user


def test_a_qa_lead_posting_take_is_refused_with_a_message(client, qa_lead_user, owners_audit):
    client.force_login(qa_lead_user)

    response = client.post(reverse("moderation:take", args=[owners_audit.pk]))

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Only moderators can moderate audits."
    ]
    owners_audit.refresh_from_db()
    assert owners_audit.status == Status.SUBMITTED


def test_the_moderation_form_records_a_decision(client, moderator_user, owner):
    audit = taken_audit(moderator=moderator_user, auditor=owner, overall=Grade.MEETS)
    client.force_login(moderator_user)

    response = client.post(
        reverse("moderation:moderate", args=[audit.pk]),
        {
            "action": "record",
            "grade": Grade.EXCEEDS,
            "rationale": "",
            "feedback": "Good work.",
            "revision": audit.revision,
            "actions-TOTAL_FORMS": "0",
            "actions-INITIAL_FORMS": "0",
            "actions-MIN_NUM_FORMS": "0",
            "actions-MAX_NUM_FORMS": "1000",
        },
    )

    # The missing rationale comes back beside its field, with the typed feedback kept.
    assert response.status_code == 400
    assert "rationale is required" in response.context["form"].errors["rationale"][0]
    assert "Good work." in response.content.decode()
    audit.refresh_from_db()
    assert audit.status == Status.IN_MODERATION


def test_a_qa_lead_adds_an_audit_to_the_queue_through_the_page(client, qa_lead_user):
    activity = factories.AuditActivityFactory(moderation_rate=0, always_moderate_not_met=False)
    audit = submitted_audit(activity=activity)
    client.force_login(qa_lead_user)

    response = client.post(reverse("moderation:add_to_queue", args=[audit.pk]))

    assert response.url == audit.get_absolute_url()
    audit.refresh_from_db()
    assert audit.status == Status.SUBMITTED
    assert audit.moderation_case.added_by == qa_lead_user


def test_a_moderator_marks_an_exemplar_through_the_page(client, moderator_user):
    audit = moderated_audit()
    client.force_login(moderator_user)

    client.post(reverse("moderation:exemplar", args=[audit.pk]), {"note": "Clear plan."})
    assert Exemplar.objects.get(audit=audit).note == "Clear plan."
    client.post(reverse("moderation:exemplar", args=[audit.pk]), {"unmark": "1"})
    assert not Exemplar.objects.filter(audit=audit).exists()


def test_another_auditor_reads_an_exemplar_but_not_its_moderation_feedback(
    client, owner, moderator_user
):
    audit = moderated_audit(
        moderator=moderator_user,
        auditor=owner,
        grade=Grade.EXCEEDS,
        rationale="Outstanding analysis of the father's role.",
        case_reference="CR-EX1",
    )
    audit.moderations.update(feedback="Keep the chronology as current as this.")
    services.exemplar_mark(audit=audit, by=moderator_user, note="Clear plan.")
    colleague = factories.auditor(username="colleague")

    def page_for(user):
        client.force_login(user)
        response = client.get(audit.get_absolute_url())
        assert response.status_code == 200
        return response.content.decode()

    seen_by_colleague = page_for(colleague)
    assert "CR-EX1" in seen_by_colleague and "Exemplar of good practice" in seen_by_colleague
    assert "Outstanding analysis of the father" not in seen_by_colleague
    assert "Keep the chronology as current as this." not in seen_by_colleague
    assert "for the auditor and the moderators only" in seen_by_colleague

    for reader in (owner, moderator_user, factories.qa_lead()):
        html = page_for(reader)
        assert "Outstanding analysis of the father" in html
        assert "Keep the chronology as current as this." in html


# --- Feedback ----------------------------------------------------------------------------------


def test_an_auditor_sees_and_acknowledges_their_feedback(client, owner, moderator_user):
    audit = moderated_audit(moderator=moderator_user, auditor=owner, case_reference="CR-FB")
    moderation = audit.moderations.get()
    client.force_login(owner)

    page = client.get(reverse("moderation:feedback"))
    assert page.status_code == 200
    assert list(page.context["page_obj"]) == [moderation]

    response = client.post(
        reverse("moderation:acknowledge", args=[moderation.pk]),
        {"next": reverse("moderation:feedback")},
    )
    assert response.url == reverse("moderation:feedback")
    moderation.refresh_from_db()
    assert moderation.acknowledged_at is not None


@pytest.mark.parametrize(
    "next_url", ["0", "moderation:queue", "https://elsewhere.example/", "//elsewhere.example/"]
)
def test_after_acknowledging_only_a_page_of_this_site_is_gone_on_to(
    client, owner, moderator_user, next_url
):
    """Not a path on this site: back to the feedback list. Django's redirect() took a bare word
    such as "0" for the name of a view (a 500)."""
    moderation = moderated_audit(moderator=moderator_user, auditor=owner).moderations.get()
    client.force_login(owner)

    response = client.post(
        reverse("moderation:acknowledge", args=[moderation.pk]), {"next": next_url}
    )

    assert response.status_code == 302
    assert response.url == reverse("moderation:feedback")
    moderation.refresh_from_db()
    assert moderation.acknowledged_at is not None


def test_a_body_that_cannot_be_read_acknowledges_nothing(client, owner, moderator_user):
    """The view read its next only after acknowledging: a malformed body was a 400 saying
    nothing was saved, with the feedback acknowledged all the same."""
    moderation = moderated_audit(moderator=moderator_user, auditor=owner).moderations.get()
    client.force_login(owner)

    response = client.generic(
        "POST",
        reverse("moderation:acknowledge", args=[moderation.pk]),
        b"\x00",
        content_type="multipart/form-data",
    )

    assert response.status_code == 400
    moderation.refresh_from_db()
    assert moderation.acknowledged_at is None


@pytest.mark.parametrize("who", ["colleague", "moderator_user", "qa_lead_user"])
def test_acknowledging_someone_elses_feedback_is_404(client, request, owner, who):
    moderation = moderated_audit(auditor=owner).moderations.get()
    client.force_login(request.getfixturevalue(who))

    response = client.post(reverse("moderation:acknowledge", args=[moderation.pk]))

    assert response.status_code == 404
    moderation.refresh_from_db()
    assert moderation.acknowledged_at is None


def test_the_feedback_list_shows_only_the_auditors_own(client, owner, colleague):
    mine = moderated_audit(auditor=owner).moderations.get()
    moderated_audit(auditor=colleague)
    client.force_login(owner)

    response = client.get(reverse("moderation:feedback"))

    assert list(response.context["page_obj"]) == [mine]


# --- The queue ---------------------------------------------------------------------------------


def _submit(
    *,
    auditor,
    activity=None,
    strand="social_care",
    overall=Grade.MEETS,
    case_reference="CR-1",
    at=None,
):
    content = complete_content(overall=overall, case_reference=case_reference, activity=activity)
    content.header["strand"] = factories.strand(strand)
    audit = audit_services.audit_save_draft(audit=None, by=auditor, content=content)
    if at is None:
        return audit_services.audit_submit(audit=audit, by=auditor, today=TODAY)
    with mock.patch("django.utils.timezone.now", return_value=at):
        return audit_services.audit_submit(audit=audit, by=auditor, today=TODAY)


def _queue_refs(client, query=""):
    response = client.get(reverse("moderation:queue") + query)
    assert response.status_code == 200
    return [a.case_reference for a in response.context["page_obj"]]


@pytest.fixture
def queue_audits(db):
    alice, bob = factories.auditor(username="alice"), factories.auditor(username="bob")
    neglect = factories.AuditActivityFactory(name="Neglect")
    exploitation = factories.AuditActivityFactory(name="Exploitation")
    _submit(auditor=alice, activity=neglect, overall=Grade.MEETS, case_reference="CR-A1")
    _submit(
        auditor=alice,
        activity=exploitation,
        strand="early_help",
        overall=Grade.DOES_NOT_MEET,
        case_reference="CR-A2",
    )
    _submit(
        auditor=bob,
        activity=neglect,
        strand="early_help",
        overall=Grade.EXCEEDS,
        case_reference="CR-B1",
    )
    _submit(auditor=bob, activity=exploitation, overall=Grade.MEETS, case_reference="CR-B2")
    return {"alice": alice, "bob": bob, "neglect": neglect, "exploitation": exploitation}


def test_the_queue_filters(client, moderator_user, queue_audits):
    client.force_login(moderator_user)
    q = queue_audits
    strand = factories.strand("early_help")

    assert sorted(_queue_refs(client)) == ["CR-A1", "CR-A2", "CR-B1", "CR-B2"]
    assert sorted(_queue_refs(client, f"?activity={q['neglect'].pk}")) == ["CR-A1", "CR-B1"]
    assert sorted(_queue_refs(client, f"?strand={strand.pk}")) == ["CR-A2", "CR-B1"]
    assert sorted(_queue_refs(client, f"?auditor={q['bob'].pk}")) == ["CR-B1", "CR-B2"]
    assert sorted(_queue_refs(client, "?overall_grade=meets")) == ["CR-A1", "CR-B2"]
    assert _queue_refs(client, f"?auditor={q['alice'].pk}&overall_grade=does_not_meet") == ["CR-A2"]
    assert _queue_refs(client, f"?activity={q['exploitation'].pk}&strand={strand.pk}") == ["CR-A2"]


def test_the_queue_leaves_out_what_is_not_waiting(client, moderator_user, queue_audits):
    activity = factories.AuditActivityFactory(moderation_rate=0, always_moderate_not_met=False)
    _submit(auditor=queue_audits["alice"], activity=activity, case_reference="CR-UNSAMPLED")
    moderated_audit(case_reference="CR-DONE")
    returned = taken_audit(moderator=moderator_user, case_reference="CR-RETURNED")
    services.moderation_send_back(audit=returned, moderator=moderator_user, comments="More.")
    taken_audit(
        moderator=factories.moderator(username="mo", first_name="Mo", last_name="Okafor"),
        case_reference="CR-HELD",
    )
    client.force_login(moderator_user)

    response = client.get(reverse("moderation:queue"))

    refs = [a.case_reference for a in response.context["page_obj"]]
    assert sorted(refs) == ["CR-A1", "CR-A2", "CR-B1", "CR-B2", "CR-HELD"]
    # An audit in someone else's hands says so in words, with their full name, and has no Take
    # button; one still waiting says that.
    html = response.content.decode()
    row = html[html.index("CR-HELD") :].split("</tr>")[0]
    assert "Being moderated</strong>" in row
    assert "by Mo Okafor" in row
    assert ">mo<" not in row
    assert "Take" not in row
    waiting = html[html.index(">CR-A1<") :].split("</tr>")[0]
    assert "Waiting</strong>" in waiting


def test_the_queue_is_oldest_first_and_shows_the_waiting_time(client, moderator_user):
    now = timezone.now()
    auditor = factories.auditor()
    _submit(auditor=auditor, case_reference="CR-3DAYS", at=now - datetime.timedelta(days=3))
    _submit(auditor=auditor, case_reference="CR-HOUR", at=now - datetime.timedelta(hours=1))
    _submit(auditor=auditor, case_reference="CR-10DAYS", at=now - datetime.timedelta(days=10))
    client.force_login(moderator_user)

    response = client.get(reverse("moderation:queue"))

    assert [a.case_reference for a in response.context["page_obj"]] == [
        "CR-10DAYS",
        "CR-3DAYS",
        "CR-HOUR",
    ]
    html = response.content.decode()
    rows = {
        ref: html[html.index(f">{ref}<") :].split("</tr>")[0]
        for ref in ("CR-10DAYS", "CR-3DAYS", "CR-HOUR")
    }
    assert "1\xa0week, 3\xa0days" in rows["CR-10DAYS"]
    assert "3\xa0days" in rows["CR-3DAYS"]
    assert "1\xa0hour" in rows["CR-HOUR"]
    assert html.index(">CR-10DAYS<") < html.index(">CR-3DAYS<") < html.index(">CR-HOUR<")


# --- Query counts --------------------------------------------------------------------------------


def _populate(n):
    """``n`` audits waiting or moderated, over several auditors, activities and moderators."""
    auditors = [factories.auditor() for _ in range(min(n, 5))]
    activities = [factories.AuditActivityFactory() for _ in range(min(n, 3))]
    holders = [factories.moderator(), factories.moderator()]
    grades = [Grade.MEETS, Grade.EXCEEDS, Grade.DOES_NOT_MEET]
    for i in range(n):
        kwargs = {
            "auditor": auditors[i % len(auditors)],
            "activity": activities[i % len(activities)],
            "overall": grades[i % 3],
            "case_reference": f"CR-{n}-{i}",
        }
        if i % 3 == 0:
            taken_audit(moderator=holders[i % 2], **kwargs)
        elif i % 3 == 1:
            submitted_audit(**kwargs)
        else:
            moderated_audit(moderator=holders[i % 2], grade=grades[(i + 1) % 3], **kwargs)


def _count(client, url, n, user):
    Audit.objects.all().delete()
    _populate(n)
    client.force_login(user)
    client.get(url)  # the filter form drawn once: a first drawing reads its choices again
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.parametrize("page", ["queue", "dashboard"])
def test_query_count_does_not_grow_with_the_audits(client, moderator_user, page):
    url = reverse(f"moderation:{page}")

    few, small = _count(client, url, 3, moderator_user)
    many, large = _count(client, url, 20, moderator_user)

    assert few == many
    if page == "queue":
        assert len(small.context["page_obj"]) == 2
        assert len(large.context["page_obj"]) == 14
    else:
        assert (small.context["overall"].audits, large.context["overall"].audits) == (3, 20)


# --- The dashboard -----------------------------------------------------------------------------


def test_the_dashboard_shows_the_selectors_figures(client, qa_lead_user):
    moderator = factories.moderator()
    neglect = factories.AuditActivityFactory(name="Neglect")
    for i, (overall, moderated) in enumerate(
        [
            (Grade.MEETS, Grade.MEETS),
            (Grade.MEETS, Grade.DOES_NOT_MEET),
            (Grade.EXCEEDS, Grade.MEETS),
            (Grade.DOES_NOT_MEET, Grade.MEETS),
        ]
    ):
        moderated_audit(
            moderator=moderator,
            overall=overall,
            grade=moderated,
            activity=neglect if i % 2 else None,
            case_reference=f"CR-{i}",
        )
    submitted_audit(case_reference="CR-WAITING")
    client.force_login(qa_lead_user)

    response = client.get(reverse("moderation:dashboard"))

    expected = selectors.agreement_statistics(Audit.objects.all())
    overall = response.context["overall"]
    assert (
        overall.audits,
        overall.moderated,
        overall.agreed,
        overall.raised,
        overall.lowered,
        overall.matrix,
    ) == (
        expected["overall"].audits,
        expected["overall"].moderated,
        expected["overall"].agreed,
        expected["overall"].raised,
        expected["overall"].lowered,
        expected["overall"].matrix,
    )
    assert (overall.audits, overall.moderated, overall.agreed) == (5, 4, 1)
    assert [(a.label, a.audits, a.moderated) for a in response.context["per_auditor"]] == [
        (a.label, a.audits, a.moderated) for a in expected["per_auditor"]
    ]
    assert [(a.label, a.audits, a.moderated) for a in response.context["per_activity"]] == [
        (a.label, a.audits, a.moderated) for a in expected["per_activity"]
    ]
    html = response.content.decode()
    assert 'id="stat-audits">5<' in html
    assert 'id="stat-moderated">4<' in html
    # Each share with its 95% Wilson interval (audits.uncertainty.format_share), and the figures
    # flagged a small sample: 4 moderated audits.
    assert "80% (38–96%) of audits" in html
    assert f"{overall.agreed} / {overall.raised} / {overall.lowered}" in html
    assert (
        'id="stat-agreement">25% (5–70%) <strong class="govuk-tag govuk-tag--grey">small sample'
        in html
    )
    # The matrix rows, worst grade first, as the selector arranged them.
    assert response.context["matrix_rows"] == [
        ("Does not meet good", [0, 1, 0]),
        ("Meets good", [1, 1, 0]),
        ("Exceeds good", [0, 1, 0]),
    ]


def test_the_dashboard_filters_by_activity(client, moderator_user):
    neglect = factories.AuditActivityFactory(name="Neglect")
    moderated_audit(activity=neglect, case_reference="CR-N")
    moderated_audit(case_reference="CR-OTHER")
    submitted_audit(activity=neglect, case_reference="CR-N2")
    client.force_login(moderator_user)

    response = client.get(reverse("moderation:dashboard") + f"?activity={neglect.pk}")

    expected = selectors.agreement_statistics(Audit.objects.filter(activity=neglect))["overall"]
    assert (
        (response.context["overall"].audits, response.context["overall"].moderated)
        == (expected.audits, expected.moderated)
        == (2, 1)
    )
