"""Issue 14 acceptance: "The upload refuses a bad file, listing every error, and writes
nothing." A QA lead uploads a case list with problems in Chromium, reads every problem by line
and column, then uploads a corrected file, checks the preview and confirms it.

Headless Chromium against the live server; the files are given to the file input as a person
choosing them would (set_input_files).
"""

import re

import pytest
from playwright.sync_api import expect

from audits.models import Case, CaseImport, ImportUpload, Person
from tests import factories
from tests.audits.imports.conftest import case_row, cases_csv

# serialized_rollback: see test_audit_journey.py (the flush would wipe the migrated data).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def written() -> tuple:
    return (Case.objects.count(), CaseImport.objects.count(), Person.objects.count())


def test_a_qa_lead_uploads_a_bad_case_list_then_a_good_one(page, live_server, login):
    lead = factories.qa_lead(first_name="Quinn", last_name="Lewis")
    login(page, live_server, lead)
    before = written()

    page.goto("/activities/")
    page.get_by_role("link", name="Import historic audits or the case list from a CSV file").click()
    page.get_by_role("link", name="Import the case list").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import the case list")

    bad = cases_csv(
        case_row(),
        case_row(case_reference="CR-3002", open_date="14/03/2025", strand="nowhere"),
        case_row(case_reference="CR-3001"),
    )
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "extract.csv", "mimeType": "text/csv", "buffer": bad}]
    )
    page.get_by_role("button", name="Upload and check").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("extract.csv has 3 problems in 2 rows")
    rows = page.locator("#problems tbody tr")
    expect(rows).to_have_count(3)
    cells = [
        [cell.strip() for cell in row.locator("td").all_inner_texts()[:2]] for row in rows.all()
    ]
    assert sorted(cells) == [["3", "open_date"], ["3", "strand"], ["4", "case_reference"]]
    # The summary's link takes the reader to the table.
    summary.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"#problems$"))
    assert written() == before and not ImportUpload.objects.exists()

    good = cases_csv(
        case_row(),
        case_row(case_reference="CR-3002", case_holder="Jo Reid", team="South"),
    )
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "extract.csv", "mimeType": "text/csv", "buffer": good}]
    )
    page.get_by_role("button", name="Upload and check").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check the import before you confirm it"
    )
    counts = page.locator("#counts")
    expect(counts.locator(".govuk-summary-list__row").first).to_contain_text("New cases")
    expect(counts.locator(".govuk-summary-list__row").first).to_contain_text("2")
    expect(page.locator("#first-rows tbody tr")).to_have_count(2)
    expect(page.locator("#first-rows")).to_contain_text("Jo Reid")
    assert written() == before  # checked, not imported

    page.get_by_role("button", name="Confirm import").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "extract.csv was imported."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Import the case list: imported")
    assert Case.objects.count() == before[0] + 2
    assert set(Case.objects.values_list("case_reference", flat=True)) >= {"CR-3001", "CR-3002"}
    record = CaseImport.objects.get()
    assert record.by == lead and record.created == 2

    page.get_by_role("link", name="Back to imports").click()
    expect(page.locator("#imports")).to_contain_text("extract.csv")
    expect(page.locator("#imports")).to_contain_text("Quinn Lewis")
