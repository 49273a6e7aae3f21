"""The trend of a report: the periods of the same length ending with the report's own, oldest
first (audits.periods.periods_ending_with), each with its audits, grades before and after
moderation, moderation and overdue actions, under the same filters as the report.

Counted like the report itself (reports.selectors): the whole months of every period are read
from the figures kept per month in one query, the days at their edges counted from the audits
in one more, and the overdue actions likewise (kept months, edge days) in two, so the number
of queries does not grow with the periods nor with the audits. Each row the database returns
is named by its period's position ("which"); Python only adds up the rows of a period.
"""

import datetime

from django.db.models import Q, Sum

from audits.figures import GRADE_COUNT_NAMES, action_count_aggregates
from audits.models import AgreedAction, MonthActionFigures
from audits.periods import (
    Period,
    date_range,
    financial_quarter_of,
    financial_year,
    financial_year_of,
    half,
    month,
    periods_ending_with,
    quarter,
)

from .selectors import (
    ReportScope,
    _add,
    _any_of,
    _audits_condition,
    _between,
    _counted_rows,
    _filters,
    _kept_rows,
    _Parts,
    _split,
    _which,
    honesty,
)

__all__ = ["TREND_PERIODS", "MAX_TREND_PERIODS", "period_label", "trend_figures"]

TREND_PERIODS = 4  # the contract's default
MAX_TREND_PERIODS = 8


def period_label(period: Period) -> str:
    """The name a board member knows a period by: "Quarter 1 2026/27", "Half year 2 2025/26",
    "Financial year 2026/27", "July 2026", or its dates."""
    months, start = period.whole_months, period.start
    fy = financial_year_of(start)
    if months == 1:
        return month(start.year, start.month).label
    if months == 3 and start.month in (1, 4, 7, 10):
        return quarter(fy, financial_quarter_of(start)).label
    if months == 6 and start.month in (4, 10):
        return half(fy, 1 if start.month == 4 else 2).label
    if months == 12 and start.month == 4:
        return financial_year(fy).label
    return date_range(period.start, period.end).label


def _overdue_actions(scope: ReportScope, parts: _Parts, *, today: datetime.date) -> dict[str, int]:
    """Open actions past their due date as of ``today``, on each period's audits: the whole
    months from the counts kept per month (MonthActionFigures), the edge days from the
    actions, one query each (as reports.selectors.action_counts)."""
    counts: dict[str, int] = {}
    if parts.counted:
        overdue = action_count_aggregates(today=today)["overdue"]
        periods = [period for which, period in parts.counted]
        for row in (
            AgreedAction.objects.filter(_audits_condition(scope, periods, "audit__"))
            .annotate(which=_which("audit__audit_date", parts.counted))
            .values("which")
            .annotate(overdue=overdue)
            .order_by()
        ):
            _add(counts, {row["which"]: row["overdue"]})
    if parts.kept:
        kept = list(parts.kept.items())
        rows = MonthActionFigures.objects.filter(
            _any_of([_between("month", p) for w, p in kept]), _filters(scope)
        )
        for row in (
            rows.annotate(which=_which("month", kept))
            .values("which")
            .annotate(kept_overdue=Sum("open", filter=Q(open_due_date__lt=today)))
            .order_by()
        ):
            _add(counts, {row["which"]: row["kept_overdue"] or 0})
    return counts


def trend_figures(
    scope: ReportScope, *, today: datetime.date, count: int = TREND_PERIODS
) -> list[dict]:
    """The contract's "trend": ``count`` periods (4 to 8) of the report's length ending with its
    own, oldest first, each {"start", "end", "label", "audits", "auditor_grades",
    "final_grades", "moderation", "small_sample", "auditor_grades_ci", "final_grades_ci",
    "overdue_actions"}, with the report's filters. At most four queries, whatever the number
    of periods and audits."""
    count = min(max(count, TREND_PERIODS), MAX_TREND_PERIODS)
    periods = periods_ending_with(scope.period, count)
    named = [(str(index), period) for index, period in enumerate(periods)]
    parts = _Parts.named(scope, named)
    totals: dict[str, dict] = {which: dict.fromkeys(GRADE_COUNT_NAMES, 0) for which, p in named}
    for row in [*_counted_rows(scope, parts), *_kept_rows(scope, parts)]:
        _add(totals[row["which"]], {name: row[name] for name in GRADE_COUNT_NAMES})
    overdue = _overdue_actions(scope, parts, today=today)
    trend = []
    for which, period in named:
        split = _split(totals[which])
        trend.append(
            {
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
                "label": period_label(period),
                **split,
                **honesty(split),
                "overdue_actions": overdue.get(which, 0),
            }
        )
    return trend
