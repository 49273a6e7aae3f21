"""The improvement plan's pages: turning a report's recommendations into items (all or none,
bad input named), the plan page's filters, an item's progress and its two-tab conflict, the
next report's section (frozen when published), the PDF, and the home pages."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audits import periods
from reports.models import PlanItem, PlanNote
from reports.plan import services
from reports.plan.services import NewItem
from reports.services import report_create, report_update_narrative
from tests import factories
from tests.helpers import date_parts
from tests.reports import publish
from tests.reports.rendering.test_pdf import pdf_text

pytestmark = pytest.mark.django_db

Q1, Q2 = periods.quarter(2026, 1), periods.quarter(2026, 2)
DUE = datetime.date(2027, 1, 31)
RECOMMENDATIONS = "1. Audit supervision records.\n2. Refresh chronology training.\n"


@pytest.fixture
def qa_lead(client):
    user = factories.qa_lead(first_name="Quinn", last_name="Lead")
    client.force_login(user)
    return user


@pytest.fixture
def q1_report(qa_lead):
    report = report_create(by=qa_lead, period=Q1)
    return report_update_narrative(
        report=report,
        by=qa_lead,
        title=report.title,
        summary="",
        findings="",
        recommendations=RECOMMENDATIONS,
    )


def _rows(n, **rows):
    data = {"rec-TOTAL_FORMS": str(n), "rec-INITIAL_FORMS": str(n)}
    for key, value in rows.items():
        data[key] = value
    return data


def test_the_recommendations_are_offered_as_items(client, q1_report):
    url = reverse("reports:plan_from_report", args=[q1_report.pk])
    page = client.get(url).content.decode()
    assert "Audit supervision records." in page and "Refresh chronology training." in page
    assert 'name="rec-TOTAL_FORMS" value="3"' in page  # two lines and an empty row


def test_one_incomplete_item_saves_nothing_and_is_named(client, q1_report):
    url = reverse("reports:plan_from_report", args=[q1_report.pk])
    data = _rows(
        3,
        **{
            "rec-0-include": "on",
            "rec-0-title": "Audit supervision records.",
            "rec-0-owner_name": "Head of Service",
            **date_parts("rec-0-due_date", DUE),
            "rec-1-include": "on",
            "rec-1-title": "Refresh chronology training.",
            "rec-2-title": "Not ticked, so not checked",
        },
    )
    response = client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Recommendation 2: Due date: Enter the date it is due by." in page
    assert "Recommendation 2: Choose the owner&#x27;s account" in page
    assert "Recommendation 1" not in page.split('id="error-summary"')[1].split("</ul>")[0]
    assert not PlanItem.objects.exists()


def test_confirmed_items_are_saved_and_link_back(client, q1_report):
    owner = factories.auditor()
    url = reverse("reports:plan_from_report", args=[q1_report.pk])
    data = _rows(
        3,
        **{
            "rec-0-include": "on",
            "rec-0-title": "Audit supervision records.",
            "rec-0-owner": str(owner.pk),
            **date_parts("rec-0-due_date", DUE),
            "rec-1-include": "on",
            "rec-1-title": "Refresh chronology training.",
            "rec-1-owner_name": "Principal social worker",
            **date_parts("rec-1-due_date", DUE),
        },
    )
    response = client.post(url, data)
    assert response.status_code == 302
    assert response.url == f"{reverse('reports:plan')}?report={q1_report.pk}"
    items = list(PlanItem.objects.order_by("pk").values_list("title", "owner", "report"))
    assert items == [
        ("Audit supervision records.", owner.pk, q1_report.pk),
        ("Refresh chronology training.", None, q1_report.pk),
    ]
    listed = client.get(response.url).content.decode()
    assert listed.count(reverse("reports:detail", args=[q1_report.pk])) == 2
    # Offered again, the recommendations already made into items start unticked.
    again = client.get(url).content.decode()
    assert "2 items already came from this report" in again


def _item(report, by, **kwargs):
    defaults = {"title": "Audit supervision", "due_date": DUE, "owner_name": "Head"}
    return services.plan_items_create(
        report=report, by=by, items=[NewItem(**{**defaults, **kwargs})]
    )[0]


def test_the_plan_page_filters_by_status_owner_and_overdue(client, qa_lead, q1_report):
    owner = factories.auditor()
    late = _item(q1_report, qa_lead, title="Late one", due_date=datetime.date(2026, 1, 1))
    mine = _item(q1_report, qa_lead, title="Owned one", owner=owner)
    done = _item(q1_report, qa_lead, title="Done one")
    services.plan_item_record_progress(item=done, by=qa_lead, note="Done.", status="done")
    url = reverse("reports:plan")

    def titles(query):
        response = client.get(url + query)
        assert response.status_code == 200
        page = response.content.decode()
        return {t for t in ("Late one", "Owned one", "Done one") if t in page}

    assert titles("") == {"Late one", "Owned one", "Done one"}
    assert titles("?status=done") == {"Done one"}
    assert titles(f"?owner={owner.pk}") == {"Owned one"}
    assert titles("?overdue=yes") == {"Late one"}
    assert titles("?overdue=no") == {"Owned one", "Done one"}
    assert late and mine


def test_progress_is_recorded_and_a_stale_tab_is_refused(client, qa_lead, q1_report):
    item = _item(q1_report, qa_lead)
    url = reverse("reports:plan_item", args=[item.pk])
    tab = {"revision": str(item.revision), "page": "tab-one"}
    response = client.post(url, {**tab, "note": "Audit booked.", "status": "in_progress"})
    assert response.status_code == 302
    other = {"revision": str(item.revision), "page": "tab-two"}
    response = client.post(url, {**other, "note": "Done it all.", "status": "done"})
    assert response.status_code == 409
    assert "changed" in response.content.decode()
    item.refresh_from_db()
    assert item.status == "in_progress"
    assert list(PlanNote.objects.values_list("text", flat=True)) == ["Audit booked."]


def test_an_edit_from_a_stale_tab_is_refused(client, qa_lead, q1_report):
    item = _item(q1_report, qa_lead)
    url = reverse("reports:plan_item_edit", args=[item.pk])
    base = {"owner_name": "Head", **date_parts("due_date", DUE), "revision": str(item.revision)}
    assert client.post(url, {**base, "title": "First", "page": "a"}).status_code == 302
    assert client.post(url, {**base, "title": "Second", "page": "b"}).status_code == 409
    item.refresh_from_db()
    assert item.title == "First"


def test_the_report_page_offers_the_action_to_qa_leads_draft_or_published(
    client, qa_lead, q1_report
):
    action = reverse("reports:plan_from_report", args=[q1_report.pk])
    assert action in client.get(q1_report.get_absolute_url()).content.decode()
    published = publish(q1_report, by=qa_lead)
    assert action in client.get(published.get_absolute_url()).content.decode()
    client.force_login(factories.moderator())
    assert client.get(action).status_code == 403


def test_the_next_report_shows_progress_frozen_when_published(client, qa_lead, q1_report):
    item = _item(q1_report, qa_lead, title="Audit supervision", due_date=datetime.date(2026, 8, 1))
    services.plan_item_record_progress(
        item=item, by=qa_lead, note="Half the teams audited.", status="in_progress"
    )
    q2 = report_create(by=qa_lead, period=Q2)
    page = client.get(q2.get_absolute_url()).content.decode()
    section = page.split('id="plan-progress"')[1].split("</section>")[0]
    assert "Progress on the improvement plan" in page
    assert "Audit supervision" in section and "Half the teams audited." in section
    assert "In progress" in section and "Overdue" in section
    # The Q1 report lists its own items elsewhere, never as progress from earlier reports.
    q1_page = client.get(q1_report.get_absolute_url()).content.decode()
    assert 'id="plan-progress"' not in q1_page

    q2 = publish(q2, by=qa_lead)
    assert q2.frozen_figures["plan"]["by_status"]["in_progress"] == 1
    # Done after publishing: the published report still shows it as it was.
    services.plan_item_record_progress(
        item=item, by=qa_lead, note="All teams audited.", status="done"
    )
    frozen = client.get(q2.get_absolute_url()).content.decode()
    section = frozen.split('id="plan-progress"')[1].split("</section>")[0]
    assert "Half the teams audited." in section and "All teams audited." not in section
    assert "In progress" in section
    text = pdf_text(bytes(q2.frozen_pdf))
    assert "Progress on the improvement plan" in text
    assert "Audit supervision" in text and "Half the teams audited." in text
    # A draft of the same quarter counts it now: done, late.
    q2_draft = report_create(by=qa_lead, period=Q2)
    live = client.get(q2_draft.get_absolute_url()).content.decode()
    section = live.split('id="plan-progress"')[1].split("</section>")[0]
    assert "All teams audited." in section and "(late)" in section


def test_the_draft_pdf_shows_the_progress_section(client, qa_lead, q1_report):
    item = _item(q1_report, qa_lead, title="Refresh chronology training")
    services.plan_item_record_progress(item=item, by=qa_lead, note="Trainer booked.")
    q2 = report_create(by=qa_lead, period=Q2)
    response = client.get(reverse("reports:pdf", args=[q2.pk]))
    text = pdf_text(response.content)
    assert "Progress on the improvement plan" in text
    assert "Refresh chronology training" in text and "Trainer booked." in text


def test_overdue_items_on_the_home_pages(client, qa_lead, q1_report):
    owner, colleague = factories.auditor(), factories.auditor()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    _item(q1_report, qa_lead, title="Overdue and owned", due_date=yesterday, owner=owner)
    _item(q1_report, qa_lead, title="Overdue by role", due_date=yesterday)
    _item(q1_report, qa_lead, title="Not due yet", due_date=DUE, owner=owner)
    home = reverse("audits:home")
    page = client.get(home).content.decode()
    assert "Overdue and owned" in page and "Overdue by role" in page
    assert "Not due yet" not in page
    client.force_login(owner)
    page = client.get(home).content.decode()
    assert "Your overdue improvement plan items" in page
    assert "Overdue and owned" in page and "Overdue by role" not in page
    client.force_login(colleague)
    assert "improvement plan" not in client.get(home).content.decode()


def test_an_owner_sees_their_item_but_cannot_record_progress(client, qa_lead, q1_report):
    owner = factories.auditor()
    item = _item(q1_report, qa_lead, owner=owner)
    client.force_login(owner)
    url = reverse("reports:plan_item", args=[item.pk])
    page = client.get(url).content.decode()
    assert "Audit supervision" in page and 'id="progress-form"' not in page
    assert client.post(url, {"note": "Mine.", "status": "done"}).status_code == 403
    assert not PlanNote.objects.exists()
