"""An auditor's journeys through the audit form, in headless Chromium against the live server.

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
from audits.models import AgreedAction, Audit, Status
from tests import factories, helpers

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


def start_audit(page):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Start an audit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start an audit")
    # The heading shows while the long form is still being parsed; the form's script (which
    # listens for the case reference) runs only at the end of it. Typing before then would
    # go unheard, as it once did on a loaded CI machine.
    page.wait_for_load_state("load")


def domain(page, number):
    return page.locator(f"fieldset#domain-{number}")


def grade_domain(page, number, grade, text=None):
    """Choose a domain's grade by its visible label, and type its evaluation."""
    domain(page, number).get_by_role("radio", name=GRADE_LABELS[grade], exact=True).check()
    if text is not None:
        domain(page, number).get_by_label("Evaluation").fill(text)


def overall_section(page):
    return page.get_by_role("region", name="Overall judgement")


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
    overall_section(page).get_by_role("radio", name=GRADE_LABELS[overall], exact=True).check()
    overall_section(page).get_by_label("Overall comments").fill(comments)


def audit_pk_from_url(page) -> int:
    match = re.search(r"/audits/(\d+)/", page.url)
    assert match, page.url
    return int(match.group(1))


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


def fill_complete_audit(page, *, case_reference, audit_date, activity, team):
    fill_header(
        page, case_reference=case_reference, audit_date=audit_date, activity=activity, team=team
    )
    domain(page, 1).get_by_role("checkbox", name="Neglect", exact=True).check()
    for number, grade in MIXED_GRADES.items():
        text = None if grade == Grade.NOT_APPLICABLE else f"Evidence for domain {number}."
        grade_domain(page, number, grade, text)
    fill_action(
        page,
        0,
        description="Update the chronology and share it with the school",
        owner="Team manager",
        due_date=audit_date + datetime.timedelta(days=28),
    )
    fill_feedback_and_overall(
        page,
        feedback_date=audit_date,
        overall=Grade.DOES_NOT_MEET,
        comments="Drift in planning since the last review.",
    )


def in_month_activity(audit_date):
    """An activity of the audit date's month (submit refuses another month's), moderating
    every audit, so a submitted audit stays Submitted."""
    return factories.AuditActivityFactory(moderation_rate=100, month=audit_date.replace(day=1))


# --- Journeys --------------------------------------------------------------------------------


