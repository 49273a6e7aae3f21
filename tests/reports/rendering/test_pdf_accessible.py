"""The board paper as an accessible PDF (issue 13): tagged (PDF/UA-1), with its language, its
title shown by viewers, bookmarks from its headings, tables with header rows, and each chart a
figure with a text alternative naming the table that holds its figures. Read back with pypdf
(tests/pdf_structure.py) from PDFs made as production makes them: DEBUG off, the manifest
storage's collected static files (the production_static fixture), through the view and through
the worker that freezes a published paper."""

import datetime
import logging

import pytest
from django.urls import reverse

from audits import periods
from reports.services import report_create, report_update_narrative
from tests import factories
from tests.helpers import fetch_problems
from tests.pdf_structure import assert_tables_have_header_rows, read
from tests.reports import D, M, build_through_services, spec
from tests.worker import run_tasks

QUARTER = periods.quarter(2026, 2)  # July to September 2026

SECTIONS = [
    "Summary of audit activity",
    "Overall grades",
    "Moderation",
    "By strand and case type",
    "The twelve domains",
    "Agreed actions",
    "Re-audits: did learning have an impact?",  # no case re-audited here: a sentence, no table
    "Compared with the previous period",
    "Trend",
    "Findings",
    "Recommendations",
    "QA targets",
    "Audit activity: planned and done",
]
# The section of the draft's one audit activity (reports.activities), after the schedule.
ACTIVITY = "Audit activity: Quarterly audit (August 2026)"
ACTIVITY_PARTS = ["overall grades", "by strand and case type", "domains"]
# grades, strand, case type, domains, actions, comparison, trend, targets, activity, schedule;
# then the activity's grades, strand, case type and its Does-not-meet-good cases' domains
TABLES = 14


@pytest.fixture
def qa_lead(db):
    return factories.qa_lead()


@pytest.fixture
def draft(qa_lead):
    day = datetime.date(2026, 8, 10)
    build_through_services([spec(day, overall=M), spec(day, overall=D)])
    report = report_create(by=qa_lead, period=QUARTER, title="Board paper Q2")
    report_update_narrative(
        report=report,
        by=qa_lead,
        title="Board paper Q2",
        summary="Two cases were audited.",
        findings="Plans lag behind assessments.",
        recommendations="Review plans within a month.",
    )
    report.refresh_from_db()
    return report


def assert_accessible(data: bytes):
    pdf = read(data)

    assert pdf.marked  # MarkInfo: a tagged PDF
    assert pdf.pdfua_part == "1"
    assert pdf.lang == "en-GB"
    assert pdf.title == "Board paper Q2"
    assert pdf.display_doc_title  # viewers show the title, not the file name

    assert pdf.bookmarks == [
        (1, "Board paper Q2"),
        (2, "Summary of audit activity"),
        (3, "Summary"),
        *[(2, section) for section in SECTIONS[1:]],
        (3, "Audit schedule for the coming months"),
        (2, ACTIVITY),
        *[(3, f"Quarterly audit: {part}") for part in ACTIVITY_PARTS],
    ]

    tree = pdf.tree
    assert tree.tag == "Document"
    assert [h.tag for h in tree.find("H1")] == ["H1"]
    assert len(tree.find("H2")) == len(SECTIONS) + 1
    assert_tables_have_header_rows(tree, TABLES)

    figures = tree.find("Figure")
    assert [f.alt for f in figures] == [
        "Bar chart of the overall grades before and after moderation; "
        "the figures are in the overall grades table",
        "Bar chart of the grades by domain; the figures are in the domains table",
        "Line chart of the share of audits at least Meets good in each period, before and after "
        "moderation; the figures are in the trend table",
    ]
    # Each table's <caption> and each chart's <figcaption>.
    assert len(tree.find("Caption")) == TABLES + len(figures)


def test_a_draft_paper_downloaded_in_production_is_a_tagged_pdf(
    production_static, client, qa_lead, draft, caplog
):
    client.force_login(qa_lead)
    with caplog.at_level(logging.WARNING):
        response = client.get(reverse("reports:pdf", args=[draft.pk]))

    assert response.status_code == 200
    assert fetch_problems(caplog) == []  # nor WeasyPrint's "missing alt", "missing lang"
    assert_accessible(response.content)


def test_a_published_paper_frozen_by_the_worker_in_production_is_a_tagged_pdf(
    production_static, client, qa_lead, draft, caplog, django_capture_on_commit_callbacks
):
    client.force_login(qa_lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:publish", args=[draft.pk]),
            {
                "title": "Board paper Q2",
                "summary": "Two cases were audited.",
                "findings": "Plans lag behind assessments.",
                "recommendations": "Review plans within a month.",
            },
        )
    assert response.status_code == 302
    with caplog.at_level(logging.WARNING):
        assert run_tasks() == 1
    draft.refresh_from_db()

    assert fetch_problems(caplog) == []
    assert_accessible(bytes(draft.frozen_pdf))


def test_the_table_of_every_activity_is_tagged_with_its_header_row(
    production_static, client, qa_lead, draft, settings
):
    """Beyond REPORT_FULL_ACTIVITY_SECTIONS the paper lists every activity in one table before
    the sections it keeps: tagged like the others, and a bookmark of its own."""
    settings.REPORT_FULL_ACTIVITY_SECTIONS = 1
    build_through_services([spec(datetime.date(2026, 9, 14), overall=M, activity="Second audit")])
    client.force_login(qa_lead)

    pdf = read(client.get(reverse("reports:pdf", args=[draft.pk])).content)

    assert pdf.marked and pdf.pdfua_part == "1"
    # The largest activity (two audits) keeps its section; the other is a row of the table.
    assert pdf.bookmarks[-5:] == [
        (2, "Audit activities in the period"),
        (2, ACTIVITY),
        *[(3, f"Quarterly audit: {part}") for part in ACTIVITY_PARTS],
    ]
    assert_tables_have_header_rows(pdf.tree, TABLES + 1)
