"""Reads of the audit schedule: activities with their planned, submitted and completed counts."""

from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import Audit, AuditActivity, Status
from ..periods import add_months, month_start


def activities_for_choice() -> QuerySet[AuditActivity]:
    return AuditActivity.objects.select_related("strand").order_by("-month", "name")


PAST_DRAFT = (Status.SUBMITTED, Status.IN_MODERATION, Status.RETURNED, Status.COMPLETED)


def _audits_of_activity(removed: str, **filters) -> ExpressionWrapper:
    """How many of the activity's audits match ``filters``, practice audits never: a
    correlated count, so the figure stays right whatever the caller joins beside it; plus
    those deleted under the retention schedule, kept in the activity's field ``removed``.

    COUNT(*), not of the id, so that the index on (activity, is_practice, status) answers it
    alone (PostgreSQL reads no audit rows once the table has been vacuumed)."""
    counted = (
        Audit.objects.filter(activity=OuterRef("pk"), is_practice=False, **filters)
        .order_by()
        .values("activity")
        .annotate(n=Count("*"))
        .values("n")
    )
    return ExpressionWrapper(
        Coalesce(Subquery(counted, output_field=IntegerField()), 0) + F(removed),
        output_field=IntegerField(),
    )


def activities_with_counts(*, today=None, start=None, end=None) -> QuerySet[AuditActivity]:
    """Activities, newest month first, with planned against done counted in the same query.

    ``audits_done`` counts audits past draft; ``audits_completed`` those completed; practice
    audits count in neither. Both include the activity's audits deleted under the retention
    schedule (``removed_submitted``, ``removed_completed``), so an old month's plan still
    reads as it did. ``is_late``: the due date has passed with fewer audits submitted than
    planned.
    """
    today = today or timezone.localdate()
    # Subqueries, not Count over a join to the audits: grouping the joined rows of every
    # activity's audits (with COUNT DISTINCT, in case a caller joined another to-many
    # relation) made the report's schedule slow with many audits.
    qs = (
        AuditActivity.objects.select_related("strand", "tool")
        .prefetch_related("case_types", "auditors")
        .annotate(
            audits_done=_audits_of_activity("removed_submitted", status__in=PAST_DRAFT),
            audits_completed=_audits_of_activity("removed_completed", status=Status.COMPLETED),
        )
        .annotate(
            is_late=Case(
                When(
                    Q(due_date__lt=today) & Q(planned_audits__gt=F("audits_done")), then=Value(True)
                ),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-month", "name")
    )
    if start:
        qs = qs.filter(month__gte=start)
    if end:
        qs = qs.filter(month__lte=end)
    return qs


def schedule_by_month(*, today, months_back: int = 6, months_ahead: int = 3) -> list[dict]:
    """The audit schedule around ``today``: each month with its activities, coming months first
    in date order, then the past ones."""
    this_month = month_start(today)
    first = add_months(this_month, -months_back)
    last = add_months(this_month, months_ahead)
    months: dict = {}
    for activity in activities_with_counts(today=today, start=first, end=last):
        months.setdefault(activity.month, []).append(activity)
    ordered = sorted(months.items())
    return [
        {
            "month": month,
            "activities": sorted(items, key=lambda a: a.name),
            "is_past": month < this_month,
            "is_current": month == this_month,
        }
        for month, items in ordered
    ]


def assigned_activities(user, *, today) -> QuerySet[AuditActivity]:
    """Activities this month and later (and last month's, if late) assigned to ``user``, with
    how many audits they have submitted for each."""
    since = add_months(today, -1)
    return (
        user.assigned_activities.filter(month__gte=since)
        .select_related("strand")
        .annotate(
            my_done=Count(
                "audits", filter=Q(audits__auditor=user) & Q(audits__status__in=PAST_DRAFT)
            )
        )
        .order_by("month", "name")
    )
