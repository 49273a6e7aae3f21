"""Every form field is rendered by django-crispy-forms, through the template pack, never written
out by hand in a template: one rendering path, so that moving to another pack (the GOV.UK Design
System's) changes the pack, not the pages.

Each form page is rendered empty and with errors, and read as a browser would: every field sits
in the wrapper the pack draws round it, has a label, and names only ids the page has.
"""

import datetime
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from audits.actions import services as action_services
from audits.models import AgreedAction
from reports import services as report_services
from reports.targets.services import target_create
from tests import factories
from tests.audits.test_views_form import post_data
from tests.helpers import draft_audit, moderated_audit, submitted_audit, taken_audit

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

# --- No template writes a field ------------------------------------------------------------------

FIELD_TAG = re.compile(r"<(?:input|select|textarea)\b[^>]*>", re.I)
# A hidden input is no field a person fills in (no label, hint or error): the CSRF token, the
# page to go back to, which of two buttons a small form is.
HIDDEN = re.compile(r'\btype="hidden"', re.I)


def hand_written_fields(text: str) -> list[str]:
    return [tag for tag in FIELD_TAG.findall(text) if not HIDDEN.search(tag)]


# The template pack's own templates (crispy-forms-gds, and this service's overrides of them in
# templates/gds/) are the one rendering path: drawing a radio's <input> is their job.
PACK = TEMPLATES / "gds"


def test_no_template_writes_a_form_field_by_hand():
    found = [
        f"{path.relative_to(TEMPLATES)}: {tag[:70]}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        if not path.is_relative_to(PACK)
        for tag in hand_written_fields(path.read_text())
    ]
    assert found == []


def test_the_rule_finds_a_hand_written_field():
    assert hand_written_fields('<label for="n">Note</label><input id="n" name="note">')
    assert hand_written_fields('<select name="year" class="form-select">')
    assert hand_written_fields("<TEXTAREA name='x'></TEXTAREA>")
    assert not hand_written_fields('<input type="hidden" name="next" value="/audits/">')
    assert not hand_written_fields('{% crispy form %}<button type="submit">Save</button>')


# --- Reading a rendered page ---------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
NOT_FIELDS = {"hidden", "submit", "button", "reset"}


class Page(HTMLParser):
    """Every element of a page with its ancestors, and the fields among them."""

    def __init__(self, html: str):
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.elements: list[tuple[str, dict, list[tuple[str, dict]]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs, list(self.stack)))
        if tag not in VOID:
            self.stack.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs), list(self.stack)))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                break

    def fields(self):
        return [
            (tag, attrs, ancestors)
            for tag, attrs, ancestors in self.elements
            if tag in ("input", "select", "textarea") and attrs.get("type") not in NOT_FIELDS
        ]

    def ids(self) -> list[str]:
        return [attrs["id"] for _, attrs, _ in self.elements if attrs.get("id")]

    def labels_for(self) -> set[str]:
        return {attrs.get("for") for tag, attrs, _ in self.elements if tag == "label"}


DATE_PARTS = re.compile(r"_(day|month|year)\Z")


def field_name(attrs: dict) -> str:
    """The form field an input belongs to: a GOV.UK date input's boxes (audits.dates) are
    posted as <field>_day, <field>_month and <field>_year."""
    if "govuk-date-input__input" in (attrs.get("class") or "").split():
        return DATE_PARTS.sub("", attrs["name"])
    return attrs["name"]


def assert_rendered_by_crispy(html: str) -> Page:
    page = Page(html)
    fields = page.fields()
    assert fields, "no form field on the page"
    ids = page.ids()
    assert sorted(i for i in set(ids) if ids.count(i) > 1) == [], "duplicate ids"
    labelled = page.labels_for()
    for tag, attrs, ancestors in fields:
        name = attrs["name"]
        # The pack wraps each field (a choice list or a date's boxes as a whole) in
        # div#div_id_<name>.
        wrappers = [a.get("id") for t, a in ancestors if t == "div"]
        # A form with ids of its own (the header's search box: auto_id "header-search-%s")
        # has the wrapper div#div_<its id>.
        assert f"div_id_{field_name(attrs)}" in wrappers or f"div_{attrs.get('id')}" in wrappers, (
            f"{tag} {name} is not rendered by crispy"
        )
        assert attrs.get("id") in labelled, f"{tag} {name} has no label"
        for described_by in (attrs.get("aria-describedby") or "").split():
            assert described_by in ids, f"{name} is described by a missing {described_by}"
        forms = [a for t, a in ancestors if t == "form"]
        assert forms, f"{name} is outside a form"
        if forms[-1].get("method", "get").lower() == "post":
            assert "novalidate" in forms[-1], f"the form of {name} validates in the browser"
    for _, attrs, _ in page.elements:
        for described_by in (attrs.get("aria-describedby") or "").split():
            assert described_by in ids, f"aria-describedby names a missing {described_by}"
    # Labels are the form's own words: the pack's "required" asterisk would change a field's
    # accessible name, and this service marks the optional fields instead.
    assert "asteriskField" not in html
    return page


