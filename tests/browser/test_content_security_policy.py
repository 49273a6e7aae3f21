"""The Content Security Policy blocks nothing the app itself does (issue 12, item 5).

A policy violation does not raise a JavaScript error: the browser quietly skips the script or
style and says so on the console. So this walks the key pages in Chromium, uses their scripts
(adding an action row, looking up earlier audits of a case reference), and fails on any
securitypolicyviolation event or any console error or warning.
"""

import pytest
from django.urls import reverse

from audits import periods
from audits.models import Audit, Status
from reports.services import report_create
from reports.targets.services import target_create
from tests import factories, helpers

# serialized_rollback: see test_audit_journey.py (the flush would wipe the migrated data).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " blocked " + (event.blockedURI || "inline")
    + " at " + event.sourceFile + ":" + event.lineNumber);
});
"""


@pytest.fixture
def watched(page):
    """The page, and the list of what went wrong on it: policy violations and console errors."""
    problems = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            problems.append(f"console {message.type}: {message.text}")
            if message.type in ("error", "warning")
            else None
        ),
    )
    return page, problems


def _visit(page, problems, url):
    response = page.goto(url)
    assert response.status == 200, url
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    problems.extend(f"{url}: {v}" for v in page.evaluate("window.__violations"))


def _sign_in_as(page, login, live_server, user):
    page.context.clear_cookies()
    login(page, live_server, user)


def test_the_key_pages_and_their_scripts_break_no_rule_of_the_policy(watched, login, live_server):
    page, problems = watched
    auditor = factories.auditor()
    moderator = factories.moderator()
    qa_lead = factories.qa_lead()
    helpers.submitted_audit(auditor=auditor, case_reference="CR-73001")
    taken = helpers.taken_audit(moderator=moderator, case_reference="CR-73002")
    report = report_create(by=qa_lead, period=periods.quarter(2026, 2))
    # A target, so the targets table has its coloured RAG cells.
    target_create(
        by=qa_lead,
        financial_year=2026,
        name="Audits completed",
        measure="manual",
        direction="at_least",
        target_value="10",
        amber_tolerance=0,
    )

    _visit(page, problems, f"{live_server.url}/accounts/login/")

    _sign_in_as(page, login, live_server, auditor)
    _visit(page, problems, live_server.url + reverse("audits:new"))
    # Typing sets off an autosave (a fetch, under connect-src): wait for its answer, or it would
    # go when the page is left below, after the cookies are cleared, and fail (403).
    with page.expect_response(lambda r: r.url.endswith("/autosave/")) as autosave:
        page.locator("#id_case_reference").fill("CR-73001")
        page.locator("#id_case_reference").dispatch_event("change")
    assert autosave.value.ok
    page.wait_for_load_state("networkidle")
    problems.extend(page.evaluate("window.__violations"))
    # The draft it started: its task list, and the agreed actions page's added row.
    draft = Audit.objects.get(auditor=auditor, status=Status.DRAFT)
    _visit(page, problems, live_server.url + reverse("audits:edit", args=[draft.pk]))
    _visit(page, problems, live_server.url + reverse("audits:section", args=[draft.pk, "actions"]))
    with page.expect_response(lambda r: r.url.endswith("/autosave/")) as autosave:
        page.locator("#add-action").click()
        page.locator("#id_actions-1-description").fill("Added under the policy")
    assert autosave.value.ok
    page.wait_for_load_state("networkidle")
    problems.extend(page.evaluate("window.__violations"))

    _sign_in_as(page, login, live_server, moderator)
    _visit(page, problems, live_server.url + reverse("moderation:moderate", args=[taken.pk]))
    _visit(page, problems, live_server.url + reverse("audits:detail", args=[taken.pk]))

    _sign_in_as(page, login, live_server, qa_lead)
    _visit(page, problems, live_server.url + reverse("reports:detail", args=[report.pk]))
    _visit(page, problems, live_server.url + reverse("reports:targets"))

    assert problems == []