def test_auditor_fills_and_submits_a_whole_audit_which_becomes_read_only(page, live_server, login):
    auditor = factories.auditor()
    team = factories.TeamFactory()
    audit_date = timezone.localdate() - datetime.timedelta(days=3)
    activity = in_month_activity(audit_date)

    login(page, live_server, auditor)
    start_audit(page)
    fill_complete_audit(
        page, case_reference="CR-JOURNEY-1", audit_date=audit_date, activity=activity, team=team
    )
    page.get_by_role("button", name="Submit audit").click()

    expect(page).to_have_url(re.compile(r"/audits/\d+/$"))
    expect(page.get_by_role("status").filter(has_text="Audit submitted")).to_have_text(
        "Audit submitted. It is now read-only."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit of case CR-JOURNEY-1")
    expect(page.get_by_role("main").get_by_text("Submitted", exact=True)).to_be_visible()
    expect(page.get_by_text("This audit has been submitted and is read-only.")).to_be_visible()
    expect(page.get_by_role("link", name="Continue editing")).to_have_count(0)

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
    assert grades[4] == (Grade.DOES_NOT_MEET, "Evidence for domain 4.")
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


def test_submitting_an_incomplete_audit_lists_problems_keeps_input_and_saves_one_draft(
    page, live_server, login
):
    auditor = factories.auditor()
    team = factories.TeamFactory()
    audit_date = timezone.localdate()
    activity = in_month_activity(audit_date)

    login(page, live_server, auditor)
    start_audit(page)
    page.get_by_label("Case reference").fill("CR-PARTIAL-1")
    grade_domain(page, 1, Grade.MEETS, "Risks were recognised early.")
    grade_domain(page, 2, Grade.DOES_NOT_MEET, "The child was not seen alone.")
    grade_domain(page, 3, Grade.MEETS)  # graded, but no evaluation yet
    overall_section(page).get_by_role("radio", name="Does not meet good", exact=True).check()
    page.get_by_role("button", name="Submit audit").click()

    # The message is a status: the error summary below is the page's one alert.
    expect(
        page.get_by_role("status").filter(has_text="Your changes are saved as a draft")
    ).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(1)
    # The summary is at the top of the page, announced, and takes focus.
    summary = page.get_by_role("alert", name=re.compile(r"^There are \d+ problems$"))
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert summary.evaluate(
        "el => !!(el.compareDocumentPosition(document.getElementById('audit-form'))"
        " & Node.DOCUMENT_POSITION_FOLLOWING)"
    )
    entries = summary.get_by_role("listitem")
    draft = Audit.objects.get(case_reference="CR-PARTIAL-1")
    assert draft.status == Status.DRAFT  # saved, even though it could not be submitted
    expected = rules.submit_problems(draft, today=timezone.localdate())
    expect(summary.get_by_role("heading")).to_have_text(f"There are {len(expected)} problems")
    expect(entries).to_have_count(len(expected))
    for number in range(4, 13):
        link = summary.get_by_role(
            "link", name=f"Grade domain {number}, or mark it Not applicable.", exact=True
        )
        expect(link).to_have_attribute("href", f"#id_domain-{number}-grade_0")
    expect(
        summary.get_by_role("link", name=re.compile("^Write the evaluation for domain 3"))
    ).to_have_attribute("href", "#id_domain-3-text")
    expect(
        summary.get_by_role("link", name=re.compile("^An audit graded Does not meet good needs"))
    ).to_have_attribute("href", "#actions")
    hrefs = summary.get_by_role("link").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert len(hrefs) == len(expected)
    assert (
        page.evaluate("hrefs => hrefs.filter(h => !document.getElementById(h.slice(1)))", hrefs)
        == []
    ), "every entry must lead to an element on the page"
    for graded in (1, 2, 3):
        expect(
            summary.get_by_role("link", name=re.compile(f"^Grade domain {graded},"))
        ).to_have_count(0)

    # Each entry leads to its field.
    page.evaluate("window.scrollTo(0, 0)")
    expect(page.locator("#id_domain-4-grade_0")).not_to_be_in_viewport()
    summary.get_by_role("link", name="Grade domain 4, or mark it Not applicable.").click()
    expect(page).to_have_url(re.compile(r"#id_domain-4-grade_0$"))
    expect(page.locator("#id_domain-4-grade_0")).to_be_in_viewport()
    expect(page.locator("#id_domain-4-grade_0")).to_be_focused()
    expect(page.locator("#id_domain-4-grade_0")).to_have_attribute("aria-invalid", "true")

    # Nothing typed was lost.
    expect(page.get_by_label("Case reference")).to_have_value("CR-PARTIAL-1")
    expect(domain(page, 1).get_by_role("radio", name="Meets good", exact=True)).to_be_checked()
    expect(
        domain(page, 2).get_by_role("radio", name="Does not meet good", exact=True)
    ).to_be_checked()
    expect(domain(page, 3).get_by_role("radio", name="Meets good", exact=True)).to_be_checked()
    expect(domain(page, 1).get_by_label("Evaluation")).to_have_value("Risks were recognised early.")
    expect(domain(page, 2).get_by_label("Evaluation")).to_have_value(
        "The child was not seen alone."
    )
    expect(
        overall_section(page).get_by_role("radio", name="Does not meet good", exact=True)
    ).to_be_checked()
    expect(domain(page, 4).get_by_role("radio")).to_have_count(4)
    for radio in domain(page, 4).get_by_role("radio").all():
        expect(radio).not_to_be_checked()

    # Put everything right on the same page and submit again: still one audit, now submitted.
    fill_header(
        page, case_reference="CR-PARTIAL-1", audit_date=audit_date, activity=activity, team=team
    )
    domain(page, 3).get_by_label("Evaluation").fill("Management oversight is recorded.")
    for number in range(4, 13):
        grade_domain(page, number, Grade.MEETS, f"Evidence for domain {number}.")
    fill_action(
        page,
        0,
        description="Visit the child and see them alone",
        owner="Social worker",
        due_date=audit_date + datetime.timedelta(days=14),
    )
    page.get_by_role("button", name="Submit audit").click()

    expect(page.get_by_role("status").filter(has_text="Audit submitted")).to_be_visible()
    assert audit_pk_from_url(page) == draft.pk
    audits = Audit.objects.filter(case_reference="CR-PARTIAL-1")
    assert audits.count() == 1
    audit = audits.get()
    assert audit.status == Status.SUBMITTED
    assert audit.actions.count() == 1
    assert audit.domain_grades.get(domain__number=1).text == "Risks were recognised early."


def test_add_another_action_then_remove_one(page, live_server, login):
    auditor = factories.auditor()
    audit_date = timezone.localdate()
    due = audit_date + datetime.timedelta(days=21)

    login(page, live_server, auditor)
    start_audit(page)
    page.get_by_label("Case reference").fill("CR-ACTIONS-1")
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
    expect(rows.nth(1).locator("legend")).to_have_text("Action 2")
    expect(page.locator("#id_actions-1-description")).to_be_focused()
    fill_action(page, 1, description="Update the chronology", owner="Social worker", due_date=due)

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status").filter(has_text="Draft saved")).to_have_text("Draft saved.")
    expect(page).to_have_url(re.compile(r"/audits/\d+/edit/$"))
    page.reload()
    expect(page.locator("#id_actions-0-description")).to_have_value("Convene a strategy discussion")
    expect(page.locator("#id_actions-0-owner")).to_have_value("Team manager")
    expect_date(page, "id_actions-0-due_date", due)
    expect(page.locator("#id_actions-1-description")).to_have_value("Update the chronology")
    audit = Audit.objects.get(case_reference="CR-ACTIONS-1")
    assert sorted(audit.actions.values_list("description", flat=True)) == [
        "Convene a strategy discussion",
        "Update the chronology",
    ]

    rows.nth(0).get_by_label("Remove this action").check()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status").filter(has_text="Draft saved")).to_have_text("Draft saved.")
    expect(page.locator("#id_actions-0-description")).to_have_value("Update the chronology")
    expect(page.locator("#id_actions-1-description")).to_have_value("")
    assert list(audit.actions.values_list("description", flat=True)) == ["Update the chronology"]


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
    page.get_by_role("button", name="Submit audit").click()

    expect(page.get_by_role("status").filter(has_text="Audit submitted")).to_be_visible()
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
