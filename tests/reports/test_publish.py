"""Publishing from the report page saves what is in the narrative form first.

The Publish button is a second submit button of the narrative form, so a QA lead who types the
narrative and publishes without saving gets that narrative frozen, in the report and its PDF. An
invalid narrative publishes nothing and the page comes back with what was typed.
"""

import datetime
import re

import pytest
from django.urls import reverse

from audits import periods
from reports.models import Report
from reports.services import report_create, report_update_narrative
from tests import factories
from tests.reports import D, M, build_through_services, publish, spec
from tests.reports.rendering.test_pdf import pdf_text
from tests.worker import run_tasks

pytestmark = pytest.mark.django_db

QUARTER = periods.quarter(2026, 2)  # July to September 2026
TYPED = {
    "title": "Board paper: Q2 case file audits",
    "summary": "Audit activity held up this quarter despite vacancies.",
    "findings": "Plans are <b>bold?</b> but rarely reviewed on time.",
    "recommendations": "Review every child in need plan within six weeks.",
}


@pytest.fixture
def qa_lead():
    return factories.qa_lead()


@pytest.fixture
def lead_client(client, qa_lead):
    client.force_login(qa_lead)
    return client


@pytest.fixture
def draft(qa_lead):
    day = datetime.date(2026, 8, 10)
    build_through_services([spec(day, overall=M), spec(day, overall=D)])
    return report_create(by=qa_lead, period=QUARTER)


def publish_url(report):
    return reverse("reports:publish", args=[report.pk])


def test_publishing_saves_the_narrative_typed_but_not_saved_and_freezes_it(
    lead_client, draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(publish_url(draft), {**TYPED, "publish": ""})
    run_tasks()  # the worker makes the PDF

    assert response.status_code == 302
    assert response["Location"] == draft.get_absolute_url()
    draft.refresh_from_db()
    assert draft.state == Report.State.PUBLISHED
    assert (draft.title, draft.summary, draft.findings, draft.recommendations) == (
        TYPED["title"],
        TYPED["summary"],
        TYPED["findings"],
        TYPED["recommendations"],
    )
    text = pdf_text(bytes(draft.frozen_pdf))
    for typed in TYPED.values():
        assert typed in text

    page = lead_client.get(response["Location"]).content.decode()
    assert (
        "Report published. Its figures and narrative are now fixed; its PDF is being made." in page
    )
    assert "Audit activity held up this quarter despite vacancies." in page


@pytest.mark.parametrize(
    ("title", "problem"),
    [
        ("", "Enter the report&#x27;s title."),
        ("   ", "Enter the report&#x27;s title."),
        ("x" * 201, "The title must be 200 characters or fewer (it has 201)."),
    ],
)
def test_an_invalid_narrative_publishes_nothing_and_keeps_what_was_typed(
    lead_client, draft, qa_lead, title, problem
):
    report_update_narrative(
        report=draft,
        by=qa_lead,
        title="Saved title",
        summary="Saved earlier.",
        findings="",
        recommendations="",
    )
    typed = {**TYPED, "title": title, "summary": "Typed but not saved."}

    response = lead_client.post(publish_url(draft), {**typed, "publish": ""})

    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.state == Report.State.DRAFT
    assert draft.frozen_pdf is None
    assert (draft.title, draft.summary) == ("Saved title", "Saved earlier.")
    html = response.content.decode()
    assert "The report was not published. Correct the narrative, then publish again." in html
    assert 'href="#id_title"' in html  # the error summary links to the field
    assert html.count(problem) == 2  # in the summary and beside the field
    assert re.search(
        r"<textarea[^>]*name=\"summary\"[^>]*>\s*Typed but not saved.</textarea>", html
    )
    assert TYPED["recommendations"] in html
    assert 'id="publish"' in html  # the form is still there to correct and publish


def test_the_publish_button_submits_the_narrative_form_and_asks_first(lead_client, draft):
    html = lead_client.get(draft.get_absolute_url()).content.decode()

    form = re.search(r'<form[^>]*id="narrative-form"[^>]*>(.*?)</form>', html, re.S).group(1)
    button = re.search(r'<button[^>]*id="publish"[^>]*>', form).group(0)
    assert 'type="submit"' in button
    assert 'name="publish"' in button
    assert f'formaction="{publish_url(draft)}"' in button
    assert 'data-confirm="Publish this report?' in button
    for field in TYPED:
        assert f'name="{field}"' in form
    # Enter in a field saves: the first submit button of the form is Save narrative.
    assert form.index("Save narrative") < form.index('id="publish"')


def test_a_publish_without_narrative_fields_keeps_the_saved_narrative(
    lead_client, draft, qa_lead, django_capture_on_commit_callbacks
):
    report_update_narrative(
        report=draft,
        by=qa_lead,
        title="Saved title",
        summary="Saved earlier.",
        findings="",
        recommendations="",
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = lead_client.post(publish_url(draft), {})
    run_tasks()

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == Report.State.PUBLISHED
    assert (draft.title, draft.summary) == ("Saved title", "Saved earlier.")
    assert "Saved earlier." in pdf_text(bytes(draft.frozen_pdf))


def test_a_published_report_is_not_changed_by_another_publish(lead_client, draft, qa_lead):
    published = publish(draft, by=qa_lead)
    frozen = bytes(published.frozen_pdf)

    response = lead_client.post(publish_url(draft), {**TYPED, "publish": ""}, follow=True)

    assert response.status_code == 200
    assert "can no longer change" in response.content.decode()
    draft.refresh_from_db()
    assert draft.summary == ""
    assert bytes(draft.frozen_pdf) == frozen


@pytest.mark.parametrize("make_user", [factories.administrator, factories.auditor])
def test_only_qa_leads_publish(client, draft, make_user):
    client.force_login(make_user())

    response = client.post(publish_url(draft), {**TYPED, "publish": ""})

    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.state == Report.State.DRAFT
    assert draft.summary == ""


def test_the_service_saves_the_narrative_and_publishes_in_one_step(draft, qa_lead):
    report = publish(draft, by=qa_lead, narrative=TYPED)

    assert report.state == Report.State.PUBLISHED
    assert report.findings == TYPED["findings"]
    assert TYPED["findings"] in pdf_text(bytes(report.frozen_pdf))