def assert_error_summary(html: str, page: Page) -> None:
    assert html.count('id="error-summary"') == 1
    summary = html[html.index('id="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    anchors = re.findall(r'<a href="#([^"]+)">', summary)
    assert anchors, "the error summary links to no field"
    ids = page.ids()
    for anchor in anchors:
        assert anchor in ids, f"the error summary links to a missing #{anchor}"
    # Each field in error names its one error element.
    for _tag, attrs, _ in page.fields():
        if attrs.get("aria-invalid") == "true":
            # auto_id is id_<name>; a choice list's options are id_<name>_0, _1, ...
            name = field_name(attrs)
            assert ids.count(f"id_{name}_error") == 1, f"{name} error element"


# --- The form pages ------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def _open_action(owner):
    audit = submitted_audit(auditor=owner)
    return audit.actions.get()


PAGES = {
    "audit form": lambda c, u: (_login(c, u["auditor"]), reverse("audits:new")),
    "audit domain": lambda c, u: (
        _login(c, u["auditor"]),
        reverse("audits:section", args=[draft_audit(auditor=u["auditor"]).pk, "domain-1"]),
    ),
    "audit actions": lambda c, u: (
        _login(c, u["auditor"]),
        reverse("audits:section", args=[draft_audit(auditor=u["auditor"]).pk, "actions"]),
    ),
    "audit overall": lambda c, u: (
        _login(c, u["auditor"]),
        reverse("audits:section", args=[draft_audit(auditor=u["auditor"]).pk, "overall"]),
    ),
    "activity": lambda c, u: (_login(c, u["qa_lead"]), reverse("audits:activity_new")),
    "action": lambda c, u: (
        _login(c, u["auditor"]),
        reverse("audits:action_detail", args=[_open_action(u["auditor"]).pk]),
    ),
    "my audits": lambda c, u: (_login(c, u["auditor"]), reverse("audits:mine")),
    "all audits": lambda c, u: (_login(c, u["moderator"]), reverse("audits:all")),
    "actions": lambda c, u: (_login(c, u["moderator"]), reverse("audits:actions")),
    "queue": lambda c, u: (_login(c, u["moderator"]), reverse("moderation:queue")),
    "statistics": lambda c, u: (_login(c, u["moderator"]), reverse("moderation:dashboard")),
    "moderate": lambda c, u: (
        _login(c, u["moderator"]),
        reverse("moderation:moderate", args=[taken_audit(moderator=u["moderator"]).pk]),
    ),
    "report new": lambda c, u: (_login(c, u["qa_lead"]), reverse("reports:new")),
    "targets": lambda c, u: (_login(c, u["qa_lead"]), reverse("reports:targets")),
    "target new": lambda c, u: (_login(c, u["qa_lead"]), reverse("reports:target_new")),
    "login": lambda c, u: (c, reverse("login")),
    "find a case": lambda c, u: (_login(c, u["auditor"]), reverse("audits:find_case")),
}


@pytest.fixture
def users():
    return {
        "auditor": factories.auditor(),
        "moderator": factories.moderator(),
        "qa_lead": factories.qa_lead(),
    }


def _report(qa_lead):
    from audits import periods

    return report_services.report_create(by=qa_lead, period=periods.quarter(2026, 2))


def _manual_target(qa_lead):
    return target_create(
        by=qa_lead,
        financial_year=2026,
        name="Supervision recorded",
        measure="manual",
        direction="at_least",
        target_value="80",
        amber_tolerance=0,
    )


@pytest.mark.parametrize("name", PAGES)
def test_every_form_page_renders_its_fields_through_crispy(client, users, name):
    client, url = PAGES[name](client, users)

    response = client.get(url)

    assert response.status_code == 200
    assert_rendered_by_crispy(response.content.decode())


