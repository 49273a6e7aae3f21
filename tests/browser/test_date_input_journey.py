"""The GOV.UK date input in a browser (audits.dates): a QA lead plans an activity typing its month
in the boxes, sees a mistake named in the error summary whose link lands on the first box, and
the lists with their filters open neither scroll sideways at 320 px nor fail axe."""

import datetime

import pytest
from playwright.sync_api import expect

from audits.models import AuditActivity
from tests import factories, helpers

from .steps import assert_accessible

# serialized_rollback: see test_audit_journey.py (the flush would wipe the migrated data).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_month_typed_in_the_boxes_and_a_mistake_linked_from_the_summary(page, live_server, login):
    qa_lead = factories.qa_lead()
    login(page, live_server, qa_lead)
    page.goto(f"{live_server.url}/activities/new/")
    month = page.get_by_role("group", name="Month")
    month.get_by_label("Month").fill("13")
    month.get_by_label("Year").fill("2026")
    page.get_by_label("Name").fill("Neglect")
    page.get_by_role("button", name="Save activity").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    assert page.title().startswith("Error: ")
    summary.get_by_role("link", name="Month must be a real month").click()
    expect(page.locator("#id_month_0")).to_be_focused()
    assert_accessible(page)

    page.locator("#id_month_0").fill("12")
    page.get_by_role("button", name="Save activity").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit schedule")
    assert AuditActivity.objects.get(name="Neglect").month == datetime.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("path", "role"),
    [("/audits/all/", "qa_lead"), ("/actions/", "qa_lead"), ("/security/log/", "administrator")],
)
def test_the_lists_with_their_filters_open_fit_a_phone(page, live_server, login, path, role):
    owner = factories.auditor()
    helpers.submitted_audit(auditor=owner, case_reference="CR-PHONE-1")
    login(page, live_server, getattr(factories, role)())
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{live_server.url}{path}?case_reference=CR-PHONE")

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{path} is {width} px wide at 320 px"
    assert_accessible(page)


def test_the_sign_in_page_fits_a_phone_and_passes_axe(page, live_server):
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{live_server.url}/accounts/login/")

    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page)


def test_an_auditors_pages_fit_a_phone_and_pass_axe(page, live_server, login):
    owner = factories.auditor()
    audit = helpers.submitted_audit(auditor=owner, case_reference="CR-PHONE-2")
    action = audit.actions.get()
    login(page, live_server, owner)
    page.set_viewport_size({"width": 320, "height": 800})
    for path in (
        f"/actions/{action.pk}/",
        "/audits/mine/?case_reference=cr-phone",
        f"/cases/{audit.case_reference}/",
        "/no-such-page/",
    ):
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{path} is {width} px wide at 320 px"
        assert_accessible(page)
