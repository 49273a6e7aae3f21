"""Autosave and the unsaved-changes guard (issue 12, items 1 and 4), in headless Chromium.

What is typed reaches the server by itself and survives a reload, on the audit form, a new
audit, the report narrative and the moderation form; offline the page says so and saves when
the server answers again; leaving with unsaved edits asks first; publishing keeps what was typed.
The network is cut with Playwright's routing (the server stays real).
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audits import periods
from audits.grades import Grade
from audits.models import Audit
from moderation.models import ModerationCase
from reports.models import Report
from reports.services import report_create
from tests import factories, helpers

from .steps import (
    OFFLINE,
    SAVED_AT,
    assert_accessible,
    autosave_status,
    autosaved,
    evaluation,
    fill_date,
    flash,
    open_page,
)

# serialized_rollback: see test_audit_journey.py (the flush would wipe the migrated data).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AUTOSAVE_URLS = "**/autosave/"
PUBLISH_QUESTION = "Publish this report? Its figures, narrative and PDF will be fixed for good."


def signed_in_on_draft(page, live_server, login, case_reference, section):
    """The auditor of a new draft, on one of its section pages."""
    auditor = factories.auditor()
    draft = helpers.draft_audit(auditor=auditor, case_reference=case_reference)
    login(page, live_server, auditor)
    open_page(page, f"/audits/{draft.pk}/edit/{section}/")
    return draft


def domain_text(audit, number) -> str:
    return audit.domain_grades.get(domain__number=number).text


def test_typing_in_a_draft_is_saved_by_itself_and_survives_a_reload(page, live_server, login):
    draft = signed_in_on_draft(page, live_server, login, "CR-AUTO-1", "domain-5")
    typed = "Written between two visits; never saved by hand."

    with autosaved(page):
        evaluation(page, 5).fill(typed)
    assert domain_text(draft, 5) == typed
    assert_accessible(page, "[data-autosave-status]")

    page.reload()
    expect(evaluation(page, 5)).to_have_value(typed)
    expect(autosave_status(page)).to_be_empty()


def test_a_new_audit_autosaves_into_one_draft_and_an_action_row_gets_its_id(
    page, live_server, login
):
    auditor = factories.auditor()
    due = timezone.localdate() + datetime.timedelta(days=10)
    login(page, live_server, auditor)
    open_page(page, "/audits/new/")

    with autosaved(page):
        page.get_by_label("Case reference").fill("CR-AUTO-NEW")
    audit = Audit.objects.get(case_reference="CR-AUTO-NEW")
    expect(page).to_have_url(re.compile(rf"/audits/{audit.pk}/edit/case/$"))

    # The next autosave goes to the draft it started.
    with autosaved(page):
        page.get_by_label("Case reference").fill("CR-AUTO-NEW-2")
    assert Audit.objects.filter(auditor=auditor).count() == 1
    audit.refresh_from_db()
    assert audit.case_reference == "CR-AUTO-NEW-2"
    page.reload()
    expect(page.get_by_label("Case reference")).to_have_value("CR-AUTO-NEW-2")

    # On the agreed actions page a new row learns its id, and the next autosave changes that
    # action, not a new one.
    open_page(page, f"/audits/{audit.pk}/edit/actions/")
    with autosaved(page):
        page.locator("#id_actions-0-description").fill("Book a joint visit")
        fill_date(page, "id_actions-0-due_date", due)
    (action,) = audit.actions.all()
    expect(page.locator("#id_actions-0-id")).to_have_value(str(action.pk))
    with autosaved(page):
        page.locator("#id_actions-0-owner").fill("Team manager")
    assert list(audit.actions.values_list("pk", "description", "owner", "due_date")) == [
        (action.pk, "Book a joint visit", "Team manager", due)
    ]
    page.reload()
    expect(page.locator("#id_actions-0-owner")).to_have_value("Team manager")


def test_offline_the_page_says_it_is_not_saved_and_saves_by_itself_once_back(
    page, live_server, login
):
    draft = signed_in_on_draft(page, live_server, login, "CR-AUTO-OFF", "domain-6")
    page.route(AUTOSAVE_URLS, lambda route: route.abort("internetdisconnected"))

    evaluation(page, 6).fill("Typed on the train, out of signal.")
    expect(autosave_status(page)).to_have_text(OFFLINE)
    assert domain_text(draft, 6) == "Evaluation of domain 6."
    assert_accessible(page, "[data-autosave-status]")

    with page.expect_response(lambda r: r.url.endswith("/autosave/")) as answer:
        page.unroute(AUTOSAVE_URLS)
    assert answer.value.ok
    expect(autosave_status(page)).to_have_text(SAVED_AT)
    assert domain_text(draft, 6) == "Typed on the train, out of signal."


def test_leaving_with_unsaved_edits_asks_first_and_once_autosaved_does_not(
    page, live_server, login
):
    draft = signed_in_on_draft(page, live_server, login, "CR-AUTO-LEAVE", "domain-7")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    my_audits = page.get_by_role("navigation", name="Menu").get_by_role("link", name="My audits")

    evaluation(page, 7).fill("Half a thought")
    my_audits.click()
    # Staying: the question was asked, the page and its text are still here.
    expect(autosave_status(page)).to_have_text(SAVED_AT)  # leaving saved it meanwhile
    assert asked == ["beforeunload"]
    expect(page).to_have_url(re.compile(rf"/audits/{draft.pk}/edit/domain-7/$"))
    expect(evaluation(page, 7)).to_have_value("Half a thought")
    assert domain_text(draft, 7) == "Half a thought"

    my_audits.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My audits")
    assert asked == ["beforeunload"]


def test_the_report_narrative_autosaves_and_survives_a_reload(page, live_server, login):
    qa_lead = factories.qa_lead()
    report = report_create(by=qa_lead, period=periods.quarter(2026, 2))
    login(page, live_server, qa_lead)
    open_page(page, report.get_absolute_url())

    with autosaved(page):
        page.get_by_label("Findings", exact=True).fill("Plans drift after the first review.")
    report.refresh_from_db()
    assert report.findings == "Plans drift after the first review."

    page.reload()  # the report above the form shows the saved findings too
    expect(page.get_by_role("textbox", name="Findings")).to_have_value(
        "Plans drift after the first review."
    )


def test_the_moderation_form_autosaves_for_its_holder_and_survives_a_reload(
    page, live_server, login
):
    moderator = factories.moderator()
    audit = helpers.taken_audit(moderator=moderator, overall=Grade.MEETS)
    login(page, live_server, moderator)
    open_page(page, f"/moderation/audits/{audit.pk}/")
    form = page.locator("#moderation-form")

    with autosaved(page):
        form.get_by_role("radio", name="Exceeds good", exact=True).check()
        form.get_by_label("Rationale for a changed grade").fill("Direct work is outstanding.")
        form.get_by_label("Feedback to the auditor").fill("Share this with the team.")
    draft = ModerationCase.objects.get(audit=audit).draft
    assert (draft["grade"], draft["rationale"], draft["feedback"]) == (
        Grade.EXCEEDS,
        "Direct work is outstanding.",
        "Share this with the team.",
    )
    assert_accessible(page, "#moderation-form")

    page.reload()
    expect(form.get_by_role("radio", name="Exceeds good", exact=True)).to_be_checked()
    expect(form.get_by_label("Rationale for a changed grade")).to_have_value(
        "Direct work is outstanding."
    )
    expect(form.get_by_label("Feedback to the auditor")).to_have_value("Share this with the team.")


class Network:
    """Holds the page's autosave requests back while ``holding``; lets them through after."""

    def __init__(self, page):
        self.page, self.held, self.holding = page, [], False
        page.route(AUTOSAVE_URLS, self.on_request)

    def on_request(self, route):
        if self.holding:
            self.held.append(route)
        else:
            route.continue_()

    def hold_the_autosave_of(self, field, text):
        """Type ``text`` into ``field`` and keep the autosave it sets off on its way."""
        self.holding = True
        with self.page.expect_request(lambda r: r.url.endswith("/autosave/")):
            self.page.get_by_label(field, exact=True).fill(text)
        expect(autosave_status(self.page)).to_have_text("Saving…")
        while not self.held:  # the route handler runs while Playwright waits
            self.page.wait_for_timeout(20)

    def release(self):
        self.holding = False
        while self.held:
            self.held.pop().continue_()


