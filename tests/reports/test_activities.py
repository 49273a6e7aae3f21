"""The report's sections per audit activity (reports.activities) and its honest small numbers:
the figures against counts made here, the page and the PDF read back for the sections, the 95%
Wilson intervals and the "small sample" flags.

The property test in test_properties checks every entry of "activities" against the oracle
(tests/reports expected_figures) over random cohorts; here, a cohort laid out like a council's
paper, checked figure by figure, and what the page and the PDF make of it."""

import dataclasses
import datetime
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits import periods
from audits.models import AuditActivity, Domain, Status
from reports.activities import activity_figures
from reports.figures import report_figures
from reports.rendering import activity_sections
from reports.rendering.html import report_html
from reports.rendering.pdf import html_to_pdf
from reports.selectors import ReportScope
from reports.services import report_create
from tests import factories
from tests.reports import (
    NA,
    TODAY,
    D,
    E,
    M,
    build_through_import,
    build_through_services,
    comparable_activities,
    expected_figures,
    spec,
    wilson,
    written_interval,
)
from tests.reports.rendering.test_pdf import pdf_text

pytestmark = pytest.mark.django_db

QUARTER = periods.quarter(2026, 2)  # July to September 2026
DAYS_10 = datetime.timedelta(days=10)
AUGUST, SEPTEMBER = datetime.date(2026, 8, 10), datetime.date(2026, 9, 14)
LAC, CWD = "Looked after children audit", "Children with disabilities audit"


@pytest.fixture
def titles(db):
    return dict(Domain.objects.filter(tool__is_current=True).values_list("number", "title"))


@pytest.fixture
def cohort(db):
    """Two activities, as in a council's paper. August's looked-after audit: nine cases, the
    auditors 4 Meets and 5 Does not meet, moderation lowering three of the Meets; one of the
    Does not meet fails every domain that applies. September's disabilities audit: three cases
    over both strands. A practice audit and a draft never count."""
    every_not_met = (D,) * 10 + (NA, NA)
    lac = [spec(AUGUST, overall=M, activity=LAC) for _ in range(4)]
    lac += [spec(AUGUST, overall=D, activity=LAC, case_type="looked_after") for _ in range(5)]
    for n in range(3):
        lac[n] = spec(AUGUST, overall=M, moderated=D, status=Status.COMPLETED, activity=LAC)
    lac[4] = spec(AUGUST, overall=D, activity=LAC, case_type="looked_after", domains=every_not_met)
    cwd = [
        spec(SEPTEMBER, overall=E, activity=CWD, domains=(E,) * 12),
        spec(SEPTEMBER, overall=M, activity=CWD, strand="early_help", case_type="early_help"),
        spec(SEPTEMBER, overall=D, activity=CWD, strand="early_help", case_type="early_help"),
        spec(SEPTEMBER, overall=E, activity=CWD, practice=True, status=Status.IN_MODERATION),
        spec(SEPTEMBER, overall=E, activity=CWD, status=Status.DRAFT),
    ]
    specs = lac + cwd
    build_through_services(specs)
    return specs


def test_each_activity_has_its_cases_grades_splits_and_domains(cohort, titles):
    entries = report_figures(ReportScope(QUARTER), today=TODAY)["activities"]

    # By month, then name; each with its activity's id and month.
    activities = {a.name: a for a in AuditActivity.objects.all()}
    assert [(e["name"], e["id"], e["month"]) for e in entries] == [
        (LAC, activities[LAC].pk, activities[LAC].month.isoformat()),
        (CWD, activities[CWD].pk, activities[CWD].month.isoformat()),
    ]
    lac, cwd = entries
    assert lac["audits"] == 9
    assert lac["auditor_grades"] == {"exceeds": 0, "meets": 4, "does_not_meet": 5}
    assert lac["final_grades"] == {"exceeds": 0, "meets": 1, "does_not_meet": 8}
    assert lac["moderation"] == {"moderated": 3, "agreed": 0, "raised": 0, "lowered": 3}
    assert lac["small_sample"] is True
    assert lac["final_grades_ci"]["does_not_meet"] == wilson(8, 9)
    assert lac["by_case_type"]["child_in_need"]["final_grades"]["meets"] == 1
    assert lac["by_case_type"]["looked_after"]["auditor_grades"]["does_not_meet"] == 5
    assert set(lac["by_strand"]) == {"social_care"}
    assert lac["not_met_in_all_applicable_domains"] == 1
    # Domain 1 among the 8 cases whose final grade is Does not meet good: 3 moderated down
    # (Meets in every domain), 4 Meets everywhere, 1 Does not meet everywhere.
    assert lac["domains_does_not_meet"][0] == {
        "number": 1,
        "exceeds": 0,
        "meets": 7,
        "does_not_meet": 1,
        "not_applicable": 0,
    }
    assert cwd["audits"] == 3 and cwd["moderation"]["moderated"] == 0
    assert set(cwd["by_strand"]) == {"social_care", "early_help"}
    assert cwd["by_strand"]["early_help"]["auditor_grades"] == {
        "exceeds": 0,
        "meets": 1,
        "does_not_meet": 1,
    }
    # And every figure of both against the oracle.
    expected = expected_figures(cohort, start=QUARTER.start, end=QUARTER.end, titles=titles)
    assert comparable_activities(entries) == expected["activities"]


