"""The GOV.UK date input (audits.dates): what a person types in the day, month and year boxes,
what each mistake says, where the error summary's link lands, and that nothing posted breaks it.
"""

import datetime

import pytest
from crispy_forms.utils import render_crispy_form
from django import forms
from django.urls import reverse

from audits.dates import MONTH_YEAR, DateInputField
from audits.forms import AccessibleFormMixin
from tests import factories
from tests.helpers import date_parts, submitted_audit


class DateForm(AccessibleFormMixin, forms.Form):
    audit_date = DateInputField(label="Audit date", required=False)
    due = DateInputField(label="Due date")
    month = DateInputField(label="Month", parts=MONTH_YEAR, required=False)


def parts(day="", month="", year="", name="audit_date"):
    return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}


def errors_of(data, name="audit_date"):
    form = DateForm({**parts("1", "1", "2026", name="due"), **data})
    form.is_valid()
    return form.errors.get(name, [])


def test_a_real_date_is_taken():
    form = DateForm({**parts("1", "7", "2026"), **parts("01", "07", "2026", name="due")})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["audit_date"] == datetime.date(2026, 7, 1)
    assert form.cleaned_data["due"] == datetime.date(2026, 7, 1)


def test_spaces_around_the_numbers_are_ignored():
    assert errors_of(parts(" 3 ", " 12", "2026 ")) == []


def test_a_month_input_means_the_first_day_of_the_month():
    form = DateForm(
        {
            **parts(name="due", day="2", month="2", year="2026"),
            "month_month": "7",
            "month_year": "2026",
        }
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["month"] == datetime.date(2026, 7, 1)


def test_all_boxes_empty_is_no_date_or_asks_for_one_when_required():
    assert errors_of(parts()) == []
    assert errors_of(parts(name="due"), name="due") == ["Enter the due date"]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (("", "7", "2026"), "Audit date must include a day"),
        (("1", "", "2026"), "Audit date must include a month"),
        (("1", "7", ""), "Audit date must include a year"),
        (("1", "", ""), "Audit date must include a month and year"),
        (("", "", "2026"), "Audit date must include a day and month"),
        (("31", "2", "2026"), "Audit date must be a real date"),
        (("0", "7", "2026"), "Audit date must be a real date"),
        (("1", "13", "2026"), "Audit date must be a real date"),
        (("first", "July", "2026"), "Audit date must be a real date"),
        (("1", "7", "26"), "Audit date must have a year of 4 numbers, for example 2026"),
        (("1", "7", "12026"), "Audit date must have a year of 4 numbers, for example 2026"),
        (("1", "7", "1999"), "Audit date must be between 1 January 2000 and 31 December 2100."),
    ],
)
def test_each_mistake_names_the_field_and_the_problem(typed, message):
    assert errors_of(parts(*typed)) == [message]


@pytest.mark.parametrize(
    "hostile",
    [
        "9" * 400,  # far beyond any integer a date takes
        "-1",
        "1e3",
        "١٢",  # Arabic-Indic digits, which int() would take
        "²",  # a superscript, which str.isdigit() takes and int() refuses
        "1\x00",
        "0x10",
        "1 2",
    ],
)
def test_anything_typed_is_an_error_message_never_an_exception(hostile):
    for box in range(3):
        typed = ["1", "7", "2026"]
        typed[box] = hostile
        (message,) = errors_of(parts(*typed))
        assert message.startswith("Audit date ")


def test_an_iso_date_under_the_fields_own_name_is_still_read():
    """A bookmarked list address, a script: audit_date=2026-07-01."""
    form = DateForm({"audit_date": "2026-07-01", "due": "2026-07-02", "month": "2026-07"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["audit_date"] == datetime.date(2026, 7, 1)
    assert form.cleaned_data["month"] == datetime.date(2026, 7, 1)
    assert errors_of({"audit_date": "yesterday"}) == ["Audit date must be a real date"]


def test_the_error_summary_links_to_the_day_box_and_names_the_field_once():
    form = DateForm({**parts("31", "2", "2026"), **parts(name="due")})
    form.is_valid()

    assert form.error_summary() == [
        ("id_audit_date_0", "Audit date must be a real date"),
        ("id_due_0", "Enter the due date"),
    ]


def test_the_boxes_render_as_a_govuk_date_input():
    form = DateForm({**parts("31", "2", "2026"), **parts("1", "1", "2026", name="due")})
    form.is_valid()

    html = render_crispy_form(form)
    described = 'aria-describedby="id_audit_date_helptext id_audit_date_error"'
    assert f'<fieldset class="govuk-fieldset" role="group" {described}>' in html
    assert '<div class="govuk-date-input" id="id_audit_date">' in html
    for n, (name, value, label) in enumerate(
        [("day", "31", "Day"), ("month", "2", "Month"), ("year", "2026", "Year")]
    ):
        assert (
            f'<label class="govuk-label govuk-date-input__label" for="id_audit_date_{n}">{label}</label>'
            in html
        )
        assert f'name="audit_date_{name}" value="{value}"' in html
    assert html.count("govuk-input--error") == 3  # the audit date's three boxes, not the due date's
    assert 'type="date"' not in html


# --- On the service's pages ---------------------------------------------------------------------

pytestmark = pytest.mark.django_db


def test_no_form_of_the_service_uses_the_browsers_date_picker(client):
    qa_lead = factories.qa_lead()
    client.force_login(qa_lead)
    for name in ("audits:activity_new", "reports:new", "audits:all", "audits:actions"):
        html = client.get(reverse(name)).content.decode()
        assert 'type="date"' not in html and 'type="month"' not in html, name
        assert "govuk-date-input" in html, name


def test_a_wrong_date_on_a_page_links_the_summary_to_its_day_box(client, owner):
    action = submitted_audit(auditor=owner).actions.get()
    client.force_login(owner)

    response = client.post(
        reverse("audits:action_done", args=[action.pk]),
        {"done-note": "Chronology written.", **parts("30", "2", "2026", name="done-completed_on")},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert '<a href="#id_done-completed_on_0">Date it was done must be a real date</a>' in html
    assert 'id="id_done-completed_on_0"' in html
    assert "<title>Error: " in html


def test_a_date_typed_in_boxes_is_saved(client, owner):
    action = submitted_audit(auditor=owner).actions.get()
    client.force_login(owner)

    response = client.post(
        reverse("audits:action_done", args=[action.pk]),
        {
            "done-note": "Chronology written.",
            **date_parts("done-completed_on", datetime.date(2026, 11, 20)),
        },
    )

    assert response.status_code == 302
    action.refresh_from_db()
    assert action.completed_on == datetime.date(2026, 11, 20)
