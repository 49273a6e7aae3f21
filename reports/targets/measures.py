"""QA targets against actual figures, with a red, amber or green rating.

The computed measures are the report's own counts (reports.selectors: the same audits, period
and filters, never drafts or practice audits), so a target and the report never disagree.
Python only divides those counts and rates the result.

Every measure is a percentage. A percentage whose denominator is zero (no audits, no audit where
the domain applied, no moderated audit) is None: "no data", rated grey.
"""

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.grades import GOOD, OVERALL_SCALE, Grade
from audits.percentages import (
    as_decimal,
    exact_percent,
    format_number,
    format_percent,
    round_one_place,
)
from audits.periods import Period, date_range, financial_year, financial_year_of, fy_label
from reports.models import DOMAIN_MEASURES, ManualActual, Measure, Target, TargetCheckpoint
from reports.selectors import ReportScope, measure_counts

GREEN, AMBER, RED, GREY = "green", "amber", "red", "grey"
RAG_LABELS = {
    GREEN: gettext_lazy("Green"),
    AMBER: gettext_lazy("Amber"),
    RED: gettext_lazy("Red"),
    GREY: gettext_lazy("No data"),
}
DOMAIN_NUMBERS = range(1, 13)
UNIT = "%"


def rag(direction: str, target, tolerance, actual) -> str:
    """The RAG status of ``actual`` against ``target``: "green", "amber", "red" or "grey".

    The actual is first rounded to one decimal place (halves up), because that is the figure
    the board reads: 29.96 against a target of at least 30 shows as 30.0 and is green. Target
    and tolerance are compared exactly as entered.

    At least: actual >= target is green; target - tolerance <= actual < target is amber;
    anything lower is red. At most: actual <= target is green; target < actual <=
    target + tolerance is amber; anything higher is red. No actual (None) is grey.
    """
    if actual is None:
        return GREY
    target, tolerance = as_decimal(target), as_decimal(tolerance)
    if tolerance < 0:
        raise ValueError("The amber tolerance cannot be negative.")
    shown = round_one_place(actual)
    if direction == Target.Direction.AT_LEAST:
        if shown >= target:
            return GREEN
        return AMBER if shown >= target - tolerance else RED
    if direction == Target.Direction.AT_MOST:
        if shown <= target:
            return GREEN
        return AMBER if shown <= target + tolerance else RED
    raise ValueError(f"Unknown direction: {direction!r}")


def measure_values(scope: ReportScope, *, counts: dict | None = None) -> dict:
    """Every computed measure for ``scope``, as unrounded Decimal percentages or None.

    {"good_or_better", "not_met", "moderation_rate", "agreement": Decimal | None,
     "domain_not_met", "domain_good": {1: Decimal | None, ..., 12: ...}}

    From the report's own counts: ``counts`` is {"totals": the report's grade split, "domains":
    its domain rows}, as report_figures has them; without it they are counted here
    (reports.selectors.measure_counts). A domain's percentages are of the audits where it
    applied (graded anything but Not applicable); agreement is of the moderated audits.
    """
    if counts is None:
        counts = measure_counts(scope)
    totals = counts["totals"]
    final, moderation = totals["final_grades"], totals["moderation"]
    domains = {row["number"]: row for row in counts["domains"]}
    empty = dict.fromkeys(OVERALL_SCALE, 0)

    def domain_percent(number: int, grades) -> Decimal | None:
        row = domains.get(number, empty)
        return exact_percent(sum(row[g] for g in grades), sum(row[g] for g in OVERALL_SCALE))

    return {
        Measure.GOOD_OR_BETTER.value: exact_percent(sum(final[g] for g in GOOD), totals["audits"]),
        Measure.NOT_MET.value: exact_percent(final[Grade.DOES_NOT_MEET], totals["audits"]),
        Measure.MODERATION_RATE.value: exact_percent(moderation["moderated"], totals["audits"]),
        Measure.AGREEMENT.value: exact_percent(moderation["agreed"], moderation["moderated"]),
        Measure.DOMAIN_NOT_MET.value: {
            n: domain_percent(n, (Grade.DOES_NOT_MEET,)) for n in DOMAIN_NUMBERS
        },
        Measure.DOMAIN_GOOD.value: {n: domain_percent(n, GOOD) for n in DOMAIN_NUMBERS},
    }


