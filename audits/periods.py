"""Reporting periods. Councils report by financial year, April to March."""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _

# The dates the app takes wherever one is typed: audit, feedback and due dates, activity months,
# report periods, filters, the report command and /reports/summary.json. Wide enough for any
# real audit (no council's case files in this system predate 2000; due dates are months ahead,
# not decades) and far from years 1 and 9999, where the month maths here (the month before,
# the previous period, the month after the end) would leave the calendar Python can hold.
# Fixed dates, not "today plus some years", so a date accepted today is accepted next year and
# a QA lead can be told the range in one sentence. A year mistyped as 0226 is refused too.
EARLIEST_REPORT_DATE = datetime.date(2000, 1, 1)
LATEST_REPORT_DATE = datetime.date(2100, 12, 31)


def financial_year_allowed(year: int) -> bool:
    """Whether financial year ``year`` (2026 for 2026/27) starts within the dates above."""
    return EARLIEST_REPORT_DATE.year <= year <= LATEST_REPORT_DATE.year


def report_date_error(day: datetime.date, name: str) -> str | None:
    """Why ``day`` cannot be used (outside the dates above), naming it ``name``; or None."""
    if EARLIEST_REPORT_DATE <= day <= LATEST_REPORT_DATE:
        return None
    return _("%(name)s must be between %(earliest)s and %(latest)s.") % {
        "name": name,
        "earliest": f"{EARLIEST_REPORT_DATE:%-d %B %Y}",
        "latest": f"{LATEST_REPORT_DATE:%-d %B %Y}",
    }


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date
    label: str

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError(_("The end date cannot be before the start date."))

    @property
    def whole_months(self) -> int | None:
        """The number of calendar months the period spans exactly, or None."""
        if self.start.day != 1 or self.end != last_of_month(self.end):
            return None
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def previous(self) -> "Period":
        """The period of the same length just before: whole months where the period is whole
        months (so a quarter is compared with the quarter before), otherwise the same days."""
        months = self.whole_months
        if months:
            start = add_months(self.start, -months)
            end = self.start - ONE_DAY
        else:
            end = self.start - ONE_DAY
            start = end - (self.end - self.start)
        return Period(start, end, _("previous period"))


def periods_ending_with(period: Period, count: int) -> list[Period]:
    """``count`` periods of ``period``'s length, oldest first, the last being ``period``
    itself: the trend of a report (four quarters, eight months...). Each earlier one is the
    ``previous()`` of the one after, so a quarter's trend is the quarters before it."""
    periods = [period]
    while len(periods) < count:
        periods.insert(0, periods[0].previous())
    return periods


# --- Month maths: the only place the project works out month boundaries. -------------------

ONE_DAY = datetime.timedelta(days=1)


def month_start(day: datetime.date) -> datetime.date:
    """The first day of the month ``day`` is in."""
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month ``months`` after (or, negative, before) ``day``'s month."""
    return month_start(day) + relativedelta(months=months)


def month_end(start: datetime.date, months: int = 1) -> datetime.date:
    """The last day of the ``months``-month span that starts in ``start``'s month."""
    return add_months(start, months) - ONE_DAY


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` years before ``day``; 29 February gives 28 February."""
    return day - relativedelta(years=years)


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` months before ``day``; a day the month lacks gives its last."""
    return day - relativedelta(months=months)


def last_of_month(day: datetime.date) -> datetime.date:
    """The last day of the month ``day`` is in."""
    return month_end(day, 1)


def days_in_month(day: datetime.date) -> int:
    return last_of_month(day).day


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first day of every month from ``first``'s to ``last``'s, both included."""
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def financial_quarter_of(day: datetime.date) -> int:
    """The quarter (1 to 4) of the financial year, April to March, that ``day`` is in."""
    return (day.month - 4) % 12 // 3 + 1


def financial_year_of(day: datetime.date) -> int:
    """The calendar year in which the financial year holding ``day`` starts."""
    return day.year if day.month >= 4 else day.year - 1


def fy_label(year: int) -> str:
    return f"{year}/{str(year + 1)[-2:]}"


def month(year: int, month_number: int) -> Period:
    start = datetime.date(year, month_number, 1)
    return Period(start, month_end(start, 1), f"{start:%B %Y}")


def quarter(fy: int, number: int) -> Period:
    if number not in (1, 2, 3, 4):
        raise ValueError(_("A quarter is 1, 2, 3 or 4."))
    start = add_months(datetime.date(fy, 4, 1), 3 * (number - 1))
    return Period(start, month_end(start, 3), f"Quarter {number} {fy_label(fy)}")


def half(fy: int, number: int) -> Period:
    if number not in (1, 2):
        raise ValueError(_("A half year is 1 or 2."))
    start = add_months(datetime.date(fy, 4, 1), 6 * (number - 1))
    return Period(start, month_end(start, 6), f"Half year {number} {fy_label(fy)}")


def financial_year(fy: int) -> Period:
    start = datetime.date(fy, 4, 1)
    return Period(start, month_end(start, 12), f"Financial year {fy_label(fy)}")


def date_range(start: datetime.date, end: datetime.date) -> Period:
    return Period(start, end, f"{start:%-d %B %Y} to {end:%-d %B %Y}")


def split_at_months(period: Period) -> tuple[Period | None, list[Period]]:
    """The whole calendar months inside ``period`` (as one period, or None if there are
    none) and the days at either edge that fall outside them (none, one or two periods).

    31 January to 1 April gives February to March and the two days 31 January and 1 April.
    """
    first = period.start if period.start.day == 1 else add_months(period.start, 1)
    after_last = add_months(period.end, 1)  # the first day of the month after the end
    if period.end != after_last - ONE_DAY:
        after_last = month_start(period.end)
    if first >= after_last:
        return None, [period]
    months = Period(first, after_last - ONE_DAY, period.label)
    edges = []
    if period.start < first:
        edges.append(Period(period.start, first - ONE_DAY, period.label))
    if months.end < period.end:
        edges.append(Period(after_last, period.end, period.label))
    return months, edges
