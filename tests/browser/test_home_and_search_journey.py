"""The home page of someone with every role, and finding a case from the header, in headless
Chromium: axe-core finds nothing wrong, nothing scrolls sideways at 320 px, and the search box
takes the keyboard to the case.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audits import roles
from audits.grades import Grade
from reports.targets.services import target_create
from tests import factories, helpers

from .steps import assert_accessible

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _no_sideways_scroll(page):
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls {overflow} px sideways"


@pytest.fixture
def everyone():
    user = factories.UserFactory(
        roles=list(roles.ALL_ROLES), first_name="Rosa", last_name="Lindqvist"
    )
    today = timezone.localdate()
    helpers.draft_audit(auditor=user, case_reference="CR-HOME-DRAFT", audit_date=today)
    helpers.submitted_audit(
        auditor=user,
        case_reference="CR-HOME-OLD",
        audit_date=today - datetime.timedelta(days=60),
        today=today,
    )
    moderator = factories.moderator(first_name="Omar", last_name="Haddad")
    helpers.moderated_audit(
        moderator=moderator,
        case_reference="CR-HOME-MOD",
        audit_date=today,
        today=today,
        grade=Grade.DOES_NOT_MEET,
    )
    helpers.submitted_audit(case_reference="CR-HOME-WAIT", audit_date=today, today=today)
    target_create(
        by=user,
        financial_year=today.year if today.month >= 4 else today.year - 1,
        name="Good or better",
        measure="good_or_better",
        direction="at_least",
        target_value="80",
    )
    return user


@pytest.mark.parametrize("width", [1280, 320])
def test_every_section_of_the_home_page_is_accessible(page, live_server, login, everyone, width):
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, everyone)

    for name in ("My audits", "Moderation", "Administration"):
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="This quarter at a glance")).to_be_visible()
    expect(
        page.get_by_role(
            "img", name=re.compile("^Bar chart of the overall grades before and after")
        )
    ).to_be_visible()
    my_work = page.get_by_role("region", name="My audits")
    drafts = my_work.locator(".govuk-summary-list__row").filter(has_text="Drafts")
    expect(drafts.locator("dd")).to_have_text("1")
    to_finish = my_work.locator("#my-drafts").get_by_role("row").filter(has_text="CR-HOME-DRAFT")
    expect(to_finish).to_contain_text("Draft")
    expect(to_finish.get_by_role("link", name="CR-HOME-DRAFT")).to_be_visible()
    assert_accessible(page)
    _no_sideways_scroll(page)


def test_a_case_is_found_from_the_header_with_the_keyboard(page, live_server, login, everyone):
    login(page, live_server, everyone)

    box = page.get_by_role("search", name="Find a case").get_by_label("Find a case by reference")
    box.focus()
    page.keyboard.type("cr-home")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Find a case")
    results = page.locator("#case-results")
    expect(results.get_by_role("rowheader")).to_have_count(4)
    expect(results).to_contain_text("Rosa Lindqvist")
    assert_accessible(page)

    page.get_by_role("search", name="Find a case").get_by_label("Find a case by reference").fill(
        "CR-HOME-MOD"
    )
    page.get_by_role("search", name="Find a case").get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case CR-HOME-MOD: audits over time")


def test_bad_input_is_explained_on_the_page(page, live_server, login, everyone):
    login(page, live_server, everyone)
    page.set_viewport_size({"width": 320, "height": 900})

    page.goto(f"{live_server.url}/find-a-case/?reference=CR+1")

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("A case reference has only letters, digits and hyphens")
    expect(summary).to_be_focused()
    assert page.title().startswith("Error: Find a case")
    assert_accessible(page)
    _no_sideways_scroll(page)
