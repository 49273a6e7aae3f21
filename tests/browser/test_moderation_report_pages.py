"""The moderation and report pages on a phone and with errors, in headless Chromium.

At 320 CSS pixels wide (WCAG 1.4.10, reflow) no page scrolls sideways: a table wider than the
screen scrolls inside its own labelled region. A form's error summary takes the focus, so a
screen reader user hears the problems first.
"""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from audits import periods
from audits.grades import Grade
from reports.models import Measure
from reports.services import report_create
from reports.targets import services as target_services
from tests import factories
from tests.helpers import moderated_audit, submitted_audit, taken_audit

from .steps import assert_accessible

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def page_width_overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0: no sideways scrolling)."""
    return page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - window.innerWidth"
    )


def assert_reflows(page, url):
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # On failure, say which elements stick out (outside the scrolling regions).
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .filter(e => !e.closest('.app-table-scroll'))
            .slice(0, 5)
            .map(e => e.tagName + '.' + e.className + '#' + e.id)"""
    )
    assert page_width_overflow(page) <= 0, f"{url} scrolls sideways at 320 px: {wide}"
    # Every table that needs more room scrolls in a region a keyboard can reach and that says
    # what it holds.
    for region in page.locator(".app-table-scroll").all():
        assert region.get_attribute("role") == "region"
        assert region.get_attribute("aria-label")
        assert region.get_attribute("tabindex") == "0"
    # axe-core finds nothing wrong in what these pages draw (the frame around them is the
    # base template's).
    assert_accessible(page, "main")


def test_the_moderation_and_report_pages_reflow_at_320_pixels(page, live_server, login):
    auditor = factories.auditor(first_name="Asha", last_name="Patel-Worthington")
    moderator = factories.moderator(first_name="Ben", last_name="Okafor")
    qa_lead = factories.qa_lead(first_name="Priya", last_name="Marsh")
    day = datetime.date(2026, 8, 10)
    for i, (overall, grade) in enumerate(
        [(Grade.MEETS, Grade.DOES_NOT_MEET), (Grade.EXCEEDS, Grade.MEETS), (Grade.MEETS, None)]
    ):
        moderated_audit(
            moderator=moderator,
            auditor=auditor,
            overall=overall,
            grade=grade,
            audit_date=day,
            case_reference=f"CR-REFLOW-{i}",
        )
    submitted_audit(auditor=auditor, case_reference="CR-REFLOW-WAIT")
    held = taken_audit(moderator=moderator, auditor=auditor, case_reference="CR-REFLOW-HELD")
    report = report_create(by=qa_lead, period=periods.quarter(2026, 2))
    target_services.target_create(
        by=qa_lead,
        financial_year=2026,
        name="Audits graded good or better, across every strand and case type",
        measure=Measure.GOOD_OR_BETTER,
        direction="at_least",
        target_value=70,
    )
    page.set_viewport_size({"width": 320, "height": 640})

    login(page, live_server, moderator)
    for url in (
        reverse("moderation:queue"),
        reverse("moderation:moderate", args=[held.pk]),
        reverse("moderation:dashboard"),
        reverse("moderation:exemplars"),
    ):
        assert_reflows(page, url)
    page.get_by_role("button", name="Sign out").click()

    login(page, live_server, qa_lead)
    for url in (
        reverse("reports:list"),
        report.get_absolute_url(),
        reverse("reports:new"),
        reverse("reports:targets") + "?year=2026",
        reverse("reports:target_new") + "?year=2026",
    ):
        assert_reflows(page, url)
    page.get_by_role("button", name="Sign out").click()

    login(page, live_server, auditor)
    assert_reflows(page, reverse("moderation:feedback"))


def test_the_error_summaries_of_the_report_and_moderation_forms_take_the_focus(
    page, live_server, login
):
    moderator = factories.moderator()
    qa_lead = factories.qa_lead()
    held = taken_audit(moderator=moderator, overall=Grade.MEETS, case_reference="CR-FOCUS")
    report = report_create(by=qa_lead, period=periods.quarter(2026, 2))

    login(page, live_server, qa_lead)
    page.goto(report.get_absolute_url())
    page.get_by_label("Title", exact=True).fill("")
    page.get_by_role("button", name="Save narrative").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter the report's title.")
    assert page.title().startswith("Error: ")
    assert_accessible(page, "main")
    summary.get_by_role("link", name="Enter the report's title.").click()
    expect(page.get_by_label("Title", exact=True)).to_be_focused()

    # The title counts its characters as they are typed.
    page.get_by_label("Title", exact=True).fill("x" * 195)
    expect(page.locator(".govuk-character-count__status")).to_have_text(
        "You have 5 characters remaining"
    )
    page.get_by_role("button", name="Sign out").click()

    login(page, live_server, moderator)
    page.goto(reverse("moderation:moderate", args=[held.pk]))
    page.get_by_role("radio", name="Exceeds good", exact=True).check()
    page.get_by_role("button", name="Record moderation").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    assert page.title().startswith("Error: Moderate the audit of case CR-FOCUS")
    assert_accessible(page, "main")


def test_the_table_of_every_activity_reflows_and_is_accessible(page, live_server, login, settings):
    """A period with more activities than full sections lists them all in one table, which
    scrolls in its own region at 320 pixels, and whose links lead to each activity's page."""
    from tests.reports import D, M, build_through_services, spec

    settings.REPORT_FULL_ACTIVITY_SECTIONS = 1
    august, september = datetime.date(2026, 8, 10), datetime.date(2026, 9, 14)
    build_through_services(
        [spec(august, overall=M, activity="Looked after children audit") for _ in range(3)]
        + [spec(september, overall=D, activity="Children with disabilities audit")]
    )
    qa_lead = factories.qa_lead(first_name="Priya", last_name="Marsh")
    report = report_create(by=qa_lead, period=periods.quarter(2026, 2))
    page.set_viewport_size({"width": 320, "height": 640})

    login(page, live_server, qa_lead)
    assert_reflows(page, report.get_absolute_url())
    table = page.locator("#activity-summary")
    expect(table).to_contain_text("Children with disabilities audit (September 2026)")
    table.get_by_role("link", name="Children with disabilities audit").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Children with disabilities")