def test_publishing_while_an_autosave_is_on_its_way_asks_once_and_publishes_what_was_typed(
    page, live_server, login
):
    qa_lead = factories.qa_lead()
    report = report_create(by=qa_lead, period=periods.quarter(2026, 2))
    login(page, live_server, qa_lead)
    open_page(page, report.get_absolute_url())
    network = Network(page)
    questions = []
    answer = {"publish": False}

    def on_dialog(dialog):
        questions.append(dialog.message)
        dialog.accept() if answer["publish"] else dialog.dismiss()

    page.on("dialog", on_dialog)

    # Cancelling the question while an autosave is on its way: nothing is published, the
    # question is not asked again when the autosave answers, and autosave goes on.
    network.hold_the_autosave_of("Summary", "Saved by autosave.")
    page.get_by_label("Findings", exact=True).fill("Typed while it was saving.")
    page.get_by_role("button", name="Publish report").click()
    assert questions == [PUBLISH_QUESTION]
    with autosaved(page):
        network.release()
    with autosaved(page):
        pass  # what was typed while it was saving saves next
    assert questions == [PUBLISH_QUESTION]
    report.refresh_from_db()
    assert (report.state, report.summary, report.findings) == (
        Report.State.DRAFT,
        "Saved by autosave.",
        "Typed while it was saving.",
    )

    # Publishing while an autosave is on its way: asked once, and what is published is all that
    # was typed, the autosaved part and the rest.
    network.hold_the_autosave_of("Recommendations", "Review every plan at three months.")
    page.get_by_label("Title", exact=True).fill("Board paper Q2")
    answer["publish"] = True
    page.get_by_role("button", name="Publish report").click()
    network.release()
    expect(flash(page, "Report published")).to_be_visible()
    assert questions == [PUBLISH_QUESTION] * 2
    report.refresh_from_db()
    assert (report.state, report.title, report.recommendations, report.findings) == (
        Report.State.PUBLISHED,
        "Board paper Q2",
        "Review every plan at three months.",
        "Typed while it was saving.",
    )
