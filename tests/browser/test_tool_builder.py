"""Issue 14, the QA lead's side, in headless Chromium against the live server: a QA lead builds
a small thematic tool (its scale, a section, one question of each kind), previews it, and
plans an activity that uses it. Every step is a click or a keystroke."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audits.models import AuditActivity, AuditTool
from audits.tools.kinds import QuestionKind
from tests import factories

from .steps import flash

# serialized_rollback: see test_audit_journey.py (the flush would wipe the migrated data).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCALE = [("Good", True), ("Requires improvement", False), ("Inadequate", False)]

# One question of each kind: (question, the kind's label on the form, options).
QUESTIONS = [
    ("How well was neglect recognised?", QuestionKind.GRADED, ""),
    ("Is there an up-to-date chronology?", QuestionKind.YES_NO, ""),
    ("How many home visits in the last three months?", QuestionKind.NUMBER, ""),
    ("Date of the last home visit", QuestionKind.DATE, ""),
    ("Which neglect tool was used?", QuestionKind.CHOICE, "Graded Care Profile 2\nOther\nNone"),
    ("What difference has the plan made?", QuestionKind.TEXT, ""),
]


def nav(page):
    return page.get_by_role("navigation", name="Menu")


def test_a_qa_lead_builds_a_thematic_tool_and_plans_an_activity_with_it(page, live_server, login):
    qa_lead = factories.qa_lead(first_name="Fiona", last_name="Carmody")
    factories.auditor(first_name="Asha", last_name="Patel")

    login(page, live_server, qa_lead)
    nav(page).get_by_role("link", name="Audit tools").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit tools")
    expect(page.get_by_role("heading", level=2).first).to_contain_text("Standard tool")
    page.get_by_role("link", name="Build a new tool").click()

    # Saved without a name or a scale: the error summary says what is missing.
    page.get_by_role("button", name="Save and add sections").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Name of the tool")

    page.get_by_label("Name of the tool").fill("Neglect thematic audit")
    page.get_by_label("What the tool is for (optional)").fill("Cumulative neglect.")
    # The standard scale is one click away; this tool has its own.
    page.get_by_role("button", name="Use the standard scale").click()
    expect(page.get_by_label("Grade 1 (best)")).to_have_value("Exceeds good")
    expect(page.get_by_label("Name of the tool")).to_have_value("Neglect thematic audit")
    for n, (label, good) in enumerate(SCALE, start=1):
        page.get_by_label(f"Grade {n}" + (" (best)" if n == 1 else ""), exact=True).fill(label)
        box = page.get_by_label(f"Grade {n} counts as good")
        box.check() if good else box.uncheck()
    page.get_by_role("button", name="Save and add sections").click()

    expect(flash(page, "made")).to_contain_text("Tool “Neglect thematic audit” made.")
    expect(page.locator("#scale")).to_have_text(
        re.compile(r"Good \(counts as good\)\s*Requires improvement\s*Inadequate")
    )
    page.get_by_role("link", name="Add a section").click()
    page.get_by_label("Title of the section").fill("Recognising neglect")
    page.get_by_role("button", name="Save the section").click()
    expect(page.get_by_role("heading", name="Section 1: Recognising neglect")).to_be_visible()

    for text, kind, options in QUESTIONS:
        page.get_by_role("link", name="Add a question to section 1").click()
        page.get_by_label("Question", exact=True).fill(text)
        page.get_by_role("radio", name=kind.label).check()
        if options:
            page.get_by_label("Options of the list").fill(options)
        page.get_by_role("button", name="Save the question").click()
        expect(flash(page, "saved")).to_contain_text("saved")

    tool = AuditTool.objects.get(name="Neglect thematic audit")
    assert list(
        tool.sections.get().questions.values_list("text", "kind", "required", "options")
    ) == [
        (text, kind.value, True, options.split("\n") if options else [])
        for text, kind, options in QUESTIONS
    ]
    assert tool.created_by == qa_lead and tool.is_current

    # The preview reads as the auditor's page will.
    page.get_by_role("link", name="Preview the tool as the auditor sees it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Neglect thematic audit")
    graded = page.get_by_role("group", name="1.1 How well was neglect recognised?")
    expect(graded.get_by_role("radio")).to_have_count(3)
    expect(page.get_by_role("group", name="Overall grade").get_by_role("radio")).to_have_count(3)
    expect(
        page.get_by_role("group", name="1.5 Which neglect tool was used?").get_by_role("radio")
    ).to_have_count(3)
    page.get_by_role("link", name="Back to Neglect thematic audit (version 1)").click()

    # Plan an activity that uses it.
    nav(page).get_by_role("link", name="Schedule").click()
    page.get_by_role("link", name="Plan an activity").click()
    page.get_by_label("Name", exact=True).fill("Neglect in child in need cases")
    today = timezone.localdate()
    month = page.get_by_role("group", name="Month")
    month.get_by_label("Month").fill(str(today.month))
    month.get_by_label("Year").fill(str(today.year))
    page.get_by_role("radio", name="Thematic audit").check()
    page.get_by_label("Audit tool").select_option(
        label="Neglect thematic audit, version 1 (current)"
    )
    page.get_by_label("Planned number of audits").fill("4")
    page.get_by_role("group", name="Assigned auditors").get_by_role(
        "checkbox", name="Asha Patel"
    ).check()
    page.get_by_role("button", name="Save activity").click()

    expect(flash(page, "saved")).to_contain_text("Neglect in child in need cases")
    row = page.get_by_role("row").filter(has_text="Neglect in child in need cases")
    expect(row).to_contain_text("Thematic audit: Neglect thematic audit (version 1)")
    activity = AuditActivity.objects.get(name="Neglect in child in need cases")
    assert (activity.kind, activity.tool) == ("thematic", tool)

    # The tools page counts the activity; the tool has no audits yet, so it still changes.
    nav(page).get_by_role("link", name="Audit tools").click()
    versions = page.get_by_role("row").filter(has_text="Version 1 of Neglect thematic audit")
    expect(versions).to_contain_text("Current")
    expect(versions.get_by_role("cell").nth(5)).to_have_text("Yes")
