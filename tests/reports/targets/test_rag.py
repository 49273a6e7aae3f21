"""The RAG rule at each of its boundaries, on the figure the board reads (one decimal place)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audits.percentages import round_one_place
from reports.targets.measures import rag

AT_LEAST, AT_MOST = "at_least", "at_most"
D = Decimal


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        (D("30"), "green"),  # exactly on target
        (D("30.0"), "green"),
        (D("45"), "green"),
        (D("29.96"), "green"),  # shows as 30.0: on target
        (D("29.95"), "green"),  # halves round up: 30.0
        (D("29.94"), "amber"),  # shows as 29.9: just short
        (D("29.9"), "amber"),
        (D("25"), "amber"),  # exactly at the tolerance
        (D("24.95"), "amber"),  # shows as 25.0: at the tolerance
        (D("24.94"), "red"),  # shows as 24.9: beyond it
        (D("24.9"), "red"),
        (D("0"), "red"),
    ],
)
def test_at_least_30_with_5_points_of_amber(actual, expected):
    assert rag(AT_LEAST, D("30"), D("5"), actual) == expected


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        (D("20"), "green"),  # exactly on target
        (D("0"), "green"),
        (D("20.04"), "green"),  # shows as 20.0
        (D("20.05"), "amber"),  # shows as 20.1: just over
        (D("20.1"), "amber"),
        (D("25"), "amber"),  # exactly at the tolerance
        (D("25.04"), "amber"),  # shows as 25.0
        (D("25.05"), "red"),  # shows as 25.1: beyond it
        (D("25.1"), "red"),
        (D("100"), "red"),
    ],
)
def test_at_most_20_with_5_points_of_amber(actual, expected):
    assert rag(AT_MOST, D("20"), D("5"), actual) == expected


@pytest.mark.parametrize(
    ("direction", "actual", "expected"),
    [
        (AT_LEAST, D("95"), "green"),
        (AT_LEAST, D("94.96"), "green"),
        (AT_LEAST, D("94.94"), "red"),  # no tolerance: any miss is red
        (AT_MOST, D("10"), "green"),
        (AT_MOST, D("10.04"), "green"),
        (AT_MOST, D("10.05"), "red"),
    ],
)
def test_with_no_tolerance_any_miss_is_red(direction, actual, expected):
    target = D("95") if direction == AT_LEAST else D("10")
    assert rag(direction, target, D("0"), actual) == expected


def test_targets_and_tolerances_with_decimals_are_compared_exactly():
    # Target 37.25: an actual shown as 37.2 misses it, one shown as 37.3 meets it.
    assert rag(AT_LEAST, D("37.25"), D("0"), D("37.24")) == "red"
    assert rag(AT_LEAST, D("37.25"), D("0"), D("37.25")) == "green"  # shows as 37.3
    assert rag(AT_LEAST, D("37.25"), D("0.05"), D("37.2")) == "amber"  # 37.20 is at the edge
    assert rag(AT_LEAST, D("37.25"), D("0.04"), D("37.2")) == "red"


@pytest.mark.parametrize("direction", [AT_LEAST, AT_MOST])
def test_no_actual_is_grey(direction):
    assert rag(direction, D("30"), D("5"), None) == "grey"


def test_an_actual_of_zero_is_data_not_grey():
    assert rag(AT_LEAST, D("30"), D("5"), D("0")) == "red"
    assert rag(AT_MOST, D("30"), D("5"), D("0")) == "green"


def test_numbers_given_as_int_str_or_float_mean_what_they_say():
    assert rag(AT_LEAST, 30, 5, 29.95) == "green"
    assert rag(AT_LEAST, "30", "5", "24.94") == "red"


def test_an_unknown_direction_or_negative_tolerance_is_refused():
    with pytest.raises(ValueError):
        rag("about", D("30"), D("5"), D("30"))
    with pytest.raises(ValueError):
        rag(AT_LEAST, D("30"), D("-1"), D("30"))


def test_rounding_is_to_one_place_with_halves_up():
    assert round_one_place(D("29.95")) == D("30.0")
    assert round_one_place(D("6.25")) == D("6.3")
    assert round_one_place(D("66.6666")) == D("66.7")
    assert round_one_place(None) is None


percentages = st.decimals(min_value=0, max_value=100, places=3)
targets = st.decimals(min_value=0, max_value=100, places=2)
tolerances = st.decimals(min_value=0, max_value=20, places=2)


@given(target=targets, tolerance=tolerances, actual=percentages)
def test_at_least_and_at_most_follow_their_definitions(target, tolerance, actual):
    shown = round_one_place(actual)
    low = rag(AT_LEAST, target, tolerance, actual)
    high = rag(AT_MOST, target, tolerance, actual)
    assert low == (
        "green" if shown >= target else "amber" if shown >= target - tolerance else "red"
    )
    assert high == (
        "green" if shown <= target else "amber" if shown <= target + tolerance else "red"
    )
    # The rating depends only on what the board sees.
    assert rag(AT_LEAST, target, tolerance, shown) == low
    assert rag(AT_MOST, target, tolerance, shown) == high


@given(target=targets, tolerance=tolerances, a=percentages, b=percentages)
def test_a_better_actual_is_never_rated_worse(target, tolerance, a, b):
    order = {"red": 0, "amber": 1, "green": 2}
    low, high = min(a, b), max(a, b)
    assert (
        order[rag(AT_LEAST, target, tolerance, high)]
        >= order[rag(AT_LEAST, target, tolerance, low)]
    )
    assert (
        order[rag(AT_MOST, target, tolerance, low)] >= order[rag(AT_MOST, target, tolerance, high)]
    )
