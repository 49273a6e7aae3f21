"""How sure a share of audits is: the one place the app works out confidence intervals, small
samples and whether two shares differ by more than chance would give.

The arithmetic is scipy's (``fisher_exact`` for two shares, ``binomtest`` for one share against
an expected rate, the normal quantile of the Wilson score interval, whose closed form is
written here for speed and tested against scipy's own); this module decides what the app asks
of it and how the answers are written.
Percentages are rounded as everywhere else (audits.percentages).

- A *small sample* is fewer than ``settings.SMALL_SAMPLE_AUDITS`` audits (20 unless set): a
  share of so few audits can move a long way with one or two cases, so pages, the PDF and the
  JSON flag it.
- The *95% Wilson score interval* of a share is the range the true share is likely to lie in.
  Unlike "share plus or minus 1.96 standard errors" it stays inside 0-100% and is honest for
  small counts, 0 of n and n of n.
- Two shares *differ by more than chance* when Fisher's exact test on their 2x2 table gives a
  two-sided p-value below 0.05.
"""

import math
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from scipy.stats import binomtest, fisher_exact, norm

from .percentages import exact_percent, format_number, percent, round_one_place, round_whole

CONFIDENCE = 0.95
# Below this p-value a difference is reported as larger than chance would give.
SIGNIFICANCE = 0.05

SMALL_SAMPLE_LABEL = gettext_lazy("small sample")
SMALL_SAMPLE_NOTE = gettext_lazy(
    "A “small sample” is fewer than %(n)s audits. With so few cases one or two audits can move a "
    "percentage a long way, so read these figures as an indication rather than a measure. The "
    "range in brackets after a percentage is its 95%% confidence interval: the true share is "
    "very likely to lie within it."
)
INTERVAL_NOTE = gettext_lazy(
    "Percentages are followed by their 95%% confidence interval (the Wilson score interval), "
    "the range the true share is very likely to lie in. The fewer the audits, the wider it is. "
    "Figures from fewer than %(n)s audits are marked “small sample”."
)


def small_sample_size() -> int:
    """The number of audits below which a figure is a small sample."""
    return getattr(settings, "SMALL_SAMPLE_AUDITS", 20)


def is_small_sample(audits: int) -> bool:
    """Whether a figure counted from ``audits`` audits is a small sample (none is one too)."""
    return audits < small_sample_size()


def small_sample_note() -> str:
    return SMALL_SAMPLE_NOTE % {"n": small_sample_size()}


def interval_note() -> str:
    return INTERVAL_NOTE % {"n": small_sample_size()}


def wilson_interval(part: int, whole: int) -> tuple[Decimal, Decimal] | None:
    """The 95% Wilson score interval of ``part`` out of ``whole``, as percentages rounded to one
    decimal place (low, high); None when ``whole`` is 0."""
    if not whole:
        return None
    low, high = _bounds(part, whole)
    return round_one_place(low), round_one_place(high)


# The normal quantile of a two-sided 95% interval (1.95996...), from scipy.
_Z = float(norm.ppf(1 - (1 - CONFIDENCE) / 2))


def _bounds(part: int, whole: int) -> tuple[float, float]:
    """The interval in percent, unrounded: Wilson's closed form, with scipy's quantile.

    scipy's own Wilson interval (``binomtest(...).proportion_ci(method="wilson")``) comes
    with a binomial test whose p-value is worked out when the test is made: 0.09 ms a call,
    and a ten-year report with hundreds of activity sections asks for some 14,000 intervals
    (2.5 s). The closed form is three lines and a microsecond; the tests hold it to scipy's
    interval over every count up to 90 and to Newcombe's published values."""
    if not 0 <= part <= whole:
        raise ValueError(f"{part} is not a count out of {whole}")
    share, z2 = part / whole, _Z * _Z
    centre = (share + z2 / (2 * whole)) / (1 + z2 / whole)
    half = _Z * math.sqrt(share * (1 - share) / whole + z2 / (4 * whole * whole)) / (1 + z2 / whole)
    return 100 * max(centre - half, 0.0), 100 * min(centre + half, 1.0)


