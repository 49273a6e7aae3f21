"""Issue 5 acceptance: the QA cycle in headless Chromium against the live server.

A QA lead plans next month's activity with two auditors, and one of them sees it on their
home page; an overdue action is marked done; the targets table shows a red and a green target.
Audits and actions are built through the services; planning, closing and reading are clicks.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audits import services as audit_services
from audits.actions import services as action_services
from audits.grades import Grade
from audits.models import ActionEvent, AgreedAction, AuditActivity
from audits.periods import add_months, financial_year_of, fy_label
from reports.models import Measure, Target
from reports.targets import services as target_services
from tests import factories, helpers

from .steps import fill_date

# serialized_rollback: see test_audit_journey.py (the flush would wipe the migrated data).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def nav(page):
    return page.get_by_role("navigation", name="Menu")


def status_message(page, text):
    # A success message is a GOV.UK notification banner read out at once (role alert), under
    # its title ("Success"): the message itself.
    banner = page.get_by_role("alert").filter(has_text=text)
    return banner.locator(".govuk-notification-banner__heading")


def submitted_audit(*, auditor, case_reference, audit_date, overall=Grade.MEETS, actions=None):
    """A submitted audit, completed at once (its activity moderates none), submitted today.

    ``actions``: (description, due date) pairs; by default helpers' one action.
    """
    activity = factories.AuditActivityFactory(
        name="Monthly sample",
        month=audit_date.replace(day=1),
        moderation_rate=0,
        always_moderate_not_met=False,
    )
    content = helpers.complete_content(
        overall=overall,
        audit_date=audit_date,
        case_reference=case_reference,
        activity=activity,
        with_action=actions is None,
    )
    for description, due_date in actions or ():
        content.actions.append(
            {"id": None, "description": description, "owner": "Team manager", "due_date": due_date}
        )
    draft = audit_services.audit_save_draft(audit=None, by=auditor, content=content)
    return audit_services.audit_submit(audit=draft, by=auditor)


def test_qa_lead_plans_next_months_activity_and_an_assigned_auditor_sees_it(
    page, live_server, login
):
    qa_lead = factories.qa_lead()
    asha = factories.auditor(first_name="Asha", last_name="Patel")
    ben = factories.auditor(first_name="Ben", last_name="Okafor")
    factories.auditor(first_name="Cara", last_name="Nolan")  # offered, not chosen
    next_month = add_months(timezone.localdate().replace(day=1), 1)
    due = next_month + datetime.timedelta(days=24)

    login(page, live_server, qa_lead)
    nav(page).get_by_role("link", name="Schedule").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit schedule")
    page.get_by_role("link", name="Plan an activity").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan an audit activity")
    page.get_by_label("Name", exact=True).fill("Children in need: plans and reviews")
    month = page.get_by_role("group", name="Month")
    month.get_by_label("Month").fill(str(next_month.month))
    month.get_by_label("Year").fill(str(next_month.year))
    page.get_by_label("Planned number of audits").fill("6")
    fill_date(page, "id_due_date", due)
    auditors = page.get_by_role("group", name="Assigned auditors")
    auditors.get_by_role("checkbox", name="Asha Patel").check()
    auditors.get_by_role("checkbox", name="Ben Okafor").check()
    expect(auditors.get_by_role("checkbox", name="Cara Nolan")).not_to_be_checked()
    page.get_by_role("button", name="Save activity").click()

    expect(status_message(page, "saved")).to_have_text(
        "Activity “Children in need: plans and reviews” saved."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit schedule")
    month = page.get_by_role("region", name=re.compile(rf"^{next_month:%B %Y}"))
    expect(month.get_by_role("heading")).to_contain_text("Coming")
    row = month.get_by_role("row").filter(has_text="Children in need: plans and reviews")
    expect(row).to_contain_text("Asha Patel, Ben Okafor")
    expect(row).to_contain_text(f"{due:%-d %B %Y}")
    expect(row.get_by_role("cell").nth(4)).to_have_text("6")
    activity = AuditActivity.objects.get(name="Children in need: plans and reviews")
    assert (activity.month, activity.planned_audits, activity.due_date) == (next_month, 6, due)
    assert set(activity.auditors.all()) == {asha, ben}
    assert activity.created_by == qa_lead

    page.get_by_role("button", name="Sign out").click()
    login(page, live_server, asha)
    assigned = page.locator("#assigned-activities")
    expect(page.get_by_role("heading", name="Assigned to you")).to_be_visible()
    rows = assigned.locator("tbody").get_by_role("row")
    expect(rows).to_have_count(1)
    expect(rows.get_by_role("rowheader")).to_have_text("Children in need: plans and reviews")
    expect(rows.get_by_role("cell")).to_have_text(
        [f"{next_month:%B %Y}", f"{due:%-d %B %Y}", "0", "6"]
    )


def test_auditor_marks_an_overdue_action_done(page, live_server, login):
    auditor = factories.auditor(first_name="Dina", last_name="Shah")
    today = timezone.localdate()
    overdue = submitted_audit(
        auditor=auditor,
        case_reference="CR-OVERDUE",
        audit_date=today - datetime.timedelta(30),
        actions=[("Share the chronology with the school", today - datetime.timedelta(10))],
    )
    # Around it: an open action not yet due, and a done one whose date came even earlier.
    submitted_audit(
        auditor=auditor,
        case_reference="CR-NOT-DUE",
        audit_date=today,
        actions=[("Hold a review meeting", today + datetime.timedelta(5))],
    )
    closed = submitted_audit(
        auditor=auditor,
        case_reference="CR-CLOSED",
        audit_date=today - datetime.timedelta(40),
        actions=[("Update the plan", today - datetime.timedelta(20))],
    )
    action_services.action_mark_done(action=closed.actions.get(), by=auditor, note="Plan updated.")
    action = overdue.actions.get()

    login(page, live_server, auditor)
    nav(page).get_by_role("link", name="Actions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Agreed actions")
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(4)  # the header and three actions
    expect(rows.nth(1)).to_contain_text("CR-OVERDUE")
    expect(rows.nth(1)).to_contain_text("Overdue by 1 week, 3 days")
    expect(rows.nth(2)).to_contain_text("CR-NOT-DUE")
    expect(rows.nth(3)).to_contain_text("CR-CLOSED")
    for other in (2, 3):
        expect(rows.nth(other).get_by_text("Overdue")).to_have_count(0)
    rows.nth(1).get_by_role("link", name="Share the chronology with the school").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Action on case CR-OVERDUE")
    expect(page.get_by_role("main").get_by_text("Overdue", exact=True)).to_be_visible()
    done = page.get_by_role("region", name="Mark as done")
    done.get_by_label("What was done").fill("Chronology sent to the designated teacher.")
    done.get_by_role("button", name="Mark as done").click()

    expect(status_message(page, "Action marked done.")).to_be_visible()
    expect(page.get_by_role("main").get_by_text("Done", exact=True)).to_be_visible()
    expect(page.get_by_role("main").get_by_text("Overdue", exact=True)).to_have_count(0)
    expect(page.get_by_role("region", name="Mark as done")).to_have_count(0)
    history = page.get_by_role("region", name="History")
    expect(history).to_contain_text(
        "Open → Done by Dina Shah — Chronology sent to the designated teacher."
    )
    action.refresh_from_db()
    assert (action.state, action.completed_on, action.state_note) == (
        AgreedAction.State.DONE,
        today,
        "Chronology sent to the designated teacher.",
    )
    event = ActionEvent.objects.get(action=action)
    assert (event.from_state, event.to_state, event.by) == (
        AgreedAction.State.OPEN,
        AgreedAction.State.DONE,
        auditor,
    )

    # Back on the list it is no longer overdue, and it has moved below the open action.
    nav(page).get_by_role("link", name="Actions").click()
    expect(rows.nth(1)).to_contain_text("CR-NOT-DUE")
    expect(page.get_by_role("table").get_by_text("Overdue", exact=True)).to_have_count(0)


def test_targets_table_shows_a_green_and_a_red_target(page, live_server, login):
    qa_lead = factories.qa_lead()
    auditor = factories.auditor()
    today = timezone.localdate()
    year = financial_year_of(today)
    # Dated today, so in the year to date whatever the day: 3 of 4 Meets good (75%), 1 of 4
    # Does not meet good (25%).
    for n, grade in enumerate((Grade.MEETS, Grade.MEETS, Grade.MEETS, Grade.DOES_NOT_MEET)):
        submitted_audit(
            auditor=auditor, case_reference=f"CR-T-{n}", audit_date=today, overall=grade
        )
    target_services.target_create(
        by=qa_lead,
        financial_year=year,
        name="Audits graded Does not meet good",
        measure=Measure.NOT_MET,
        direction=Target.Direction.AT_MOST,
        target_value=10,
        amber_tolerance=5,
        order=2,
    )

    login(page, live_server, qa_lead)
    nav(page).get_by_role("link", name="Targets").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"QA targets {fy_label(year)}")
    page.get_by_role("link", name="Add a target").click()
    page.get_by_label("Name", exact=True).fill("Audits graded good or better")
    page.get_by_label("Measure", exact=True).select_option(
        label="% of audits with final grade Meets good or better"
    )
    page.get_by_role("radio", name="At least", exact=True).check()
    page.get_by_label("Target (%)").fill("70")
    page.get_by_label("Position in the table").fill("1")
    page.get_by_role("button", name="Add the target").click()
    expect(status_message(page, "added")).to_have_text(
        f"Target “Audits graded good or better” added for {fy_label(year)}."
    )

    table = page.locator("#targets-table")
    green = table.get_by_role("row").filter(has_text="Audits graded good or better")
    red = table.get_by_role("row").filter(has_text="Audits graded Does not meet good")
    expect(table.locator("tbody").get_by_role("row")).to_have_count(2)
    expect(table.locator("tbody").get_by_role("row").first).to_contain_text(
        "Audits graded good or better"
    )  # ordered by position
    expect(green.get_by_role("cell")).to_have_text(["≥ 70%", "75.0%", "Green"], use_inner_text=True)
    expect(red.get_by_role("cell")).to_have_text(
        ["≤ 10% amber up to 15%", "25.0%", "Red"], use_inner_text=True
    )
    assert Target.objects.get(name="Audits graded good or better").created_by == qa_lead