def test_the_report_and_manual_value_pages_render_their_fields_through_crispy(client, users):
    _login(client, users["qa_lead"])
    report = _report(users["qa_lead"])
    target = _manual_target(users["qa_lead"])

    for url in (
        reverse("reports:detail", args=[report.pk]),
        reverse("reports:target_actual", args=[target.pk]),
        reverse("reports:target_edit", args=[target.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_rendered_by_crispy(response.content.decode())


def test_a_closed_action_s_reopen_form_renders_through_crispy(client, users):
    action = _open_action(users["auditor"])
    action_services.action_mark_done(
        action=action, by=users["auditor"], note="Done.", completed_on=None
    )
    assert AgreedAction.objects.get(pk=action.pk).state == AgreedAction.State.DONE
    _login(client, users["qa_lead"])

    html = client.get(reverse("audits:action_detail", args=[action.pk])).content.decode()

    assert 'name="reopen-note"' in html
    assert_rendered_by_crispy(html)


def test_the_exemplar_form_on_a_completed_audit_renders_through_crispy(client, users):
    audit = moderated_audit(moderator=users["moderator"])
    _login(client, factories.moderator())

    html = client.get(reverse("audits:detail", args=[audit.pk])).content.decode()

    assert 'name="note"' in html
    assert_rendered_by_crispy(html)


# --- The same pages with errors ------------------------------------------------------------------

ERRORS = {
    "audit form": lambda c, u: c.post(
        reverse("audits:new"),
        post_data(action="submit", header={"case_reference": "CR-9001", "audit_date": "x"}),
    ),
    "activity": lambda c, u: c.post(reverse("audits:activity_new"), {"month": "December"}),
    "action": lambda c, u: c.post(
        reverse("audits:action_done", args=[_open_action(u["auditor"]).pk]),
        {"done-note": " ", "done-completed_on": "soon"},
    ),
    "moderate": lambda c, u: _moderate_without_a_grade(c, u["moderator"]),
    "report new": lambda c, u: c.post(reverse("reports:new"), {"kind": "range", "start": "x"}),
    "report detail": lambda c, u: c.post(
        reverse("reports:detail", args=[_report(u["qa_lead"]).pk]), {"title": " "}
    ),
    "target new": lambda c, u: c.post(
        reverse("reports:target_new"), {"name": "", "target_value": "lots"}
    ),
    "target actual": lambda c, u: c.post(
        reverse("reports:target_actual", args=[_manual_target(u["qa_lead"]).pk]),
        {"kind": "month", "value": "many"},
    ),
    "login": lambda c, u: c.post(reverse("login"), {"username": "nobody", "password": ""}),
    "find a case": lambda c, u: c.get(reverse("audits:find_case"), {"reference": "CR 1"}),
}


def _moderate_without_a_grade(client, moderator):
    audit = taken_audit(moderator=moderator)
    return client.post(
        reverse("moderation:moderate", args=[audit.pk]),
        {
            "action": "record",
            "revision": str(audit.revision),
            "actions-TOTAL_FORMS": "1",
            "actions-INITIAL_FORMS": "0",
            "actions-0-owner": "Team manager",  # an owner, but no action
        },
    )


WHO = {
    "audit form": "auditor",
    "activity": "qa_lead",
    "action": "auditor",
    "moderate": "moderator",
    "report new": "qa_lead",
    "report detail": "qa_lead",
    "target new": "qa_lead",
    "target actual": "qa_lead",
    "login": None,
    "find a case": "auditor",
}


@pytest.mark.parametrize("name", ERRORS)
def test_a_form_page_with_errors_renders_them_through_crispy_with_one_summary(client, users, name):
    if WHO[name]:
        _login(client, users[WHO[name]])

    response = ERRORS[name](client, users)

    html = response.content.decode()
    assert response.status_code in (200, 400), response.status_code
    page = assert_rendered_by_crispy(html)
    assert 'aria-invalid="true"' in html
    assert_error_summary(html, page)


def test_the_filter_forms_show_their_errors_on_their_fields(client, users):
    _login(client, users["moderator"])

    html = client.get(
        reverse("audits:all"),
        {"date_from_day": "last", "date_from_month": "week", "date_from_year": "2026"},
    ).content.decode()

    assert_rendered_by_crispy(html)
    assert 'id="id_date_from_error"' in html
    assert "Audit date from must be a real date" in html
    # A date's boxes are a fieldset: the fieldset names the error, each box is marked invalid.
    fieldsets = re.findall(r'<fieldset class="govuk-fieldset" role="group"[^>]*>', html)
    assert [f for f in fieldsets if "id_date_from_error" in f], fieldsets
    boxes = [a for t, a, _ in Page(html).fields() if a["name"].startswith("date_from_")]
    assert [a["id"] for a in boxes] == ["id_date_from_0", "id_date_from_1", "id_date_from_2"]
    assert all(a.get("aria-invalid") == "true" for a in boxes)


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    # The targets pages choose the financial year from today.
    monkeypatch.setattr("reports.targets.views._today", lambda: datetime.date(2026, 11, 25))
