"""Issue 13 acceptance: a whole audit completed and submitted, and moderated, with the keyboard
alone (tests/browser/keyboard.py: Tab, Shift+Tab, Space, Enter, arrow keys and typing).

The audit is a task list: each section is its own page, filled and left with "Save and
continue" (About the case, the 12 domains, the agreed actions, the overall grade), then Check
your answers is reached from the task list by its link and the audit submitted there.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audits.grades import Grade
from audits.models import AgreedAction, Audit, Status
from moderation.models import Moderation
from tests import factories

from .conftest import PASSWORD
from .keyboard import (
    Target,
    choose_radio,
    error_summary,
    follow_link,
    open_details,
    press_button,
    select_option,
    sign_in,
    sign_out,
    tick,
    type_date,
    type_into,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

GRADES = {
    1: "Meets good",
    2: "Meets good",
    3: "Does not meet good",
    4: "Meets good",
    5: "Exceeds good",
    6: "Meets good",
    7: "Meets good",
    8: "Does not meet good",
    9: "Meets good",
    10: "Meets good",
    11: "Not applicable",
    12: "Meets good",
}
# Any of the grade radios: the focus lands on the group's checked radio, or its first.
ANY_GRADE = re.compile(r"^(Exceeds good|Meets good|Does not meet good|Not applicable)$")
GRADE_CODES = {
    "Exceeds good": Grade.EXCEEDS,
    "Meets good": Grade.MEETS,
    "Does not meet good": Grade.DOES_NOT_MEET,
    "Not applicable": Grade.NOT_APPLICABLE,
}


# --- Steps of the audit form, one per part of it ---------------------------------------------


def fill_case(page, *, case_reference, audit_date, activity, team):
    type_into(page, Target("Case reference", tag="input"), case_reference)
    type_date(page, Target("Audit date"), audit_date)
    select_option(page, Target("Age band", tag="select"), "5-9")
    select_option(page, Target("Strand", tag="select"), "Social care")
    select_option(page, Target("Case type", tag="select"), "Child in need")
    select_option(page, Target("Case holder's team", tag="select"), team.name)
    select_option(
        page,
        Target("Audit activity", tag="select"),
        f"{activity.name} ({activity.month:%B %Y})",
    )


def fill_domain(page, number, grade, text=None):
    within = f"#domain-{number}"
    choose_radio(page, Target(ANY_GRADE, type="radio", within=within), grade)
    if text is not None:
        type_into(page, Target("Evaluation", tag="textarea", within=within), text)


def fill_action(page, *, description, owner, due_date):
    within = "#action-rows"
    type_into(page, Target("Action", tag="textarea", within=within), description)
    type_into(page, Target("By whom", tag="input", within=within), owner)
    type_date(page, Target("By when", within=within), due_date)


def fill_feedback_and_overall(page, *, feedback_date, overall, comments):
    type_date(page, Target("Date of feedback discussion"), feedback_date)
    type_into(page, Target("Discussed with", tag="input"), "Case holder and team manager")
    choose_radio(page, Target(ANY_GRADE, type="radio", within="#audit-form"), overall)
    type_into(page, Target("Overall comments", tag="textarea"), comments)


def save_and_continue(page, next_heading):
    """Save the section and go on: the next section's page, whose heading says so."""
    press_button(page, "Save and continue")
    assert error_summary(page) == []
    expect(page.get_by_role("heading", level=1)).to_contain_text(next_heading)
    page.wait_for_load_state("load")


# --- Journeys ---------------------------------------------------------------------------------


