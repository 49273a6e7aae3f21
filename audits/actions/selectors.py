"""Reads for agreed actions: who may see which, the tracking list, and how an audit's actions
turned out.

The owner of an action answers for it and gets its reminders: its assignee where one is set,
else the auditor who agreed it. Managers (QA leads, moderators, administrators) see every
action on audits past draft. Nobody sees actions on a draft: they are not agreed yet.
"""

import datetime
from dataclasses import dataclass
from functools import cached_property

import rules
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits import roles
from audits.models import ActionReminder, AgreedAction, Audit, Status, action_list_order

ACTION_RELATED = ("assignee", "audit__auditor", "audit__team", "audit__activity")


def owned_by(user) -> Q:
    """Actions ``user`` owns: assigned to them, or unassigned on an audit they made."""
    return Q(assignee=user) | Q(assignee__isnull=True, audit__auditor=user)


def is_manager(user) -> bool:
    """QA leads, moderators and administrators: they see and may close every action."""
    return roles.sees_all_submitted(user)


def owner_of(action: AgreedAction):
    """The user who answers for ``action``: its assignee, else the auditor who agreed it."""
    return action.assignee or action.audit.auditor


def _visible(user, past_draft: Q) -> Q | None:
    """The condition on actions that ``user`` may see (``past_draft``: not on a draft), or
    None for nobody's."""
    if is_manager(user):
        return past_draft
    if not getattr(user, "is_authenticated", False):
        return None
    return past_draft & (owned_by(user) | Q(audit__auditor=user))


def actions_visible_to(user) -> QuerySet[AgreedAction]:
    """The actions ``user`` may see: their own, or all of them for managers; never on drafts.

    The auditor also sees actions they agreed and assigned to someone else: the audit page
    already shows those to them.
    """
    # "Not on a draft" as "not among the drafts' ids" (a short list, read from the status
    # index), not as a join to every audit: the actions page counts every visible action.
    condition = _visible(user, ~Q(audit__in=Audit.objects.filter(status=Status.DRAFT).values("pk")))
    if condition is None:
        return AgreedAction.objects.none()
    return AgreedAction.objects.filter(condition)


