"""Reporting periods: months, financial quarters, halves and years (April to March), custom
ranges, and the period each is compared with."""

import datetime

import pytest

from audits import periods

day = datetime.date


@pytest.mark.parametrize(
    ("year", "number", "start", "end"),
    [
        (2026, 1, day(2026, 1, 1), day(2026, 1, 31)),
        (2026, 2, day(2026, 2, 1), day(2026, 2, 28)),
        (2028, 2, day(2028, 2, 1), day(2028, 2, 29)),  # a leap year
        (2026, 4, day(2026, 4, 1), day(2026, 4, 30)),
        (2026, 12, day(2026, 12, 1), day(2026, 12, 31)),
    ],
)
def test_a_month_runs_from_its_first_to_its_last_day(year, number, start, end):
    period = periods.month(year, number)

    assert (period.start, period.end) == (start, end)
    assert period.whole_months == 1


def test_a_months_previous_period_is_the_month_before_even_across_a_year():
    previous = periods.month(2026, 1).previous()

    assert (previous.start, previous.end) == (day(2025, 12, 1), day(2025, 12, 31))
    previous = periods.month(2026, 3).previous()
    assert (previous.start, previous.end) == (day(2026, 2, 1), day(2026, 2, 28))


@pytest.mark.parametrize(
    ("number", "start", "end"),
    [
        (1, day(2026, 4, 1), day(2026, 6, 30)),
        (2, day(2026, 7, 1), day(2026, 9, 30)),
        (3, day(2026, 10, 1), day(2026, 12, 31)),
        (4, day(2027, 1, 1), day(2027, 3, 31)),  # Q4 is in the next calendar year
    ],
)
def test_financial_quarters_start_in_april(number, start, end):
    quarter = periods.quarter(2026, number)

    assert (quarter.start, quarter.end) == (start, end)
    assert quarter.whole_months == 3
    assert quarter.label == f"Quarter {number} 2026/27"


@pytest.mark.parametrize(
    ("number", "previous_start", "previous_end"),
    [
        (2, day(2026, 4, 1), day(2026, 6, 30)),
        (3, day(2026, 7, 1), day(2026, 9, 30)),
        (4, day(2026, 10, 1), day(2026, 12, 31)),
        (1, day(2026, 1, 1), day(2026, 3, 31)),  # Q1 2026/27 follows Q4 2025/26
    ],
)
def test_a_quarter_is_compared_with_the_quarter_before(number, previous_start, previous_end):
    previous = periods.quarter(2026, number).previous()

    assert (previous.start, previous.end) == (previous_start, previous_end)


def test_the_quarter_before_q1_is_q4_of_the_previous_financial_year():
    previous = periods.quarter(2026, 1).previous()
    q4 = periods.quarter(2025, 4)

    assert (previous.start, previous.end) == (q4.start, q4.end)


@pytest.mark.parametrize(
    ("number", "start", "end"),
    [
        (1, day(2026, 4, 1), day(2026, 9, 30)),
        (2, day(2026, 10, 1), day(2027, 3, 31)),
    ],
)
def test_half_years(number, start, end):
    half = periods.half(2026, number)

    assert (half.start, half.end) == (start, end)
    assert half.whole_months == 6
    assert half.label == f"Half year {number} 2026/27"


def test_the_half_before_the_first_half_is_the_second_half_of_the_year_before():
    previous = periods.half(2026, 1).previous()

    assert (previous.start, previous.end) == (day(2025, 10, 1), day(2026, 3, 31))


def test_a_financial_year_runs_april_to_march():
    year = periods.financial_year(2026)

    assert (year.start, year.end) == (day(2026, 4, 1), day(2027, 3, 31))
    assert year.whole_months == 12
    assert year.label == "Financial year 2026/27"
    previous = year.previous()
    assert (previous.start, previous.end) == (day(2025, 4, 1), day(2026, 3, 31))


@pytest.mark.parametrize(
    ("on", "year"),
    [
        (day(2026, 3, 31), 2025),
        (day(2026, 4, 1), 2026),
        (day(2026, 12, 31), 2026),
    ],
)
def test_the_financial_year_of_a_day(on, year):
    assert periods.financial_year_of(on) == year


def test_a_custom_range_of_ten_days_is_compared_with_the_ten_days_before():
    period = periods.date_range(day(2026, 8, 11), day(2026, 8, 20))

    previous = period.previous()

    assert (previous.start, previous.end) == (day(2026, 8, 1), day(2026, 8, 10))
    assert (previous.end - previous.start).days + 1 == 10
    assert period.whole_months is None
    assert period.label == "11 August 2026 to 20 August 2026"