def measure_label(measure: str, domain_number: int | None = None) -> str:
    """What a measure counts, in words, with the domain's number where it has one."""
    if measure == Measure.DOMAIN_NOT_MET:
        return _("Domain %(n)s graded Does not meet good (%% of audits where it applies)") % {
            "n": domain_number
        }
    if measure == Measure.DOMAIN_GOOD:
        return _("Domain %(n)s graded Meets good or better (%% of audits where it applies)") % {
            "n": domain_number
        }
    if measure == Measure.AGREEMENT:
        return _("Moderators agreed with the auditor's grade (% of moderated audits)")
    if measure == Measure.MANUAL:
        return _("Entered by the QA lead for the period")
    return str(Measure(measure).label)


def _symbol(target: Target) -> str:
    return "≥" if target.direction == Target.Direction.AT_LEAST else "≤"


def _actual(target: Target, computed: dict, manual: dict) -> Decimal | None:
    """The target's actual from the computed measures or the values entered by hand."""
    if target.measure == Measure.MANUAL:
        return manual.get(target.pk)
    if target.measure in DOMAIN_MEASURES:
        return computed[target.measure].get(target.domain_number)
    return computed[target.measure]


def _checkpoint_row(target: Target, checkpoint: TargetCheckpoint, actual) -> dict:
    """One checkpoint of a row: its target and the actual from 1 April to its date, rated with
    the target's direction and tolerance. Plain JSON-safe values, as the row's."""
    shown = round_one_place(actual)
    status = rag(target.direction, checkpoint.target_value, target.amber_tolerance, shown)
    return {
        "date": checkpoint.date.isoformat(),
        "label": _("By %(date)s") % {"date": f"{checkpoint.date:%-d %B %Y}"},
        "target": float(checkpoint.target_value),
        "actual": None if shown is None else float(shown),
        "rag": status,
        "rag_label": str(RAG_LABELS[status]),
        "target_text": f"{_symbol(target)} {format_number(checkpoint.target_value)}{UNIT}",
        "actual_text": format_percent(shown, fixed=True),
    }


def _row(target: Target, actual: Decimal | None) -> dict:
    """One row of the targets table. Plain JSON-safe values, so a published report can freeze
    it; the *_text entries are what the table shows."""
    shown = round_one_place(actual)
    symbol = _symbol(target)
    tolerance = target.amber_tolerance
    # The edge of amber, kept within 0 to 100 for display; the rule itself is rag()'s.
    if target.direction == Target.Direction.AT_LEAST:
        amber_limit = max(target.target_value - tolerance, Decimal(0))
        amber_text = _("amber down to %(limit)s%%")
    else:
        amber_limit = min(target.target_value + tolerance, Decimal(100))
        amber_text = _("amber up to %(limit)s%%")
    status = rag(target.direction, target.target_value, tolerance, shown)
    return {
        "id": target.pk,
        "name": target.name,
        "measure": target.measure,
        "measure_label": measure_label(target.measure, target.domain_number),
        "domain_number": target.domain_number,
        "direction": target.direction,
        "target": float(target.target_value),
        "tolerance": float(tolerance),
        "amber_limit": float(amber_limit),
        "actual": None if shown is None else float(shown),
        "rag": status,
        "rag_label": str(RAG_LABELS[status]),
        "unit": UNIT,
        "target_text": f"{symbol} {format_number(target.target_value)}{UNIT}",
        "amber_text": (amber_text % {"limit": format_number(amber_limit)}) if tolerance else "",
        "actual_text": format_percent(shown, fixed=True),
    }


