"""The footer's pages in Chromium (issue 13): axe-core finds nothing wrong on the help, contact,
privacy and accessibility statement pages, signed out and signed in; none scrolls sideways at
320 pixels wide; and the footer's links take a keyboard user to the statement."""

import pytest
from django.urls import reverse

from tests import factories

from .steps import assert_accessible

# serialized_rollback: see test_audit_journey.py (the flush would wipe the migrated data).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PAGES = ["pages:help", "pages:contact", "pages:privacy", "pages:accessibility"]
PAGE_WIDTH = "document.documentElement.scrollWidth"


def test_the_footer_pages_pass_axe_and_reflow_at_320_pixels(page, live_server, login):
    for signed_in in (False, True):
        if signed_in:
            login(page, live_server, factories.auditor())
        for name in PAGES:
            page.set_viewport_size({"width": 1280, "height": 900})
            page.goto(reverse(name))
            assert_accessible(page)
            page.set_viewport_size({"width": 320, "height": 640})
            assert page.evaluate(PAGE_WIDTH) <= 320, (name, signed_in)
            assert_accessible(page)


def test_a_keyboard_user_reaches_the_statement_from_the_footer(page):
    page.goto(reverse("login"))
    link = page.locator("footer").get_by_role("link", name="Accessibility statement")
    for _ in range(40):
        page.keyboard.press("Tab")
        if link.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("Tabbing never reached the footer's accessibility statement link")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('pages:accessibility')}")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Accessibility statement for case file audits"
    )
