"""Hostile or mistyped input on every audits surface: a null character (which PostgreSQL refuses
in text) and dates in year 1 or 9999 (which overflow the period maths). Each is a clear message
naming the field, or a 404 for a URL, never a 500.

Run these on PostgreSQL too: SQLite stores a null character without complaint.
"""

import datetime

import pytest
from django.forms import BaseForm, BaseFormSet
from django.urls import reverse
from django.utils.html import escape
from django_filters import FilterSet

from audits.forms import AuditFormPage
from audits.models import AgreedAction, Audit, AuditActivity
from tests.audits.test_views_form import post_data
from tests.helpers import draft_audit, submitted_audit

pytestmark = pytest.mark.django_db

NUL = "\x00"
NEW = reverse("audits:new")
BOUNDS = "must be between 1 January 2000 and 31 December 2100."
CONTROL = "must not contain control characters."


def _forms(value):
    """The bound forms in one context value: a form, a formset, a filter, the audit form page,
    or a dict of them (the action page's forms)."""
    if isinstance(value, BaseForm):
        yield value
    elif isinstance(value, BaseFormSet):
        yield from value.forms
    elif isinstance(value, FilterSet):
        yield value.form
    elif isinstance(value, AuditFormPage):
        yield value.header
        yield from value.domain_forms
        yield from value.actions.forms if value.actions is not None else ()
    elif isinstance(value, dict):
        for item in value.values():
            yield from _forms(item)


def field_errors(response, name: str) -> list[str]:
    """The errors of the field whose HTML name is ``name``, from the forms the page was rendered
    with; each must also be on the page."""
    contexts = response.context if isinstance(response.context, list) else [response.context]
    forms, errors = {}, []
    for context in contexts:
        for value in context.flatten().values():
            forms.update((id(form), form) for form in _forms(value))
    for form in forms.values():
        if form.is_bound:
            for field, messages in form.errors.items():
                if form.add_prefix(field) == name:
                    errors += messages
    html = response.content.decode()
    for message in errors:
        assert escape(message) in html, f"{message!r} is not on the page"
    return errors


@pytest.fixture
def auditor_client(client, owner):
    client.force_login(owner)
    return client


# --- The audit's section pages ------------------------------------------------------------------

OVERALL = ("feedback_date", "feedback_with", "feedback_notes", "overall_grade", "overall_comments")


def page_of(owner, name: str) -> str:
    """The page that holds field ``name``: a new audit's About the case page, or the section
    of a draft of ``owner``."""
    if name.startswith("domain-") or name.startswith("actions-") or name in OVERALL:
        audit = Audit.objects.filter(auditor=owner).first() or draft_audit(auditor=owner)
        section = "overall" if name in OVERALL else name.rsplit("-", 1)[0]
        section = "actions" if section.startswith("actions") else section
        return reverse("audits:section", args=[audit.pk, section])
    return NEW


def records():
    return list(Audit.objects.values_list("pk", "revision")), list(
        AgreedAction.objects.values_list("pk", "description")
    )


HEADER_FIELDS = [
    ("case_reference", "Case reference"),
    ("audit_date", "Audit date"),
    ("activity", "Audit activity"),
    ("age_band", "Age band"),
    ("strand", "Strand"),
    ("case_type", "Case type"),
    ("team", "Case holder's team"),
    ("feedback_date", "Date of feedback discussion"),
    ("feedback_with", "Discussed with"),
    ("feedback_notes", "Notes of the discussion"),
    ("overall_grade", "Overall grade"),
    ("overall_comments", "Overall comments"),
]


@pytest.mark.parametrize(("field", "label"), HEADER_FIELDS)
def test_a_null_character_in_a_header_field_is_an_error_naming_the_field(
    auditor_client, owner, field, label
):
    header = {"case_reference": "CR-5001", field: f"CR-5{NUL}01"}
    url = page_of(owner, field)
    before = records()

    response = auditor_client.post(url, post_data(header=header))

    assert response.status_code == 400
    assert records() == before
    assert field_errors(response, field) == [f"{label} {CONTROL}"]


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("domain-3-grade", "Grade"),
        ("domain-3-text", "Evaluation"),
        ("domain-1-risks", "Risks the child experiences or is at risk of"),
    ],
)
def test_a_null_character_in_a_domain_field_is_an_error_on_that_field(
    auditor_client, owner, name, label
):
    data = post_data(header={"case_reference": "CR-5002"})
    data[name] = f"meets{NUL}"
    url = page_of(owner, name)
    before = records()

    response = auditor_client.post(url, data)

    assert response.status_code == 400
    assert records() == before
    assert field_errors(response, name) == [f"{label} {CONTROL}"]


@pytest.mark.parametrize(
    ("key", "label"),
    [("description", "Action"), ("owner", "By whom"), ("due_date", "By when"), ("id", "Id")],
)
def test_a_null_character_in_an_action_row_is_an_error_on_that_field(
    auditor_client, owner, key, label
):
    row = {"description": "Update the plan", "owner": "Team manager", "due_date": "2026-11-01"}
    row[key] = f"2026{NUL}"
    url = page_of(owner, "actions-0-description")
    before = records()

    response = auditor_client.post(
        url, post_data(header={"case_reference": "CR-5003"}, actions=[row])
    )

    assert response.status_code == 400
    assert records() == before
    assert field_errors(response, f"actions-0-{key}") == [f"{label} {CONTROL}"]


