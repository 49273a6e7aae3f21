"""The figures of a scrutiny report, counted in the database in a fixed number of queries.

A report counts every audit past draft whose audit date lies in the period, never practice
audits (audits.figures defines the counts). The whole months of the period are read from the
figures kept per month (audits.models.MonthFigures and MonthDomainFigures, which the services
keep up to date, by activity, strand and case type); the days at its edges are counted from
the audits. Python
here only adds up the grouped rows the database returns (such as a strand's over its case
types, or the kept months and the edge days).
"""

import datetime
from dataclasses import dataclass
from functools import cached_property, lru_cache

from django.db.models import (
    Case,
    CharField,
    Count,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from audits.figures import (
    ACTION_COUNT_NAMES,
    GRADE_COUNT_NAMES,
    MODERATION,
    action_count_aggregates,
    domain_grade_counts,
    grade_counts,
    not_met_in_all_applicable,
    reportable_condition,
    with_final,
)
from audits.grades import DOMAIN_CODES, OVERALL_CODES
from audits.models import (
    AgreedAction,
    Audit,
    AuditActivity,
    CaseType,
    Domain,
    DomainGrade,
    FigureMonth,
    MonthActionFigures,
    MonthDomainFigures,
    MonthFigures,
    Strand,
)
from audits.periods import Period, add_months, last_of_month, month_start, split_at_months
from audits.tools.kinds import STANDARD_FAMILY
from audits.tools.results import activity_results, built_activities, results_condition
from audits.uncertainty import interval_json, is_small_sample

__all__ = ["ReportScope", "period_figures", "reportable_audits"]


@dataclass(frozen=True)
class ReportScope:
    """What a report covers: a period and optional filters."""

    period: Period
    activity: AuditActivity | None = None
    strand: Strand | None = None
    case_type: CaseType | None = None

    def filters_dict(self) -> dict:
        return {
            "activity": self.activity.name if self.activity else None,
            "strand": self.strand.slug if self.strand else None,
            "case_type": self.case_type.slug if self.case_type else None,
        }


def _filters(scope: ReportScope, prefix: str = "") -> Q:
    """The scope's filters as a condition on audits, or on kept figures (the same names)."""
    names = ("activity", "strand", "case_type")
    return Q(**{f"{prefix}{name}": getattr(scope, name) for name in names if getattr(scope, name)})


def _audits_condition(scope: ReportScope, periods: list[Period], prefix: str = "") -> Q:
    """Reportable audits of ``scope`` dated in any of ``periods``."""
    dates = _any_of([_between(f"{prefix}audit_date", p) for p in periods])
    return reportable_condition(prefix) & dates & _filters(scope, prefix)


def reportable_audits(scope: ReportScope, period: Period | None = None) -> QuerySet[Audit]:
    return _counted_audits(scope, [period or scope.period])


def _counted_audits(scope: ReportScope, periods: list[Period]) -> QuerySet[Audit]:
    return Audit.objects.filter(_audits_condition(scope, periods)).order_by()


def _between(field: str, period: Period) -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lte": period.end})


def _any_of(conditions: list[Q]) -> Q:
    combined = Q(pk__in=[])
    for condition in conditions:
        combined |= condition
    return combined


def _split(row: dict) -> dict:
    return {
        "audits": row["audits"],
        "auditor_grades": {g: row[f"auditor_{g}"] for g in OVERALL_CODES},
        "final_grades": {g: row[f"final_{g}"] for g in OVERALL_CODES},
        "moderation": {k: row[k] for k in MODERATION},
    }


@lru_cache(maxsize=8192)
def _interval(part: int, whole: int) -> tuple[float, float] | None:
    """audits.uncertainty.interval_json, remembered: a report with sections per activity asks
    for two thousand intervals, most of them the same few (part, whole) pairs again, and each
    rounds its bounds afresh."""
    interval = interval_json(part, whole)
    return None if interval is None else tuple(interval)


def _grade_intervals(grades: dict[str, int], whole: int) -> dict[str, list[float] | None]:
    """audits.uncertainty.grade_intervals by ``_interval``: each a list of its own, as the
    JSON contract has them."""
    return {
        code: None if (found := _interval(count, whole)) is None else list(found)
        for code, count in grades.items()
    }


def honesty(split: dict) -> dict:
    """The contract's small-sample flag and the 95% Wilson interval of each grade's share
    (audits.uncertainty), for a split with "audits", "auditor_grades" and "final_grades"."""
    audits = split["audits"]
    return {
        "small_sample": is_small_sample(audits),
        "auditor_grades_ci": _grade_intervals(split["auditor_grades"], audits),
        "final_grades_ci": _grade_intervals(split["final_grades"], audits),
    }


CURRENT, PREVIOUS = "current", "previous"
NOT_MET = "not_met_in_all_applicable"


@dataclass(frozen=True)
class _Parts:
    """Where each period's figures come from: whole months kept, and days counted afresh."""

    previous: Period | None  # the period the report compares with (None: see ``named``)
    kept: dict[str, Period]  # CURRENT/PREVIOUS -> the whole months read from MonthFigures
    counted: list[tuple[str, Period]]  # (CURRENT/PREVIOUS, days counted from the audits)

    @classmethod
    def of(cls, scope: ReportScope) -> "_Parts":
        previous = scope.period.previous()
        return cls.named(scope, [(CURRENT, scope.period), (PREVIOUS, previous)], previous)

    @classmethod
    def named(
        cls, scope: ReportScope, periods: list[tuple[str, Period]], previous: Period | None = None
    ) -> "_Parts":
        """The parts of any periods, each named by a key of its own (the report's CURRENT and
        PREVIOUS, or the trend's periods, reports.trend): the rows of ``_counted_rows`` and
        ``_kept_rows`` then carry that key as "which"."""
        kept, counted = {}, []
        for which, period in periods:
            months, edges = split_at_months(period)
            if months:
                kept[which] = months
            counted.extend((which, edge) for edge in edges)
        return cls(previous, kept, counted)

    @cached_property
    def closed_through(self) -> datetime.date | None:
        """The last day of the last month closed by the retention schedule (its audits
        deleted, its figures kept: audits.figures.close_months), or None. One query, made
        only when asked."""
        last = FigureMonth.objects.filter(closed_at__isnull=False).aggregate(last=Max("month"))
        return last_of_month(last["last"]) if last["last"] else None

    def counts_removed_days(self) -> bool:
        """Whether some days this report counts from the audits (the edges of its period or
        of the previous one) are in closed months,
        whose audits are gone: those figures are then short of what they were."""
        return (
            bool(self.counted)
            and self.closed_through is not None
            and any(period.start <= self.closed_through for which, period in self.counted)
        )

    def current_counted(self) -> list[Period]:
        return [period for which, period in self.counted if which == CURRENT]


def _which(field: str, periods: list[tuple[str, Period]]) -> Case:
    return Case(
        *[When(_between(field, period), then=Value(which)) for which, period in periods],
        default=Value(None),
        output_field=CharField(),
    )


def _counted_rows(scope: ReportScope, parts: _Parts) -> list[dict]:
    """The grade counts of the days counted afresh, by (period, strand, case type): one
    query, one pass over the audits of those days."""
    if not parts.counted:
        return []
    current = _any_of([_between("audit_date", p) for p in parts.current_counted()])
    audits = _counted_audits(scope, [period for which, period in parts.counted])
    # Only a report's parts (with a previous period) count NOT_MET, for their CURRENT period;
    # periods named otherwise (the trend's) have no such figure, and their rows no such key.
    not_met = (
        {NOT_MET: Count("pk", filter=current & not_met_in_all_applicable())}
        if parts.previous
        else {}
    )
    return list(
        with_final(audits)
        .annotate(which=_which("audit_date", parts.counted))
        .values("which", "strand", "case_type")
        .annotate(**grade_counts(), **not_met)
        .order_by()
    )


def _kept_rows(scope: ReportScope, parts: _Parts) -> list[dict]:
    """The same counts of the whole months, added up from the kept figures: one query."""
    if not parts.kept:
        return []
    kept = list(parts.kept.items())
    rows = MonthFigures.objects.filter(
        _any_of([_between("month", p) for w, p in kept]), _filters(scope)
    )
    names = (*GRADE_COUNT_NAMES, NOT_MET) if parts.previous else GRADE_COUNT_NAMES
    return list(
        rows.annotate(which=_which("month", kept))
        .values("which", "strand", "case_type")
        .annotate(**{name: Sum(name) for name in names})
        .order_by()
    )


def _add(total: dict, counts: dict) -> None:
    for name, count in counts.items():
        total[name] = total.get(name, 0) + count


def grade_totals_grouped(scope: ReportScope, parts: _Parts) -> dict:
    """The grade counts of ``scope`` in total, by strand and by case type, the number of its
    audits not meeting good in any applicable domain, and the totals of the previous period
    (same filters): two queries, one over the kept months and one over the edge days.

    Every figure is a count, so the total, a strand's or a case type's is the sum of its
    groups' counts, added up here from at most 2 x 2 x strands x case types rows. Returns
    {"totals", "previous": split dict, "by_strand", "by_case_type": {strand_id or
    case_type_id: split dict}, NOT_MET: count} (no None keys).
    """
    totals, previous, by_strand, by_case_type = {}, {}, {}, {}
    for row in [*_counted_rows(scope, parts), *_kept_rows(scope, parts)]:
        counts = {name: row[name] for name in (*GRADE_COUNT_NAMES, NOT_MET)}
        if row["which"] == PREVIOUS:
            _add(previous, counts)
        elif row["which"] == CURRENT:
            _add(totals, counts)
            if row["strand"] is not None:
                _add(by_strand.setdefault(row["strand"], {}), counts)
            if row["case_type"] is not None:
                _add(by_case_type.setdefault(row["case_type"], {}), counts)
    zero = dict.fromkeys((*GRADE_COUNT_NAMES, NOT_MET), 0)
    return {
        "totals": _split({**zero, **totals}),
        "previous": _split({**zero, **previous}),
        "by_strand": {pk: _split(row) for pk, row in by_strand.items()},
        "by_case_type": {pk: _split(row) for pk, row in by_case_type.items()},
        NOT_MET: totals.get(NOT_MET, 0),
    }


def domain_counts(scope: ReportScope, parts: _Parts) -> list[dict]:
    """For each domain number: how many audits gave each grade. Three queries at most.

    Domains are matched by number across tool versions; titles are the newest version's.
    """
    numbers, titles = {}, {}
    for pk, number, title in Domain.objects.order_by("number", "-tool__version").values_list(
        "pk", "number", "title"
    ):
        numbers[pk] = number
        titles.setdefault(number, title)
    by_number = {number: dict.fromkeys(DOMAIN_CODES, 0) for number in titles}
    if parts.current_counted():
        # Grouped by domain_id, not by the number: no join to the domain table for every
        # grade row. Each tool version's domains are then added up under their number.
        audits = _counted_audits(scope, parts.current_counted())
        for row in (
            DomainGrade.objects.filter(audit__in=audits)
            .values("domain")
            .annotate(**domain_grade_counts())
            .order_by()
        ):
            _add(by_number[numbers[row["domain"]]], {g: row[g] for g in DOMAIN_CODES})
    if CURRENT in parts.kept:
        months = parts.kept[CURRENT]
        rows = MonthDomainFigures.objects.filter(_between("month", months), _filters(scope))
        for row in rows.values("number").annotate(**{g: Sum(g) for g in DOMAIN_CODES}).order_by():
            entry = by_number.setdefault(row["number"], dict.fromkeys(DOMAIN_CODES, 0))
            _add(entry, {g: row[g] for g in DOMAIN_CODES})
    return [
        {"number": number, "title": titles.get(number, ""), **by_number[number]}
        for number in sorted(by_number)
    ]


def action_counts(scope: ReportScope, parts: _Parts, *, today: datetime.date) -> dict:
    """Agreed actions on the period's audits: raised, done (on time, late), open, overdue.

    As the grades are: the whole months read from the counts kept per month
    (MonthActionFigures, by the due date of the open actions, so that what is overdue on
    ``today`` can be counted), the days at the edges counted from the actions (joined on the
    action's own audit, so the database reads the actions' covering index once). Two queries
    at most.
    """
    counts = dict.fromkeys(ACTION_COUNT_NAMES, 0)
    if edges := parts.current_counted():
        actions = AgreedAction.objects.filter(_audits_condition(scope, edges, "audit__"))
        _add(counts, actions.order_by().aggregate(**action_count_aggregates(today=today)))
    if CURRENT in parts.kept:
        rows = MonthActionFigures.objects.filter(
            _between("month", parts.kept[CURRENT]), _filters(scope)
        )
        # Aliased, since an aggregate named "open" would hide the field "open" from "overdue".
        kept = rows.aggregate(
            **{f"kept_{name}": Sum(name) for name in ACTION_COUNT_NAMES if name != "overdue"},
            kept_overdue=Sum("open", filter=Q(open_due_date__lt=today)),
        )
        _add(counts, {name: kept[f"kept_{name}"] or 0 for name in ACTION_COUNT_NAMES})
    return counts


def _activity_rows(activities) -> list[dict]:
    # The columns alone, not the activities: the report reads no more of them.
    return [
        {
            "month": a["month"].isoformat(),
            "name": a["name"],
            "theme": a["theme"],
            "strand": a["strand__name"],
            "planned": a["planned_audits"],
            "submitted": a["audits_done"],
            "completed": a["audits_completed"],
            "auditors": a["auditor_count"],
            "due_date": a["due_date"].isoformat() if a["due_date"] else None,
            "late": a["is_late"],
        }
        for a in activities.values(
            "month",
            "name",
            "theme",
            "strand__name",
            "planned_audits",
            "audits_done",
            "audits_completed",
            "auditor_count",
            "due_date",
            "is_late",
        )
    ]


def schedule_figures(scope: ReportScope, *, today: datetime.date) -> dict:
    """Planned against done for the period's activities, and the plan for the three months
    after it. Two queries."""
    from audits.schedule.selectors import activities_with_counts

    def scoped(qs):
        # The standard tool's activities: a built tool's have their own results
        # (activity_results_figures), so adding one leaves the contract's schedule as it was.
        qs = qs.filter(Q(tool__isnull=True) | Q(tool__family=STANDARD_FAMILY))
        if scope.activity:
            qs = qs.filter(pk=scope.activity.pk)
        if scope.strand:
            qs = qs.filter(Q(strand=scope.strand) | Q(strand__isnull=True))
        # A correlated count, so that joining the auditors does not multiply the audits
        # that activities_with_counts counts.
        return (
            qs.annotate(
                auditor_count=Coalesce(
                    Subquery(
                        AuditActivity.auditors.through.objects.filter(auditactivity=OuterRef("pk"))
                        .order_by()
                        .values("auditactivity")
                        .annotate(n=Count("*"))
                        .values("n"),
                        output_field=IntegerField(),
                    ),
                    0,
                )
            )
            .prefetch_related(None)
            .order_by("month", "name")
        )

    period = scope.period
    coming_start = add_months(period.end, 1)
    coming_end = add_months(coming_start, 2)
    return {
        "in_period": _activity_rows(
            scoped(
                activities_with_counts(today=today, start=month_start(period.start), end=period.end)
            )
        ),
        "coming": _activity_rows(
            scoped(activities_with_counts(today=today, start=coming_start, end=coming_end))
        ),
    }


def activity_results_figures(scope: ReportScope) -> list[dict]:
    """The results of every activity with a built tool that is planned in the period or has
    audits dated in it (audits.tools.results), counted from its audits dated in the period that
    match the scope's filters, by month then name. One query when there is none, eight else."""
    audits = _between("audit_date", scope.period) & _filters(scope)
    dated = Audit.objects.filter(results_condition() & audits).values("activity")
    planned = _between("month", Period(month_start(scope.period.start), scope.period.end, ""))
    activities = built_activities().filter(Q(pk__in=dated) | planned)
    if scope.activity:
        activities = activities.filter(pk=scope.activity.pk)
    return activity_results(activities.order_by("month", "name"), audits=audits)


def activity_page_figures(activity: AuditActivity, *, today: datetime.date) -> dict:
    """What an activity's results page shows, from all its audits whatever their date:
    {"results": audits.tools.results for a built tool} or, for the standard tool, {"figures":
    the report's figures for the activity over its audits' dates, or None with no audits}."""
    from audits.figures import reportable
    from audits.periods import date_range

    if activity.tool_id and not activity.tool.is_standard:
        return {"results": activity_results([activity])[0]}
    dates = reportable(Audit.objects.filter(activity=activity)).aggregate(
        first=Min("audit_date"), last=Max("audit_date")
    )
    if dates["first"] is None:
        return {"figures": None}
    scope = ReportScope(date_range(dates["first"], dates["last"]), activity)
    return {"figures": period_figures(scope, today=today)}


def counts_for_targets(figures: dict) -> dict:
    """The counts the QA target measures need, taken from ``period_figures``' result, in the
    shape ``measure_counts`` gives them."""
    totals = {key: figures[key] for key in ("audits", "auditor_grades", "final_grades")}
    return {
        "totals": {**totals, "moderation": figures["moderation"]},
        "domains": figures["domains"],
    }


def measure_counts(scope: ReportScope) -> dict:
    """The counts the QA target measures need, for a page that shows targets without the
    rest of a report: {"totals": grade split, "domains": domain rows}. At most five queries."""
    parts = _Parts.of(scope)
    grouped = grade_totals_grouped(scope, parts)
    return {"totals": grouped["totals"], "domains": domain_counts(scope, parts)}


def period_figures(scope: ReportScope, *, today: datetime.date) -> dict:
    """Every count of the report, as plain data: all of reports.figures.report_figures but the
    QA targets, which build on these counts (``counts_for_targets``).

    At most twenty queries, whatever the number of audits and activities: twelve for the
    standard tool's figures, fewer when the period is whole months (nothing to count afresh)
    or has no whole month (nothing kept to read), one of them the retention schedule's (which
    months it closed, asked only when days are counted afresh); then one for the activities
    with a built tool, and seven more for their results where the period has some
    (``activity_results_figures``).

    ``retention`` is there only when some of the days counted from the audits lie in months
    closed by the retention schedule, whose audits have been deleted: the whole months keep
    their figures, but edge days cannot be counted there.
    """
    parts = _Parts.of(scope)
    grouped = grade_totals_grouped(scope, parts)
    totals = grouped["totals"]
    strands = list(Strand.objects.order_by("order").values_list("pk", "slug", "name"))
    by_strand = {
        slug: (split := grouped["by_strand"].get(pk) or _split_zero()) | honesty(split)
        for pk, slug, name in strands
    }
    # Every case type (a short list), in its own order, to name the ones the audits have;
    # the figures by case type are in slug order (Python's, the same as SQLite's and as a
    # PostgreSQL database with the C collation would sort them).
    case_types = list(CaseType.objects.values_list("pk", "slug", "name"))
    slugs = {pk: slug for pk, slug, name in case_types}
    by_case_type = {slugs[pk]: row for pk, row in grouped["by_case_type"].items()}
    domains = domain_counts(scope, parts)
    return {
        "start": scope.period.start.isoformat(),
        "end": scope.period.end.isoformat(),
        "audits": totals["audits"],
        "auditor_grades": totals["auditor_grades"],
        "final_grades": totals["final_grades"],
        "moderation": totals["moderation"],
        **honesty(totals),
        "by_strand": by_strand,
        "by_case_type": {
            slug: {
                "audits": row["audits"],
                "final_grades": row["final_grades"],
                "auditor_grades": row["auditor_grades"],
                **honesty(row),
            }
            for slug, row in sorted(by_case_type.items())
        },
        "domains": domains,
        "not_met_in_all_applicable_domains": grouped[NOT_MET],
        "actions": action_counts(scope, parts, today=today),
        "schedule": schedule_figures(scope, today=today),
        "previous": {
            "start": parts.previous.start.isoformat(),
            "end": parts.previous.end.isoformat(),
            **grouped["previous"],
        },
        "filters": scope.filters_dict(),
        "names": {
            "strands": {slug: name for pk, slug, name in strands},
            "case_types": {slug: name for pk, slug, name in case_types if slug in by_case_type},
        },
        "period_label": scope.period.label,
        # Only where figures are missing, so a report that retention leaves whole is unchanged.
        **(
            {"retention": {"removed_through": parts.closed_through.isoformat()}}
            if parts.counts_removed_days()
            else {}
        ),
        # Beside the standard figures, which never count these audits.
        "activity_results": activity_results_figures(scope),
    }


def _split_zero() -> dict:
    zero = {g: 0 for g in OVERALL_CODES}
    return {
        "audits": 0,
        "auditor_grades": dict(zero),
        "final_grades": dict(zero),
        "moderation": {"moderated": 0, "agreed": 0, "raised": 0, "lowered": 0},
    }
