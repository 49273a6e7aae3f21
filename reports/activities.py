"""The report's sections per audit activity, as councils lay out their own board papers: for
each activity of the standard tool with audits in the period, its cases audited, the auditor's
and final grades, the split by strand and case type before and after moderation, its domains,
and the domains of its cases graded Does not meet good beside the others.

Counted as the report's other figures are (reports.selectors): the whole months of the period
are read from the figures kept per month, which are kept by activity (and the domains' apart
for the audits whose final grade is Does not meet good), and only the days at its edges are
counted from the audits. Five queries at most, whatever the number of audits, activities and
months: the grade counts grouped by activity, strand and case type, of the kept months and of
the edge days; the domains' numbers; the domain grades grouped by activity, domain and final
grade, of the kept months and of the edge days. Python only adds up the grouped rows.
"""

from django.db.models import Count, F, Sum

from audits.figures import (
    GRADE_COUNT_NAMES,
    MODERATION,
    domain_grade_counts,
    final_does_not_meet,
    grade_counts,
    not_met_in_all_applicable,
    with_final,
)
from audits.grades import DOMAIN_CODES, OVERALL_CODES
from audits.models import Domain, DomainGrade, MonthDomainFigures, MonthFigures
from audits.periods import split_at_months

from .selectors import ReportScope, _add, _between, _counted_audits, _filters, honesty

__all__ = ["activity_figures"]

NOT_MET = "not_met_in_all_applicable_domains"
KEPT_NOT_MET = "not_met_in_all_applicable"  # MonthFigures' name for it
LABELS = ("activity__name", "activity__month", "strand__slug", "case_type__slug")


def _grades(row: dict) -> dict:
    return {
        "audits": row["audits"],
        "auditor_grades": {g: row[f"auditor_{g}"] for g in OVERALL_CODES},
        "final_grades": {g: row[f"final_{g}"] for g in OVERALL_CODES},
    }


def _grade_rows(scope: ReportScope, months, edges) -> list[dict]:
    """The grade counts by activity, strand and case type (with their names): the kept months'
    added up, and the edge days' counted from the audits. Two queries at most."""
    rows = []
    if months:
        kept = MonthFigures.objects.filter(
            _between("month", months), _filters(scope), activity__isnull=False
        )
        for row in (
            kept.values("activity", *LABELS)
            .annotate(**{name: Sum(name) for name in (*GRADE_COUNT_NAMES, KEPT_NOT_MET)})
            .order_by()
        ):
            row[NOT_MET] = row.pop(KEPT_NOT_MET)
            rows.append(row)
    if edges:
        audits = _counted_audits(scope, edges).filter(activity__isnull=False)
        rows += (
            with_final(audits)
            .values("activity", *LABELS)
            .annotate(
                **grade_counts(), **{NOT_MET: Count("pk", filter=not_met_in_all_applicable())}
            )
            .order_by()
        )
    return rows


def _domain_rows(scope: ReportScope, months, edges, numbers: dict) -> tuple[dict, dict]:
    """{activity id: {domain number: {grade: count}}} of all the audits, and of those whose
    final grade is Does not meet good: kept months and edge days, two queries at most."""
    every: dict = {}
    not_met: dict = {}

    def add(activity, number, does_not_meet, row):
        counts = {g: row[g] for g in DOMAIN_CODES}
        _add(every.setdefault(activity, {}).setdefault(number, {}), counts)
        if does_not_meet:
            _add(not_met.setdefault(activity, {}).setdefault(number, {}), counts)

    if months:
        kept = MonthDomainFigures.objects.filter(
            _between("month", months), _filters(scope), activity__isnull=False
        )
        for row in (
            kept.values("activity", "number", "final_does_not_meet")
            .annotate(**{g: Sum(g) for g in DOMAIN_CODES})
            .order_by()
        ):
            add(row["activity"], row["number"], row["final_does_not_meet"], row)
    if edges:
        audits = _counted_audits(scope, edges).filter(activity__isnull=False)
        for row in (
            DomainGrade.objects.filter(audit__in=audits.values("pk"))
            .values(
                "domain",
                activity=F("audit__activity"),
                final_is_not_met=final_does_not_meet("audit__"),
            )
            .annotate(**domain_grade_counts())
            .order_by()
        ):
            add(row["activity"], numbers[row["domain"]], row["final_is_not_met"], row)
    return every, not_met


def activity_figures(scope: ReportScope) -> list[dict]:
    """One entry per audit activity with reportable audits dated in the scope's period and
    matching its filters, by month then name: {"id", "name", "month", "audits",
    "auditor_grades", "final_grades", "moderation", "small_sample", "auditor_grades_ci",
    "final_grades_ci", "by_strand" and "by_case_type" ({slug: the grade split with its flag and
    intervals}, the strands and case types its audits have), NOT_MET, "domains" and
    "domains_does_not_meet" ([{"number", grade: count}] for every domain number, over all its
    audits and over those whose final grade is Does not meet good)}. Five queries at most."""
    months, edges = split_at_months(scope.period)
    rows = _grade_rows(scope, months, edges)
    if not rows:
        return []
    counted = (*GRADE_COUNT_NAMES, NOT_MET)
    activities: dict = {}
    for row in rows:
        entry = activities.get(row["activity"])
        if entry is None:
            entry = activities[row["activity"]] = {
                "name": row["activity__name"],
                "month": row["activity__month"],
                "totals": dict.fromkeys(counted, 0),
                "by_strand": {},
                "by_case_type": {},
            }
        # Each row's counts added to its activity's, its strand's and its case type's.
        totals = [entry["totals"]]
        for key, slug in (
            ("by_strand", row["strand__slug"]),
            ("by_case_type", row["case_type__slug"]),
        ):
            if slug is not None:
                group = entry[key].get(slug)
                if group is None:
                    group = entry[key][slug] = dict.fromkeys(counted, 0)
                totals.append(group)
        for name in counted:
            count = row[name]
            for total in totals:
                total[name] += count

    # Domains are matched by number across tool versions, as in the report's domains table.
    numbers = dict(Domain.objects.values_list("pk", "number"))
    every, not_met = _domain_rows(scope, months, edges, numbers)

    def domain_list(counts: dict) -> list[dict]:
        return [
            {"number": number, **{g: counts.get(number, {}).get(g, 0) for g in DOMAIN_CODES}}
            for number in sorted(set(numbers.values()))
        ]

    def split(counts: dict) -> dict:
        grades = _grades(counts)
        return grades | honesty(grades)

    result = []
    for pk, entry in sorted(
        activities.items(), key=lambda item: (item[1]["month"], item[1]["name"], item[0])
    ):
        totals = entry["totals"]
        grades = _grades(totals)
        result.append(
            {
                "id": pk,
                "name": entry["name"],
                "month": entry["month"].isoformat(),
                **grades,
                "moderation": {name: totals[name] for name in MODERATION},
                **honesty(grades),
                "by_strand": {slug: split(c) for slug, c in sorted(entry["by_strand"].items())},
                "by_case_type": {
                    slug: split(c) for slug, c in sorted(entry["by_case_type"].items())
                },
                NOT_MET: totals[NOT_MET],
                "domains": domain_list(every.get(pk, {})),
                "domains_does_not_meet": domain_list(not_met.get(pk, {})),
            }
        )
    return result
