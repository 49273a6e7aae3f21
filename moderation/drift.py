"""Drift alerts (reads only): an auditor whose overall grades moderation lowers, or raises, more
often than chance over their latest moderated audits.

For each auditor with at least ``settings.MODERATION_DRIFT_WINDOW`` (N, 10 unless set) moderated
audits, their latest N (by audit date, newest first) are set against every other auditor's
moderated audits: how many of the N moderation lowered, and how many it raised, against the
share the others had lowered or raised. The one-sided binomial test
(audits.uncertainty.more_often_than_chance) says how likely a count that high would be by
chance at the others' rate; below 0.05 it is an alert.

Nothing is stored: the alert is worked out afresh from the latest N each time, so it clears by
itself once the auditor's latest N are back in line.

Every tool with an overall grade counts: raised and lowered compare positions on the audit's own
tool's scale (moderation.scales.position_expression), as the moderation service does. Counted
audits: past draft, not practice, with a moderated grade (moderated here or imported), both
grades on the tool's scale.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from audits.models import Audit, Status
from audits.roles import display_name
from audits.uncertainty import SIGNIFICANCE, format_share, more_often_than_chance

from .models import Moderation
from .scales import position_expression
from .selectors import person_fields, person_label, tool_grade_label

# A change is named as a moderation round's outcome is (Moderation.Outcome).
LOWERED, RAISED, AGREED = (
    Moderation.Outcome.LOWERED,
    Moderation.Outcome.RAISED,
    Moderation.Outcome.AGREED,
)
# Position 1 is the best grade, so a larger moderated position is a lower grade.
LOWERED_Q = Q(moderated_position__gt=F("auditor_position"))
RAISED_Q = Q(moderated_position__lt=F("auditor_position"))
# Newest first: the order of "their latest N", in the window and on the evidence page alike.
NEWEST_FIRST = (F("audit_date").desc(nulls_last=True), F("pk").desc())


def window_size() -> int:
    """N: how many of an auditor's latest moderated audits a drift alert weighs."""
    return getattr(settings, "MODERATION_DRIFT_WINDOW", 10)


def moderated_audits() -> QuerySet[Audit]:
    """Every audit drift counts, with the positions of its two grades on its tool's scale."""
    return (
        Audit.objects.exclude(status=Status.DRAFT)
        .filter(is_practice=False, moderated_grade__gt="")
        .annotate(
            auditor_position=position_expression("overall_grade"),
            moderated_position=position_expression("moderated_grade"),
        )
        .filter(auditor_position__isnull=False, moderated_position__isnull=False)
        .order_by()
    )


def _p_text(p: float) -> str:
    # Written as audits.uncertainty.Difference.in_words writes its p-value.
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


@dataclass(frozen=True)
class Tendency:
    """One direction (lowered or raised) of one auditor's latest N against everyone else's."""

    direction: str  # LOWERED or RAISED
    count: int  # of the auditor's latest ``window`` moderated audits
    window: int
    others: int  # of the other auditors' moderated audits, moved the same way
    others_moderated: int

    @property
    def expected_share(self) -> float | None:
        """The others' rate, 0 to 1; None when no other auditor has a moderated audit."""
        if not self.others_moderated:
            return None
        return self.others / self.others_moderated

    @property
    def p_value(self) -> float | None:
        if self.expected_share is None:
            return None
        return more_often_than_chance(self.count, self.window, self.expected_share)

    @property
    def alert(self) -> bool:
        return self.p_value is not None and self.p_value < SIGNIFICANCE

    @property
    def share(self) -> str:
        """The auditor's count as a share of the N, with its 95% Wilson interval."""
        return format_share(self.count, self.window)

    @property
    def expected(self) -> str:
        """The others' rate with its interval: "10% (3–30%)"."""
        return format_share(self.others, self.others_moderated)

    @property
    def expected_count(self) -> str:
        """How many of the N the others' rate would give, to one decimal place."""
        if self.expected_share is None:
            return "–"
        return f"{self.window * self.expected_share:.1f}"

    @property
    def p_text(self) -> str:
        return "–" if self.p_value is None else _p_text(self.p_value)

    def verb(self) -> str:
        return _("lowered") if self.direction == LOWERED else _("raised")

    def in_words(self) -> str:
        """What the test says, in plain words for a QA lead."""
        figures = {
            "verb": self.verb(),
            "count": self.count,
            "n": self.window,
            "share": self.share,
            "expected": self.expected,
            "others": self.others,
            "others_moderated": self.others_moderated,
            "expected_count": self.expected_count,
        }
        if self.p_value is None:
            return (
                _(
                    "Moderation %(verb)s %(count)s of their last %(n)s moderated audits. No other "
                    "auditor has a moderated audit to compare with, so there is no expected rate."
                )
                % figures
            )
        said = (
            _(
                "Moderation %(verb)s %(count)s of their last %(n)s moderated audits "
                "(%(share)s). Across all other auditors' moderated audits it %(verb)s "
                "%(expected)s (%(others)s of %(others_moderated)s), so about "
                "%(expected_count)s of %(n)s would be expected."
            )
            % figures
        )
        if self.alert:
            return (
                said
                + " "
                + _(
                    "A count this high would happen by chance with a probability of %(p)s "
                    "(one-sided binomial test): below 0.05, so it is flagged."
                )
                % {"p": self.p_text}
            )
        return (
            said
            + " "
            + _(
                "A count this high would happen by chance with a probability of %(p)s (one-sided "
                "binomial test): not below 0.05, so it is in line with the other auditors."
            )
            % {"p": self.p_text}
        )