def test_the_scope_filters_apply_and_a_period_without_audits_has_no_sections(cohort, titles):
    strand = factories.strand("early_help")
    entries = activity_figures(ReportScope(QUARTER, strand=strand))
    assert [(e["name"], e["audits"]) for e in entries] == [(CWD, 2)]
    lac = AuditActivity.objects.get(name=LAC)
    assert [e["name"] for e in activity_figures(ReportScope(QUARTER, activity=lac))] == [LAC]
    assert activity_figures(ReportScope(periods.quarter(2026, 3))) == []


def _cohort_of(activities: int, per_activity: int) -> list:
    grades = (E, M, D)
    return [
        spec(
            QUARTER.start + datetime.timedelta(days=(n * 7 + a) % 90),
            overall=grades[n % 3],
            activity=f"Activity {a}",
            strand=("social_care", "early_help")[n % 2],
            case_type=("child_in_need", "looked_after", "early_help")[(n + a) % 3],
            domains=tuple(grades[(n + k) % 3] if (n + k) % 5 else NA for k in range(12)),
        )
        for a in range(activities)
        for n in range(per_activity)
    ]


# Whole months are read from the kept figures (grades, domain numbers, domains); days at the
# period's edges are counted from the audits (two more).
EDGES = periods.date_range(QUARTER.start + datetime.timedelta(days=9), QUARTER.end - DAYS_10)


@pytest.mark.parametrize(("period", "queries"), [(QUARTER, 3), (EDGES, 5)])
def test_the_sections_take_so_many_queries_whatever_the_number_of_activities_and_audits(
    period, queries
):
    scope = ReportScope(period)
    build_through_import(_cohort_of(1, 3), prefix="CR-A")
    with CaptureQueriesContext(connection) as few:
        assert len(activity_figures(scope)) == 1
    build_through_import(_cohort_of(12, 40), prefix="CR-B")
    with CaptureQueriesContext(connection) as many:
        assert len(activity_figures(scope)) == 12  # "Activity 0" had audits already
    assert len(few) == len(many) == queries


