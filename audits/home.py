"""The home page's reads for the roles the audits app answers for: the auditor's work to do and
the administrator's view of accounts and the task worker. The moderator's and the QA lead's
sections come from the apps that own their figures (moderation.templatetags.moderation_tags,
reports.templatetags.reports_home), which audits never imports.

Every figure is counted by the database; each read is a fixed number of queries whatever the
number of audits, actions, users or tasks (tests/audits/test_home.py asserts it per role).
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django_tasks import TaskResultStatus

from . import roles, selectors
from .actions.selectors import owned_by, with_overdue
from .cases.selectors import allocated_cases_with_draft
from .models import AgreedAction, Status
from .schedule.selectors import assigned_activities

# How many rows each list of the home page shows; each has a link to the whole list.
SHOWN = 5
# How far back the administrator's failed tasks go.
FAILED_TASKS_SINCE = datetime.timedelta(days=7)


@dataclass(frozen=True)
class AuditorHome:
    drafts: list  # drafts and returned audits, last changed first
    counts: dict  # status -> how many of the auditor's audits
    assigned: list  # activities assigned to them, with ``my_done`` and ``is_past_due``
    actions: list  # their open actions, overdue first, with ``is_overdue``
    actions_open: int
    actions_overdue: int
    # Cases drawn for them (audits.cases) still to audit, each with ``draft_pk`` once started.
    allocated: list = field(default_factory=list)


def auditor_home(user, *, today: datetime.date) -> AuditorHome:
    """What an auditor has to do: six queries."""
    mine = selectors.my_audits(user)
    unfinished = mine.filter(status__in=[Status.DRAFT, Status.RETURNED])
    # Overdue as the actions list has it (actions.selectors.with_overdue).
    theirs = with_overdue(
        AgreedAction.objects.filter(
            owned_by(user), ~Q(audit__status=Status.DRAFT), state=AgreedAction.State.OPEN
        ),
        today=today,
    )
    action_counts = theirs.order_by().aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(is_overdue=True))
    )
    return AuditorHome(
        # Returned ones first: a moderator is waiting for them.
        drafts=list(
            unfinished.annotate(
                returned=Case(
                    When(status=Status.RETURNED, then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            ).order_by("-returned", "-updated_at", "pk")[:SHOWN]
        ),
        counts=selectors.status_counts(mine),
        assigned=list(
            assigned_activities(user, today=today).annotate(
                is_past_due=ExpressionWrapper(Q(due_date__lt=today), output_field=BooleanField())
            )
        ),
        actions=list(
            theirs.select_related("audit").order_by(
                "-is_overdue", F("due_date").asc(nulls_last=True), "pk"
            )[:SHOWN]
        ),
        actions_open=action_counts["open"],
        actions_overdue=action_counts["overdue"],
        allocated=list(allocated_cases_with_draft(user)),
    )


@dataclass(frozen=True)
class AdministratorHome:
    roles: list  # (group, how many active users hold it)
    active_users: int
    without_role: int
    locked_out: list  # axes AccessAttempt rows still refusing sign-in
    locked_out_count: int
    failed_tasks: list  # the latest failed task results
    failed_tasks_count: int
    failed_since: datetime.datetime


def administrator_home(*, now: datetime.datetime) -> AdministratorHome:
    """Accounts by role, sign-ins refused for now and the task worker's recent failures:
    six queries."""
    from axes.models import AccessAttempt
    from django_tasks_db.models import DBTaskResult

    users = get_user_model().objects.filter(is_active=True)
    user_counts = users.aggregate(
        active=Count("pk"),
        without_role=Count(
            "pk",
            filter=~Exists(Group.user_set.through.objects.filter(user=OuterRef("pk")))
            & Q(is_superuser=False),
        ),
    )
    by_role = {
        g.name: g
        for g in Group.objects.filter(name__in=roles.ALL_ROLES).annotate(
            holders=Count("user", filter=Q(user__is_active=True))
        )
    }
    # django-axes refuses a username and address pair once it has this many failures, until
    # the cool-off has passed since the last of them (config.settings, AXES_*).
    locked = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=now - settings.AXES_COOLOFF_TIME,
    )
    since = now - FAILED_TASKS_SINCE
    failed = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED, finished_at__gte=since)
    locked_out = list(locked.order_by("-attempt_time")[:SHOWN])
    failed_tasks = list(
        failed.order_by("-finished_at").only(
            "id", "task_path", "finished_at", "exception_class_path", "status"
        )[:SHOWN]
    )
    return AdministratorHome(
        roles=[(name, by_role[name]) for name in roles.ALL_ROLES if name in by_role],
        active_users=user_counts["active"],
        without_role=user_counts["without_role"],
        locked_out=locked_out,
        locked_out_count=locked.count(),
        failed_tasks=failed_tasks,
        failed_tasks_count=failed.count(),
        failed_since=since,
    )