def test_a_null_character_on_the_edit_page_leaves_the_draft_as_it_was(auditor_client, owner):
    audit = draft_audit(auditor=owner, case_reference="CR-5100")

    response = auditor_client.post(
        reverse("audits:section", args=[audit.pk, "case"]),
        post_data(header={"case_reference": f"CR{NUL}"}),
    )

    assert response.status_code == 400
    audit.refresh_from_db()
    assert audit.case_reference == "CR-5100"


@pytest.mark.parametrize(
    ("field", "label"),
    [("audit_date", "Audit date"), ("feedback_date", "Date of feedback discussion")],
)
@pytest.mark.parametrize("typed", ["0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31"])
@pytest.mark.parametrize("button", ["save", "continue"])
def test_a_header_date_outside_the_years_the_app_works_with_is_an_error_naming_the_field(
    auditor_client, owner, field, label, typed, button
):
    header = {"case_reference": "CR-5004", "audit_date": "2026-10-01", field: typed}
    url = page_of(owner, field)
    before = records()

    response = auditor_client.post(url, post_data(action=button, header=header))

    assert response.status_code == 400
    assert records() == before
    assert field_errors(response, field) == [f"{label} {BOUNDS}"]


@pytest.mark.parametrize("typed", ["0001-01-01", "9999-12-31"])
def test_an_action_due_date_in_year_1_or_9999_is_an_error_on_its_row(auditor_client, owner, typed):
    row = {"description": "Update the plan", "owner": "Team manager", "due_date": typed}
    url = page_of(owner, "actions-0-due_date")
    before = records()

    response = auditor_client.post(
        url, post_data(header={"case_reference": "CR-5005"}, actions=[row])
    )

    assert response.status_code == 400
    assert records() == before
    assert field_errors(response, "actions-0-due_date") == [f"By when {BOUNDS}"]


@pytest.mark.parametrize("typed", ["2000-01-01", "2100-12-31"])
def test_the_first_and_last_days_of_the_range_are_accepted(auditor_client, typed):
    response = auditor_client.post(
        NEW, post_data(header={"case_reference": "CR-5006", "audit_date": typed})
    )

    assert response.status_code == 302
    assert Audit.objects.get().audit_date == datetime.date.fromisoformat(typed)


# --- URL path arguments and hand-read query strings --------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/cases/CR%00-1/",
        "/cases/%00/",
        "/audits/%00/",
        "/audits/1%00/edit/",
        "/actions/%00/",
        "/activities/%00/edit/",
        "/moderation/audits/%00/",
    ],
)
def test_a_null_character_in_a_url_path_is_not_found(client, moderator_user, path):
    submitted_audit(case_reference="CR-1")
    client.force_login(moderator_user)

    response = client.get(path)

    assert response.status_code == 404


def test_the_case_timeline_still_opens_for_a_real_case_reference(client, moderator_user):
    submitted_audit(case_reference="CR-5200")
    client.force_login(moderator_user)

    assert client.get(reverse("audits:case_timeline", args=["CR-5200"])).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {"case_reference": f"CR-5{NUL}"},
        {"case_reference": NUL},
        {"case_reference": "CR-5300", "exclude": f"1{NUL}"},
    ],
)
def test_the_earlier_audits_fragment_ignores_a_null_character(auditor_client, owner, query):
    submitted_audit(auditor=owner, case_reference="CR-5300")

    response = auditor_client.get(reverse("audits:earlier"), query)

    assert response.status_code == 200
    if NUL in query["case_reference"]:
        assert response.content.decode().strip() == ""


# --- The list filters ---------------------------------------------------------------------------

LISTS = {
    "mine": (reverse("audits:mine"), "owner"),
    "all": (reverse("audits:all"), "moderator_user"),
    "actions": (reverse("audits:actions"), "owner"),
    "queue": (reverse("moderation:queue"), "moderator_user"),
    "statistics": (reverse("moderation:dashboard"), "moderator_user"),
}

FILTERS = [
    ("mine", "date_from", "Audit date from"),
    ("mine", "activity", "Activity"),
    ("mine", "status", "State"),
    ("all", "strand", "Strand"),
    ("all", "case_type", "Case type"),
    ("all", "overall_grade", "Overall grade (auditor)"),
    ("all", "auditor", "Auditor"),
    ("all", "date_to", "Audit date to"),
    ("actions", "state", "State"),
    ("actions", "overdue", "Overdue"),
    ("actions", "owner", "Owner"),
    ("actions", "team", "Case holder's team"),
    ("actions", "due_from", "Due from"),
    ("queue", "activity", "Activity"),
    ("queue", "overall_grade", "Overall grade (auditor)"),
    ("statistics", "date_from", "Audit date from"),
    ("statistics", "strand", "Strand"),
]


@pytest.fixture
def some_audits(owner):
    submitted_audit(auditor=owner, case_reference="CR-5400")
    submitted_audit(auditor=owner, case_reference="CR-5401")


