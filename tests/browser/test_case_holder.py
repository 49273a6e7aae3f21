"""Issue 14, item 6, in headless Chromium against the live server: an auditor submits the audit
of a case; the case holder is emailed (by the worker, after the submission committed), signs in,
finds the audit under "My cases' audits", reads it and answers it, disagreeing with one agreed
action; the auditor then sees the answer on the audit's page. Everyone signs in through the
real login form; every step is a click or a keystroke.
"""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from audits.models import ActionConfirmation, CaseHolderResponse, Status
from tests import factories, helpers
from tests.audits.holders.conftest import case, case_holder_user, person
from tests.worker import run_worker

# serialized_rollback: see test_audit_journey.py (the flush would wipe the migrated data).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

REFERENCE = "CR-HOLD-61"
RESPONSE = "The chronology was brought up to date after the audit; I agree with the findings."
NOTE = "The family asked for visits after school, so the dates need to move."


def nav(page):
    return page.get_by_role("navigation", name="Main menu")


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def no_wcag_violations(page):
    results = Axe().run(
        page,
        options={
            "runOnly": {
                "type": "tag",
                "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
            }
        },
    )
    assert results.response["violations"] == [], results.generate_report()


def test_the_case_holder_reads_and_answers_the_audit_and_the_auditor_sees_it(
    page, live_server, login, mailoutbox
):
    team = factories.TeamFactory(name="Children in need team East", slug="cin-east")
    holder_user = case_holder_user(
        first_name="Nadia", last_name="Brennan", email="nadia.brennan@council.test"
    )
    case(REFERENCE, holder=person("Nadia Brennan", user=holder_user, team=team), team=team)
    auditor = factories.auditor(first_name="Priya", last_name="Shah")
    audit_date = timezone.localdate() - datetime.timedelta(days=7)
    draft = helpers.draft_audit(
        auditor=auditor,
        case_reference=REFERENCE,
        audit_date=audit_date,
        activity=factories.AuditActivityFactory(month=audit_date.replace(day=1)),
    )

    # The auditor submits.
    login(page, live_server, auditor)
    page.goto(f"/audits/{draft.pk}/check/")
    page.get_by_role("button", name="Submit audit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Audit of case {REFERENCE}")
    draft.refresh_from_db()
    assert draft.status != Status.DRAFT
    expect(page.locator("#holder-response")).to_contain_text(
        "The case holder has not responded yet."
    )
    sign_out(page)

    # The worker tells the case holder, with a link to the audit.
    assert mailoutbox == []
    run_worker()
    (email,) = mailoutbox
    assert email.to == ["nadia.brennan@council.test"]
    assert f"/audits/{draft.pk}/" in email.body

    # The case holder finds the audit of their case, reads it and answers it.
    login(page, live_server, holder_user)
    expect(page.locator("#holder-waiting")).to_have_text(
        "1 audit of your cases is waiting for your response."
    )
    nav(page).get_by_role("link", name="My cases' audits").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My cases' audits")
    no_wcag_violations(page)
    page.get_by_role("link", name=REFERENCE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Audit of case {REFERENCE}")
    expect(page.get_by_text("Update the chronology").first).to_be_visible()
    # Read-only: nothing to change, nothing to moderate.
    expect(page.get_by_role("link", name="Continue editing")).to_have_count(0)
    page.get_by_role("link", name="Record your response").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your response to the audit")
    no_wcag_violations(page)

    # Saying no without a reason is put right first.
    page.get_by_label("Your response to the audit").fill(RESPONSE)
    page.get_by_role("radio", name="No, I do not agree").check()
    page.get_by_role("button", name="Save your response").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Say why you do not agree with action 1.")
    no_wcag_violations(page)
    expect(page.get_by_label("Your response to the audit")).to_have_value(RESPONSE)
    summary.get_by_role("link", name="Say why you do not agree with action 1.").click()
    page.get_by_label("Note on action 1 (optional if you agree)").fill(NOTE)
    page.get_by_role("button", name="Save your response").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Audit of case {REFERENCE}")
    expect(
        page.get_by_role("alert").filter(has_text="Your response has been saved")
    ).to_be_visible()
    response = CaseHolderResponse.objects.get(audit=draft)
    assert response.text == RESPONSE and response.responded_by == holder_user
    (confirmation,) = response.confirmations.all()
    assert (confirmation.answer, confirmation.note) == (ActionConfirmation.Answer.NOT_AGREED, NOTE)
    sign_out(page)

    # The auditor sees the answer on the audit's page.
    login(page, live_server, auditor)
    page.goto(f"/audits/{draft.pk}/")
    section = page.get_by_role("region", name="Case holder's response")
    expect(section.locator("#holder-response-text")).to_have_text(RESPONSE)
    expect(section.get_by_role("cell", name="Not agreed")).to_be_visible()
    expect(section.get_by_role("cell", name=NOTE)).to_be_visible()
    expect(section).to_contain_text("From Nadia Brennan")
    expect(section.get_by_role("link", name="Record your response")).to_have_count(0)
    no_wcag_violations(page)
