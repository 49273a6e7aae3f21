"""audits.uncertainty: the Wilson score interval against published values, small samples, and
the two tests of "more than chance"."""

from decimal import Decimal

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from audits import uncertainty
from tests.reports import wilson


# Newcombe (1998), "Two-sided confidence intervals for the single proportion: comparison of
# seven methods", Statistics in Medicine 17, Table II, method 3 (score interval without
# continuity correction), as proportions to four places.
@pytest.mark.parametrize(
    "part, whole, low, high",
    [
        (81, 263, "0.2553", "0.3662"),
        (15, 148, "0.0624", "0.1605"),
        (0, 20, "0.0000", "0.1611"),
        (1, 29, "0.0061", "0.1718"),
    ],
)
def test_the_interval_matches_newcombes_published_values(part, whole, low, high):
    interval = uncertainty.wilson_interval(part, whole)
    assert interval == (
        (Decimal(low) * 100).quantize(Decimal("0.1")),
        (Decimal(high) * 100).quantize(Decimal("0.1")),
    )


@given(st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_the_interval_is_the_closed_form_and_holds_the_share(counts):
    part, whole = counts
    assert uncertainty.interval_json(part, whole) == wilson(part, whole)
    low, high = uncertainty.wilson_interval(part, whole)
    share = Decimal(100 * part) / whole
    assert low - Decimal("0.1") <= share <= high + Decimal("0.1")
    assert Decimal(0) <= low <= high <= Decimal(100)


def test_no_audits_have_no_interval():
    assert uncertainty.wilson_interval(0, 0) is None
    assert uncertainty.format_share(0, 0) == "–"
    with pytest.raises(ValueError):
        uncertainty.wilson_interval(3, 2)


def test_a_share_is_written_with_its_interval_for_a_board_member():
    # 4 of 7: 57.1%, interval 25.0% to 84.2%
    assert uncertainty.format_share(4, 7) == "57.1% (25–84%)"
    assert uncertainty.format_interval(4, 7) == "25–84%"


def test_a_small_sample_is_fewer_than_the_setting():
    assert uncertainty.is_small_sample(19) and uncertainty.is_small_sample(0)
    assert not uncertainty.is_small_sample(20)
    with override_settings(SMALL_SAMPLE_AUDITS=5):
        assert not uncertainty.is_small_sample(5)
        assert "5 audits" in uncertainty.small_sample_note()


def test_a_difference_beyond_chance_and_one_that_is_not():
    # 9 of 10 against 1 of 10: Fisher's exact two-sided p = 0.0011
    big = uncertainty.Difference(9, 10, 1, 10)
    assert big.points == Decimal("-80.0")
    assert round(big.p_value, 4) == 0.0011
    assert big.beyond_chance and "larger than chance" in big.in_words()
    # 6 of 10 against 5 of 10: p = 1
    small = uncertainty.Difference(6, 10, 5, 10)
    assert not small.beyond_chance and "could be down to chance" in small.in_words()
    assert uncertainty.Difference(1, 0, 1, 5).p_value is None


def test_more_often_than_chance_is_the_one_sided_binomial_tail():
    # P(X >= 8 | n=10, p=0.3) = 0.0016 (binomial tail)
    assert round(uncertainty.more_often_than_chance(8, 10, 0.3), 4) == 0.0016
    assert uncertainty.more_often_than_chance(3, 10, 0.3) > 0.05
    assert uncertainty.more_often_than_chance(0, 0, 0.3) is None


def test_the_written_interval_is_rounded_once_from_the_unrounded_bounds():
    # 1 of 2: 9.45% to 90.55%; rounding 9.5 again would give 10.
    assert uncertainty.wilson_interval(1, 2) == (Decimal("9.5"), Decimal("90.5"))
    assert uncertainty.format_interval(1, 2) == "9–91%"


def test_the_bounds_are_scipys_two_sided_wilson_interval():
    """Worked out from the closed form (a microsecond, where scipy's comes with a binomial
    test's p-value): the same bounds."""
    from scipy.stats import binomtest

    from audits import uncertainty

    for whole in range(1, 90):
        for part in range(whole + 1):
            interval = binomtest(part, whole).proportion_ci(0.95, method="wilson")
            low, high = uncertainty._bounds(part, whole)
            assert low == pytest.approx(100 * interval.low, abs=1e-9), (part, whole)
            assert high == pytest.approx(100 * interval.high, abs=1e-9), (part, whole)
