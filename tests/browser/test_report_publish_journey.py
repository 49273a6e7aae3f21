"""Issue 10: a QA lead types the narrative and publishes without saving it first.

Publish is the narrative form's second submit button, so the browser sends what was typed with
it; the button (not the form) asks for confirmation, so saving never asks.
"""

import pytest
from playwright.sync_api import expect

from audits import periods
from reports.models import Report
from reports.services import report_create
from tests import factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_publishing_keeps_the_narrative_typed_but_not_saved(page, live_server, login):
    qa_lead = factories.qa_lead()
    report = report_create(by=qa_lead, period=periods.quarter(2026, 2))
    login(page, live_server, qa_lead)
    page.goto(report.get_absolute_url())

    page.get_by_label("Summary", exact=True).fill("Typed, never saved.")

    # Cancelling the confirmation publishes nothing.
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Publish report").click()
    assert dialogs and dialogs[0].startswith("Publish this report?")
    expect(page.locator("#report-state")).to_have_text("Draft")
    report.refresh_from_db()
    assert (report.state, report.summary) == (Report.State.DRAFT, "")

    # An invalid narrative: nothing is published and what was typed is still there.
    page.get_by_label("Title", exact=True).fill("")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Publish report").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_contain_text("Enter the report's title.")
    expect(page.get_by_role("status").filter(has_text="not published")).to_contain_text(
        "The report was not published."
    )
    expect(page.get_by_label("Summary", exact=True)).to_have_value("Typed, never saved.")
    report.refresh_from_db()
    assert report.state == Report.State.DRAFT

    page.get_by_label("Title", exact=True).fill("Board paper Q2")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Publish report").click()
    expect(page.get_by_role("alert").filter(has_text="Report published")).to_be_visible()
    expect(page.locator("#report-state")).to_have_text("Published")
    expect(page.get_by_role("heading", level=1)).to_have_text("Board paper Q2")
    expect(page.get_by_role("region", name="Summary")).to_contain_text("Typed, never saved.")
    report.refresh_from_db()
    assert (report.state, report.summary) == (Report.State.PUBLISHED, "Typed, never saved.")