def targets_table(
    scope: ReportScope, *, financial_year: int | None = None, counts: dict | None = None
) -> list[dict]:
    """The QA targets of the financial year ``scope``'s period starts in, against the actual
    figures for that period (and the scope's filters), each with its RAG status, and with its
    in-year checkpoints up to the period's end (``checkpoint_actuals``) under "checkpoints".

    A manual measure takes the value entered for exactly the period's dates, else no data.
    Filters do not apply to manual measures: their figures come from other systems. At most
    three queries (the targets, the manual actuals and the checkpoints) when given the report's
    ``counts`` (see ``measure_values``), and those of ``measure_counts`` without them; then
    those of the checkpoints' actuals where the period reaches a checkpoint.
    """
    period = scope.period
    year = financial_year_of(period.start) if financial_year is None else financial_year
    targets = list(Target.objects.filter(financial_year=year))
    if not targets:
        return []
    computed = {}
    if any(t.measure != Measure.MANUAL for t in targets):
        computed = measure_values(scope, counts=counts)
    manual = {}
    if any(t.measure == Measure.MANUAL for t in targets):
        manual = dict(
            ManualActual.objects.filter(
                target__in=[t for t in targets if t.measure == Measure.MANUAL],
                start=period.start,
                end=period.end,
            ).values_list("target_id", "value")
        )
    checkpoints = checkpoint_actuals(scope, targets, year=year)
    return [
        {
            **_row(target, _actual(target, computed, manual)),
            "checkpoints": checkpoints.get(target.pk, []),
        }
        for target in targets
    ]


def checkpoint_actuals(scope: ReportScope, targets: list[Target], *, year: int) -> dict:
    """{target id: [checkpoint rows]}: each checkpoint of ``targets`` dated up to the end of
    ``scope``'s period, against the measure counted over the financial year ``year`` from 1 April
    to the checkpoint's date, with the scope's filters (a manual target: the value entered for
    exactly those dates).

    One query for the checkpoints; then, for each distinct checkpoint date, the counts of
    ``measure_counts`` (at most five queries), and one query for the manual values. The queries
    grow with the dates the QA leads set (a handful a year), never with the audits.
    """
    start = financial_year(year).start
    dated = list(
        TargetCheckpoint.objects.filter(
            target__in=targets, date__gte=start, date__lte=scope.period.end
        ).order_by("date", "pk")
    )
    if not dated:
        return {}
    by_pk = {target.pk: target for target in targets}
    computed = {}
    if any(by_pk[c.target_id].measure != Measure.MANUAL for c in dated):
        for day in sorted({c.date for c in dated}):
            checkpoint_scope = ReportScope(
                date_range(start, day), scope.activity, scope.strand, scope.case_type
            )
            computed[day] = measure_values(checkpoint_scope)
    manual = {}
    manual_ones = [c for c in dated if by_pk[c.target_id].measure == Measure.MANUAL]
    if manual_ones:
        for target_id, end, value in ManualActual.objects.filter(
            target__in={c.target_id for c in manual_ones},
            start=start,
            end__in={c.date for c in manual_ones},
        ).values_list("target_id", "end", "value"):
            manual.setdefault(end, {})[target_id] = value
    rows = {}
    for checkpoint in dated:
        target = by_pk[checkpoint.target_id]
        actual = _actual(target, computed.get(checkpoint.date, {}), manual.get(checkpoint.date, {}))
        rows.setdefault(target.pk, []).append(_checkpoint_row(target, checkpoint, actual))
    return rows


def year_to_date(year: int, *, today: datetime.date) -> Period:
    """From 1 April of ``year`` to ``today``; the whole year once it is over (or not begun)."""
    whole = financial_year(year)
    if whole.start <= today < whole.end:
        return Period(
            whole.start,
            today,
            _("%(year)s to date (1 April %(start)s to %(today)s)")
            % {"year": fy_label(year), "start": whole.start.year, "today": f"{today:%-d %B %Y}"},
        )
    return whole


def manual_actuals(year: int, *, target: Target | None = None) -> list[dict]:
    """Every value entered for the year's manual targets (or for ``target`` only), each rated
    against its target: what a QA lead checks before a report. One query."""
    actuals = ManualActual.objects.filter(
        target__financial_year=year, target__measure=Measure.MANUAL
    )
    if target is not None:
        actuals = actuals.filter(target=target)
    actuals = actuals.select_related("target", "entered_by").order_by(
        "target__order", "target__name", "start", "end"
    )
    return [
        {
            "target": actual.target,
            "start": actual.start,
            "end": actual.end,
            "value_text": f"{format_number(actual.value)}{UNIT}",
            "rag": (
                status := rag(
                    actual.target.direction,
                    actual.target.target_value,
                    actual.target.amber_tolerance,
                    actual.value,
                )
            ),
            "rag_label": str(RAG_LABELS[status]),
            "entered_by": actual.entered_by,
            "entered_at": actual.entered_at,
        }
        for actual in actuals
    ]
