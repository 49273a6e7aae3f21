"""Two sets of audits side by side: two periods, two audit activities or two teams, with the
same optional strand and case type; each figure of both, their difference, and whether each
difference in shares is larger than chance would give (audits.uncertainty.Difference).

Counted from the audits with the report's own expressions (audits.figures): a comparison may
be by team, which the figures kept per month do not hold, so both sides are counted afresh,
in five queries whatever the number of audits (each side's grades, each side's domains, and
the domains' titles). Python only arranges the counts and asks audits.uncertainty about them.
"""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from audits import grades
from audits.figures import (
    GRADE_COUNT_NAMES,
    domain_grade_counts,
    grade_counts,
    not_met_in_all_applicable,
    reportable_condition,
    with_final,
)
from audits.grades import DOMAIN_CODES, GOOD, OVERALL_CODES
from audits.models import Audit, AuditActivity, CaseType, Domain, DomainGrade, Strand, Team
from audits.periods import EARLIEST_REPORT_DATE, LATEST_REPORT_DATE, Period
from audits.uncertainty import Difference, format_share, is_small_sample

from .selectors import _split, honesty

__all__ = ["Side", "compare_figures", "comparison_rows"]

NOT_MET = "not_met_in_all_applicable_domains"
# Two activities compared without dates: all their audits, whatever the date.
ALL_DATES = Period(EARLIEST_REPORT_DATE, LATEST_REPORT_DATE, "all dates")


@dataclass(frozen=True)
class Side:
    """One side of a comparison: audits dated in ``period``, of ``activity`` or ``team`` where
    given."""

    label: str
    period: Period
    activity: AuditActivity | None = None
    team: Team | None = None

    @property
    def dates(self) -> str:
        """Which audits the side counts by date, as the page says it."""
        if self.period == ALL_DATES:
            return _("all dates")
        return _("audits dated %(start)s to %(end)s") % {
            "start": f"{self.period.start:%-d %B %Y}",
            "end": f"{self.period.end:%-d %B %Y}",
        }

    def condition(self) -> Q:
        condition = Q(audit_date__gte=self.period.start, audit_date__lte=self.period.end)
        if self.activity:
            condition &= Q(activity=self.activity)
        if self.team:
            condition &= Q(team=self.team)
        return condition


def _audits(side: Side, strand: Strand | None, case_type: CaseType | None) -> QuerySet[Audit]:
    common = Q(
        **{name: value for name, value in (("strand", strand), ("case_type", case_type)) if value}
    )
    return Audit.objects.filter(reportable_condition() & side.condition() & common).order_by()


def _side_figures(audits: QuerySet[Audit], numbers: dict[int, str]) -> dict:
    """One side's counts: two queries."""
    counts = with_final(audits).aggregate(
        **grade_counts(), **{NOT_MET: Count("pk", filter=not_met_in_all_applicable())}
    )
    domains = {number: dict.fromkeys(DOMAIN_CODES, 0) for number in numbers}
    for row in (
        DomainGrade.objects.filter(audit__in=audits)
        .values("domain__number")
        .annotate(**domain_grade_counts())
        .order_by()
    ):
        domains.setdefault(row["domain__number"], dict.fromkeys(DOMAIN_CODES, 0))
        for grade in DOMAIN_CODES:
            domains[row["domain__number"]][grade] += row[grade]
    split = _split({name: counts[name] for name in GRADE_COUNT_NAMES})
    return {
        **split,
        **honesty(split),
        NOT_MET: counts[NOT_MET],
        "domains": [
            {"number": number, "title": numbers.get(number, ""), **domains[number]}
            for number in sorted(domains)
        ],
    }


def compare_figures(
    a: Side, b: Side, *, strand: Strand | None = None, case_type: CaseType | None = None
) -> dict:
    """The figures of both sides: {"a": side figures, "b": side figures, "filters"}. Each side
    has the report's "audits", "auditor_grades", "final_grades", "moderation", "small_sample",
    the intervals, "not_met_in_all_applicable_domains" and "domains" (by number, with the
    newest tool version's titles). Five queries."""
    titles: dict[int, str] = {}
    for number, title in Domain.objects.order_by("number", "-tool__version").values_list(
        "number", "title"
    ):
        titles.setdefault(number, title)
    return {
        "a": {"label": a.label, **_side_figures(_audits(a, strand, case_type), titles)},
        "b": {"label": b.label, **_side_figures(_audits(b, strand, case_type), titles)},
        "filters": {
            "strand": strand.name if strand else None,
            "case_type": case_type.name if case_type else None,
        },
    }


# --- The rows the page shows ---------------------------------------------------------------


def _count_row(label: str, a: int, b: int) -> dict:
    return {"label": label, "a": str(a), "b": str(b), "change": f"{b - a:+d}", "test": None}


def _share_row(label: str, part_a: int, whole_a: int, part_b: int, whole_b: int) -> dict:
    difference = Difference(part_a, whole_a, part_b, whole_b)
    points = difference.points
    return {
        "label": label,
        "a": f"{part_a} · {format_share(part_a, whole_a)}",
        "b": f"{part_b} · {format_share(part_b, whole_b)}",
        "change": "–" if points is None else _("%(points)s points") % {"points": f"{points:+}"},
        "test": difference,
        "beyond_chance": difference.beyond_chance,
        "in_words": difference.in_words(),
    }


def _good(counts: dict) -> int:
    return sum(counts[g] for g in GOOD)


def comparison_rows(figures: dict) -> dict:
    """The comparison as rows of "label", "a", "b", "change" and, for a share, the test
    ("test", "beyond_chance", "in_words"): {"overall": [...], "domains": [...]}."""
    a, b = figures["a"], figures["b"]
    overall = [_count_row(_("Audits"), a["audits"], b["audits"])]
    for key, who in (("auditor_grades", _("auditor's grade")), ("final_grades", _("final grade"))):
        for code in OVERALL_CODES:
            overall.append(
                _share_row(
                    f"{grades.label(code)}, {who}",
                    a[key][code],
                    a["audits"],
                    b[key][code],
                    b["audits"],
                )
            )
        overall.append(
            _share_row(
                _("At least Meets good, %(who)s") % {"who": who},
                _good(a[key]),
                a["audits"],
                _good(b[key]),
                b["audits"],
            )
        )
    ma, mb = a["moderation"], b["moderation"]
    overall += [
        _share_row(
            _("Moderation rate"), ma["moderated"], a["audits"], mb["moderated"], b["audits"]
        ),
        _share_row(
            _("Agreement (of the moderated audits)"),
            ma["agreed"],
            ma["moderated"],
            mb["agreed"],
            mb["moderated"],
        ),
        _share_row(
            _("Did not meet good in any domain that applied"),
            a[NOT_MET],
            a["audits"],
            b[NOT_MET],
            b["audits"],
        ),
    ]
    domains = []
    for da, db in zip(a["domains"], b["domains"]):
        applicable_a = sum(da[g] for g in OVERALL_CODES)
        applicable_b = sum(db[g] for g in OVERALL_CODES)
        domains.append(
            _share_row(
                f"{da['number']}. {da['title']}",
                _good(da),
                applicable_a,
                _good(db),
                applicable_b,
            )
        )
    return {
        "overall": overall,
        "domains": domains,
        "small_sample": is_small_sample(a["audits"]) or is_small_sample(b["audits"]),
    }
