"""An auditor's journeys through the audit's task list, section pages and Check your answers,
in headless Chromium against the live server.

Each test builds its own users and data through factories and services, signs in through the
real login form and then does only what a person would do: click, type, tick and submit.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audits import rules
from audits.grades import Grade
from audits.models import AgreedAction, Audit, DomainGrade, Status
from tests import factories, helpers
from tests.browser.steps import assert_accessible

from .steps import expect_date, fill_date

# serialized_rollback: live_server makes these tests transactional, and the flush after each
# one would otherwise wipe what the migrations seed (the audit tool, vocabularies, role groups).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

GRADE_LABELS = {
    Grade.EXCEEDS: "Exceeds good",
    Grade.MEETS: "Meets good",
    Grade.DOES_NOT_MEET: "Does not meet good",
    Grade.NOT_APPLICABLE: "Not applicable",
}


# --- Steps a user takes, written once -------------------------------------------------------

SECTIONS = ["case", *[f"domain-{n}" for n in range(1, 13)], "actions", "overall"]


def start_audit(page):
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Start an audit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("About the case")
    # The form's script (which listens for the case reference) runs at the end of the page:
    # typing before then would go unheard.
    page.wait_for_load_state("load")


def save_and_continue(page):
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state("load")


def domain(page, number):
    return page.locator(f"#domain-{number}")


def grade_domain(page, number, grade, text=None):
    """On domain ``number``'s page: choose its grade by its visible label, type its
    evaluation."""
    domain(page, number).get_by_role("radio", name=GRADE_LABELS[grade], exact=True).check()
    if text is not None:
        domain(page, number).get_by_label("Evaluation").fill(text)


def fill_header(page, *, case_reference, audit_date, activity, team):
    page.get_by_label("Case reference").fill(case_reference)
    fill_date(page, "id_audit_date", audit_date)
    page.get_by_label("Age band").select_option(label="5-9")
    page.get_by_label("Strand").select_option(label="Social care")
    page.get_by_label("Case type").select_option(label="Child in need")
    page.get_by_label("Case holder's team").select_option(label=team.name)
    page.get_by_label("Audit activity").select_option(
        label=f"{activity.name} ({activity.month:%B %Y})"
    )


def fill_action(page, index, *, description, owner, due_date):
    page.locator(f"#id_actions-{index}-description").fill(description)
    page.locator(f"#id_actions-{index}-owner").fill(owner)
    fill_date(page, f"id_actions-{index}-due_date", due_date)


def fill_feedback_and_overall(page, *, feedback_date, overall, comments):
    fill_date(page, "id_feedback_date", feedback_date)
    page.get_by_label("Discussed with").fill("Case holder and team manager")
    page.get_by_role("radio", name=GRADE_LABELS[overall], exact=True).check()
    page.get_by_label("Overall comments").fill(comments)


def audit_pk_from_url(page) -> int:
    match = re.search(r"/audits/(\d+)/", page.url)
    assert match, page.url
    return int(match.group(1))


def task_status(page, name):
    """The status the task list shows beside the section called ``name``."""
    item = page.locator(".govuk-task-list__item").filter(has=page.get_by_text(name, exact=True))
    return item.locator(".govuk-task-list__status")


# A mix of grades: every kind once or more, domain 11 not applicable.
MIXED_GRADES = {
    1: Grade.MEETS,
    2: Grade.MEETS,
    3: Grade.DOES_NOT_MEET,
    4: Grade.DOES_NOT_MEET,
    5: Grade.MEETS,
    6: Grade.EXCEEDS,
    7: Grade.DOES_NOT_MEET,
    8: Grade.MEETS,
    9: Grade.MEETS,
    10: Grade.DOES_NOT_MEET,
    11: Grade.NOT_APPLICABLE,
    12: Grade.MEETS,
}


def fill_complete_audit(page, *, case_reference, audit_date, activity, team, accessible=False):
    """From the new audit's About the case page, each section in turn with Save and continue,
    to the task list. ``accessible``: axe checks each kind of section page on the way."""
    fill_header(
        page, case_reference=case_reference, audit_date=audit_date, activity=activity, team=team
    )
    if accessible:
        assert_accessible(page)
    save_and_continue(page)
    for number, grade in MIXED_GRADES.items():
        expect(page).to_have_url(re.compile(rf"/edit/domain-{number}/$"))
        if number == 1:
            domain(page, 1).get_by_role("checkbox", name="Neglect", exact=True).check()
        text = None if grade == Grade.NOT_APPLICABLE else f"Evidence for domain {number}."
        grade_domain(page, number, grade, text)
        if accessible and number == 1:
            assert_accessible(page)
        save_and_continue(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Agreed actions")
    fill_action(
        page,
        0,
        description="Update the chronology and share it with the school",
        owner="Team manager",
        due_date=audit_date + datetime.timedelta(days=28),
    )
    if accessible:
        assert_accessible(page)
    save_and_continue(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Overall grade and feedback")
    fill_feedback_and_overall(
        page,
        feedback_date=audit_date,
        overall=Grade.DOES_NOT_MEET,
        comments="Drift in planning since the last review.",
    )
    if accessible:
        assert_accessible(page)
    save_and_continue(page)
    expect(page).to_have_url(re.compile(r"/audits/\d+/edit/$"))


def in_month_activity(audit_date):
    """An activity of the audit date's month (submit refuses another month's), moderating
    every audit, so a submitted audit stays Submitted."""
    return factories.AuditActivityFactory(moderation_rate=100, month=audit_date.replace(day=1))


def banner(page, text):
    """A message the server put at the top of the page (a GOV.UK notification banner)."""
    return page.locator(".govuk-notification-banner").filter(has_text=text)


# --- Journeys --------------------------------------------------------------------------------


def test_auditor_works_down_the_task_list_checks_answers_and_submits(page, live_server, login):
    auditor = factories.auditor()
    team = factories.TeamFactory()
    audit_date = timezone.localdate() - datetime.timedelta(days=3)
    activity = in_month_activity(audit_date)

    login(page, live_server, auditor)
    start_audit(page)
    fill_complete_audit(
        page,
        case_reference="CR-JOURNEY-1",
        audit_date=audit_date,
        activity=activity,
        team=team,
        accessible=True,
    )

    # The task list: every section Completed (plain text), Check your answers now a link.
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit of case CR-JOURNEY-1")
    for name in ("About the case", "Agreed actions", "Overall grade and feedback"):
        expect(task_status(page, name)).to_have_text("Completed")
    expect(page.locator(".govuk-task-list__status .govuk-tag")).to_have_count(1)  # Not started
    assert_accessible(page)
    page.get_by_role("link", name="Check your answers").click()

    # Check your answers, and a Change link there and back.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before submitting the audit"
    )
    expect(page.locator(".govuk-summary-list")).to_have_count(len(SECTIONS))
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^Change evaluation \(4\.")).click()
    expect(page).to_have_url(re.compile(r"/edit/domain-4/\?return=check$"))
    page.wait_for_load_state("load")
    domain(page, 4).get_by_label("Evaluation").fill("Evidence for domain 4, checked again.")
    save_and_continue(page)
    expect(page).to_have_url(re.compile(r"/audits/\d+/check/$"))
    expect(page.get_by_text("Evidence for domain 4, checked again.")).to_be_visible()
    page.get_by_role("button", name="Submit audit").click()

    expect(page).to_have_url(re.compile(r"/audits/\d+/$"))
    expect(banner(page, "Audit submitted")).to_contain_text("Audit submitted. It is now read-only.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit of case CR-JOURNEY-1")
    expect(page.get_by_text("This audit has been submitted and is read-only.")).to_be_visible()
    expect(page.get_by_role("link", name="Continue editing")).to_have_count(0)
    assert_accessible(page)

    audit = Audit.objects.get(case_reference="CR-JOURNEY-1")
    assert audit_pk_from_url(page) == audit.pk
    assert audit.status == Status.SUBMITTED
    assert audit.auditor == auditor
    assert (audit.audit_date, audit.team, audit.activity) == (audit_date, team, activity)
    assert (audit.strand.slug, audit.case_type.slug, audit.age_band.slug) == (
        "social_care",
        "child_in_need",
        "5-9",
    )
    assert audit.overall_grade == Grade.DOES_NOT_MEET
    assert audit.feedback_date == audit_date
    assert audit.feedback_with == "Case holder and team manager"
    grades = {
        g.domain.number: (g.grade, g.text) for g in audit.domain_grades.select_related("domain")
    }
    assert {n: g for n, (g, _) in grades.items()} == MIXED_GRADES
    assert grades[11] == (Grade.NOT_APPLICABLE, "")
    assert grades[4] == (Grade.DOES_NOT_MEET, "Evidence for domain 4, checked again.")
    assert [r.slug for r in audit.risk_categories.all()] == ["neglect"]
    action = audit.actions.get()
    assert (action.description, action.owner, action.due_date, action.source) == (
        "Update the chronology and share it with the school",
        "Team manager",
        audit_date + datetime.timedelta(days=28),
        AgreedAction.Source.AUDITOR,
    )

    response = page.goto(f"/audits/{audit.pk}/edit/")
    assert response.status == 403
    expect(page.get_by_text("This audit can no longer be changed.")).to_be_visible()


def test_submitting_an_incomplete_audit_lists_problems_linking_to_the_section_pages(
    page, live_server, login
):
    auditor = factories.auditor()
    draft = helpers.draft_audit(auditor=auditor, case_reference="CR-PARTIAL-1")
    DomainGrade.objects.filter(audit=draft, domain__number__in=[3, 4]).update(grade="", text="")
    draft.refresh_from_db()  # the save left the grades it wrote loaded on the object
    login(page, live_server, auditor)
    page.goto(f"/audits/{draft.pk}/edit/")

    # The task list says what is left, and Check your answers cannot start yet.
    expect(task_status(page, "About the case")).to_have_text("Completed")
    expect(task_status(page, "3. " + domain_title(draft, 3))).to_have_text("Not started")
    expect(page.locator("#task-check-status")).to_have_text("Cannot start yet")
    expect(page.get_by_role("link", name="Check your answers")).to_have_count(0)
    assert_accessible(page)

    # Submitting all the same (as from a Check your answers page opened before) is refused.
    page.goto(f"/audits/{draft.pk}/check/")
    page.get_by_role("button", name="Submit audit").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(page.get_by_role("alert")).to_have_count(1)
    expected = rules.submit_problems(draft, today=timezone.localdate())
    expect(summary.get_by_role("heading")).to_have_text(f"There are {len(expected)} problems")
    expect(summary.get_by_role("link")).to_have_count(len(expected))
    assert page.title().startswith("Error: ")
    assert_accessible(page)

    # Each entry leads to its section's page, at the field; saving comes back here.
    summary.get_by_role("link", name="Grade domain 4, or mark it Not applicable.").click()
    expect(page).to_have_url(re.compile(r"/edit/domain-4/\?return=check#id_domain-4-grade_0$"))
    page.wait_for_load_state("load")
    grade_domain(page, 4, Grade.MEETS, "Evidence for domain 4.")
    save_and_continue(page)
    expect(page).to_have_url(re.compile(r"/audits/\d+/check/$"))
    page.get_by_role("button", name="Submit audit").click()
    summary.get_by_role("link", name=re.compile("^Grade domain 3")).click()
    page.wait_for_load_state("load")
    grade_domain(page, 3, Grade.EXCEEDS, "Evidence for domain 3.")
    save_and_continue(page)
    page.get_by_role("button", name="Submit audit").click()

    expect(banner(page, "Audit submitted")).to_be_visible()
    assert audit_pk_from_url(page) == draft.pk
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert Audit.objects.filter(case_reference="CR-PARTIAL-1").count() == 1


def domain_title(audit, number):
    return audit.tool.domains.get(number=number).title


def test_add_another_action_then_remove_one(page, live_server, login):
    auditor = factories.auditor()
    draft = helpers.draft_audit(auditor=auditor, case_reference="CR-ACTIONS-1", with_action=False)
    due = timezone.localdate() + datetime.timedelta(days=21)

    login(page, live_server, auditor)
    page.goto(f"/audits/{draft.pk}/edit/")
    page.get_by_role("link", name="Agreed actions").click()
    page.wait_for_load_state("load")
    total = page.locator("input[name='actions-TOTAL_FORMS']")
    rows = page.locator("#action-rows [data-action-row]")
    expect(rows).to_have_count(1)
    expect(total).to_have_value("1")
    fill_action(
        page, 0, description="Convene a strategy discussion", owner="Team manager", due_date=due
    )

    page.get_by_role("button", name="Add another action").click()
    expect(rows).to_have_count(2)
    expect(total).to_have_value("2")
    expect(rows.nth(1).locator(":scope > legend")).to_have_text("Action 2")
    expect(page.locator("#id_actions-1-description")).to_be_focused()
    fill_action(page, 1, description="Update the chronology", owner="Social worker", due_date=due)

    page.get_by_role("button", name="Save and return to the task list").click()
    expect(page).to_have_url(re.compile(r"/audits/\d+/edit/$"))
    expect(task_status(page, "Agreed actions")).to_have_text("Completed")
    page.get_by_role("link", name="Agreed actions").click()
    expect(page.locator("#id_actions-0-description")).to_have_value("Convene a strategy discussion")
    expect(page.locator("#id_actions-0-owner")).to_have_value("Team manager")
    expect_date(page, "id_actions-0-due_date", due)
    expect(page.locator("#id_actions-1-description")).to_have_value("Update the chronology")
    assert sorted(draft.actions.values_list("description", flat=True)) == [
        "Convene a strategy discussion",
        "Update the chronology",
    ]

    rows.nth(0).get_by_label("Remove this action").check()
    page.get_by_role("button", name="Save and return to the task list").click()
    expect(page).to_have_url(re.compile(r"/audits/\d+/edit/$"))
    page.get_by_role("link", name="Agreed actions").click()
    expect(page.locator("#id_actions-0-description")).to_have_value("Update the chronology")
    expect(page.locator("#id_actions-1-description")).to_have_value("")
    assert list(draft.actions.values_list("description", flat=True)) == ["Update the chronology"]


def test_re_audit_shows_the_earlier_audit_while_typing_and_after_submitting(
    page, live_server, login
):
    auditor = factories.auditor()
    team = factories.TeamFactory()
    earlier = helpers.submitted_audit(auditor=auditor, case_reference="CR-REAUDIT-1")
    audit_date = timezone.localdate()
    activity = in_month_activity(audit_date)
    assert earlier.audit_date <= audit_date

    login(page, live_server, auditor)
    start_audit(page)
    panel = page.locator("#earlier-audits")
    expect(panel).to_have_attribute("aria-live", "polite")
    expect(panel).to_be_empty()
    page.get_by_label("Case reference").fill("CR-REAUDIT-1")
    page.get_by_label("Case reference").press("Tab")  # the change event fetches the panel

    expect(panel.get_by_text("This case has been audited before")).to_be_visible()
    # The link names the earlier audit by its date and grade.
    earlier_name = re.compile(rf"^{earlier.audit_date:%-d %B %Y} — Meets good$")
    expect(panel.get_by_role("link", name=earlier_name)).to_have_attribute(
        "href", f"/audits/{earlier.pk}/"
    )

    fill_complete_audit(
        page, case_reference="CR-REAUDIT-1", audit_date=audit_date, activity=activity, team=team
    )
    page.get_by_role("link", name="Check your answers").click()
    page.get_by_role("button", name="Submit audit").click()

    expect(banner(page, "Audit submitted")).to_be_visible()
    new_pk = audit_pk_from_url(page)
    assert new_pk != earlier.pk
    expect(page.get_by_text("This case has been audited before")).to_be_visible()
    expect(page.locator("dt", has_text="Audited previously").locator("+ dd")).to_have_text("Yes")
    page.locator("#earlier-audits-panel").get_by_role("link", name=earlier_name).click()
    expect(page).to_have_url(re.compile(rf"/audits/{earlier.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit of case CR-REAUDIT-1")
    assert (
        Audit.objects.filter(case_reference="CR-REAUDIT-1").exclude(status=Status.DRAFT).count()
        == 2
    )


def test_deleting_a_draft_asks_first_and_cancelling_keeps_it(page, live_server, login):
    auditor = factories.auditor()
    draft = helpers.draft_audit(auditor=auditor, case_reference="CR-DELETE-1")
    login(page, live_server, auditor)
    page.goto(f"{live_server.url}/audits/{draft.pk}/edit/")
    page.wait_for_load_state("load")

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Delete draft").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert questions == ["Delete this draft? This cannot be undone."]
    assert Audit.objects.filter(pk=draft.pk).exists()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete draft").click()
    expect(page.get_by_text("Draft deleted.")).to_be_visible()
    assert not Audit.objects.filter(pk=draft.pk).exists()
