"""The scrutiny-board PDF: what it says (read back with text extraction), what it is (A4, title,
language), and what it refuses to fetch."""

import datetime
import io

import pypdf
import pytest
from django.utils import timezone

from audits import periods
from audits.models import AgreedAction, Status
from moderation.services import moderation_record, moderation_take
from reports.figures import report_figures
from reports.rendering.html import report_html
from reports.rendering.pdf import ProjectStaticFetcher, html_to_pdf
from reports.selectors import ReportScope
from reports.services import report_create, report_update_narrative
from reports.targets.services import target_create
from tests import factories
from tests.reports import TODAY, ActionSpec, D, E, M, build_through_services, publish, spec

QUARTER = periods.quarter(2026, 2)  # July to September 2026
A4_POINTS = (595.3, 841.9)


def pdf_text(data: bytes) -> str:
    """The PDF's text with line breaks and runs of spaces folded, as a reader would read it."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def qa_lead(db):
    return factories.qa_lead()


@pytest.fixture
def cohort(db):
    """Nine audits in the quarter: 4 Meets, 5 Does not meet by the auditors; moderation lowers
    three of the Meets. One audit outside the quarter must not count."""
    day = datetime.date(2026, 8, 10)
    specs = [spec(day, overall=M) for _ in range(4)] + [spec(day, overall=D) for _ in range(5)]
    specs[0] = spec(day, overall=M, moderated=D, status=Status.COMPLETED)
    specs[1] = spec(day, overall=M, moderated=D, status=Status.COMPLETED)
    specs[2] = spec(day, overall=M, moderated=D, status=Status.COMPLETED)
    specs[4] = spec(
        day,
        overall=D,
        actions=(
            ActionSpec(due_date=datetime.date(2026, 9, 1)),
            ActionSpec(
                due_date=datetime.date(2026, 9, 1),
                state=AgreedAction.State.DONE,
                completed_on=datetime.date(2026, 8, 20),
            ),
        ),
    )
    specs.append(spec(datetime.date(2026, 10, 2), overall=E))
    return build_through_services(specs)


def test_the_pdf_states_the_period_counts_and_percentages(cohort, qa_lead):
    report = report_create(by=qa_lead, period=QUARTER)
    report = publish(report, by=qa_lead, today=TODAY)
    text = pdf_text(bytes(report.frozen_pdf))

    assert "Quarter 2 2026/27" in text
    assert "2026-07-01 to 2026-09-30" in text
    # 9 cases, independently: 4 Meets (44.4%) and 5 Does not meet (55.6%) by the auditors;
    # after moderation 1 Meets (11.1%) and 8 Does not meet (88.9%).
    assert "Of the 9 cases audited" in text
    assert "4 cases (44.4%) as Meets good" in text
    assert "5 cases (55.6%) as Does not meet good" in text
    assert "1 case (11.1%) as Meets good" in text
    assert "8 cases (88.9%) as Does not meet good" in text
    assert "No cases were graded Exceeds good" in text


def test_the_pdf_is_an_a4_paper_with_title_language_and_page_numbers(cohort, qa_lead):
    report = report_create(by=qa_lead, period=QUARTER, title="Board paper Q2")
    report = publish(report, by=qa_lead, today=TODAY)
    reader = pypdf.PdfReader(io.BytesIO(bytes(report.frozen_pdf)))

    assert reader.metadata.title == "Board paper Q2"
    assert reader.trailer["/Root"].get("/Lang") == "en-GB"
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width, 1), round(height, 1)) == A4_POINTS
    pages = len(reader.pages)
    assert f"Page 2 of {pages}" in reader.pages[1].extract_text()
    title_page = reader.pages[0].extract_text()
    assert "EXAMPLE BOROUGH COUNCIL" in title_page  # set in capitals by the print stylesheet
    assert "Published" in title_page


def test_the_pdf_carries_schedule_actions_and_targets(cohort, qa_lead):
    october = datetime.date(2026, 10, 1)
    activity = factories.AuditActivityFactory(name="Care leavers' pathway plans", month=october)
    activity.planned_audits = 12
    activity.save()
    target_create(
        by=qa_lead,
        financial_year=2026,
        name="Good or better",
        measure="good_or_better",
        direction="at_least",
        target_value=30,
        amber_tolerance=5,
    )
    target_create(
        by=qa_lead,
        financial_year=2026,
        name="Not met",
        measure="not_met",
        direction="at_most",
        target_value=40,
        amber_tolerance=5,
    )
    figures = report_figures(ReportScope(QUARTER), today=TODAY)
    text = pdf_text(html_to_pdf(report_html(figures=figures, for_pdf=True)))

    assert "Audit schedule for the coming months" in text
    assert "Care leavers' pathway plans" in text
    assert "Agreed actions" in text
    # Independently: 5 D-graded audits carry 1 action each from the spec helper, except the one
    # with two explicit actions: 6 raised, 1 done on time, 5 open, all due by 2026-09-01 < TODAY.
    assert figures["actions"]["raised"] == 6
    assert "QA targets" in text
    assert "Good or better" in text and "Not met" in text
    # 11.1% good or better against at least 30 (amber from 25): red; 88.9% not met against at
    # most 40 (amber to 45): red as well.
    assert text.count("Red") >= 2


def test_user_text_is_printed_as_text_and_nothing_is_fetched(cohort, qa_lead):
    report = report_create(by=qa_lead, period=QUARTER)
    report_update_narrative(
        report=report,
        by=qa_lead,
        title="Escaping check",
        summary='<img src="file:///etc/passwd"> and <b>bold</b>',
        findings='<link rel="stylesheet" href="http://example.com/x.css">',
        recommendations="<script>alert(1)</script>",
    )
    report.refresh_from_db()
    figures = report_figures(ReportScope(QUARTER), today=TODAY)
    fetcher = ProjectStaticFetcher()
    text = pdf_text(
        html_to_pdf(report_html(figures=figures, report=report, for_pdf=True), fetcher=fetcher)
    )

    assert '<img src="file:///etc/passwd">' in text
    assert "<b>bold</b>" in text
    assert "root:x:0:0" not in text
    assert fetcher.refused == []  # escaped: the engine never even tried


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.com/evil.css",
        "https://example.com/evil.css",
        "ftp://example.com/file",
        "https://casefile-audit.invalid/static/../../config/settings.py",
        "https://casefile-audit.invalid/static/does-not-exist.css",
    ],
)
def test_the_fetcher_refuses_everything_but_project_static_files(url):
    fetcher = ProjectStaticFetcher()
    html = f'<html><head><link rel="stylesheet" href="{url}"></head><body>x</body></html>'
    html_to_pdf(html, fetcher=fetcher)
    assert fetcher.refused == [url]


def test_the_fetcher_serves_project_static_files_and_data_uris():
    fetcher = ProjectStaticFetcher()
    png = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8"
        "z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )
    html = (
        '<html><head><link rel="stylesheet" '
        'href="https://casefile-audit.invalid/static/css/report_print.css"></head>'
        f'<body><img src="{png}"></body></html>'
    )
    html_to_pdf(html, fetcher=fetcher)
    assert fetcher.refused == []


def test_a_published_report_keeps_its_pdf_when_audits_change(cohort, qa_lead):
    report = publish(report_create(by=qa_lead, period=QUARTER), by=qa_lead, today=TODAY)
    before = bytes(report.frozen_pdf)
    audit = cohort[3]  # the auditor's Meets good, not yet moderated
    moderator = factories.moderator()
    moderation_take(audit=audit, moderator=moderator)
    moderation_record(audit=audit, moderator=moderator, grade=D, rationale="Risk not reduced.")
    report.refresh_from_db()
    assert bytes(report.frozen_pdf) == before
    assert report.frozen_figures["final_grades"]["meets"] == 1
    live = report_figures(ReportScope(QUARTER), today=timezone.localdate())
    assert live["final_grades"]["meets"] == 0
