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
tool's scale (moderation.scales.positions), as the moderation service does. Counted audits: past
draft, not practice, dated, with a moderated grade (moderated here or imported) and both grades
on the tool's scale (the services never write another).

The database groups the audits (by auditor, tool and the two grades) and numbers each auditor's
moderated audits newest first (a window function); Python only sorts the grouped rows, and the
latest N of each auditor checked, into lowered, raised and agreed.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from audits.models import Audit, Status
from audits.roles import display_name
from audits.uncertainty import (
    SIGNIFICANCE,
    format_share,
    more_often_than_chance,
    p_value_text,
)

from . import scales
from .models import Moderation
from .selectors import person_fields, person_label, tool_grade_label

# A change is named as a moderation round's outcome is (Moderation.Outcome).
LOWERED, RAISED, AGREED = (
    Moderation.Outcome.LOWERED,
    Moderation.Outcome.RAISED,
    Moderation.Outcome.AGREED,
)
# Newest first: the order of "their latest N", in the window and on the evidence page alike;
# the order of the index audit_moderated_latest_idx, so neither sorts.
NEWEST_FIRST = (F("audit_date").desc(), F("pk").desc())


def window_size() -> int:
    """N: how many of an auditor's latest moderated audits a drift alert weighs."""
    return getattr(settings, "MODERATION_DRIFT_WINDOW", 10)


def moderated_audits() -> QuerySet[Audit]:
    """Every audit drift counts: past draft, not practice, with a moderated grade and an audit
    date (which submitted and imported audits always have; one without could not be placed
    among an auditor's latest). The rows of the partial index audit_moderated_latest_idx."""
    return (
        Audit.objects.exclude(status=Status.DRAFT)
        .filter(is_practice=False, moderated_grade__gt="", audit_date__isnull=False)
        .order_by()
    )


class _Changes:
    """Which way moderation moved each grade: lowered, raised or agreed, by the two grades'
    positions on the audit's tool's scale (position 1 the best); None off the scale."""

    def __init__(self, tool_ids):
        self.positions = scales.positions(tool_ids)

    def __call__(self, tool_id, overall: str, moderated: str) -> str | None:
        scale = self.positions.get(tool_id, {})
        given, final = scale.get(overall), scale.get(moderated)
        if given is None or final is None:
            return None
        return LOWERED if final > given else RAISED if final < given else AGREED


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
        return "–" if self.p_value is None else p_value_text(self.p_value)

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
                "Moderation %(verb)s %(count)s of their last %(n)s moderated audits: %(share)s. "
                "Across all other auditors' moderated audits it %(verb)s %(others)s of "
                "%(others_moderated)s: %(expected)s, so about %(expected_count)s of %(n)s would "
                "be expected."
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


@dataclass
class _Counts:
    moderated: int = 0
    lowered: int = 0
    raised: int = 0

    def add(self, change: str | None, n: int = 1) -> None:
        if change is None:
            return
        self.moderated += n
        if change == LOWERED:
            self.lowered += n
        elif change == RAISED:
            self.raised += n


def _totals() -> tuple[dict[int, _Counts], _Counts, _Changes]:
    """Every auditor's moderated audits counted (moderated, lowered, raised), and everyone's:
    one grouped query, and two for the tools' scales."""
    rows = list(
        moderated_audits()
        .values("auditor_id", "tool_id", "overall_grade", "moderated_grade")
        .annotate(n=Count("pk"))
    )
    changes = _Changes({row["tool_id"] for row in rows})
    per_auditor: dict[int, _Counts] = {}
    everyone = _Counts()
    for row in rows:
        change = changes(row["tool_id"], row["overall_grade"], row["moderated_grade"])
        per_auditor.setdefault(row["auditor_id"], _Counts()).add(change, row["n"])
        everyone.add(change, row["n"])
    return per_auditor, everyone, changes


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
    """The check of every active auditor with at least N moderated audits, by name. Five
    queries whatever the number of audits or auditors: the grouped counts, the tools' scales,
    the auditors' names and, for those checked, their latest N (a window function)."""
    window = window or window_size()
    per_auditor, everyone, changes = _totals()
    eligible = [pk for pk, counts in per_auditor.items() if counts.moderated >= window]
    if not eligible:
        return []
    people = {
        row["pk"]: row
        for row in get_user_model()
        .objects.filter(pk__in=eligible, is_active=True)
        .values("pk", *person_fields(""))
    }
    if not people:
        return []
    latest = (
        moderated_audits()
        .filter(auditor_id__in=list(people))
        .annotate(
            place=Window(RowNumber(), partition_by=[F("auditor_id")], order_by=list(NEWEST_FIRST))
        )
        .filter(place__lte=window)
        .values_list("auditor_id", "tool_id", "overall_grade", "moderated_grade")
    )
    counted: dict[int, _Counts] = {pk: _Counts() for pk in people}
    # At most N rows per auditor checked, whatever the number of audits.
    for auditor_id, tool_id, overall, moderated in latest:
        counted[auditor_id].add(changes(tool_id, overall, moderated))
    checks = [
        _check(pk, person_label(row, ""), per_auditor[pk], everyone, counted[pk], window)
        for pk, row in people.items()
    ]
    return sorted(checks, key=lambda c: c.name.lower())


def drift_alerts(*, window: int | None = None) -> list[DriftCheck]:
    """The auditors flagged now: five queries."""
    return [check for check in drift_checks(window=window) if check.alert]


def drift_for(auditor, *, window: int | None = None) -> tuple[DriftCheck, list[Audit]]:
    """One auditor's check and its evidence: their latest N moderated audits, newest first,
    each with ``change`` (lowered, raised or agreed), its name ``change_label`` and its grades'
    names. Four queries."""
    window = window or window_size()
    per_auditor, everyone, changes = _totals()
    labels = dict(Moderation.Outcome.choices)
    evidence = []
    latest = _Counts()
    for audit in (
        moderated_audits()
        .filter(auditor_id=auditor.pk)
        .select_related("tool")
        .annotate(
            overall_grade_label=tool_grade_label("overall_grade"),
            moderated_grade_label=tool_grade_label("moderated_grade"),
        )
        .order_by(*NEWEST_FIRST)[:window]
    ):
        audit.change = changes(audit.tool_id, audit.overall_grade, audit.moderated_grade)
        if audit.change is None:
            continue
        audit.change_label = labels[audit.change]
        latest.add(audit.change)
        evidence.append(audit)
    own = per_auditor.get(auditor.pk, _Counts())
    check = _check(auditor.pk, display_name(auditor), own, everyone, latest, window)
    return check, evidence
