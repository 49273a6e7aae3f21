"""An auditor audits a case with a tool a QA lead built (audits.tools), in headless Chromium:
a practice observation, from its activity to submission, with axe on each kind of page.

The tool is built through the services, as the tool builder's pages would; the auditor then
does only what a person does: type, choose, Save and continue, Check your answers, Submit.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audits.models import Answer, Audit, Status
from audits.tools.kinds import ActivityKind
from tests import factories
from tests.audits.tools.building import every_kind_tool, questions

from .steps import assert_accessible, fill_date, open_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def save_and_continue(page):
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state("load")


def heading(page):
    return page.get_by_role("heading", level=1)


def question(page, q):
    return page.locator(f"#question-{q.pk}")


def test_auditor_audits_a_practice_observation_to_submission(page, live_server, login):
    auditor = factories.auditor()
    tool = every_kind_tool(name="Practice observation of a review")
    audit_date = timezone.localdate() - datetime.timedelta(days=3)
    activity = factories.AuditActivityFactory(
        name="Observations",
        month=audit_date.replace(day=1),
        tool=tool,
        kind=ActivityKind.PRACTICE_OBSERVATION,
        moderation_rate=100,
    )
    q = questions(tool)

    login(page, live_server, auditor)
    open_page(page, f"/audits/new/?activity={activity.pk}")
    expect(heading(page)).to_have_text("About the case")
    expect(page.get_by_text("Practice observation of a review (version 1).")).to_be_visible()
    page.get_by_label("Case reference").fill("CR-OBS-1")
    fill_date(page, "id_audit_date", audit_date)
    page.get_by_label("Strand").select_option(label="Social care")
    page.get_by_label("Case type").select_option(label="Child in need")
    page.get_by_label("What was observed").fill("Child in need review")
    fill_date(page, "id_observed_on", audit_date)
    page.get_by_label("Practitioner observed").fill("Social worker, Team A")
    assert_accessible(page)
    save_and_continue(page)

    # Section 1: a graded, a yes/no and a choice question, with the tool's own scale.
    expect(heading(page)).to_have_text("1. Recognising neglect")
    expect(page.get_by_text("Look at the first contacts.")).to_be_visible()
    question(page, q["graded"]).get_by_role("radio", name="Requires improvement").check()
    question(page, q["graded"]).get_by_label("Comment (optional)").fill("Seen late.")
    question(page, q["yes_no"]).get_by_role("radio", name="Partly").check()
    question(page, q["choice"]).get_by_role("radio", name="Graded Care Profile").check()
    assert_accessible(page)
    save_and_continue(page)

    # Section 2: a number, a date (GOV.UK date input) and free text with a character count.
    expect(heading(page)).to_have_text("2. Records")
    page.get_by_label("How many visits were made?").fill("6")
    page.get_by_label("What difference did it make?").fill("Attendance improved.")
    fill_date(page, f"id_question-{q['date'].pk}-date", audit_date)
    assert_accessible(page)
    save_and_continue(page)

    expect(heading(page)).to_have_text("Agreed actions")
    save_and_continue(page)
    expect(heading(page)).to_have_text("Overall grade and feedback")
    page.get_by_role("radio", name="Good", exact=True).check()
    page.get_by_label("Overall comments").fill("A purposeful review.")
    assert_accessible(page)
    save_and_continue(page)

    # The task list: every section Completed, Check your answers open.
    expect(page).to_have_url(re.compile(r"/audits/\d+/edit/$"))
    for name in ("About the case", "1. Recognising neglect", "2. Records", "Agreed actions"):
        item = page.locator(".govuk-task-list__item").filter(has=page.get_by_text(name, exact=True))
        expect(item.locator(".govuk-task-list__status")).to_have_text("Completed")
    assert_accessible(page)
    page.get_by_role("link", name="Check your answers").click()

    expect(heading(page)).to_have_text("Check your answers before submitting the audit")
    for shown in ("Requires improvement", "Partly", "Graded Care Profile", "Child in need review"):
        expect(page.locator(".govuk-summary-list").get_by_text(shown, exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Submit audit").click()
    page.wait_for_load_state("load")

    expect(page.get_by_text("Audit submitted. It is now read-only.")).to_be_visible()
    expect(page.get_by_text("Was a chronology kept?")).to_be_visible()
    expect(page.get_by_text("Practitioner observed")).to_be_visible()
    assert_accessible(page)
    audit = Audit.objects.get(case_reference="CR-OBS-1")
    assert audit.status == Status.SUBMITTED
    assert audit.tool == tool and audit.overall_grade == "good"
    assert audit.observed_practitioner == "Social worker, Team A"
    assert Answer.objects.get(audit=audit, question=q["number"]).number == 6


def test_the_check_page_sends_a_missing_answer_to_its_question(page, live_server, login):
    auditor = factories.auditor()
    tool = every_kind_tool()
    audit_date = timezone.localdate() - datetime.timedelta(days=3)
    activity = factories.AuditActivityFactory(
        name="Neglect", month=audit_date.replace(day=1), tool=tool, kind=ActivityKind.THEMATIC
    )
    from audits import services
    from tests.audits.tools.building import complete_content

    content = complete_content(tool, activity)
    content.header["audit_date"] = audit_date
    graded = questions(tool)["graded"]
    content.answers[graded.pk] = {"value": "", "text": ""}
    audit = services.audit_save_draft(audit=None, by=auditor, content=content)

    login(page, live_server, auditor)
    open_page(page, f"/audits/{audit.pk}/edit/")
    expect(
        page.locator(".govuk-task-list__item")
        .filter(has=page.get_by_text("1. Recognising neglect", exact=True))
        .locator(".govuk-task-list__status")
    ).to_have_text("In progress")
    open_page(page, f"/audits/{audit.pk}/edit/section-1/?return=check")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Answer question 1.1")
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    expect(question(page, graded).get_by_role("radio", name="Good")).to_be_focused()