@pytest.mark.parametrize(("page", "name", "label"), FILTERS)
def test_a_null_character_in_a_filter_is_an_error_on_the_filter_form(
    client, request, some_audits, page, name, label
):
    url, who = LISTS[page]
    client.force_login(request.getfixturevalue(who))

    response = client.get(url, {name: f"1{NUL}"})

    assert response.status_code == 200
    assert field_errors(response, name) == [f"{label} {CONTROL}"]


@pytest.mark.parametrize(
    ("page", "name", "label"),
    [
        ("mine", "date_from", "Audit date from"),
        ("all", "date_to", "Audit date to"),
        ("actions", "due_from", "Due from"),
        ("actions", "due_to", "Due to"),
        ("statistics", "date_from", "Audit date from"),
        ("statistics", "date_to", "Audit date to"),
    ],
)
@pytest.mark.parametrize("typed", ["0001-01-01", "9999-12-31"])
def test_a_filter_date_in_year_1_or_9999_is_an_error_on_the_filter_form(
    client, request, some_audits, page, name, label, typed
):
    url, who = LISTS[page]
    client.force_login(request.getfixturevalue(who))

    response = client.get(url, {name: typed})

    assert response.status_code == 200
    assert field_errors(response, name) == [f"{label} {BOUNDS}"]


def test_the_csv_download_refuses_a_filter_it_cannot_apply(client, moderator_user, some_audits):
    """Silently dropping the bad filter would download every audit the user may see."""
    client.force_login(moderator_user)

    response = client.get(reverse("audits:all"), {"format": "csv", "strand": f"1{NUL}"})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert field_errors(response, "strand") == [f"Strand {CONTROL}"]


# --- The schedule and the actions' forms --------------------------------------------------------


@pytest.fixture
def qa_client(client, qa_lead_user):
    client.force_login(qa_lead_user)
    return client


def _plan(**extra):
    return {
        "name": "Neglect",
        "month": "2026-12",
        "moderation_rate": "100",
        "always_moderate_not_met": "on",
        **extra,
    }


@pytest.mark.parametrize(
    ("field", "label"),
    [
        ("name", "Name"),
        ("theme", "Theme (optional)"),
        ("month", "Month"),
        ("strand", "Strand (optional)"),
        ("planned_audits", "Planned number of audits"),
        ("due_date", "Due date (optional)"),
        ("moderation_rate", "Moderation rate (%)"),
    ],
)
def test_a_null_character_in_the_activity_form_is_an_error_naming_the_field(
    qa_client, field, label
):
    response = qa_client.post(reverse("audits:activity_new"), _plan(**{field: f"2026{NUL}"}))

    assert response.status_code == 400
    assert not AuditActivity.objects.exists()
    assert field_errors(response, field) == [f"{label} {CONTROL}"]


@pytest.mark.parametrize(
    ("field", "typed", "label"),
    [
        ("month", "0001-01", "Month"),
        ("month", "9999-12", "Month"),
        ("due_date", "0001-01-01", "Due date (optional)"),
        ("due_date", "9999-12-31", "Due date (optional)"),
    ],
)
def test_an_activity_date_in_year_1_or_9999_is_an_error_naming_the_field(
    qa_client, field, typed, label
):
    response = qa_client.post(reverse("audits:activity_new"), _plan(**{field: typed}))

    assert response.status_code == 400
    assert not AuditActivity.objects.exists()
    assert field_errors(response, field) == [f"{label} {BOUNDS}"]


@pytest.mark.parametrize(
    ("data", "field_name", "message"),
    [
        ({"done-note": f"Done{NUL}"}, "done-note", f"What was done {CONTROL}"),
        (
            {"done-note": "Done.", "done-completed_on": f"2026{NUL}"},
            "done-completed_on",
            f"Date it was done {CONTROL}",
        ),
        (
            {"done-note": "Done.", "done-completed_on": "0001-01-01"},
            "done-completed_on",
            f"Date it was done {BOUNDS}",
        ),
        (
            {"done-note": "Done.", "done-completed_on": "9999-12-31"},
            "done-completed_on",
            f"Date it was done {BOUNDS}",
        ),
    ],
)
def test_marking_an_action_done_with_bad_input_is_an_error_naming_the_field(
    client, owner, data, field_name, message
):
    audit = submitted_audit(auditor=owner)
    action = audit.actions.get()
    client.force_login(owner)

    response = client.post(reverse("audits:action_done", args=[action.pk]), data)

    assert response.status_code == 400
    action.refresh_from_db()
    assert action.state == AgreedAction.State.OPEN
    assert field_errors(response, field_name) == [message]


def test_assigning_an_action_to_a_null_character_is_an_error_naming_the_field(client, owner):
    audit = submitted_audit(auditor=owner)
    action = audit.actions.get()
    client.force_login(owner)

    response = client.post(
        reverse("audits:action_assign", args=[action.pk]), {"assign-assignee": f"1{NUL}"}
    )

    assert response.status_code == 400
    assert field_errors(response, "assign-assignee") == [f"Owner {CONTROL}"]
