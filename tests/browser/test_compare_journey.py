"""Issue 15, compare: a QA lead opens the compare page from the reports list, puts two quarters
side by side and reads a difference, whether it is larger than chance would give, and the
explanation of the test and of small samples.

Headless Chromium against the live server; the cohort goes in through the CSV import.
"""

import datetime

import pytest
from playwright.sync_api import expect

from audits import periods
from audits.models import Status
from tests import factories
from tests.browser.steps import fill_date
from tests.reports import D, M, build_through_import, spec

# serialized_rollback: see test_audit_journey.py (the flush would wipe the migrated data).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

Q1, Q2 = periods.quarter(2026, 1), periods.quarter(2026, 2)


def test_a_qa_lead_compares_two_quarters_and_reads_the_difference(page, live_server, login):
    # Q1: 1 of 10 at least Meets good; Q2: 10 of 12 (the other 2 moderated, and agreed).
    may, aug = datetime.date(2026, 5, 5), datetime.date(2026, 8, 5)
    specs = [spec(may, overall=D) for _ in range(9)] + [spec(may, overall=M)]
    specs += [spec(aug, overall=M) for _ in range(10)]
    specs += [spec(aug, overall=D, moderated=D, status=Status.COMPLETED) for _ in range(2)]
    build_through_import(specs)
    login(page, live_server, factories.qa_lead())

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="Compare two periods, activities or teams").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compare")

    # A first try without the second quarter's dates: the errors name the fields.
    page.get_by_role("radio", name="Two periods").check()
    fill_date(page, "id_start_a", Q1.start)
    fill_date(page, "id_end_a", Q1.end)
    page.get_by_role("button", name="Compare").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Enter the second period's first date.")
    expect(summary).to_contain_text("Enter the second period's last date.")

    fill_date(page, "id_start_b", Q2.start)
    fill_date(page, "id_end_b", Q2.end)
    page.get_by_role("button", name="Compare").click()

    expect(page.locator("#compare-result")).to_contain_text("1 April 2026 to 30 June 2026")
    row = (
        page.locator("#compare-table")
        .get_by_role("row")
        .filter(
            has=page.get_by_role("rowheader", name="At least Meets good, final grade", exact=True)
        )
    )
    cells = row.get_by_role("cell")
    expect(cells.nth(0)).to_have_text("1 · 10% (2–40%)")
    expect(cells.nth(1)).to_have_text("10 · 83.3% (55–95%)")
    expect(cells.nth(2)).to_have_text("+73.3 points")
    expect(cells.nth(3)).to_contain_text("Yes")
    expect(cells.nth(3)).to_contain_text("larger than chance alone would be likely to give")

    moderated = (
        page.locator("#compare-table")
        .get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name="Moderation rate", exact=True))
    )
    expect(moderated.get_by_role("cell").nth(3)).to_contain_text("No")
    expect(moderated.get_by_role("cell").nth(3)).to_contain_text("could be down to chance")

    explanation = page.locator("#compare-how")
    expect(explanation).to_have_text("How to read this comparison")
    expect(page.get_by_text("Fisher’s exact test how likely")).to_be_visible()
    expect(page.get_by_text("A “small sample” is fewer than 20 audits.")).to_be_visible()