def interval_json(part: int, whole: int) -> list[float] | None:
    """``wilson_interval`` as the JSON contract writes it: [low, high] or null."""
    interval = wilson_interval(part, whole)
    return None if interval is None else [float(interval[0]), float(interval[1])]


def grade_intervals(grades: dict[str, int], whole: int) -> dict[str, list[float] | None]:
    """The interval of each grade's share of ``whole``: {"exceeds": [low, high], ...}, the
    contract's ``auditor_grades_ci`` and ``final_grades_ci``."""
    return {code: interval_json(count, whole) for code, count in grades.items()}


def format_interval(part: int, whole: int) -> str:
    """The interval alone, as a board member reads it: "38–74%" (whole percentages); "" when
    there is none."""
    if not whole:
        return ""
    # Rounded once, from the unrounded bounds, halves up as every percentage here is.
    low, high = (format_number(round_whole(value)) for value in _bounds(part, whole))
    return f"{low}–{high}%"


def format_share(part: int, whole: int) -> str:
    """A share with its interval: "57.1% (38–74%)"; a dash when ``whole`` is 0."""
    share = percent(part, whole)
    if share is None:
        return "–"
    return f"{format_number(share)}% ({format_interval(part, whole)})"


@dataclass(frozen=True)
class Difference:
    """Two shares side by side: ``part_a`` of ``whole_a`` against ``part_b`` of ``whole_b``."""

    part_a: int
    whole_a: int
    part_b: int
    whole_b: int

    @property
    def share_a(self) -> Decimal | None:
        return percent(self.part_a, self.whole_a)

    @property
    def share_b(self) -> Decimal | None:
        return percent(self.part_b, self.whole_b)

    @property
    def points(self) -> Decimal | None:
        """B's share minus A's, in percentage points (one decimal), or None."""
        if self.share_a is None or self.share_b is None:
            return None
        return round_one_place(
            exact_percent(self.part_b, self.whole_b) - exact_percent(self.part_a, self.whole_a)
        )

    @property
    def p_value(self) -> float | None:
        """Fisher's exact test, two-sided; None when either side has no audits."""
        if not self.whole_a or not self.whole_b:
            return None
        table = [
            [self.part_a, self.whole_a - self.part_a],
            [self.part_b, self.whole_b - self.part_b],
        ]
        return float(fisher_exact(table, alternative="two-sided").pvalue)

    @property
    def beyond_chance(self) -> bool:
        """Whether the difference is larger than chance would give (p below 0.05)."""
        return self.p_value is not None and self.p_value < SIGNIFICANCE

    def in_words(self) -> str:
        """What the test says, in plain words for a board member."""
        if self.p_value is None:
            return _("There are no audits on one side, so the two cannot be compared.")
        if self.beyond_chance:
            return _(
                "This difference is larger than chance alone would be likely to give "
                "(Fisher’s exact test, p = %(p)s): it probably reflects a real change."
            ) % {"p": p_value_text(self.p_value)}
        return _(
            "This difference could be down to chance: with these numbers of audits a gap this "
            "size would happen often even if nothing had really changed (Fisher’s exact test, "
            "p = %(p)s)."
        ) % {"p": p_value_text(self.p_value)}


def p_value_text(p: float) -> str:
    """A p-value as the pages write it: three decimals, or "< 0.001"."""
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def more_often_than_chance(part: int, whole: int, expected_share: float) -> float | None:
    """The one-sided binomial p-value of ``part`` or more out of ``whole`` where the expected
    rate is ``expected_share`` (0 to 1): small when ``part`` is more than chance would give.
    None when ``whole`` is 0. Used for moderation drift alerts."""
    if not whole:
        return None
    expected = min(max(expected_share, 0.0), 1.0)
    return float(binomtest(part, whole, expected, alternative="greater").pvalue)
