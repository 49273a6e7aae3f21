"""The report's sections per audit activity, as councils lay out their own board papers: for
each activity of the standard tool with audits in the period, its cases audited, the auditor's
and final grades, the split by strand and case type before and after moderation, its domains,
and the domains of its cases graded Does not meet good beside the others.

Counted from the audits (the figures kept per month are not split by activity) in three queries
whatever the number of audits and activities, none when the period has no audits with an
activity: the grade counts grouped by activity, strand and case type; the domains' numbers;
the domain grades grouped by activity and domain, of all the audits and, beside them, of those
whose final grade is Does not meet good. Python only adds up the grouped rows.
"""

from django.db.models import Count, Q

from audits.figures import (
    GRADE_COUNT_NAMES,
    MODERATION,
    domain_grade_counts,
    final_grade,
    grade_counts,
    not_met_in_all_applicable,
    with_final,
)
from audits.grades import DOMAIN_CODES, OVERALL_CODES, Grade
from audits.models import Domain, DomainGrade

from .selectors import ReportScope, honesty, reportable_audits

__all__ = ["activity_figures"]

NOT_MET = "not_met_in_all_applicable_domains"


def _grades(row: dict) -> dict:
    return {
        "audits": row["audits"],
        "auditor_grades": {g: row[f"auditor_{g}"] for g in OVERALL_CODES},
        "final_grades": {g: row[f"final_{g}"] for g in OVERALL_CODES},
    }


def _add(total: dict, counts: dict) -> None:
    for name, count in counts.items():
        total[name] = total.get(name, 0) + count


NOT_MET_PREFIX = "not_met_"


def _domain_rows(audits, numbers: dict) -> tuple[dict, dict]:
    """{activity id: {domain number: {grade: count}}} for the domain grades of ``audits``, and
    the same for those of its audits whose final grade is Does not meet good: one query."""
    every: dict = {}
    not_met: dict = {}
    does_not_meet = Q(final=Grade.DOES_NOT_MEET)
    rows = (
        DomainGrade.objects.filter(audit__in=audits.values("pk"))
        .annotate(final=final_grade("audit__"))
        .values("audit__activity", "domain")
        .annotate(
            **domain_grade_counts(),
            **domain_grade_counts(of=does_not_meet, prefix=NOT_MET_PREFIX),
        )
        .order_by()
    )
    for row in rows:
        activity, number = row["audit__activity"], numbers[row["domain"]]
        _add(
            every.setdefault(activity, {}).setdefault(number, {}),
            {g: row[g] for g in DOMAIN_CODES},
        )
        _add(
            not_met.setdefault(activity, {}).setdefault(number, {}),
            {g: row[NOT_MET_PREFIX + g] for g in DOMAIN_CODES},
        )
    return every, not_met


def activity_figures(scope: ReportScope) -> list[dict]:
    """One entry per audit activity with reportable audits dated in the scope's period and
    matching its filters, by month then name: {"id", "name", "month", "audits",
    "auditor_grades", "final_grades", "moderation", "small_sample", "auditor_grades_ci",
    "final_grades_ci", "by_strand" and "by_case_type" ({slug: the grade split with its flag and
    intervals}, the strands and case types its audits have), NOT_MET, "domains" and
    "domains_does_not_meet" ([{"number", grade: count}] for every domain number, over all its
    audits and over those whose final grade is Does not meet good)}. Three queries at most."""
    audits = reportable_audits(scope).filter(activity__isnull=False)
    rows = list(
        with_final(audits)
        .values("activity", "activity__name", "activity__month", "strand__slug", "case_type__slug")
        .annotate(**grade_counts(), **{NOT_MET: Count("pk", filter=not_met_in_all_applicable())})
        .order_by()
    )
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
    every, not_met = _domain_rows(audits, numbers)
    ordered_numbers = sorted(set(numbers.values()))
    none: dict = {}

    def domain_list(counts: dict) -> list[dict]:
        return [
            {"number": number, **{g: of.get(g, 0) for g in DOMAIN_CODES}}
            for number, of in ((n, counts.get(n, none)) for n in ordered_numbers)
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
