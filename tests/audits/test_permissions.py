"""The audits app's rules (audits/permissions.py), each for an owner, a colleague and the
outsiders (no role, moderator, QA lead, administrator), and the ways the project asks them."""

import importlib.util
import re
from pathlib import Path

import pytest
import rules
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.template import Context, Template

from audits import roles
from audits.actions import selectors as action_selectors
from audits.actions import services as action_services
from audits.models import Audit, Status
from audits.permissions import refusal, require
from audits.workflow import AuditError
from tests import factories
from tests.helpers import draft_audit, submitted_audit

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
ONLY_OWNER = (False, True, False, False, False, False)
OWNER_AND_MANAGERS = (False, True, False, True, True, True)


@pytest.fixture
def audits(owner):
    """The owner's audits in each state that matters, each with one agreed action."""
    returned = submitted_audit(auditor=owner, case_reference="CR-RETURNED")
    # Moderation (another app) returns audits; here the state is set directly.
    Audit.objects.filter(pk=returned.pk).update(status=Status.RETURNED)
    return {
        "draft": draft_audit(auditor=owner, case_reference="CR-DRAFT"),
        "returned": Audit.objects.get(pk=returned.pk),
        "submitted": submitted_audit(auditor=owner, case_reference="CR-SUBMITTED"),
    }


#                                   no role  owner  colleague  moderator  QA lead  admin
AUDIT_RULES = {
    ("audits.view_audit", "draft"): ONLY_OWNER,
    ("audits.view_audit", "submitted"): OWNER_AND_MANAGERS,
    ("audits.edit_audit", "draft"): ONLY_OWNER,
    ("audits.edit_audit", "returned"): ONLY_OWNER,
    ("audits.edit_audit", "submitted"): NOBODY,
    ("audits.delete_draft", "draft"): ONLY_OWNER,
    ("audits.delete_draft", "returned"): NOBODY,
    ("audits.delete_draft", "submitted"): NOBODY,
    ("audits.change_practice_flag", "draft"): ONLY_OWNER,
    ("audits.change_practice_flag", "returned"): NOBODY,
    ("audits.view_audit_actions", "draft"): NOBODY,
    ("audits.view_audit_actions", "returned"): OWNER_AND_MANAGERS,
    ("audits.view_audit_actions", "submitted"): OWNER_AND_MANAGERS,
}


@pytest.mark.parametrize(("perm", "target"), list(AUDIT_RULES))
def test_audit_rules(request, audits, perm, target):
    users = [request.getfixturevalue(who) for who in USERS]

    answers = tuple(rules.has_perm(perm, user, audits[target]) for user in users)

    assert answers == AUDIT_RULES[perm, target]


#                            no role  owner  colleague  moderator  QA lead  admin
PAGE_RULES = {
    "audits.start_audit": (False, True, True, False, False, False),
    "audits.view_all_audits": (False, False, False, True, True, True),
    "audits.export_audits": (False, False, False, True, True, True),
    "audits.plan_activities": (False, False, False, False, True, True),
    "audits.view_action_list": (False, True, True, True, True, True),
    "audits.administer": (False, False, False, False, False, True),
}


@pytest.mark.parametrize("perm", list(PAGE_RULES))
def test_page_rules(request, perm):
    users = [request.getfixturevalue(who) for who in USERS]

    assert tuple(rules.has_perm(perm, user) for user in users) == PAGE_RULES[perm]


def test_the_roles_add_up_for_someone_who_holds_two(audits):
    both = factories.UserFactory(roles=[roles.AUDITOR, roles.MODERATOR])

    assert rules.has_perm("audits.start_audit", both)
    assert rules.has_perm("audits.view_all_audits", both)
    assert rules.has_perm("audits.view_audit", both, audits["submitted"])
    # Seeing every audit past draft never extends to changing one, nor to a colleague's draft.
    assert not rules.has_perm("audits.edit_audit", both, audits["returned"])
    assert not rules.has_perm("audits.view_audit", both, audits["draft"])


# --- Agreed actions -----------------------------------------------------------------------------


