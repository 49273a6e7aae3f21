"""The one percentage rule: exact decimals, rounded half up to one decimal place."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audits.percentages import (
    exact_percent,
    format_number,
    format_percent,
    percent,
    round_one_place,
)


@pytest.mark.parametrize(
    "part, whole, expected",
    [
        (5, 16, "31.3"),  # 31.25: a float's round() gives 31.2
        (1, 8, "12.5"),
        (1, 3, "33.3"),
        (2, 3, "66.7"),
        (1, 40, "2.5"),  # 2.5 exactly
        (1, 80, "1.3"),  # 1.25
        (3, 80, "3.8"),  # 3.75
        (16, 16, "100.0"),
        (0, 16, "0.0"),
    ],
)
def test_percent_rounds_halves_up_to_one_place(part, whole, expected):
    assert percent(part, whole) == Decimal(expected)


def test_a_share_of_nothing_is_no_percentage():
    assert percent(0, 0) is None
    assert exact_percent(3, 0) is None
    assert format_percent(percent(0, 0)) == "–"


def test_the_exact_percentage_is_unrounded():
    assert exact_percent(1, 3) == Decimal(100) / Decimal(3)


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=10_000))
def test_percent_is_the_exact_share_rounded_half_up(part, whole):
    value = percent(part, whole)
    exact = Decimal(100 * part) / Decimal(whole)
    assert abs(value - exact) <= Decimal("0.05")
    # Half up: the rounded value is never below the exact value by half a place or more.
    assert value - exact > Decimal("-0.05")
    assert value == value.quantize(Decimal("0.1"))


def test_rounding_is_of_the_decimal_written_not_its_binary_float():
    assert round_one_place(29.95) == Decimal("30.0")
    assert round_one_place("6.25") == Decimal("6.3")
    assert round_one_place(None) is None


def test_formatting():
    assert format_percent(Decimal("31.3")) == "31.3%"
    assert format_percent(Decimal("50.0")) == "50%"
    assert format_percent(Decimal("50.0"), fixed=True) == "50.0%"
    assert format_number(Decimal("37.50")) == "37.5"
    assert format_number(Decimal("30.00")) == "30"
