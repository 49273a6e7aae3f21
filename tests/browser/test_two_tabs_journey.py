"""Two tabs of one browser on one draft (issue 12, items 2 and 4), in headless Chromium.

On one section page, the second tab's save is refused, says who saved since and when, keeps what
it typed and lets the user compare and choose field by field; no action the first tab added
disappears. A tab on another section of the same draft saves as usual, leaving the first tab's
change in place. A sign-in
in another tab (which gives the browser a new CSRF token) does not make the first tab's saves
fail.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audits.models import Audit
from tests import factories, helpers

from .steps import (
    assert_accessible,
    autosave_status,
    autosaved,
    csrf_cookie,
    evaluation,
    fill_date,
    new_tab,
    open_page,
)

# serialized_rollback: see test_audit_journey.py (the flush would wipe the migrated data).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

A_DESCRIPTION = "Tab A: update the chronology and share it with the school"
B_OWNER = "Tab B: the social worker"
C_DOMAIN_1 = "Tab C: risks were recognised at the first visit."


def texts(audit) -> dict[int, str]:
    return {g.domain.number: g.text for g in audit.domain_grades.select_related("domain")}


def test_the_second_tab_on_a_section_is_told_who_saved_keeps_its_text_and_chooses(
    page, live_server, login
):
    auditor = factories.auditor(first_name="Ada", last_name="Quinn")
    draft = helpers.draft_audit(auditor=auditor, case_reference="CR-TABS-1")
    (first_action,) = draft.actions.all()
    actions_url = f"/audits/{draft.pk}/edit/actions/"
    login(page, live_server, auditor)
    tab_b = new_tab(page)
    open_page(tab_b, actions_url)  # opened before tab A saves
    tab_c = new_tab(page)
    open_page(tab_c, f"/audits/{draft.pk}/edit/domain-1/")  # another section, also before
    tab_a = page
    open_page(tab_a, actions_url)

    # Tab A changes the first action, adds another and saves.
    tab_a.locator("#id_actions-0-description").fill(A_DESCRIPTION)
    tab_a.locator("#id_actions-1-description").fill("Tab A: invite the school nurse")
    tab_a.locator("#id_actions-1-owner").fill("Team manager")
    due = timezone.localdate() + datetime.timedelta(days=14)
    fill_date(tab_a, "id_actions-1-due_date", due)
    tab_a.get_by_role("button", name="Save and return to the task list").click()
    expect(tab_a).to_have_url(re.compile(rf"/audits/{draft.pk}/edit/$"))
    draft.refresh_from_db()
    saved_by_a = draft.revision
    added_by_a = draft.actions.exclude(pk=first_action.pk).get()

    # Tab C, on domain 1, opened before too: tab A changed nothing of its section, so its
    # autosave goes through and tab A's change stays.
    with autosaved(tab_c):
        evaluation(tab_c, 1).fill(C_DOMAIN_1)
    draft.refresh_from_db()
    assert draft.revision == saved_by_a + 1
    assert texts(draft)[1] == C_DOMAIN_1
    assert draft.actions.get(pk=first_action.pk).description == A_DESCRIPTION
    when = timezone.localtime(draft.revised_at)  # the last save, tab C's
    who_and_when = (
        f"This was changed at {when:%H:%M} on {when:%-d %B %Y} by you, in another tab or window"
    )

    # Tab B, on the actions page tab A changed, types the first action's owner: its autosave
    # is refused and says why.
    with autosaved(tab_b, status=409):
        tab_b.locator("#id_actions-0-owner").fill(B_OWNER)
    expect(autosave_status(tab_b)).to_contain_text(who_and_when)
    assert draft.actions.get(pk=first_action.pk).owner == first_action.owner

    # Compare and choose: the page comes back with both versions and tab B's text in place.
    tab_b.get_by_role("button", name="Compare and choose").click()
    panel = tab_b.get_by_role("alert", name="This was saved from another page since you opened it")
    expect(panel).to_contain_text(who_and_when)
    expect(tab_b.locator("#id_actions-0-owner")).to_have_value(B_OWNER)
    expect(tab_b.locator("#id_actions-0-description")).to_have_value(first_action.description)
    differences = panel.locator(".conflict-difference")
    expect(differences).to_have_count(2)
    expect(differences.nth(0)).to_contain_text("Action 1: Action")
    expect(differences.nth(0)).to_contain_text(f"Saved version: {A_DESCRIPTION}")
    expect(differences.nth(1)).to_contain_text("Action 1: By whom")
    expect(differences.nth(1)).to_contain_text(f"Your version: {B_OWNER}")
    expect(panel.get_by_role("listitem")).to_have_text(
        [f"Tab A: invite the school nurse — Team manager, by {due:%-d %B %Y}"]
    )
    expect(autosave_status(tab_b)).to_have_text(
        "Autosave is paused: choose what to keep, then save."
    )
    assert_accessible(tab_b, "#conflict")

    # Tab B takes tab A's description and keeps its own owner.
    panel.get_by_role("button", name="Use the saved version of Action 1: Action").click()
    expect(tab_b.locator("#id_actions-0-description")).to_have_value(A_DESCRIPTION)
    expect(panel.get_by_role("button", name="Saved version used")).to_be_disabled()
    tab_b.get_by_role("button", name="Save and return to the task list").click()
    expect(tab_b).to_have_url(re.compile(rf"/audits/{draft.pk}/edit/$"))

    draft = Audit.objects.get(pk=draft.pk)
    assert draft.revision == saved_by_a + 2
    assert texts(draft)[1] == C_DOMAIN_1
    assert sorted(draft.actions.values_list("pk", "description", "owner")) == sorted(
        [
            (first_action.pk, A_DESCRIPTION, B_OWNER),
            (added_by_a.pk, "Tab A: invite the school nurse", "Team manager"),
        ]
    )
    # The actions page now shows tab A's action as a row of its own.
    open_page(tab_b, actions_url)
    expect(tab_b.locator("#id_actions-1-description")).to_have_value(
        "Tab A: invite the school nurse"
    )
    assert tab_b.js_errors == [] and tab_c.js_errors == []


def test_a_sign_in_in_another_tab_does_not_make_the_first_tabs_saves_fail(page, live_server, login):
    auditor = factories.auditor()
    draft = helpers.draft_audit(auditor=auditor, case_reference="CR-TABS-2")
    login(page, live_server, auditor)
    open_page(page, f"/audits/{draft.pk}/edit/domain-3/")

    # Signing in again in a second tab rotates the CSRF token the first tab was served with.
    other = new_tab(page)
    before = csrf_cookie(page)
    login(other, live_server, auditor)
    assert csrf_cookie(page) != before

    # The first tab autosaves (its header carries the cookie's current token)...
    with autosaved(page):
        evaluation(page, 3).fill("Saved by autosave after the other tab signed in.")
    draft.refresh_from_db()
    assert texts(draft)[3] == "Saved by autosave after the other tab signed in."

    # ...and, after another sign-in, saves with its button (the form posts the cookie's token).
    before = csrf_cookie(page)
    login(other, live_server, auditor)
    assert csrf_cookie(page) != before
    evaluation(page, 3).fill("Saved with the button after a second sign-in.")
    page.get_by_role("button", name="Save and return to the task list").click()
    expect(page).to_have_url(re.compile(rf"/audits/{draft.pk}/edit/$"))
    draft.refresh_from_db()
    assert texts(draft)[3] == "Saved with the button after a second sign-in."
    assert other.js_errors == []