@pytest.fixture
def actions(owner, colleague, audits):
    """The owner's open action (the owner answers for it), one given to the colleague, and
    one on the owner's draft."""
    mine = audits["submitted"].actions.get()
    given = submitted_audit(auditor=owner, case_reference="CR-GIVEN").actions.get()
    action_services.action_assign(action=given, by=owner, assignee=colleague)
    given.refresh_from_db()
    return {"mine": mine, "given": given, "draft": audits["draft"].actions.get()}


#                                      no role  owner  colleague  moderator  QA lead  admin
ACTION_RULES = {
    ("audits.close_action", "mine"): OWNER_AND_MANAGERS,
    # The colleague owns it now; the auditor who agreed it no longer closes it.
    ("audits.close_action", "given"): (False, False, True, True, True, True),
    ("audits.close_action", "draft"): NOBODY,
    ("audits.reopen_action", "mine"): (False, False, False, True, True, True),
    ("audits.reopen_action", "given"): (False, False, False, True, True, True),
    ("audits.assign_action", "mine"): OWNER_AND_MANAGERS,
    # The auditor who agreed it still decides who owns it; its new owner does not.
    ("audits.assign_action", "given"): OWNER_AND_MANAGERS,
    ("audits.assign_action", "draft"): NOBODY,
}


@pytest.mark.parametrize(("perm", "target"), list(ACTION_RULES))
def test_action_rules(request, actions, perm, target):
    users = [request.getfixturevalue(who) for who in USERS]

    answers = tuple(rules.has_perm(perm, user, actions[target]) for user in users)

    assert answers == ACTION_RULES[perm, target]


@pytest.mark.parametrize("who", USERS + ["auditor and QA lead"])
def test_seeing_an_audits_actions_is_the_action_list_rule(request, audits, actions, who):
    """audits.view_audit_actions (asked by the audit page) and actions_visible_to (every
    action list and page) are one rule: where the user may open an audit, its page links
    its actions exactly when the user may open all of them."""
    user = (
        factories.UserFactory(roles=[roles.AUDITOR, roles.QA_LEAD])
        if who == "auditor and QA lead"
        else request.getfixturevalue(who)
    )
    visible = set(action_selectors.actions_visible_to(user).values_list("pk", flat=True))
    opened = 0

    for audit in Audit.objects.all():
        if not rules.has_perm("audits.view_audit", user, audit):
            continue
        opened += 1
        own = set(audit.actions.values_list("pk", flat=True))
        assert own, audit.case_reference
        assert rules.has_perm("audits.view_audit_actions", user, audit) is (own <= visible), (
            audit.case_reference
        )
    assert opened == {"no_role_user": 0, "colleague": 0, "owner": 4}.get(who, 3)


# --- How the rules are asked ----------------------------------------------------------------------


def test_user_has_perm_asks_the_rules_through_the_backend(owner, colleague, audits):
    assert owner.has_perm("audits.edit_audit", audits["returned"])
    assert not colleague.has_perm("audits.edit_audit", audits["returned"])


def test_a_superuser_is_an_administrator_to_the_rules_not_everyone(audits):
    superuser = factories.UserFactory(is_superuser=True, is_staff=True)

    # Django's own answer is yes to everything for a superuser ...
    assert superuser.has_perm("audits.edit_audit", audits["returned"])
    # ... the rules, which services, views and the template tag ask, say what an
    # administrator may do.
    assert rules.has_perm("audits.view_all_audits", superuser)
    assert rules.has_perm("audits.administer", superuser)
    assert not rules.has_perm("audits.start_audit", superuser)
    assert not rules.has_perm("audits.edit_audit", superuser, audits["returned"])
    with pytest.raises(AuditError, match="Only the auditor who started this audit"):
        require("audits.edit_audit", superuser, audits["returned"], error=AuditError)


def test_the_template_tag_asks_the_rule(owner, audits):
    superuser = factories.UserFactory(is_superuser=True, is_staff=True)
    template = Template(
        '{% load permissions %}{% has_perm "audits.edit_audit" user audit as can_edit %}'
        "{{ can_edit|yesno:'edit,read' }}"
    )

    def render(user):
        return template.render(Context({"user": user, "audit": audits["returned"]}))

    assert render(owner) == "edit"
    assert render(superuser) == "read"


