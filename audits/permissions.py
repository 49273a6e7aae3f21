"""Who may do what with audits, the schedule and agreed actions: one predicate per rule.

Each rule is a django-rules permission named ``audits.<verb>``, registered when the app is
ready, and asked by name wherever it matters: views and services with
``rules.has_perm(name, user, obj)`` (or ``require`` below, which says why not), templates with
``{% load permissions %}{% has_perm name user obj as flag %}``. Nothing else re-derives a rule
from an audit's fields or the user's roles.

The project asks the rules themselves, not ``user.has_perm``: Django answers yes to every
active superuser before any backend is asked, and a superuser here is an administrator and no
more (``audits.roles``), so they may not, say, edit a colleague's audit.

Each permission is registered with its conditions in the order a service checks them, each with
what to tell someone it refuses, so that the rule and its reasons have one home. The other apps
register theirs the same way (``moderation.permissions``, ``reports.permissions``).
"""

import functools
import operator
from collections.abc import Callable

import rules
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import roles
from .actions import selectors as action_selectors
from .holders import selectors as holder_selectors
from .models import EDITABLE_STATUSES, Status
from .selectors import READ_AS_VISIBLE_TO, audits_visible_to

# What to tell someone a condition refuses: a message, or one made from the object.
Refusal = str | Promise | Callable[[object], str]

_CONDITIONS: dict[str, tuple[tuple[rules.Predicate, Refusal], ...]] = {}


def add_perm(name: str, *conditions: tuple[rules.Predicate, Refusal]) -> rules.Predicate:
    """Register permission ``name``: every one of ``conditions`` (predicate, refusal) holds."""
    rule = functools.reduce(operator.and_, (condition for condition, _refusal in conditions))
    rules.add_perm(name, rule)
    _CONDITIONS[name] = conditions
    return rule


def refusal(name: str, user, obj=None) -> str | None:
    """What to tell ``user`` when permission ``name`` refuses them ``obj``; None if it allows."""
    if not rules.perm_exists(name):
        # rules.has_perm answers False for a name nobody registered: a misspelt rule here would
        # refuse everyone with a message that hides the mistake.
        raise KeyError(f"no permission {name!r} is registered")
    if rules.has_perm(name, user, obj):
        return None
    for condition, message in _CONDITIONS.get(name, ()):
        if not condition.test(user, obj):
            if isinstance(message, (str, Promise)):
                return str(message)
            return message(obj)
    return str(_("You may not do that."))


def require(name: str, user, obj=None, *, error: type[Exception], field: str | None = None):
    """Raise ``error`` saying why, unless permission ``name`` lets ``user`` act on ``obj``.

    Services pass their DomainError subclass (``field``: the form field the message belongs
    beside); views may pass PermissionDenied.
    """
    message = refusal(name, user, obj)
    if message is not None:
        raise error(message) if field is None else error(message, field=field)


# --- Who the user is: their roles, read once per request ------------------------------------

is_auditor = rules.predicate(roles.is_auditor, name="is_auditor")
is_moderator = rules.predicate(roles.is_moderator, name="is_moderator")
is_qa_lead = rules.predicate(roles.is_qa_lead, name="is_qa_lead")
is_administrator = rules.predicate(roles.is_administrator, name="is_administrator")
# QA leads, moderators and administrators: they see every audit past draft and every action.
is_manager = rules.predicate(action_selectors.is_manager, name="is_manager")
manages_activities = rules.predicate(roles.manages_activities, name="manages_activities")


@rules.predicate
def has_a_role(user) -> bool:
    return bool(roles.role_names(user))


@rules.predicate
def has_a_staff_role(user) -> bool:
    """A role of the QA work itself: any but Case holder, whose holder sees only the audits of
    their own cases (audits.holders)."""
    return bool(roles.role_names(user) - {roles.CASE_HOLDER})


# --- The user and an audit -------------------------------------------------------------------


@rules.predicate
def is_audit_auditor(user, audit) -> bool:
    """The user is the auditor who made the audit."""
    return audit is not None and audit.auditor_id == user.pk


@rules.predicate
def is_draft(_user, audit) -> bool:
    return audit is not None and audit.status == Status.DRAFT


@rules.predicate
def is_past_draft(_user, audit) -> bool:
    """Submitted at least once: agreed actions are agreed, the practice flag is fixed."""
    return audit is not None and audit.status != Status.DRAFT


@rules.predicate
def is_editable_status(_user, audit) -> bool:
    """Draft, or returned to its auditor to amend."""
    return audit is not None and audit.status in EDITABLE_STATUSES


@rules.predicate
def may_see_audit(user, audit) -> bool:
    """The audit is among those the user may see (one query; ``audits_visible_to`` is the
    rule, and every list starts from it). An audit that ``get_audit_for`` read for this same
    user from ``audits_visible_to`` is among them by that very query: not asked twice."""
    if audit is None:
        return False
    if user.pk is not None and getattr(audit, READ_AS_VISIBLE_TO, None) == user.pk:
        return True
    return audits_visible_to(user).filter(pk=audit.pk).exists()


def _no_longer_editable(audit) -> str:
    return _("This audit is %(status)s and can no longer be changed.") % {
        "status": audit.get_status_display().lower()
    }


add_perm("audits.view_audit", (may_see_audit, _("No such audit.")))
add_perm(
    "audits.edit_audit",
    (is_audit_auditor, _("Only the auditor who started this audit can change it.")),
    (is_editable_status, _no_longer_editable),
)


