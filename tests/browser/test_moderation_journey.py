"""Issue 3 acceptance: moderation journeys in headless Chromium against the live server.

An auditor submits; a moderator takes the audit from the queue and decides (or sends it back);
the auditor reads the feedback and acknowledges it. Each person signs in through the real
login form. Audits are drafted through the services; every decision is a click.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audits import services as audit_services
from audits.grades import Grade
from audits.models import AgreedAction, Audit, Status
from moderation.models import Moderation
from tests import factories, helpers
from tests.worker import run_worker

from .steps import fill_date

# serialized_rollback: see test_audit_journey.py (the flush would wipe the migrated data).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


# --- Steps a user takes -----------------------------------------------------------------------


def nav(page):
    return page.get_by_role("navigation", name="Menu")


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def status_message(page, text):
    # A success message is a GOV.UK notification banner read out at once (role alert), under
    # its title ("Success"): the message itself.
    banner = page.get_by_role("alert").filter(has_text=text)
    return banner.locator(".govuk-notification-banner__heading")


def take_from_queue(page, case_reference):
    nav(page).get_by_role("link", name="Moderation queue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Moderation queue")
    page.get_by_role("button", name=f"Take audit of {case_reference}", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Moderate the audit of case {case_reference}"
    )


def moderation_form(page):
    return page.locator("#moderation-form")


def moderation_round(page, number):
    """The summary card of one moderation round on the audit page."""
    return page.locator(".govuk-summary-card").filter(
        has=page.get_by_role("heading", name=re.compile(rf"^Round {number}:"))
    )


def summary_value(card, key):
    """The value beside ``key`` in a summary list of ``card``."""
    row = card.locator(".govuk-summary-list__row").filter(
        has=card.page.get_by_role("term").filter(has_text=re.compile(rf"^{re.escape(key)}$"))
    )
    return row.get_by_role("definition")


def drafted_audit(auditor, case_reference, **kwargs):
    """A complete draft, ready to submit, in an activity that moderates every audit."""
    audit_date = timezone.localdate() - datetime.timedelta(days=7)
    return helpers.draft_audit(
        auditor=auditor,
        case_reference=case_reference,
        audit_date=audit_date,
        # Of the audit date's month: submit refuses an audit under another month's activity.
        activity=factories.AuditActivityFactory(
            moderation_rate=100, month=audit_date.replace(day=1)
        ),
        **kwargs,
    )


def submitted_audit(auditor, case_reference):
    """Submitted today (helpers.submitted_audit submits on a fixed date)."""
    audit = drafted_audit(auditor, case_reference)
    return audit_services.audit_submit(audit=audit, by=auditor)


# --- Journeys ---------------------------------------------------------------------------------


def test_moderator_lowers_the_grade_and_the_auditor_acknowledges_the_feedback(
    page, live_server, login, mailoutbox
):
    auditor = factories.auditor()
    moderator = factories.moderator()
    draft = drafted_audit(auditor, "CR-MOD-LOWER", overall=Grade.MEETS)
    due = draft.audit_date + datetime.timedelta(days=21)

    # The auditor submits the draft they prepared.
    login(page, live_server, auditor)
    page.get_by_role("region", name="My audits").get_by_role("link", name="CR-MOD-LOWER").click()
    page.get_by_role("link", name="Check your answers").click()  # from the audit's task list
    page.get_by_role("button", name="Submit audit").click()
    expect(status_message(page, "Audit submitted")).to_be_visible()
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    sign_out(page)

    # The moderator takes it, lowers the grade with a rationale and adds an action.
    login(page, live_server, moderator)
    take_from_queue(page, "CR-MOD-LOWER")
    form = moderation_form(page)
    expect(form.get_by_role("radio", name="Meets good", exact=True)).to_be_checked()
    form.get_by_role("radio", name="Does not meet good", exact=True).check()
    form.get_by_label("Rationale for a changed grade").fill(
        "The child has not been seen alone since the summer."
    )
    form.locator("#id_actions-0-description").fill("See the child alone within two weeks")
    form.locator("#id_actions-0-owner").fill("Social worker")
    fill_date(form, "id_actions-0-due_date", due)
    form.get_by_label("Feedback to the auditor").fill(
        "Look again at how often the child is seen alone."
    )
    page.get_by_role("button", name="Record moderation").click()

    expect(status_message(page, "Moderation recorded")).to_have_text(
        "Moderation recorded. The audit is completed."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Moderation queue")
    expect(page.get_by_role("button", name="Take audit of CR-MOD-LOWER")).to_have_count(0)
    audit = Audit.objects.get(pk=draft.pk)
    assert audit.status == Status.COMPLETED
    assert (audit.overall_grade, audit.moderated_grade) == (Grade.MEETS, Grade.DOES_NOT_MEET)
    assert audit.moderated_by == moderator
    added = audit.actions.get(source=AgreedAction.Source.MODERATOR)
    assert (added.description, added.owner, added.due_date) == (
        "See the child alone within two weeks",
        "Social worker",
        due,
    )
    decision = audit.moderations.get()
    assert (decision.round, decision.outcome, decision.acknowledged_at) == (
        1,
        Moderation.Outcome.LOWERED,
        None,
    )
    # The email is the worker's to send, once the moderation has committed. The app runs in a
    # thread of this process, so the locmem outbox is this one.
    assert mailoutbox == []
    assert run_worker() == 1
    assert [m.to for m in mailoutbox] == [[auditor.email]]
    assert mailoutbox[0].subject == "Your audit of case CR-MOD-LOWER has been moderated"
    assert "Outcome: Grade lowered." in mailoutbox[0].body
    assert f"/audits/{audit.pk}/" in mailoutbox[0].body
    sign_out(page)

    # The auditor sees the feedback waiting, reads it and acknowledges it.
    login(page, live_server, auditor)
    count = page.locator("#feedback-count")
    expect(count).to_have_text("1 moderation feedback item to acknowledge")
    expect(nav(page).get_by_role("link", name=re.compile(r"^Feedback for me"))).to_contain_text(
        "1 not yet acknowledged"
    )
    count.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Feedback for me")
    row = page.get_by_role("row").filter(has_text="CR-MOD-LOWER")
    expect(row).to_contain_text("Grade lowered: Does not meet good")
    expect(row).to_contain_text("Look again at how often the child is seen alone.")
    row.get_by_role("link", name="CR-MOD-LOWER").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Audit of case CR-MOD-LOWER")
    card = moderation_round(page, 1)
    expect(card.get_by_role("heading")).to_contain_text("Round 1: Grade lowered")
    expect(summary_value(card, "Auditor's grade")).to_have_text("Meets good")
    expect(summary_value(card, "Moderated grade")).to_have_text("Does not meet good")
    expect(summary_value(card, "Rationale")).to_have_text(
        "The child has not been seen alone since the summer."
    )
    expect(summary_value(card, "Feedback")).to_have_text(
        "Look again at how often the child is seen alone."
    )
    expect(page.get_by_role("region", name="Agreed actions")).to_contain_text(
        "See the child alone within two weeks"
    )
    card.get_by_role("button", name="Acknowledge this feedback").click()

    expect(status_message(page, "Feedback acknowledged.")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/audits/{audit.pk}/$"))
    expect(moderation_round(page, 1)).to_contain_text("You acknowledged this on")
    expect(page.get_by_role("button", name="Acknowledge this feedback")).to_have_count(0)
    page.get_by_role("region", name="Service information").get_by_role(
        "link", name="Case file audits"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    expect(page.locator("#feedback-count")).to_have_count(0)
    expect(nav(page).get_by_role("link", name="Feedback for me", exact=True)).to_be_visible()
    decision.refresh_from_db()
    assert decision.acknowledged_at is not None


def test_moderator_sends_back_the_auditor_amends_and_resubmits_and_the_moderator_agrees(
    page, live_server, login
):
    auditor = factories.auditor()
    moderator = factories.moderator()
    audit = submitted_audit(auditor, "CR-MOD-RETURN")

    # The moderator sends it back with what to change.
    login(page, live_server, moderator)
    take_from_queue(page, "CR-MOD-RETURN")
    moderation_form(page).get_by_label("Feedback to the auditor").fill(
        "Domain 3 does not say who made the decision to close the plan."
    )
    page.get_by_role("button", name="Send back to the auditor").click()
    expect(status_message(page, "Sent back to the auditor.")).to_be_visible()
    expect(page.get_by_role("button", name="Take audit of CR-MOD-RETURN")).to_have_count(0)
    audit.refresh_from_db()
    assert audit.status == Status.RETURNED
    sign_out(page)

    # The auditor finds it returned, amends domain 3 and resubmits.
    login(page, live_server, auditor)
    my_work = page.get_by_role("region", name="My audits")
    returned = my_work.locator(".govuk-summary-list__row").filter(has_text="Returned to you")
    expect(returned.locator("dd")).to_have_text("1")
    to_finish = my_work.locator("#my-drafts").get_by_role("row").filter(has_text="CR-MOD-RETURN")
    expect(to_finish).to_contain_text("Returned to you")
    to_finish.get_by_role("link", name="CR-MOD-RETURN").click()
    # The audit's task list, under its status, with what the moderator asked.
    expect(page.locator(".govuk-caption-l")).to_have_text("Returned to auditor")
    expect(page.locator("#send-back-notice")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^3\. ")).click()
    page.locator("#domain-3").get_by_label("Evaluation").fill(
        "The team manager decided to close the plan; the rationale is on file."
    )
    page.get_by_role("button", name="Save and return to the task list").click()
    page.get_by_role("link", name="Check your answers").click()
    page.get_by_role("button", name="Submit audit").click()
    expect(status_message(page, "Audit submitted")).to_be_visible()
    audit.refresh_from_db()
    assert audit.status == Status.SUBMITTED
    assert audit.domain_grades.get(domain__number=3).text == (
        "The team manager decided to close the plan; the rationale is on file."
    )
    sign_out(page)

    # Back in the queue: the moderator takes it again and agrees.
    login(page, live_server, moderator)
    take_from_queue(page, "CR-MOD-RETURN")
    expect(page.get_by_role("heading", name="Earlier rounds")).to_be_visible()
    expect(
        moderation_form(page).get_by_role("radio", name="Meets good", exact=True)
    ).to_be_checked()
    page.get_by_role("button", name="Record moderation").click()
    expect(status_message(page, "Moderation recorded")).to_be_visible()

    audit.refresh_from_db()
    assert (audit.status, audit.moderated_grade) == (Status.COMPLETED, Grade.MEETS)
    assert list(audit.moderations.values_list("round", "outcome")) == [
        (1, Moderation.Outcome.RETURNED),
        (2, Moderation.Outcome.AGREED),
    ]

    page.goto(f"/audits/{audit.pk}/")
    expect(page.get_by_role("heading", name=re.compile(r"^Round \d+:"))).to_have_count(2)
    expect(moderation_round(page, 1).get_by_role("heading")).to_contain_text(
        "Round 1: Sent back to the auditor"
    )
    expect(summary_value(moderation_round(page, 1), "What to change")).to_have_text(
        "Domain 3 does not say who made the decision to close the plan."
    )
    expect(moderation_round(page, 2).get_by_role("heading")).to_contain_text(
        "Round 2: Agreed with the auditor"
    )
    history = page.get_by_role("region", name="History")
    for move in (
        "Submitted → In moderation",
        "In moderation → Returned to auditor",
        "Returned to auditor → Submitted",
        "In moderation → Completed",
    ):
        expect(history).to_contain_text(move)
