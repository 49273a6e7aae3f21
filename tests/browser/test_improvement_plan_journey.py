"""Issue 15: a QA lead compares two quarters, opens the first quarter's published report, turns
its recommendations into plan items, records progress on one, marks the other done, and the next
quarter's report shows their progress."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audits import periods
from reports.models import PlanItem
from reports.services import report_create, report_publish, report_update_narrative
from tests import factories
from tests.reports import D, M, build_through_import, spec

from .steps import assert_accessible, fill_date

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

Q1, Q2 = periods.quarter(2026, 1), periods.quarter(2026, 2)
RECOMMENDATIONS = (
    "1. Audit the supervision records of every team.\n"
    "2. Refresh chronology training for new staff.\n"
)


def test_recommendations_become_plan_items_and_the_next_report_shows_their_progress(
    page, live_server, login
):
    # Q1: 1 of 4 at least Meets good; Q2: 3 of 4.
    may, aug = datetime.date(2026, 5, 5), datetime.date(2026, 8, 5)
    build_through_import(
        [spec(may, overall=D) for _ in range(3)]
        + [spec(may, overall=M)]
        + [spec(aug, overall=M) for _ in range(3)]
        + [spec(aug, overall=D)]
    )
    qa_lead = factories.qa_lead(first_name="Quinn", last_name="Lead")
    manager = factories.auditor(first_name="Morgan", last_name="Team")
    q1 = report_create(by=qa_lead, period=Q1)
    q1 = report_update_narrative(
        report=q1,
        by=qa_lead,
        title=q1.title,
        summary="",
        findings="",
        recommendations=RECOMMENDATIONS,
    )
    report_publish(report=q1, by=qa_lead)
    today = timezone.localdate()
    late_due = today - datetime.timedelta(days=10)
    later_due = today + datetime.timedelta(days=60)

    login(page, live_server, qa_lead)

    # First the two quarters side by side.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="Compare two periods, activities or teams").click()
    page.get_by_role("radio", name="Two periods").check()
    for side, quarter in (("a", Q1), ("b", Q2)):
        fill_date(page, f"id_start_{side}", quarter.start)
        fill_date(page, f"id_end_{side}", quarter.end)
    page.get_by_role("button", name="Compare").click()
    good = (
        page.locator("#compare-table")
        .get_by_role("row")
        .filter(
            has=page.get_by_role("rowheader", name="At least Meets good, final grade", exact=True)
        )
    )
    expect(good.get_by_role("cell").nth(0)).to_have_text("1 · 25% (5–70%)")
    expect(good.get_by_role("cell").nth(1)).to_have_text("3 · 75% (30–95%)")
    expect(good.get_by_role("cell").nth(2)).to_have_text("+50.0 points")
    # 1 of 4 against 3 of 4 is well within what chance gives (Fisher's exact test, p = 0.486).
    expect(good.get_by_role("cell").nth(3)).to_contain_text("could be down to chance")
    expect(page.get_by_text("A “small sample” is fewer than 20 audits.")).to_be_visible()

    page.goto(live_server.url + q1.get_absolute_url())
    expect(page.locator("#report-state")).to_have_text("Published")
    page.get_by_role("link", name="Turn recommendations into plan items").click()

    # Each recommendation is offered as an item; the QA lead completes the owner and due date.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Turn recommendations into plan items"
    )
    first = page.locator("fieldset").filter(has_text="Recommendation 1")
    second = page.locator("fieldset").filter(has_text="Recommendation 2")
    expect(first.get_by_label("What is to be done")).to_have_value(
        "Audit the supervision records of every team."
    )
    expect(second.get_by_label("What is to be done")).to_have_value(
        "Refresh chronology training for new staff."
    )
    assert_accessible(page)
    first.get_by_label("Owner's account").select_option(label=f"Morgan Team ({manager.username})")
    fill_date(first, "id_rec-0-due_date", late_due)
    # The second is left without a due date: nothing is saved, and the problem is named.
    second.get_by_label("Owner's name or role").fill("Principal social worker")
    page.get_by_role("button", name="Save the plan items").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_contain_text("Recommendation 2: Due date: Enter the date it is due by.")
    assert not PlanItem.objects.exists()
    fill_date(second, "id_rec-1-due_date", later_due)
    page.get_by_role("button", name="Save the plan items").click()

    # The plan page lists them, each linking back to the report.
    expect(page.get_by_role("heading", level=1)).to_have_text("Improvement plan")
    expect(page.locator("#plan-count")).to_have_text("2")
    assert PlanItem.objects.filter(report=q1).count() == 2

    # Progress on the first.
    page.get_by_role("link", name="Audit the supervision records of every team.").click()
    page.get_by_label("Progress", exact=True).fill("Four of six teams audited.")
    page.get_by_label("Evidence (optional)").fill("https://intranet.example/supervision-audit")
    expect(page.get_by_label("In progress")).to_be_checked()
    assert_accessible(page)
    page.get_by_role("button", name="Record progress").click()
    expect(page.locator("#item-status")).to_contain_text("In progress")
    expect(page.locator("#progress-notes")).to_contain_text("Four of six teams audited.")

    # The second is done.
    page.get_by_role("link", name="Back to the improvement plan").click()
    page.get_by_role("link", name="Refresh chronology training for new staff.").click()
    page.get_by_label("Progress", exact=True).fill("Training given to all new staff.")
    page.get_by_label("Done", exact=True).check()
    page.get_by_role("button", name="Record progress").click()
    expect(page.locator("#item-status")).to_contain_text("Done")
    expect(page.locator("#item-status")).to_contain_text("on time")

    # The next quarter's report shows their progress.
    q2 = report_create(by=qa_lead, period=Q2)
    page.goto(live_server.url + q2.get_absolute_url())
    section = page.locator("#plan-progress")
    expect(section.get_by_role("heading", name="Progress on the improvement plan")).to_be_visible()
    expect(section.locator("#plan-counts")).to_contain_text("2 items")
    first_row = section.get_by_role("row").filter(has_text="Audit the supervision records")
    expect(first_row).to_contain_text("In progress")
    expect(first_row).to_contain_text("Overdue")
    expect(first_row).to_contain_text("Four of six teams audited.")
    second_row = section.get_by_role("row").filter(has_text="Refresh chronology training")
    expect(second_row).to_contain_text("Done")
    expect(second_row).to_contain_text("(on time)")
    assert_accessible(page, context="#plan-progress")

    # The overdue item is on the QA lead's home page.
    page.goto(live_server.url + "/")
    expect(page.locator("#plan-overdue")).to_contain_text(
        "Audit the supervision records of every team."
    )