def test_an_auditor_completes_and_submits_a_whole_audit_and_a_moderator_moderates_it_by_keyboard(
    page, live_server
):
    auditor = factories.auditor(first_name="Kim", last_name="Keyes")
    moderator = factories.moderator(first_name="Mo", last_name="Tabb")
    team = factories.TeamFactory(name="Assessment team North")
    audit_date = timezone.localdate() - datetime.timedelta(days=2)
    activity = factories.AuditActivityFactory(
        name="Keyboard sample", month=audit_date.replace(day=1), moderation_rate=100
    )

    # The auditor signs in, starts an audit from the menu and fills in every part of it.
    sign_in(page, live_server, auditor, PASSWORD)
    expect(page.locator(".app-signed-in")).to_contain_text("Kim Keyes")
    follow_link(page, "Start an audit")
    expect(page.get_by_role("heading", level=1)).to_have_text("About the case")
    page.wait_for_load_state("load")

    fill_case(
        page,
        case_reference="CR-KEYS-1",
        audit_date=audit_date,
        activity=activity,
        team=team,
    )
    save_and_continue(page, re.compile(r"^1\. "))
    tick(page, Target("Neglect", type="checkbox", within="#domain-1"))
    for number, grade in GRADES.items():
        if number > 1:
            save_and_continue(page, re.compile(rf"^{number}\. "))
        text = None if grade == "Not applicable" else f"Evidence for domain {number}."
        fill_domain(page, number, grade, text)
    # Second thoughts: back up the page (Shift+Tab) to domain 12's evaluation and rewrite it.
    type_into(
        page,
        Target("Evaluation", tag="textarea", within="#domain-12"),
        "Plans are reviewed on time and the child's views are recorded.",
        backwards=True,
    )
    save_and_continue(page, "Agreed actions")
    fill_action(
        page,
        description="See the child alone within two weeks",
        owner="Social worker",
        due_date=audit_date + datetime.timedelta(days=14),
    )
    save_and_continue(page, "Overall grade and feedback")
    fill_feedback_and_overall(
        page,
        feedback_date=audit_date,
        overall="Does not meet good",
        comments="Drift in planning since the last review.",
    )
    press_button(page, "Save and continue")
    assert error_summary(page) == []
    # Back on the task list every section is complete: on to Check your answers, and submit.
    follow_link(page, "Check your answers")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check your answers")
    press_button(page, "Submit audit")
    assert error_summary(page) == []

    expect(page.get_by_role("heading", level=1)).to_have_text("Audit of case CR-KEYS-1")
    expect(page.get_by_text("Audit submitted. It is now read-only.")).to_be_visible()
    audit = Audit.objects.get(case_reference="CR-KEYS-1")
    assert audit.status == Status.SUBMITTED
    assert (audit.audit_date, audit.team, audit.activity) == (audit_date, team, activity)
    assert (audit.strand.slug, audit.case_type.slug, audit.age_band.slug) == (
        "social_care",
        "child_in_need",
        "5-9",
    )
    assert {g.domain.number: g.grade for g in audit.domain_grades.select_related("domain")} == {
        n: GRADE_CODES[label] for n, label in GRADES.items()
    }
    assert audit.domain_grades.get(domain__number=8).text == "Evidence for domain 8."
    assert audit.domain_grades.get(domain__number=12).text == (
        "Plans are reviewed on time and the child's views are recorded."
    )
    assert [r.slug for r in audit.risk_categories.all()] == ["neglect"]
    assert audit.overall_grade == Grade.DOES_NOT_MEET
    assert (audit.feedback_date, audit.feedback_with) == (
        audit_date,
        "Case holder and team manager",
    )
    (action,) = audit.actions.all()
    assert (action.description, action.owner, action.due_date) == (
        "See the child alone within two weeks",
        "Social worker",
        audit_date + datetime.timedelta(days=14),
    )
    sign_out(page)

    # The moderator takes it from the queue, raises the grade with a rationale, writes a note
    # on a domain, adds an action and feedback, and records the moderation.
    sign_in(page, live_server, moderator, PASSWORD)
    follow_link(page, "Moderation queue")
    expect(page.get_by_role("heading", level=1)).to_have_text("Moderation queue")
    press_button(page, "Take audit of CR-KEYS-1")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Moderate the audit of case CR-KEYS-1"
    )
    page.wait_for_load_state("load")
    within = "#moderation-form"
    choose_radio(page, Target(ANY_GRADE, type="radio", within=within), "Meets good")
    type_into(
        page,
        Target("Rationale for a changed grade", tag="textarea"),
        "The plan was reviewed on time; the drift is recorded and addressed.",
    )
    open_details(page, "Notes on domains where you disagree (optional)")
    type_into(
        page,
        Target(re.compile(r"^3\. "), tag="textarea", within=within),
        "The decision to close the plan is recorded.",
    )
    type_into(
        page,
        Target("Action", tag="textarea", within="#moderation-form #actions"),
        "Share the updated plan with the school",
    )
    type_into(page, Target("By whom", tag="input", within="#actions"), "Team manager")
    type_date(page, Target("By when", within="#actions"), audit_date + datetime.timedelta(days=21))
    type_into(
        page,
        Target("Feedback to the auditor", tag="textarea"),
        "A careful audit; the plan's review date was met.",
    )
    press_button(page, "Record moderation")
    assert error_summary(page) == []

    expect(page.get_by_text("Moderation recorded. The audit is completed.")).to_be_visible()
    audit.refresh_from_db()
    assert audit.status == Status.COMPLETED
    assert (audit.overall_grade, audit.moderated_grade) == (Grade.DOES_NOT_MEET, Grade.MEETS)
    decision = audit.moderations.get()
    assert decision.outcome == Moderation.Outcome.RAISED
    assert decision.feedback == "A careful audit; the plan's review date was met."
    added = audit.actions.get(source=AgreedAction.Source.MODERATOR)
    assert (added.description, added.owner) == (
        "Share the updated plan with the school",
        "Team manager",
    )
