"""How sure a share of audits is: the one place the app works out confidence intervals, small
samples and whether two shares differ by more than chance would give.

The arithmetic is scipy's (``binomtest(...).proportion_ci(method="wilson")`` for the Wilson
score interval, ``fisher_exact`` for two shares, ``binomtest`` for one share against an expected
rate); this module only decides what the app asks of it and how the answers are written.
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

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from scipy.stats import binomtest, fisher_exact

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


@lru_cache(maxsize=4096)
def _bounds(part: int, whole: int) -> tuple[float, float]:
    """The interval in percent, unrounded. Kept, since a report asks for the same few
    counts many times.

    scipy's Wilson interval comes with a binomial test, whose two-sided p-value (a search over
    the distribution, 0.2-0.3 ms, the interval never uses it) is worked out when the test is
    made. The two-sided interval's bounds are the one-sided intervals' at half its error each
    (the same z), and a one-sided test's p-value is one lookup: a quarter of the time, the
    same bounds (tested against published values)."""
    if not 0 <= part <= whole:
        raise ValueError(f"{part} is not a count out of {whole}")
    one_side = 1 - (1 - CONFIDENCE) / 2
    low = binomtest(part, whole, alternative="greater").proportion_ci(one_side, method="wilson")
    high = binomtest(part, whole, alternative="less").proportion_ci(one_side, method="wilson")
    return float(100 * low.low), float(100 * high.high)


# Counts of audits up to this many are worked out when a server's worker starts
# (config.warmup): a report's sections per activity ask for hundreds of small counts, about
# 1,900 pairs in all, 0.15 s once, rather than in the first report each worker shows.
WARM_WHOLES = 60


def warm_intervals(max_whole: int = WARM_WHOLES) -> int:
    """Work out the intervals of every count out of up to ``max_whole``; returns how many."""
    pairs = [(part, whole) for whole in range(1, max_whole + 1) for part in range(whole + 1)]
    for part, whole in pairs:
        _bounds(part, whole)
    return len(pairs)


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
