"""Manager compliance: for each month, each manager's (auditor's) audits allocated, started,
submitted and overdue, and who has submitted none.

What each figure counts, per month and auditor:

- **allocated**: cases drawn for them (audits.cases) in that month's activities, less those
  withdrawn from the draw;
- **started**: their audits of the month, drafts included: an audit belongs to its activity's
  month, or, without an activity, to the month of its audit date (a draft with neither is in
  no month yet);
- **submitted**: those of the started that are past draft;
- **overdue**: cases allocated to them with no audit of theirs past draft in the activity, once
  the activity's due date has passed (without a due date: once its month has ended).

Practice audits count nowhere, as in every other figure. The managers are the active users
with the Auditor role, and anyone else with a figure in the month. Three queries whatever the
number of audits, draws or managers; Python only reshapes the grouped rows.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce, TruncMonth, Upper

from .. import roles
from ..models import Audit, DrawnCase, Status
from ..periods import month_start, months_between


@dataclass(frozen=True)
class ManagerMonth:
    user_id: int
    name: str
    allocated: int = 0
    started: int = 0
    submitted: int = 0
    overdue: int = 0

    @property
    def done_none(self) -> bool:
        return self.submitted == 0


@dataclass(frozen=True)
class ComplianceMonth:
    month: datetime.date
    managers: list[ManagerMonth]

    @property
    def done_none(self) -> list[ManagerMonth]:
        return [m for m in self.managers if m.done_none]


def _allocation_rows(first: datetime.date, last: datetime.date, today: datetime.date):
    submitted_by_auditor = (
        Audit.objects.exclude(status=Status.DRAFT)
        .filter(
            is_practice=False,
            auditor=OuterRef("auditor"),
            activity=OuterRef("draw__activity"),
        )
        .alias(case_reference_upper=Upper("case_reference"))
        .filter(case_reference_upper=Upper(OuterRef("case__case_reference")))
    )
    past_due = Q(draw__activity__due_date__lt=today) | Q(
        draw__activity__due_date__isnull=True, draw__activity__month__lt=month_start(today)
    )
    return (
        DrawnCase.objects.filter(
            withdrawn_at__isnull=True,
            auditor__isnull=False,
            draw__activity__month__gte=first,
            draw__activity__month__lte=last,
        )
        .alias(done=Exists(submitted_by_auditor))
        .values(month=F("draw__activity__month"), user=F("auditor"))
        .annotate(
            allocated=Count("pk"),
            overdue=Count("pk", filter=past_due & Q(done=False)),
        )
        .order_by()
    )


def _audit_rows(first: datetime.date, last: datetime.date):
    return (
        Audit.objects.filter(is_practice=False)
        .alias(audit_month=Coalesce(F("activity__month"), TruncMonth("audit_date")))
        .filter(audit_month__gte=first, audit_month__lte=last)
        .values(month=F("audit_month"), user=F("auditor"))
        .annotate(
            started=Count("pk"),
            submitted=Count("pk", filter=~Q(status=Status.DRAFT)),
        )
        .order_by()
    )


def manager_compliance(
    *, first: datetime.date, last: datetime.date, today: datetime.date
) -> list[ComplianceMonth]:
    """Every month from ``first``'s to ``last``'s, newest first, each with every manager's
    figures (by name) and, through ``done_none``, those who submitted none."""
    months = months_between(first, last)
    if not months:
        return []
    first, last = months[0], months[-1]
    figures: dict[tuple[datetime.date, int], dict] = {}
    for row in _allocation_rows(first, last, today):
        figures.setdefault((_as_date(row["month"]), row["user"]), {}).update(
            allocated=row["allocated"], overdue=row["overdue"]
        )
    for row in _audit_rows(first, last):
        figures.setdefault((_as_date(row["month"]), row["user"]), {}).update(
            started=row["started"], submitted=row["submitted"]
        )
    user_model = get_user_model()
    with_figures = {user for _month, user in figures}
    managers = {
        user.pk: roles.display_name(user)
        for user in user_model.objects.filter(
            Q(groups__name=roles.AUDITOR, is_active=True) | Q(pk__in=with_figures)
        ).distinct()
    }
    ordered = sorted(managers.items(), key=lambda item: (item[1].lower(), item[0]))
    return [
        ComplianceMonth(
            month=month,
            managers=[
                ManagerMonth(user_id=pk, name=name, **figures.get((month, pk), {}))
                for pk, name in ordered
            ],
        )
        for month in reversed(months)
    ]


def _as_date(value) -> datetime.date:
    # TruncMonth of a date is a date on both databases; a datetime would be a bug upstream.
    return value.date() if isinstance(value, datetime.datetime) else value
