"""Issue 14's whole journey in headless Chromium against the live server, every step a click or a
keystroke: a QA lead builds a thematic tool, plans an activity with it, loads the case list by
upload and draws a sample; the allocated auditor audits the drawn case with the tool and submits
it; the case holder reads the audit of their case and answers it; the QA lead reads the
activity's results.

Each part has its own, closer browser test (test_tool_builder, test_web_import,
test_sample_draw, test_built_tool_audit, test_case_holder); this one proves they join up.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audits.models import Answer, Audit, AuditActivity, CaseHolderResponse, SampleDraw, Status
from tests import factories
from tests.audits.holders.conftest import case_holder_user, person
from tests.audits.imports.conftest import case_row, cases_csv

from .steps import fill_date

# serialized_rollback: see test_audit_journey.py (the flush would wipe the migrated data).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TOOL = "Neglect thematic audit"
ACTIVITY = "Neglect in child in need cases"
GRADED = "How well was neglect recognised?"
YES_NO = "Is there an up-to-date chronology?"
RESPONSE = "I agree: the chronology is now up to date."


def nav(page):
    return page.get_by_role("navigation", name="Main menu")


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def save_and_continue(page):
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state("load")


def build_the_tool(page):
    nav(page).get_by_role("link", name="Audit tools").click()
    page.get_by_role("link", name="Build a new tool").click()
    page.get_by_label("Name of the tool").fill(TOOL)
    scale = [("Good", True), ("Requires improvement", False), ("Inadequate", False)]
    for n, (label, good) in enumerate(scale, start=1):
        page.get_by_label(f"Grade {n}" + (" (best)" if n == 1 else ""), exact=True).fill(label)
        box = page.get_by_label(f"Grade {n} counts as good")
        box.check() if good else box.uncheck()
    page.get_by_role("button", name="Save and add sections").click()
    page.get_by_role("link", name="Add a section").click()
    page.get_by_label("Title of the section").fill("Recognising neglect")
    page.get_by_role("button", name="Save the section").click()
    for text, kind in ((GRADED, "Graded on the tool's scale"), (YES_NO, "Yes, no, partly")):
        page.get_by_role("link", name="Add a question to section 1").click()
        page.get_by_label("Question", exact=True).fill(text)
        page.get_by_role("radio", name=kind).check()
        page.get_by_role("button", name="Save the question").click()
        expect(page.get_by_text(text).first).to_be_visible()


def plan_the_activity(page, month: datetime.date):
    nav(page).get_by_role("link", name="Schedule").click()
    page.get_by_role("link", name="Plan an activity").click()
    page.get_by_label("Name", exact=True).fill(ACTIVITY)
    group = page.get_by_role("group", name="Month")
    group.get_by_label("Month").fill(str(month.month))
    group.get_by_label("Year").fill(str(month.year))
    page.get_by_role("radio", name="Thematic audit").check()
    page.get_by_label("Audit tool").select_option(label=f"{TOOL}, version 1 (current)")
    page.get_by_label("Planned number of audits").fill("1")
    page.get_by_role("group", name="Assigned auditors").get_by_role(
        "checkbox", name="Asha Patel"
    ).check()
    page.get_by_role("button", name="Save activity").click()
    expect(page.get_by_role("row").filter(has_text=ACTIVITY)).to_contain_text(TOOL)


def upload_the_case_list(page):
    page.get_by_role("link", name="Import historic audits or the case list from a CSV file").click()
    page.get_by_role("link", name="Import the case list").click()
    extract = cases_csv(
        case_row(case_reference="CR-9101", case_holder="Nadia Brennan", team="East"),
        case_row(case_reference="CR-9102", case_holder="Nadia Brennan", team="East"),
    )
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "extract.csv", "mimeType": "text/csv", "buffer": extract}]
    )
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check the import before you confirm it"
    )
    page.get_by_role("button", name="Confirm import").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "extract.csv was imported."
    )


def draw_one_case(page) -> str:
    nav(page).get_by_role("link", name="Schedule").click()
    page.get_by_role("link", name=f"Cases drawn for {ACTIVITY}").click()
    page.get_by_role("link", name="Draw cases").click()
    page.get_by_label("Number of cases", exact=True).fill("1")
    page.get_by_role("button", name="Preview the draw").click()
    drawn = page.locator("#drawn-cases tbody tr")
    expect(drawn).to_have_count(1)
    expect(drawn.first).to_contain_text("Asha Patel")
    reference = drawn.first.get_by_role("rowheader").inner_text().strip()
    page.get_by_role("button", name="Record this draw").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Draw recorded")
    return reference


def audit_the_drawn_case(page, reference: str, audit_date: datetime.date):
    page.get_by_role("button", name=f"Start audit of {reference}").click()
    expect(page).to_have_url(re.compile(r"/audits/\d+/edit/$"))
    page.get_by_role("link", name="About the case").click()
    expect(page.get_by_label("Case reference")).to_have_value(reference)
    fill_date(page, "id_audit_date", audit_date)
    save_and_continue(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("1. Recognising neglect")
    page.get_by_role("group", name=re.compile(GRADED)).get_by_role(
        "radio", name="Requires improvement"
    ).check()
    page.get_by_role("group", name=re.compile(YES_NO)).get_by_role("radio", name="Yes").check()
    save_and_continue(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Agreed actions")
    save_and_continue(page)
    page.get_by_role("radio", name="Requires improvement").check()
    page.get_by_label("Overall comments").fill("Neglect was seen, but late.")
    save_and_continue(page)
    page.get_by_role("link", name="Check your answers").click()
    page.get_by_role("button", name="Submit audit").click()
    expect(page.get_by_text("Audit submitted. It is now read-only.")).to_be_visible()


def test_a_thematic_tool_from_building_to_results(page, live_server, login):
    today = timezone.localdate()
    qa_lead = factories.qa_lead(first_name="Fiona", last_name="Carmody")
    auditor = factories.auditor(first_name="Asha", last_name="Patel")
    holder = case_holder_user(first_name="Nadia", last_name="Brennan")
    person("Nadia Brennan", user=holder)

    # The QA lead: the tool, the activity, the case list, the draw.
    login(page, live_server, qa_lead)
    build_the_tool(page)
    plan_the_activity(page, today.replace(day=1))
    upload_the_case_list(page)
    reference = draw_one_case(page)
    activity = AuditActivity.objects.get(name=ACTIVITY)
    assert activity.tool.name == TOOL and activity.kind == "thematic"
    draw = SampleDraw.objects.get(activity=activity)
    assert [c.auditor for c in draw.cases.all()] == [auditor]
    sign_out(page)

    # The auditor: the drawn case, audited with the tool, submitted.
    login(page, live_server, auditor)
    audit_the_drawn_case(page, reference, today - datetime.timedelta(days=1))
    audit = Audit.objects.get(case_reference=reference)
    assert audit.tool == activity.tool and audit.activity == activity
    assert audit.status != Status.DRAFT and audit.overall_grade == "requires_improvement"
    answers = dict(Answer.objects.filter(audit=audit).values_list("question__text", "value"))
    assert answers == {GRADED: "requires_improvement", YES_NO: "yes"}
    sign_out(page)

    # The case holder: reads the audit of their case and answers it.
    login(page, live_server, holder)
    nav(page).get_by_role("link", name="My cases' audits").click()
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_text(GRADED).first).to_be_visible()
    page.get_by_role("link", name="Record your response").click()
    page.get_by_label("Your response to the audit").fill(RESPONSE)
    page.get_by_role("button", name="Save your response").click()
    expect(
        page.get_by_role("alert").filter(has_text="Your response has been saved")
    ).to_be_visible()
    assert CaseHolderResponse.objects.get(audit=audit).text == RESPONSE
    sign_out(page)

    # The auditor sees the answer; the QA lead reads the activity's results.
    login(page, live_server, auditor)
    page.goto(f"{live_server.url}/audits/{audit.pk}/")
    expect(page.locator("#holder-response-text")).to_have_text(RESPONSE)
    sign_out(page)
    login(page, live_server, qa_lead)
    nav(page).get_by_role("link", name="Schedule").click()
    page.get_by_role("link", name=f"Results of {ACTIVITY}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(ACTIVITY)
    graded = page.locator("table").filter(has_text="Answers to question 1.1")
    expect(graded.get_by_role("row").filter(has_text="Requires improvement")).to_contain_text("100")