def test_a_custom_range_across_a_year_end():
    previous = periods.date_range(day(2026, 1, 3), day(2026, 1, 12)).previous()

    assert (previous.start, previous.end) == (day(2025, 12, 24), day(2026, 1, 2))


def test_a_single_day_is_compared_with_the_day_before():
    previous = periods.date_range(day(2026, 3, 1), day(2026, 3, 1)).previous()

    assert (previous.start, previous.end) == (day(2026, 2, 28), day(2026, 2, 28))


def test_a_range_of_whole_months_is_compared_with_as_many_months_before():
    # 1 February to 30 April: three whole months, so the comparison is November to January,
    # not the 89 days before.
    previous = periods.date_range(day(2026, 2, 1), day(2026, 4, 30)).previous()

    assert (previous.start, previous.end) == (day(2025, 11, 1), day(2026, 1, 31))


def test_the_end_before_the_start_is_refused():
    with pytest.raises(ValueError, match="end date cannot be before the start"):
        periods.date_range(day(2026, 8, 20), day(2026, 8, 19))


@pytest.mark.parametrize(
    ("maker", "number"),
    [
        (periods.quarter, 0),
        (periods.quarter, 5),
        (periods.half, 3),
    ],
)
def test_quarters_and_halves_outside_the_year_are_refused(maker, number):
    with pytest.raises(ValueError):
        maker(2026, number)


# --- Whole months and edge days (the report reads kept figures for whole months) ---------------


@pytest.mark.parametrize(
    ("start", "end", "months", "edges"),
    [
        # A quarter is all whole months: nothing is counted afresh.
        (day(2026, 7, 1), day(2026, 9, 30), (day(2026, 7, 1), day(2026, 9, 30)), []),
        # A day either side of two whole months.
        (
            day(2025, 1, 31),
            day(2025, 4, 1),
            (day(2025, 2, 1), day(2025, 3, 31)),
            [(day(2025, 1, 31), day(2025, 1, 31)), (day(2025, 4, 1), day(2025, 4, 1))],
        ),
        # Inside one month, or across two without a whole one: all days.
        (day(2025, 1, 2), day(2025, 1, 30), None, [(day(2025, 1, 2), day(2025, 1, 30))]),
        (day(2025, 1, 2), day(2025, 2, 27), None, [(day(2025, 1, 2), day(2025, 2, 27))]),
        # February of a leap year ends on the 29th: the 28th is not its end.
        (day(2028, 2, 1), day(2028, 2, 28), None, [(day(2028, 2, 1), day(2028, 2, 28))]),
        (day(2028, 2, 1), day(2028, 2, 29), (day(2028, 2, 1), day(2028, 2, 29)), []),
        # Across a year end, whole months at the start only.
        (
            day(2025, 12, 1),
            day(2026, 1, 15),
            (day(2025, 12, 1), day(2025, 12, 31)),
            [(day(2026, 1, 1), day(2026, 1, 15))],
        ),
        # A single day.
        (day(2026, 3, 31), day(2026, 3, 31), None, [(day(2026, 3, 31), day(2026, 3, 31))]),
    ],
)
def test_a_period_splits_into_whole_months_and_edge_days(start, end, months, edges):
    whole, rest = periods.split_at_months(periods.date_range(start, end))

    assert (whole and (whole.start, whole.end)) == months
    assert [(p.start, p.end) for p in rest] == edges
    # Together they cover every day of the period exactly once.
    days = [p for p in ([whole] if whole else []) + rest]
    covered = sorted(
        d
        for p in days
        for d in (p.start + datetime.timedelta(n) for n in range((p.end - p.start).days + 1))
    )
    assert covered == [start + datetime.timedelta(n) for n in range((end - start).days + 1)]


def test_periods_ending_with_a_quarter_are_the_quarters_before_it():
    from audits.periods import periods_ending_with, quarter

    trend = periods_ending_with(quarter(2026, 2), 5)
    assert [(p.start, p.end) for p in trend] == [
        (datetime.date(2025, 7, 1), datetime.date(2025, 9, 30)),
        (datetime.date(2025, 10, 1), datetime.date(2025, 12, 31)),
        (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)),
        (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30)),
        (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)),
    ]