def with_overdue(
    queryset: QuerySet[AgreedAction], *, today: datetime.date | None = None
) -> QuerySet[AgreedAction]:
    """``is_overdue``: open and past its date, computed by the database."""
    today = today or timezone.localdate()
    return queryset.annotate(
        is_overdue=Case(
            When(state=AgreedAction.State.OPEN, due_date__lt=today, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def action_list(user, *, today: datetime.date | None = None) -> QuerySet[AgreedAction]:
    """The tracking list: overdue first, then the other open actions, each by due date (no
    date last).

    Closed actions come after the open ones, so what still needs doing is at the top whatever
    the filter.
    """
    return (
        with_overdue(actions_visible_to(user), today=today)
        .select_related(*ACTION_RELATED)
        .order_by(*action_list_order())
    )


def action_owners(user) -> QuerySet:
    """The users who own at least one action ``user`` may see, for the owner filter."""
    # Asked of each user (a short list) with Exists probes that stop at the user's first
    # action, rather than collecting the owners of every action (a million of them in a
    # region's decade). The condition on the audit is a join here: each probe reads one
    # audit's row, where "not among the drafts" would be worked out again for every user.
    condition = _visible(user, ~Q(audit__status=Status.DRAFT))
    if condition is None:
        return get_user_model().objects.none()
    assigned = AgreedAction.objects.filter(condition, assignee=OuterRef("pk"))
    # An unassigned action's owner is its audit's auditor: from the user's audits (the auditor
    # index) to each audit's actions (the action index). Anyone but a manager sees only their
    # own audits' unassigned actions (_visible).
    unassigned = Audit.objects.filter(
        Exists(AgreedAction.objects.filter(audit=OuterRef("pk"), assignee__isnull=True)),
        auditor=OuterRef("pk"),
    ).exclude(status=Status.DRAFT)
    if not is_manager(user):
        unassigned = unassigned.filter(auditor=user)
    return (
        get_user_model()
        .objects.filter(
            Q(Exists(assigned)) | (Q(pk__in=_auditors_with_audits()) & Q(Exists(unassigned)))
        )
        .order_by("username")
    )


def _auditors_with_audits() -> RawSQL:
    """The ids of the users with at least one audit, read from the auditor index one id at a
    time (a recursive "next auditor after this one": about as many probes as auditors). Asked
    first, so that the probe of a user's audits above runs only for users who have some: for
    a user with none the planner reads the whole audit table, expecting a user's audits to be
    as many as anyone's."""
    table = connection.ops.quote_name(Audit._meta.db_table)
    column = connection.ops.quote_name(Audit._meta.get_field("auditor").column)
    return RawSQL(
        f"WITH RECURSIVE auditors(id) AS ("
        f"SELECT MIN({column}) FROM {table} "
        f"UNION ALL SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > auditors.id) "
        f"FROM auditors WHERE auditors.id IS NOT NULL"
        f") SELECT id FROM auditors WHERE id IS NOT NULL",
        [],
    )


# What each action of get_action_for asks (audits.permissions), and the 403 page's message.
ACTION_ACTIONS = {
    "view": None,
    "close": (
        "audits.close_action",
        gettext_lazy("Only the action's owner or a manager can close it."),
    ),
    "assign": (
        "audits.assign_action",
        gettext_lazy("Only the auditor who agreed the action or a manager can change who owns it."),
    ),
    "reopen": (
        "audits.reopen_action",
        gettext_lazy("Only a QA lead, moderator or administrator can reopen an action."),
    ),
}


def get_action_for(user, pk, action: str = "view") -> AgreedAction:
    """The action ``pk`` if ``user`` may see it (else 404) and may do ``action`` (else 403).

    Actions: "view"; "close" (mark done or no longer needed: the owner or a manager);
    "reopen" (a manager); "assign" (change the owner: a manager or the auditor who agreed it).
    """
    if action not in ACTION_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    try:
        found = with_overdue(actions_visible_to(user)).select_related(*ACTION_RELATED).get(pk=pk)
    except (AgreedAction.DoesNotExist, ValueError):
        raise Http404(_("No such action.")) from None
    if ACTION_ACTIONS[action] is not None:
        perm, message = ACTION_ACTIONS[action]
        if not rules.has_perm(perm, user, found):
            raise PermissionDenied(message)
    return found


# Reminders go for open actions overdue or due within this many days.
REMINDER_DAYS = 7


def due_for_reminder(today: datetime.date) -> QuerySet[AgreedAction]:
    """Open actions on audits past draft, due on or before today + REMINDER_DAYS, not yet
    reminded today, each with its owner's username, email and whether active (worked out by
    the database), in due date order.

    Practice audits are included: an action agreed on a practice audit is still about a real
    child's case, so it still has to be done.
    """

    def owner(field):
        # The assignee's field where there is an assignee, else the auditor's.
        return Case(
            When(assignee__isnull=False, then=F(f"assignee__{field}")),
            default=F(f"audit__auditor__{field}"),
        )

    return (
        AgreedAction.objects.filter(
            state=AgreedAction.State.OPEN,
            due_date__lte=today + datetime.timedelta(days=REMINDER_DAYS),
        )
        .exclude(audit__status=Status.DRAFT)
        .exclude(Exists(ActionReminder.objects.filter(action=OuterRef("pk"), sent_on=today)))
        .annotate(
            owner_username=owner("username"),
            owner_email=owner("email"),
            owner_active=owner("is_active"),
        )
        .select_related("audit")
        .order_by("due_date", "pk")
    )


# How each action of an audit turned out against its date.
ON_TIME = "on_time"
LATE = "late"
NOT_NEEDED = "not_needed"
OVERDUE = "overdue"
NOT_YET_DUE = "not_yet_due"
OUTCOME_LABELS = {
    ON_TIME: gettext_lazy("Completed by its date"),
    LATE: gettext_lazy("Completed late"),
    OVERDUE: gettext_lazy("Not completed, overdue"),
    NOT_YET_DUE: gettext_lazy("Open, not yet due"),
    NOT_NEEDED: gettext_lazy("No longer needed"),
}


@dataclass
class ActionOutcomes:
    """The actions of one audit, each with its outcome, and the counts of each outcome.

    Both are lazy: nothing is queried unless a page shows them.
    """

    audit: Audit
    today: datetime.date

    def _queryset(self):
        done = Q(state=AgreedAction.State.DONE)
        return AgreedAction.objects.filter(audit=self.audit).annotate(
            outcome=Case(
                # An action with no date counts as on time once done, as in the reports.
                When(
                    done & (Q(due_date__isnull=True) | Q(completed_on__lte=F("due_date"))),
                    then=Value(ON_TIME),
                ),
                When(done, then=Value(LATE)),
                When(state=AgreedAction.State.NOT_NEEDED, then=Value(NOT_NEEDED)),
                When(due_date__lt=self.today, then=Value(OVERDUE)),
                default=Value(NOT_YET_DUE),
                output_field=CharField(),
            )
        )

    @cached_property
    def rows(self) -> list[AgreedAction]:
        rows = list(self._queryset().order_by("due_date", "pk"))
        for row in rows:
            row.outcome_label = OUTCOME_LABELS[row.outcome]
        return rows

    @cached_property
    def counts(self) -> dict[str, int]:
        counts = {key: 0 for key in OUTCOME_LABELS}
        for row in self._queryset().order_by().values("outcome").annotate(n=Count("pk")):
            counts[row["outcome"]] = row["n"]
        counts["total"] = sum(counts.values())
        return counts


def actions_outcome_for_audit(
    audit: Audit, *, today: datetime.date | None = None
) -> ActionOutcomes:
    """Whether each of ``audit``'s actions was completed by its date (see OUTCOME_LABELS)."""
    return ActionOutcomes(audit=audit, today=today or timezone.localdate())
