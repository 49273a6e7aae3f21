"""Two tabs of one browser on one draft (issue 12, items 2 and 4), in headless Chromium.

The second tab's save is refused, says who saved since and when, keeps what it typed and lets
the user compare and choose field by field; no action the first tab added disappears. A sign-in
in another tab (which gives the browser a new CSRF token) does not make the first tab's saves
fail.
"""

import datetime

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
    flash,
    new_tab,
    open_page,
)

# serialized_rollback: see test_audit_journey.py (the flush would wipe the migrated data).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

A_DOMAIN_2 = "Tab A: the plan now names the school nurse."
B_DOMAIN_1 = "Tab B: risks were recognised at the first visit."


def texts(audit) -> dict[int, str]:
    return {g.domain.number: g.text for g in audit.domain_grades.select_related("domain")}


def test_the_second_tab_is_told_who_saved_keeps_its_text_and_chooses_field_by_field(
    page, live_server, login
):
    auditor = factories.auditor(first_name="Ada", last_name="Quinn")
    draft = helpers.draft_audit(auditor=auditor, case_reference="CR-TABS-1")
    (first_action,) = draft.actions.all()
    edit_url = f"/audits/{draft.pk}/edit/"
    login(page, live_server, auditor)
    tab_b = new_tab(page)
    open_page(tab_b, edit_url)  # opened before tab A saves
    tab_a = page
    open_page(tab_a, edit_url)

    # Tab A changes domain 2, adds an action and saves.
    evaluation(tab_a, 2).fill(A_DOMAIN_2)
    tab_a.locator("#id_actions-1-description").fill("Tab A: invite the school nurse")
    tab_a.locator("#id_actions-1-owner").fill("Team manager")
    due = timezone.localdate() + datetime.timedelta(days=14)
    fill_date(tab_a, "id_actions-1-due_date", due)
    tab_a.get_by_role("button", name="Save draft").click()
    expect(flash(tab_a, "Draft saved.")).to_be_visible()
    draft.refresh_from_db()
    saved_by_a = draft.revision
    when = timezone.localtime(draft.revised_at)
    who_and_when = (
        f"This was changed at {when:%H:%M} on {when:%-d %B %Y} by you, in another tab or window"
    )
    added_by_a = draft.actions.exclude(pk=first_action.pk).get()

    # Tab B, opened before, types into domain 1: its autosave is refused and says why.
    with autosaved(tab_b, status=409):
        evaluation(tab_b, 1).fill(B_DOMAIN_1)
    expect(autosave_status(tab_b)).to_contain_text(who_and_when)
    draft.refresh_from_db()
    assert draft.revision == saved_by_a
    assert texts(draft)[1] == "Evaluation of domain 1."  # nothing of tab B's was written

    # Compare and choose: the page comes back with both versions and tab B's text in place.
    tab_b.get_by_role("button", name="Compare and choose").click()
    panel = tab_b.get_by_role("alert", name="This was saved from another page since you opened it")
    expect(panel).to_contain_text(who_and_when)
    expect(evaluation(tab_b, 1)).to_have_value(B_DOMAIN_1)
    expect(evaluation(tab_b, 2)).to_have_value("Evaluation of domain 2.")
    differences = panel.locator(".conflict-difference")
    expect(differences).to_have_count(2)
    expect(differences.nth(0)).to_contain_text("Domain 1: Evaluation")
    expect(differences.nth(0)).to_contain_text(f"Your version: {B_DOMAIN_1}")
    expect(differences.nth(1)).to_contain_text("Domain 2: Evaluation")
    expect(differences.nth(1)).to_contain_text(f"Saved version: {A_DOMAIN_2}")
    expect(panel.get_by_role("listitem")).to_have_text(
        [f"Tab A: invite the school nurse — Team manager, by {due:%-d %B %Y}"]
    )
    expect(autosave_status(tab_b)).to_have_text(
        "Autosave is paused: choose what to keep, then save."
    )
    assert_accessible(tab_b, "#conflict")

    # Tab B takes tab A's domain 2 and keeps its own domain 1.
    panel.get_by_role("button", name="Use the saved version of Domain 2: Evaluation").click()
    expect(evaluation(tab_b, 2)).to_have_value(A_DOMAIN_2)
    expect(panel.get_by_role("button", name="Saved version used")).to_be_disabled()
    tab_b.get_by_role("button", name="Save draft").click()
    expect(flash(tab_b, "Draft saved.")).to_be_visible()

    draft = Audit.objects.get(pk=draft.pk)
    assert draft.revision == saved_by_a + 1
    assert texts(draft) == {
        **{n: f"Evaluation of domain {n}." for n in range(1, 13)},
        1: B_DOMAIN_1,
        2: A_DOMAIN_2,
    }
    assert sorted(draft.actions.values_list("pk", "description")) == sorted(
        [
            (first_action.pk, first_action.description),
            (added_by_a.pk, "Tab A: invite the school nurse"),
        ]
    )
    # Tab B's page now shows tab A's action as its own row.
    expect(tab_b.locator("#id_actions-1-description")).to_have_value(
        "Tab A: invite the school nurse"
    )
    assert tab_b.js_errors == []


def test_a_sign_in_in_another_tab_does_not_make_the_first_tabs_saves_fail(page, live_server, login):
    auditor = factories.auditor()
    draft = helpers.draft_audit(auditor=auditor, case_reference="CR-TABS-2")
    login(page, live_server, auditor)
    open_page(page, f"/audits/{draft.pk}/edit/")

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
    evaluation(page, 4).fill("Saved with the button after a second sign-in.")
    page.get_by_role("button", name="Save draft").click()
    expect(flash(page, "Draft saved.")).to_be_visible()
    draft.refresh_from_db()
    assert texts(draft)[4] == "Saved with the button after a second sign-in."
    assert other.js_errors == []