@dataclass(frozen=True)
class DriftCheck:
    """One auditor's latest N moderated audits against every other auditor's."""

    auditor_id: int
    name: str
    moderated: int  # all their moderated audits that drift counts
    window: int  # N
    lowered: Tendency
    raised: Tendency

    @property
    def checked(self) -> bool:
        """They have the N moderated audits a check needs; fewer never alert."""
        return self.moderated >= self.window

    @property
    def alert(self) -> bool:
        return self.checked and (self.lowered.alert or self.raised.alert)

    @property
    def tendencies(self) -> tuple[Tendency, Tendency]:
        return (self.lowered, self.raised)

    @property
    def flagged(self) -> list[Tendency]:
        """The directions that alert (both is possible, if rare)."""
        if not self.checked:
            return []
        return [t for t in (self.lowered, self.raised) if t.alert]


@dataclass(frozen=True)
class _Counts:
    moderated: int = 0
    lowered: int = 0
    raised: int = 0


def _counts() -> dict:
    return {
        "moderated": Count("pk"),
        "lowered": Count("pk", filter=LOWERED_Q),
        "raised": Count("pk", filter=RAISED_Q),
    }


def _window_counts(audits: QuerySet[Audit], window: int) -> dict[int, _Counts]:
    """Per auditor, of their latest ``window`` audits of ``audits`` (moderated_audits()): how
    many, how many lowered, how many raised. One query: a window function numbers each
    auditor's audits newest first, and the latest are counted by auditor around it (grouped
    outside, since a GROUP BY beside the window function would group by its ordering)."""
    latest = (
        audits.annotate(
            place=Window(RowNumber(), partition_by=[F("auditor_id")], order_by=list(NEWEST_FIRST))
        )
        .filter(place__lte=window)
        .values("pk")
    )
    return {
        row["auditor_id"]: _Counts(row["moderated"], row["lowered"], row["raised"])
        for row in moderated_audits()
        .filter(pk__in=latest)
        .values("auditor_id")
        .annotate(**_counts())
    }


def _check(auditor_id, name, own: _Counts, everyone: _Counts, latest: _Counts, window):
    others_moderated = everyone.moderated - own.moderated
    return DriftCheck(
        auditor_id=auditor_id,
        name=name,
        moderated=own.moderated,
        window=window,
        lowered=Tendency(
            LOWERED,
            latest.lowered,
            window,
            everyone.lowered - own.lowered,
            others_moderated,
        ),
        raised=Tendency(
            RAISED, latest.raised, window, everyone.raised - own.raised, others_moderated
        ),
    )


def drift_checks(*, window: int | None = None) -> list[DriftCheck]:
    """The check of every active auditor with at least N moderated audits, by name. Two
    queries whatever the number of audits or auditors."""
    window = window or window_size()
    audits = moderated_audits()
    per_auditor = list(
        audits.values("auditor_id", "auditor__is_active", *person_fields("auditor")).annotate(
            **_counts()
        )
    )
    everyone = _Counts(
        sum(r["moderated"] for r in per_auditor),
        sum(r["lowered"] for r in per_auditor),
        sum(r["raised"] for r in per_auditor),
    )
    eligible = [r for r in per_auditor if r["auditor__is_active"] and r["moderated"] >= window]
    if not eligible:
        return []
    latest = _window_counts(
        audits.filter(auditor_id__in=[r["auditor_id"] for r in eligible]), window
    )
    checks = [
        _check(
            row["auditor_id"],
            person_label(row, "auditor"),
            _Counts(row["moderated"], row["lowered"], row["raised"]),
            everyone,
            latest[row["auditor_id"]],
            window,
        )
        for row in eligible
    ]
    return sorted(checks, key=lambda c: c.name.lower())


def drift_alerts(*, window: int | None = None) -> list[DriftCheck]:
    """The auditors flagged now: two queries."""
    return [check for check in drift_checks(window=window) if check.alert]


def drift_for(auditor, *, window: int | None = None) -> tuple[DriftCheck, list[Audit]]:
    """One auditor's check and its evidence: their latest N moderated audits, newest first,
    each with ``change`` (lowered, raised or agreed) and its grades' names. Three queries."""

    window = window or window_size()
    audits = moderated_audits()
    own = Q(auditor_id=auditor.pk)
    totals = audits.aggregate(
        **_counts(),
        own_moderated=Count("pk", filter=own),
        own_lowered=Count("pk", filter=own & LOWERED_Q),
        own_raised=Count("pk", filter=own & RAISED_Q),
    )
    mine = audits.filter(own)
    latest = _window_counts(mine, window).get(auditor.pk, _Counts())
    check = _check(
        auditor.pk,
        display_name(auditor),
        _Counts(totals["own_moderated"], totals["own_lowered"], totals["own_raised"]),
        _Counts(totals["moderated"], totals["lowered"], totals["raised"]),
        latest,
        window,
    )
    labels = dict(Moderation.Outcome.choices)
    evidence = list(
        mine.select_related("tool")
        .annotate(
            change=Case(
                When(LOWERED_Q, then=Value(LOWERED)),
                When(RAISED_Q, then=Value(RAISED)),
                default=Value(AGREED),
                output_field=CharField(),
            ),
            overall_grade_label=tool_grade_label("overall_grade"),
            moderated_grade_label=tool_grade_label("moderated_grade"),
        )
        .order_by(*NEWEST_FIRST)[:window]
    )
    for audit in evidence:
        audit.change_label = labels[audit.change]
    return check, evidence