def test_refusal_says_which_condition_failed(owner, colleague, audits):
    assert refusal("audits.edit_audit", owner, audits["returned"]) is None
    assert refusal("audits.edit_audit", colleague, audits["returned"]) == (
        "Only the auditor who started this audit can change it."
    )
    assert refusal("audits.edit_audit", owner, audits["submitted"]) == (
        "This audit is submitted and can no longer be changed."
    )


def test_require_raises_the_callers_error_with_the_field(owner, audits):
    with pytest.raises(AuditError) as error:
        require(
            "audits.change_practice_flag",
            owner,
            audits["returned"],
            error=AuditError,
            field="is_practice",
        )
    assert error.value.field == "is_practice"
    assert "fixed once the audit has been submitted" in str(error.value)

    with pytest.raises(PermissionDenied, match="Only auditors can write audits"):
        require("audits.start_audit", factories.UserFactory(), error=PermissionDenied)


def test_a_role_taken_away_is_seen_on_the_next_request(owner):
    """The rules read the roles once per user object (once per request), so a fresh user
    object sees a change at once."""
    assert rules.has_perm("audits.start_audit", owner)
    owner.groups.remove(Group.objects.get(name=roles.AUDITOR))

    assert rules.has_perm("audits.start_audit", owner)  # this request's user object
    fresh = type(owner).objects.get(pk=owner.pk)
    assert not rules.has_perm("audits.start_audit", fresh)


# --- Every rule asked for exists --------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
# {% has_perm "app.verb" ... %}, rules.has_perm("app.verb", ...), require("app.verb", ...),
# add_perm("app.verb", ...) and the ("app.verb", message) tables of get_audit_for and
# get_action_for: a quoted app.verb opening a call, a tuple or a template tag.
ASKED = re.compile(r'(?:\(\s*|{% has_perm )"((?:audits|moderation|reports)\.[a-z_]+)"')


def _asked_for():
    sources = [*ROOT.glob("templates/**/*.html")]
    for app in ("audits", "moderation", "reports", "demo"):
        sources += [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]
    found = {}
    for path in sources:
        for name in ASKED.findall(path.read_text()):
            if _is_module(name):
                continue  # getLogger("audits.actions") and the like name a module
            found.setdefault(name, path.relative_to(ROOT))
    return found


def _is_module(name):
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def test_every_permission_the_project_asks_for_is_registered():
    """rules.has_perm answers False for a name nobody registered, so a misspelt rule would
    quietly hide a button or refuse everyone."""
    asked = _asked_for()

    assert {"audits.edit_audit", "moderation.take_audit", "reports.set_targets"} <= set(asked)
    assert {name: str(path) for name, path in asked.items() if not rules.perm_exists(name)} == {}


def test_asking_why_of_a_rule_nobody_registered_is_an_error(owner):
    with pytest.raises(KeyError, match="audits.edit_adit"):
        refusal("audits.edit_adit", owner)


@pytest.mark.parametrize("user", USERS)
def test_a_lists_edit_answers_are_the_rules_for_every_kind_of_audit(request, user):
    """audits.permissions.edit_audit_for_each asks the rule once per kind of audit (whose it
    is, its status): for each kind its answer is the rule's, whichever audit of the kind
    comes first, for the owner and every outsider."""
    from audits.permissions import edit_audit_for_each

    viewer = request.getfixturevalue(user)
    owner = request.getfixturevalue("owner")
    other = factories.UserFactory()
    rows = [
        Audit(pk=n, auditor_id=auditor.pk, status=status)
        for n, (auditor, status) in enumerate(
            ((a, s) for a in (owner, other, viewer) for s in Status.values for _ in range(2)),
            start=1,
        )
    ]
    may_edit = edit_audit_for_each(viewer)
    assert [may_edit(audit) for audit in rows] == [
        rules.has_perm("audits.edit_audit", viewer, audit) for audit in rows
    ]
