"""The report's trend (reports.trend): the periods of the same length ending with the report's,
each counted against the oracle in tests/reports (expected_trend walks the cohort in plain
Python), for months, quarters, halves, years and any dates, with the report's filters, in a
fixed number of queries; and the section on the page and in the PDF."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits import periods
from audits.models import AgreedAction, Status
from reports.figures import report_figures
from reports.rendering.trend import trend_chart, trend_rows
from reports.selectors import ReportScope
from reports.services import report_create
from reports.trend import period_label, trend_figures
from tests import factories
from tests.reports import (
    TODAY,
    ActionSpec,
    D,
    E,
    M,
    build_through_import,
    build_through_services,
    expected_trend,
    publish,
    spec,
)
from tests.reports.rendering.test_pdf import pdf_text

pytestmark = pytest.mark.django_db

Q2 = periods.quarter(2026, 2)  # July to September 2026


def spread_cohort(how_many: int = 60) -> list:
    """Audits every eleventh day from April 2025 to November 2026 (two years of quarters,
    months and halves), with grades, moderation, filters and actions varying."""
    grades = (E, M, D)
    start = datetime.date(2025, 1, 3)
    specs = []
    for n in range(how_many):
        day = start + datetime.timedelta(days=11 * n)
        moderated = grades[(n + 1) % 3] if n % 3 == 0 else ""
        specs.append(
            spec(
                day,
                overall=grades[n % 3],
                moderated=moderated,
                status=Status.COMPLETED if moderated else Status.SUBMITTED,
                strand=("social_care", "early_help")[n % 2],
                case_type=("child_in_need", "looked_after")[n % 2],
                practice=n % 13 == 0,
                activity=("Activity A", "Activity B")[n % 2],
                actions=(
                    ActionSpec(day + datetime.timedelta(days=20)),
                    ActionSpec(
                        day + datetime.timedelta(days=10),
                        AgreedAction.State.DONE,
                        day + datetime.timedelta(days=5),
                    )
                    if n % 4 == 0
                    else ActionSpec(None),
                ),
            )
        )
    return specs


@pytest.fixture
def cohort():
    specs = spread_cohort()
    build_through_import(specs)
    return specs


PERIODS = {
    "month": periods.month(2026, 8),
    "quarter": Q2,
    "half": periods.half(2026, 1),
    "year": periods.financial_year(2025),
    "ragged": periods.date_range(datetime.date(2026, 6, 20), datetime.date(2026, 9, 10)),
}


@pytest.mark.parametrize("name", list(PERIODS))
def test_every_trend_figure_matches_a_count_of_the_cohort(cohort, name):
    period = PERIODS[name]
    trend = report_figures(ReportScope(period), today=TODAY)["trend"]

    expected = expected_trend(cohort, start=period.start, end=period.end)
    assert trend == expected
    assert len(trend) == 4
    assert trend[-1]["start"] == period.start.isoformat()
    assert sum(entry["audits"] for entry in trend) > 0


@pytest.mark.parametrize("count", [4, 6, 8])
def test_four_to_eight_periods_each_counted(cohort, count):
    trend = trend_figures(ReportScope(Q2), today=TODAY, count=count)

    assert trend == expected_trend(cohort, start=Q2.start, end=Q2.end, count=count)
    assert [entry["label"] for entry in trend][-2:] == ["Quarter 1 2026/27", "Quarter 2 2026/27"]


def test_the_trend_keeps_the_reports_filters(cohort):
    activity = factories.AuditActivityFactory._meta.model.objects.get(name="Activity B")
    strand = factories.strand("early_help")
    for scope, filters in (
        (ReportScope(Q2, activity=activity), {"activity": "Activity B"}),
        (ReportScope(Q2, strand=strand), {"strand": "early_help"}),
        (
            ReportScope(Q2, case_type=factories.case_type("looked_after")),
            {"case_type": "looked_after"},
        ),
    ):
        trend = trend_figures(scope, today=TODAY)
        assert trend == expected_trend(cohort, start=Q2.start, end=Q2.end, **filters)


def test_the_trend_is_counted_in_the_same_few_queries_whatever_the_periods_and_audits():
    build_through_import(spread_cohort(10), prefix="CR-A")
    counts = {}
    for count in (4, 8):
        for period in (Q2, PERIODS["ragged"]):
            with CaptureQueriesContext(connection) as queries:
                trend_figures(ReportScope(period), today=TODAY, count=count)
            counts[count, period] = len(queries)
    build_through_import(spread_cohort(60)[10:], prefix="CR-B")
    for (count, period), before in counts.items():
        with CaptureQueriesContext(connection) as queries:
            trend_figures(ReportScope(period), today=TODAY, count=count)
        assert len(queries) == before <= 4


def test_period_labels_name_months_quarters_halves_years_and_dates():
    assert period_label(periods.month(2026, 8)) == "August 2026"
    assert period_label(periods.quarter(2025, 4)) == "Quarter 4 2025/26"
    assert period_label(periods.half(2026, 2)) == "Half year 2 2026/27"
    assert period_label(periods.financial_year(2026)) == "Financial year 2026/27"
    assert (
        period_label(periods.date_range(datetime.date(2026, 6, 20), datetime.date(2026, 9, 10)))
        == "20 June 2026 to 10 September 2026"
    )
    # Three whole months that are not a financial quarter are named by their dates.
    assert period_label(
        periods.date_range(datetime.date(2026, 5, 1), datetime.date(2026, 7, 31))
    ) == ("1 May 2026 to 31 July 2026")


def test_the_rows_and_chart_show_shares_with_intervals():
    # 5 of 8 at least Meets good by the auditors, 2 of 8 after moderation; 3 moderated, 1 agreed.
    entry = {
        "label": "Quarter 2 2026/27",
        "audits": 8,
        "auditor_grades": {"exceeds": 1, "meets": 4, "does_not_meet": 3},
        "final_grades": {"exceeds": 0, "meets": 2, "does_not_meet": 6},
        "moderation": {"moderated": 3, "agreed": 1, "raised": 0, "lowered": 2},
        "small_sample": True,
        "overdue_actions": 2,
    }
    empty = {
        **entry,
        "label": "Quarter 1 2026/27",
        "audits": 0,
        "auditor_grades": dict.fromkeys(entry["auditor_grades"], 0),
        "final_grades": dict.fromkeys(entry["final_grades"], 0),
        "moderation": dict.fromkeys(entry["moderation"], 0),
        "overdue_actions": 0,
    }
    rows = trend_rows([empty, entry])
    # Wilson 95% of 5/8: 30.6% to 86.3%; of 2/8: 7.1% to 59.1% (closed form).
    assert rows[1]["good_before"] == "62.5% (31–86%)"
    assert rows[1]["good_after"] == "25% (7–59%)"
    assert rows[1]["moderation_rate"] == "37.5%"
    assert rows[1]["agreement"] == "33.3%"
    assert rows[1]["overdue_actions"] == 2
    assert rows[0]["good_before"] == "–" and rows[0]["agreement"] == "–"
    chart = str(trend_chart([empty, entry]))
    assert "<svg" in chart and "62.5%" in chart and "Quarter 1 2026/27, Final grade: no" in chart


@pytest.fixture
def two_quarters():
    specs = [
        spec(datetime.date(2026, 5, 12), overall=M),
        spec(datetime.date(2026, 5, 14), overall=D),
        spec(datetime.date(2026, 8, 10), overall=M),
        spec(datetime.date(2026, 8, 11), overall=E),
        spec(datetime.date(2026, 8, 12), overall=M, moderated=D, status=Status.COMPLETED),
    ]
    return build_through_services(specs)


def test_the_report_page_shows_the_trend_section(client, two_quarters):
    lead = factories.qa_lead()
    client.force_login(lead)
    report = report_create(by=lead, period=Q2)

    html = client.get(report.get_absolute_url()).content.decode()

    assert 'id="r-trend"' in html and 'id="trend-table"' in html
    # The section comes right after the comparison with the previous period.
    assert html.index('id="r-compare"') < html.index('id="r-trend"')
    # Q2: 3 audits, all at least Meets good by the auditors (Wilson 43.9-100%), 2 of 3 after
    # moderation (20.8-93.9%); one moderated, not agreed.
    assert "Quarter 2 2026/27" in html
    assert "100% (44–100%)" in html
    assert "66.7% (21–94%)" in html
    assert "Quarter 3 2025/26" in html  # the oldest of the four


def test_the_pdf_has_the_trend_table(two_quarters):
    lead = factories.qa_lead()
    report = publish(report_create(by=lead, period=Q2), by=lead, today=TODAY)
    text = pdf_text(bytes(report.frozen_pdf))

    assert "Trend by period: audits, the share at least Meets good" in text
    assert "Quarter 1 2026/27" in text and "Quarter 4 2025/26" in text
    # Q1: 2 audits, both small samples; Q2: 3 audits, 3 then 2 at least Meets good.
    assert "2026/27 2 small sample 50% (" in text
    # (The text read back may join two cells without a space.)
    assert re.search(
        r"2026/27 3 small sample 100% \(44–100%\) ?66\.7% \(21–94%\) 33\.3% 0% 0", text
    )
