"""The PDF as production renders it: DEBUG off, whitenoise's manifest storage, the static files
collected into STATIC_ROOT (the production_static fixture, tests/conftest.py). The report's
stylesheet is then a hashed name the staticfiles finders do not know; the fetcher must still
serve it, or every production PDF comes out unstyled.

Only the print stylesheet puts "Page 2 of N" in a page's margin box and sets the council's name in
capitals, so finding them in the PDF's text proves the stylesheet was applied.
"""

import datetime
import io
import logging

import pypdf
import pytest
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.urls import reverse

from audits import periods
from reports.rendering.pdf import ProjectStaticFetcher, html_to_pdf
from reports.services import report_create
from tests import factories
from tests.helpers import fetch_problems
from tests.reports import D, M, build_through_services, spec
from tests.worker import run_tasks

QUARTER = periods.quarter(2026, 2)  # July to September 2026


@pytest.fixture
def qa_lead(db):
    return factories.qa_lead()


@pytest.fixture
def qa_lead_client(client, qa_lead):
    client.force_login(qa_lead)
    return client


@pytest.fixture
def draft(qa_lead):
    day = datetime.date(2026, 8, 10)
    build_through_services([spec(day, overall=M), spec(day, overall=D)])
    return report_create(by=qa_lead, period=QUARTER, title="Board paper Q2")


def assert_styled(data: bytes):
    reader = pypdf.PdfReader(io.BytesIO(data))
    pages = len(reader.pages)
    assert pages >= 2  # the title page breaks to its own page
    assert f"Page 2 of {pages}" in reader.pages[1].extract_text()  # @page margin box
    assert "EXAMPLE BOROUGH COUNCIL" in reader.pages[0].extract_text()  # text-transform


def test_the_stylesheet_url_is_a_hashed_name_only_the_collected_files_have(production_static):
    url = staticfiles_storage.url("css/report_print.css")
    name = url.removeprefix("/static/")
    assert name != "css/report_print.css"
    assert (production_static / name).is_file()
    assert finders.find(name) is None  # why looking it up with the finders alone failed


def test_a_draft_pdf_downloaded_in_production_is_styled(
    production_static, qa_lead_client, draft, caplog
):
    with caplog.at_level(logging.WARNING):
        response = qa_lead_client.get(reverse("reports:pdf", args=[draft.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert fetch_problems(caplog) == []
    assert_styled(response.content)


def test_a_report_published_in_production_freezes_a_styled_pdf(
    production_static, qa_lead_client, draft, caplog, django_capture_on_commit_callbacks
):
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        response = qa_lead_client.post(
            reverse("reports:publish", args=[draft.pk]),
            {
                "title": "Board paper Q2",
                "summary": "",
                "findings": "",
                "recommendations": "",
            },
        )

    assert response.status_code == 302
    with caplog.at_level(logging.WARNING):
        assert run_tasks() == 1  # the worker makes the PDF from the HTML frozen at publishing
    draft.refresh_from_db()
    assert draft.is_published
    assert fetch_problems(caplog) == []
    assert_styled(bytes(draft.frozen_pdf))


def test_the_report_page_renders_under_the_manifest_storage(
    production_static, qa_lead_client, draft
):
    response = qa_lead_client.get(reverse("reports:detail", args=[draft.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/css/report_screen.css" not in html  # the hashed name is served
    assert "/static/css/report_screen." in html


def test_the_fetcher_still_refuses_what_is_not_a_collected_static_file(production_static):
    urls = [
        "file:///etc/passwd",
        "https://example.com/evil.css",
        "https://casefile-audit.invalid/static/../../config/settings.py",
        "https://casefile-audit.invalid/static//etc/passwd",
        "https://casefile-audit.invalid/static/does-not-exist.css",
        "https://casefile-audit.invalid/static/css/",
    ]
    for url in urls:
        fetcher = ProjectStaticFetcher()
        html_to_pdf(
            f'<html><head><link rel="stylesheet" href="{url}"></head><body>x</body></html>',
            fetcher=fetcher,
        )
        assert fetcher.refused == [url]