@pytest.mark.parametrize(
    "period",
    [
        EDGES,  # edge days counted, the whole month between them kept
        periods.date_range(QUARTER.start + datetime.timedelta(days=3), QUARTER.end),
        periods.date_range(QUARTER.start + datetime.timedelta(days=40), QUARTER.end - DAYS_10),
    ],
)
def test_kept_months_and_counted_edge_days_add_up_to_the_oracle(titles, period):
    specs = [
        dataclasses.replace(one, moderated=(M, D, E)[n % 3], status=Status.COMPLETED)
        if n % 4 == 0
        else one
        for n, one in enumerate(_cohort_of(4, 30))
    ]
    build_through_import(specs)

    entries = activity_figures(ReportScope(period))

    expected = expected_figures(specs, start=period.start, end=period.end, titles=titles)
    assert comparable_activities(entries) == expected["activities"]
    assert entries  # the cohort has audits in every such period


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    sizes=st.lists(st.integers(1, 25), min_size=1, max_size=4),
    moderated=st.sampled_from(("", E, M, D)),
)
def test_imported_cohorts_of_any_size_match_the_oracle(titles, sizes, moderated):
    """Sizes either side of the small-sample line (20), so the flag is checked both ways."""
    specs = [
        spec(
            QUARTER.start + datetime.timedelta(days=(n * 5) % 92),
            overall=(E, M, D)[(n + a) % 3],
            moderated=moderated if n % 3 == 0 else "",
            activity=f"Sized activity {a}",
            case_type=("child_in_need", "looked_after")[n % 2],
            status=Status.COMPLETED,
        )
        for a, size in enumerate(sizes)
        for n in range(size)
    ]
    with transaction.atomic():
        try:
            build_through_import(specs)
            entries = activity_figures(ReportScope(QUARTER))
            expected = expected_figures(specs, start=QUARTER.start, end=QUARTER.end, titles=titles)
            assert comparable_activities(entries) == expected["activities"]
            assert [e["small_sample"] for e in sorted(entries, key=lambda e: e["name"])] == [
                size < 20 for size in sizes
            ]
        finally:
            transaction.set_rollback(True)


# --- The page and the PDF -------------------------------------------------------------------


@pytest.fixture
def qa_lead(db):
    return factories.qa_lead()


def _report_page(client, qa_lead) -> tuple[str, str]:
    """The quarter's draft report as the QA lead sees it: its HTML, and its text in one line."""
    client.force_login(qa_lead)
    report = report_create(by=qa_lead, period=QUARTER)
    html = client.get(report.get_absolute_url()).content.decode()
    return html, " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _sections_text(text: str) -> None:
    """What the page and the PDF both say, checked against counts made here."""
    assert "Audit activity: Looked after children audit (August 2026)" in text
    assert "Audit activity: Children with disabilities audit (September 2026)" in text
    # The overall grades of the looked-after audit with their intervals: 4 of 9 Meets by the
    # auditors, 1 of 9 after moderation; 5 and 8 of 9 Does not meet.
    for part in (4, 1, 5, 8):
        share = {4: "44.4%", 1: "11.1%", 5: "55.6%", 8: "88.9%"}[part]
        assert f"{share} ({written_interval(part, 9)})" in text
    assert "small sample" in text
    assert "fewer than 20 audits" in text  # the note that explains the flag
    # One in the whole period's domains, one in the looked-after audit's section.
    assert text.count("1 audit did not meet good in any domain that applied to it") == 2
    assert "Final grade Does not meet good (8)" in text and "Other cases (1)" in text


def test_the_page_shows_a_section_per_activity_with_intervals_and_flags(cohort, qa_lead, client):
    html, text = _report_page(client, qa_lead)

    _sections_text(text)
    # The whole period's split by strand before and after moderation: of the 10 social care
    # audits (a small sample) the auditors graded 1 Exceeds, 4 Meets and 5 Does not meet;
    # after moderation 1, 1 and 8.
    assert 'id="strand-table"' in html and 'id="case-type-table"' in html
    assert (
        f"Social care small sample Auditor 10 1 10% ({written_interval(1, 10)}) "
        f"4 40% ({written_interval(4, 10)}) 5 50% ({written_interval(5, 10)}) "
        f"Social care Final 10 1 10% ({written_interval(1, 10)}) 1 10% ({written_interval(1, 10)}) "
        f"8 80% ({written_interval(8, 10)})"
    ) in text
    # Flagged: the whole period (12 audits), both strands, the three case types, each activity
    # and the splits within them.
    assert html.count('class="small-sample"') >= 10
    # The overall grades table of the whole period: 9 of 12 Does not meet good after moderation.
    assert f"75% ({written_interval(9, 12)})" in text


def test_the_pdf_has_the_sections_the_intervals_and_the_small_sample_flags(cohort, qa_lead):
    report = report_create(by=qa_lead, period=QUARTER)
    figures = report_figures(ReportScope(QUARTER), today=TODAY)
    text = pdf_text(html_to_pdf(report_html(figures=figures, report=report, for_pdf=True)))

    _sections_text(text)
    assert "Grades by strand, by the auditor and after moderation" in text
    assert "Grades by case type, by the auditor and after moderation" in text
    assert "95% confidence interval (the Wilson score interval)" in text
    assert text.count("small sample") >= 6


