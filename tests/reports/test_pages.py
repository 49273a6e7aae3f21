"""The report pages in the GOV.UK Design System's patterns: every form's errors in one error
summary at the top of the page (the page title saying "Error: " first), each linking to its
field; a character count where a text has a limit; wide tables scrolling in their own labelled
region on the page (never in the PDF); dates as "1 July 2026"; people by their full names."""

import datetime
import re

import pytest
from django.urls import reverse

from audits import periods
from reports.rendering.html import report_html
from reports.services import report_create, report_current_figures
from tests import factories
from tests.reports import D, M, build_through_services, publish, spec
from tests.test_forms_rendering import assert_error_summary, assert_rendered_by_crispy

pytestmark = pytest.mark.django_db

QUARTER = periods.quarter(2026, 2)  # July to September 2026
NARRATIVE = {"title": "Board paper", "summary": "", "findings": "", "recommendations": ""}


@pytest.fixture
def qa_lead():
    return factories.qa_lead(username="pmarsh", first_name="Priya", last_name="Marsh")


@pytest.fixture
def lead_client(client, qa_lead):
    client.force_login(qa_lead)
    return client


@pytest.fixture
def draft(qa_lead):
    day = datetime.date(2026, 8, 10)
    build_through_services([spec(day, overall=M), spec(day, overall=D)])
    return report_create(by=qa_lead, period=QUARTER)


def page_title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


def summary_messages(html: str) -> list[tuple[str, str]]:
    summary = html[html.index('id="error-summary"') :]
    summary = summary[: summary.index("</ul>")]
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)


# --- The narrative form ------------------------------------------------------------------------


