"""Steps the autosave and conflict journeys share (issue 12): open an edit page, watch its
autosave status line, wait for an autosave's answer, check a region with axe.

Waits are driven by what the page says or by the autosave request's answer, never by a fixed
sleep: autosave fires 2.5 s after the last keystroke (static/js/autosave.js).
"""

import contextlib
import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

SAVED_AT = re.compile(r"^Saved at \d\d:\d\d$")
OFFLINE = "Not saved — reconnecting…"


def open_page(page, url):
    """Go to an edit page and wait until its scripts have run (they are at the end of the
    body: typing before then would go unheard by autosave)."""
    page.goto(url)
    page.wait_for_load_state("load")


def new_tab(page):
    """A second page of the same browser context (same cookies: another tab), whose script
    errors fail the test like the first page's."""
    tab = page.context.new_page()
    errors = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.js_errors = errors
    return tab


def autosave_status(page):
    return page.locator("[data-autosave-status]")


def flash(page, text):
    """A message the server put at the top of the page (not autosave's own status line)."""
    banner = page.locator(".govuk-notification-banner").filter(has_text=text)
    return banner.locator(".govuk-notification-banner__heading")


def is_autosave(response) -> bool:
    return response.request.method == "POST" and response.url.endswith("/autosave/")


@contextlib.contextmanager
def autosaved(page, status=200):
    """Wait, around the typing in the ``with`` block, for the autosave it sets off and check
    the server's answer; the status line is then checked for a 200."""
    with page.expect_response(is_autosave) as answer:
        yield answer
    assert answer.value.status == status, answer.value.text()
    if status == 200:
        expect(autosave_status(page)).to_have_text(SAVED_AT)


def fill_date(scope, field_id, date):
    """Type ``date`` into a GOV.UK date input (audits.dates): its day, month and year boxes,
    ``#<field_id>_0``, ``_1`` and ``_2``, as a person would."""
    for box, value in enumerate((date.day, date.month, date.year)):
        scope.locator(f"#{field_id}_{box}").fill(str(value))


def expect_date(scope, field_id, date):
    for box, value in enumerate((date.day, date.month, date.year)):
        expect(scope.locator(f"#{field_id}_{box}")).to_have_value(str(value))


def domain(page, number):
    """Domain ``number``'s questions, on its section page."""
    return page.locator(f"#domain-{number}")


def evaluation(page, number):
    return domain(page, number).get_by_label("Evaluation")


def csrf_cookie(page) -> str:
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "csrftoken"]
    return cookie["value"]


def assert_accessible(page, context=None):
    """axe-core (shipped inside axe-playwright-python) finds nothing wrong in ``context``."""
    results = Axe().run(page, context=context)
    assert results.violations_count == 0, results.generate_report()