# --- A period with more activities than full sections -------------------------------------


def _summary_row_text(name: str, month: str, audits: int, auditor: tuple, final: tuple):
    """The start of an activity's row in the summary table, as the page's text reads it;
    ``auditor`` and ``final``: (audits at least Meets good, that share as written)."""
    small = " small sample" if audits < 20 else ""
    return (
        f"{name} ({month}){small} {audits} "
        f"{auditor[1]} ({written_interval(auditor[0], audits)}) "
        f"{final[1]} ({written_interval(final[0], audits)})"
    )


# The cohort's activities as the summary counts them here: the looked-after audit's 9 cases,
# 4 at least Meets by the auditors and 1 after moderation (3 moderated, 1 meeting good in no
# applicable domain); the disabilities audit's 3 counted cases (not the practice audit nor the
# draft), 2 at least Meets before and after, none moderated.
LAC_ROW = _summary_row_text(LAC, "August 2026", 9, (4, "44.4%"), (1, "11.1%")) + " 3 (33.3%) 1 Yes"
CWD_ROW = _summary_row_text(CWD, "September 2026", 3, (2, "66.7%"), (2, "66.7%")) + " 0 (0%)"


def test_beyond_the_setting_every_activity_is_in_one_table_and_the_largest_have_sections(
    cohort, qa_lead, client, settings
):
    settings.REPORT_FULL_ACTIVITY_SECTIONS = 1
    html, text = _report_page(client, qa_lead)

    assert 'id="activity-summary"' in html
    assert "The period had 2 audit activities" in text
    assert LAC_ROW in text
    assert CWD_ROW in text and f"{CWD_ROW} 0 No" in text
    # The largest (9 cases) has its full section; the other only its row, which links to the
    # activity's own page.
    assert f"Audit activity: {LAC} (August 2026)" in text
    assert f"Audit activity: {CWD}" not in text
    cwd = AuditActivity.objects.get(name=CWD)
    assert f'href="/reports/activities/{cwd.pk}/results/"' in html


def test_up_to_the_setting_there_is_no_table_and_every_activity_has_its_section(
    cohort, qa_lead, client, settings
):
    settings.REPORT_FULL_ACTIVITY_SECTIONS = 2
    html, _text = _report_page(client, qa_lead)

    assert 'id="activity-summary"' not in html
    assert f"Audit activity: {LAC}" in html and f"Audit activity: {CWD}" in html


def test_the_pdf_lists_every_activity_and_gives_the_largest_their_sections(
    cohort, qa_lead, settings
):
    settings.REPORT_FULL_ACTIVITY_SECTIONS = 1
    report = report_create(by=qa_lead, period=QUARTER)
    figures = report_figures(ReportScope(QUARTER), today=TODAY)
    text = pdf_text(html_to_pdf(report_html(figures=figures, report=report, for_pdf=True)))

    assert "Audit activities in the period" in text
    assert LAC_ROW in text and CWD_ROW in text
    assert f"Audit activity: {LAC} (August 2026)" in text
    assert f"Audit activity: {CWD}" not in text
    # Every activity stays in the figures (the JSON): the table only shortens the paper.
    assert [entry["name"] for entry in figures["activities"]] == [LAC, CWD]


def test_the_largest_activities_get_the_sections_the_earlier_month_first_on_a_tie(settings):
    settings.REPORT_FULL_ACTIVITY_SECTIONS = 2
    entries = [
        {"id": 1, "name": "A", "month": "2026-07-01", "audits": 5},
        {"id": 2, "name": "B", "month": "2026-08-01", "audits": 9},
        {"id": 3, "name": "C", "month": "2026-07-01", "audits": 2},
        {"id": 4, "name": "D", "month": "2026-07-01", "audits": 9},
    ]

    assert activity_sections._with_full_sections(entries) == {2, 4}
    settings.REPORT_FULL_ACTIVITY_SECTIONS = 1
    assert activity_sections._with_full_sections(entries) == {4}
    settings.REPORT_FULL_ACTIVITY_SECTIONS = 4
    assert activity_sections._with_full_sections(entries) == {1, 2, 3, 4}