def edit_audit_for_each(user):
    """``audit -> rules.has_perm("audits.edit_audit", user, audit)`` for the rows of a list,
    asking the rule once per kind of audit rather than once per row: the rule above reads
    nothing of the audit but whether ``user`` is its auditor and its status, so audits alike
    in both get the same answer (a page of 25 has a handful of kinds). Whoever changes the
    rule to read more of the audit adds it to ``kind`` (tests/audits/test_permissions.py
    compares the two on every kind)."""
    answers: dict = {}
    user_pk = user.pk

    def may_edit(audit) -> bool:
        kind = (audit.auditor_id == user_pk, audit.status)
        answer = answers.get(kind)
        if answer is None:
            answer = answers[kind] = rules.has_perm("audits.edit_audit", user, audit)
        return answer

    return may_edit


add_perm(
    "audits.delete_draft",
    (is_audit_auditor & is_draft, _("Only your own drafts can be deleted.")),
)
# A practice audit never counts in the figures; once submitted, the choice stands, or an
# auditor amending a returned audit could take it out of the figures (its sampling reason
# would still say why it was chosen).
add_perm(
    "audits.change_practice_flag",
    (is_audit_auditor, _("Only the auditor who started this audit can change it.")),
    (
        ~is_past_draft,
        _(
            "Whether this is a practice audit is fixed once the audit has been submitted: "
            "it cannot be changed now."
        ),
    ),
)
# Who sees an audit's actions (and their pages) from the audit: managers and its auditor, once
# the actions are agreed. ``action_selectors.actions_visible_to`` is the same rule as a query.
add_perm(
    "audits.view_audit_actions",
    (is_past_draft, _("The audit is still a draft: its actions are not agreed yet.")),
    (is_manager | is_audit_auditor, _("Only the audit's auditor or a manager sees its actions.")),
)

# Pages of the app, asked without an object.
add_perm("audits.start_audit", (is_auditor, _("Only auditors can write audits.")))
add_perm(
    "audits.view_all_audits",
    (is_manager, _("Only moderators, QA leads and administrators see all audits.")),
)
add_perm(
    "audits.export_audits",
    (is_manager, _("Only moderators, QA leads and administrators download audits.")),
)
add_perm(
    "audits.plan_activities",
    (manages_activities, _("Only QA leads and administrators plan audit activities.")),
)
# Loading historic audits or the case list from a CSV file in the browser (audits.imports).
add_perm(
    "audits.import_files",
    (manages_activities, _("Only QA leads and administrators import files.")),
)
# The menu offers the actions list to every role. The page itself is open to anyone signed in,
# so that someone without a role who was given an action can still reach it.
add_perm("audits.view_action_list", (has_a_role, _("You have no role yet.")))
# Everyone with a role sees some audits (audits.selectors.audits_visible_to): the search shows
# only those.
add_perm("audits.find_case", (has_a_role, _("You have no role yet.")))
add_perm("audits.administer", (is_administrator, _("Only administrators use the admin.")))
# The record of who changed and who opened a child's audit, for those who answer for the data.
add_perm(
    "audits.view_history",
    (may_see_audit, _("No such audit.")),
    (is_qa_lead | is_administrator, _("Only QA leads and administrators see an audit's history.")),
)
add_perm(
    "audits.view_security_log",
    (is_administrator, _("Only administrators read the security log.")),
)


# --- The user and an agreed action -----------------------------------------------------------


@rules.predicate
def is_action_owner(user, action) -> bool:
    """The user answers for the action: its assignee, else the auditor who agreed it."""
    if action is None:
        return False
    return (action.assignee_id or action.audit.auditor_id) == user.pk


@rules.predicate
def agreed_the_action(user, action) -> bool:
    """The user is the auditor of the action's audit."""
    return action is not None and action.audit.auditor_id == user.pk


@rules.predicate
def is_agreed(_user, action) -> bool:
    """The action's audit is past draft: until then its actions are not agreed."""
    return action is not None and action.audit.status != Status.DRAFT


NOT_AGREED = _("The audit is still a draft: its actions are not agreed yet.")

add_perm(
    "audits.close_action",
    (
        is_action_owner | is_manager,
        _("Only the action's owner or a QA lead, moderator or administrator can close it."),
    ),
    (is_agreed, NOT_AGREED),
)
add_perm(
    "audits.reopen_action",
    (is_manager, _("Only a QA lead, moderator or administrator can reopen an action.")),
)
add_perm(
    "audits.assign_action",
    (
        is_manager | agreed_the_action,
        _(
            "Only the auditor who agreed the action or a QA lead, moderator or "
            "administrator can change who owns it."
        ),
    ),
    (is_agreed, NOT_AGREED),
)


# --- Case holders and their answers (audits.holders) -----------------------------------------

is_case_holder = rules.predicate(roles.is_case_holder, name="is_case_holder")


@rules.predicate
def holds_the_case(user, audit) -> bool:
    """The audit is of a case the user holds or whose team they manage, and past draft
    (``holder_selectors.audits_of_cases_of`` is the rule, one query)."""
    return (
        audit is not None and holder_selectors.audits_of_cases_of(user).filter(pk=audit.pk).exists()
    )


add_perm(
    "audits.view_my_cases_audits",
    (is_case_holder, _("Only case holders see the audits of their cases.")),
)
add_perm(
    "audits.respond_to_audit",
    (is_case_holder, _("Only case holders answer audits.")),
    (
        holds_the_case,
        _("Only the case holder of this case, or their team manager, can answer this audit."),
    ),
)
# The answer is about the case holder's own work: for those who answer for the audit (its
# auditor, managers) and the case holder; not for every auditor who may read an exemplar.
add_perm(
    "audits.view_holder_response",
    (may_see_audit, _("No such audit.")),
    (
        is_manager | is_audit_auditor | holds_the_case,
        _("Only the audit's auditor, a manager or the case holder sees the case holder's answer."),
    ),
)