def test_a_narrative_without_a_title_is_refused_with_the_error_summary_at_the_top(
    lead_client, draft
):
    response = lead_client.post(draft.get_absolute_url(), {**NARRATIVE, "title": ""})

    assert response.status_code == 400
    html = response.content.decode()
    assert page_title(html).startswith("Error: ")
    assert summary_messages(html) == [("id_title", "Enter the report&#x27;s title.")]
    # The summary comes before the heading and the figures, not thousands of pixels down the
    # page where the field is; GOV.UK Frontend's script moves the focus to it.
    assert html.index('id="error-summary"') < html.index("<h1") < html.index('id="narrative-form"')
    assert 'data-module="govuk-error-summary"' in html
    page = assert_rendered_by_crispy(html)
    assert_error_summary(html, page)
    # The message is said once more beside the field, which is marked invalid and names it.
    assert html.count("Enter the report&#x27;s title.") == 2
    field = re.search(r'<input[^>]*name="title"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field
    assert "id_title_error" in field


def test_a_title_over_its_limit_is_refused_and_the_field_counts_its_characters(lead_client, draft):
    page = lead_client.get(draft.get_absolute_url()).content.decode()
    assert not page_title(page).startswith("Error")
    count = re.search(r'<div[^>]*id="div_id_title"[^>]*>', page).group(0)
    assert 'data-module="govuk-character-count"' in count
    assert 'data-maxlength="200"' in count
    assert '<div id="id_title-info" class="govuk-hint govuk-character-count__message">' in page
    assert "You can enter up to 200 characters" in page
    field = re.search(r'<input[^>]*name="title"[^>]*>', page).group(0)
    assert "govuk-js-character-count" in field and 'aria-describedby="id_title-info"' in field

    response = lead_client.post(draft.get_absolute_url(), {**NARRATIVE, "title": "x" * 201})

    assert response.status_code == 400
    html = response.content.decode()
    assert summary_messages(html) == [
        ("id_title", "The title must be 200 characters or fewer (it has 201).")
    ]
    field = re.search(r'<input[^>]*name="title"[^>]*>', html).group(0)
    assert 'aria-describedby="id_title_error id_title-info"' in field
    assert_error_summary(html, assert_rendered_by_crispy(html))


def test_the_report_page_title_says_where_you_are_and_names_the_state_in_words(
    lead_client, draft, qa_lead
):
    html = lead_client.get(draft.get_absolute_url()).content.decode()

    assert page_title(html).startswith(f"{draft.title} (draft) – Scrutiny reports – ")
    assert re.search(r'<strong class="govuk-tag[^"]*" id="report-state">Draft</strong>', html)

    report = publish(draft, by=qa_lead, today=datetime.date(2026, 10, 20))
    html = lead_client.get(report.get_absolute_url()).content.decode()
    assert page_title(html).startswith(f"{report.title} (published) – Scrutiny reports – ")
    assert re.search(r'<strong class="govuk-tag[^"]*" id="report-state">Published</strong>', html)
    assert "by Priya Marsh" in html


# --- The new report form -----------------------------------------------------------------------


def test_a_new_report_without_its_period_has_the_error_summary_at_the_top(lead_client):
    response = lead_client.post(reverse("reports:new"), {"kind": "range", "start": "2026-07-01"})

    assert response.status_code == 400
    html = response.content.decode()
    assert page_title(html).startswith("Error: New scrutiny report – Scrutiny reports")
    assert summary_messages(html) == [("id_end_0", "To: Enter the last day the report covers.")]
    assert html.index('id="error-summary"') < html.index("<h1")
    assert_error_summary(html, assert_rendered_by_crispy(html))


# --- The target form ---------------------------------------------------------------------------


def test_the_target_name_counts_its_characters_and_the_title_says_where_you_are(lead_client):
    html = lead_client.get(reverse("reports:target_new") + "?year=2026").content.decode()

    assert page_title(html).startswith("Add a QA target – QA targets 2026/27 – ")
    count = re.search(r'<div[^>]*id="div_id_name"[^>]*>', html).group(0)
    assert 'data-module="govuk-character-count"' in count and 'data-maxlength="200"' in count
    field = re.search(r'<input[^>]*name="name"[^>]*>', html).group(0)
    # The hint first, then the count's message.
    assert 'aria-describedby="id_name_helptext id_name-info"' in field
    assert_rendered_by_crispy(html)

    response = lead_client.post(reverse("reports:target_new") + "?year=2026", {"name": ""})

    html = response.content.decode()
    assert page_title(html).startswith("Error: Add a QA target")
    assert ("id_name", "Name: This field is required.") in summary_messages(html)
    field = re.search(r'<input[^>]*name="name"[^>]*>', html).group(0)
    assert 'aria-describedby="id_name_helptext id_name_error id_name-info"' in field
    assert_error_summary(html, assert_rendered_by_crispy(html))


# --- Tables, dates and names -------------------------------------------------------------------


def test_the_report_tables_scroll_in_labelled_regions_on_the_page_but_not_in_the_pdf(
    lead_client, draft
):
    html = lead_client.get(draft.get_absolute_url()).content.decode()

    body = html[html.index('<article class="report-screen"') : html.index("</article>")]
    tables = re.findall(r"<table[^>]*>", body)
    regions = re.findall(
        r'<div class="app-table-scroll" role="region" aria-label="[^"]+" tabindex="0">\s*<table',
        body,
    )
    # Ten of the period, four of its one audit activity's section (reports.activities).
    assert len(tables) == len(regions) == 14
    assert all("govuk-table" in table for table in tables)
    # Dates as people write them.
    assert "Quarter 2 2026/27 (1 July 2026 to 30 September 2026)" in body
    assert "(1 April 2026 to 30 June 2026)" in body  # the previous period

    paper = report_html(figures=report_current_figures(draft), report=draft, for_pdf=True)
    assert "app-table-scroll" not in paper
    assert paper.count("<table") == 14


def test_the_report_list_names_people_and_dates_in_full(lead_client, draft, qa_lead):
    html = lead_client.get(reverse("reports:list")).content.decode()

    row = html[html.index(f">{draft.title}<") :].split("</tr>")[0]
    assert "1 July 2026 to 30 September 2026" in row
    assert "by Priya Marsh" in row and "pmarsh" not in row
    assert 'role="region" aria-label="Draft reports"' in html
