"""The sample draw in Chromium (issue 14, item 5): a QA lead draws an activity's cases with the
seed the form offers, checks the preview and records it; the auditor finds their allocated
cases on their home page and starts one, from two tabs, and gets one draft prefilled from the
case."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audits.models import Audit, Case, Person, SampleDraw, Status
from tests import factories

from .steps import assert_accessible, new_tab, open_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def case_list():
    north = factories.TeamFactory(slug="north", name="North assessment")
    holder = Person.objects.create(name="Sam Holder", team=north)
    for n in range(6):
        Case.objects.create(
            case_reference=f"CR-DRAW-{n}",
            case_holder=holder,
            team=north,
            strand=factories.strand(),
            case_type=factories.case_type(),
            age_band=factories.age_band(),
            open_date=datetime.date(2025, 3, 3),
        )
    return north


def test_a_qa_lead_draws_a_sample_and_the_auditor_starts_an_allocated_case(
    page, live_server, login
):
    north = case_list()
    qa_lead = factories.qa_lead(first_name="Quinn", last_name="Lewis")
    amina = factories.auditor(first_name="Amina", last_name="Okafor")
    activity = factories.AuditActivityFactory(
        name="Neglect dip sample", month=timezone.localdate().replace(day=1)
    )
    activity.auditors.add(amina)

    # The QA lead finds the activity's draws from the schedule and draws two cases.
    login(page, live_server, qa_lead)
    page.goto(f"{live_server.url}/activities/")
    page.get_by_role("link", name="Cases drawn for Neglect dip sample").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases drawn")
    page.get_by_role("link", name="Draw cases").click()
    seed = page.get_by_label("Seed").input_value()
    assert re.fullmatch(r"[0-9a-f]{16}", seed)
    assert_accessible(page)

    # Too many: refused on the form, with what was typed kept.
    page.get_by_label("Number of cases", exact=True).fill("7")
    page.get_by_role("button", name="Preview the draw").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The draw asks for 7 cases but only 6 cases are eligible.")
    expect(page.get_by_label("Seed")).to_have_value(seed)
    assert_accessible(page)

    page.get_by_label("Number of cases", exact=True).fill("2")
    page.get_by_label("North assessment").check()
    page.get_by_role("button", name="Preview the draw").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the draw")
    rows = page.locator("#drawn-cases tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Amina Okafor")
    previewed = [rows.nth(n).get_by_role("rowheader").inner_text() for n in range(2)]
    expect(page.locator("#draw-criteria")).to_contain_text(seed)
    assert not SampleDraw.objects.exists()
    assert_accessible(page)

    page.get_by_role("button", name="Record this draw").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Draw recorded: 2 cases drawn with seed “{seed}”."
    )
    draw = SampleDraw.objects.get()
    assert draw.seed == seed and draw.drawn_by == qa_lead
    assert draw.criteria["team"] == [north.slug]
    assert [c.case.case_reference for c in draw.cases.order_by("position")] == previewed
    section = page.locator(f"#draw-{draw.pk}")
    expect(section).to_contain_text("Quinn Lewis")
    expect(section.locator("tbody tr")).to_have_count(2)
    expect(section.locator("tbody tr").first).to_contain_text("Not started")
    assert_accessible(page)

    # The auditor sees the two cases on their home page, in two tabs.
    page.get_by_role("button", name="Sign out").click()
    login(page, live_server, amina)
    allocated = page.locator("#allocated-cases tbody tr")
    expect(allocated).to_have_count(2)
    first = previewed[0]
    other_tab = new_tab(page)
    open_page(other_tab, f"{live_server.url}/")
    assert_accessible(page)

    page.get_by_role("button", name=f"Start audit of {first}").click()
    expect(page).to_have_url(re.compile(r"/audits/\d+/edit/$"))
    audit = Audit.objects.get()
    assert (audit.case_reference, audit.activity, audit.team, audit.status) == (
        first,
        activity,
        north,
        Status.DRAFT,
    )
    # The other tab, opened before, starts the same case: the same draft opens.
    other_tab.get_by_role("button", name=f"Start audit of {first}").click()
    expect(other_tab).to_have_url(re.compile(rf"/audits/{audit.pk}/edit/$"))
    assert Audit.objects.count() == 1
    assert not other_tab.js_errors

    # Back home, the case is offered to continue.
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("link", name=f"Continue audit of {first}")).to_be_visible()
