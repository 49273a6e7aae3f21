"""A published report's PDF is made by the worker (reports.tasks), so publishing answers at
once. Until it is made the report's page and its PDF download say so plainly (never a 500,
never a PDF other than the paper frozen at publishing), and a PDF that could not be made can
be asked for again."""

import datetime

import pytest
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from audits import periods
from audits.models import SecurityEvent
from audits.security.events import Event
from reports.models import Report
from reports.services import report_create, report_publish
from reports.tasks import make_report_pdf
from tests import factories
from tests.reports import D, M, build_through_services, spec
from tests.reports.rendering.test_pdf import pdf_text
from tests.worker import failures, queued, run_tasks, run_worker

pytestmark = pytest.mark.django_db

QUARTER = periods.quarter(2026, 2)  # July to September 2026
DAY = datetime.date(2026, 8, 10)
NARRATIVE = {
    "title": "Board paper: Q2 case file audits",
    "summary": "Two audits this quarter.",
    "findings": "Plans are rarely reviewed on time.",
    "recommendations": "Review every plan within six weeks.",
}


def _page(client, report) -> str:
    response = client.get(reverse("reports:detail", args=[report.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _pdf_downloads() -> int:
    return SecurityEvent.objects.filter(event=Event.VIEWED_REPORT_PDF).count()


# Transactional: publishing commits inside the request and queues the PDF on commit, and the
# worker (db_worker, run once) reads the committed rows. serialized_rollback: the flush after
# each test would wipe the migrated groups and tool.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_report_published_while_its_pdf_is_pending_says_so_and_the_worker_makes_it(
    client, settings
):
    settings.COUNCIL_NAME = "Northshire Council"
    build_through_services([spec(DAY, overall=M), spec(DAY, overall=D)])
    qa_lead = factories.qa_lead()
    report = report_create(by=qa_lead, period=QUARTER)
    client.force_login(qa_lead)

    response = client.post(
        reverse("reports:publish", args=[report.pk]), {**NARRATIVE, "publish": ""}, follow=True
    )

    # Published at once: the figures and the paper's HTML are frozen, the PDF waits.
    assert response.status_code == 200
    page = response.content.decode()
    assert "Its figures and narrative are now fixed; its PDF is being made." in page
    assert "The PDF is being made." in page and 'id="download-pdf"' not in page
    report.refresh_from_db()
    assert report.is_published and report.frozen_pdf is None
    assert NARRATIVE["findings"] in report.frozen_html
    assert len(queued(make_report_pdf)) == 1
    listing = client.get(reverse("reports:list")).content.decode()
    assert "Not ready yet" in listing

    # The download, meanwhile, says why there is no PDF yet: no 500, and no PDF made now.
    pending = client.get(reverse("reports:pdf", args=[report.pk]))
    assert pending.status_code == 202
    assert pending["Retry-After"] == "30"
    assert pending["Content-Type"].startswith("text/html")
    assert "The PDF is not ready yet" in pending.content.decode()
    assert _pdf_downloads() == 0

    # Before the worker gets to it, the audits and the council's name change.
    build_through_services([spec(DAY, overall=M)])
    settings.COUNCIL_NAME = "Southshire Council"

    assert run_worker() == 1

    assert 'id="download-pdf"' in _page(client, report)
    assert "The PDF is being made." not in _page(client, report)
    download = client.get(reverse("reports:pdf", args=[report.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    text = pdf_text(download.content)
    assert "Of the 2 cases audited" in text  # as published, not the 3 there are now
    assert "NORTHSHIRE COUNCIL" in text and "SOUTHSHIRE" not in text
    assert NARRATIVE["findings"] in text
    assert _pdf_downloads() == 1
    assert queued(make_report_pdf) == []


@pytest.fixture
def published(qa_lead_user, django_capture_on_commit_callbacks):
    """A published report whose PDF task has failed for good (every attempt spent)."""
    build_through_services([spec(DAY, overall=M)])
    report = report_create(by=qa_lead_user, period=QUARTER)
    with django_capture_on_commit_callbacks(execute=True):
        report_publish(report=report, by=qa_lead_user)
    DBTaskResult.objects.update(status=TaskResultStatus.FAILED)
    return report


def test_a_pdf_that_could_not_be_made_is_said_so_and_a_qa_lead_has_it_made_again(
    client, published, qa_lead_user, administrator_user, django_capture_on_commit_callbacks
):
    client.force_login(administrator_user)
    page = _page(client, published)
    assert "The PDF of this report could not be made." in page
    assert "A QA lead can ask for it to be made again." in page
    assert "Make the PDF again" not in page
    answer = client.get(reverse("reports:pdf", args=[published.pk]))
    assert answer.status_code == 409
    assert "The PDF could not be made" in answer.content.decode()

    client.force_login(qa_lead_user)
    assert "Make the PDF again" in _page(client, published)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:make_pdf", args=[published.pk]))
    assert response.status_code == 302 and response.url == published.get_absolute_url()
    page = _page(client, published)
    assert "The PDF is being made again." in page and "The PDF is being made." in page
    again = client.post(reverse("reports:make_pdf", args=[published.pk]), follow=True)
    assert "The PDF of this report is being made already." in again.content.decode()

    assert run_tasks() == 1

    published.refresh_from_db()
    assert pdf_text(bytes(published.frozen_pdf)).count("Summary of audit activity") == 1
    made = client.post(reverse("reports:make_pdf", args=[published.pk]), follow=True)
    assert "The PDF of this report is made already." in made.content.decode()
    assert queued(make_report_pdf) == []


@pytest.mark.parametrize("who", ["administrator_user", "moderator_user", "owner"])
def test_only_qa_leads_ask_for_the_pdf_again(request, client, published, who):
    client.force_login(request.getfixturevalue(who))

    response = client.post(reverse("reports:make_pdf", args=[published.pk]))

    assert response.status_code == 403
    assert queued(make_report_pdf) == []


def test_a_pdf_once_made_is_never_replaced(qa_lead_user, django_capture_on_commit_callbacks):
    build_through_services([spec(DAY, overall=M)])
    report = report_create(by=qa_lead_user, period=QUARTER)
    with django_capture_on_commit_callbacks(execute=True):
        report_publish(report=report, by=qa_lead_user)
    # Made by a first run (kept short here: the PDF engine's output is tested above).
    Report.objects.filter(pk=report.pk).update(frozen_pdf=b"%PDF made by the first run")
    make_report_pdf.enqueue(report_id=report.pk)  # asked twice, say by two QA leads at once

    assert run_tasks() == 2

    assert bytes(Report.objects.get(pk=report.pk).frozen_pdf) == b"%PDF made by the first run"
    assert failures() == []
