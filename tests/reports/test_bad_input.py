"""Hostile or mistyped report arguments: a null character (which PostgreSQL refuses in text),
dates in year 1 or 9999 (which overflow the period maths), and dates not written YYYY-MM-DD.
The report forms put the error beside the field, /reports/summary.json answers 400 with the
argument named, and the report command stops naming it. Never a 500 or a traceback.

Run these on PostgreSQL too: SQLite stores a null character without complaint.
"""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from reports.models import ManualActual, Report
from tests.audits.test_bad_input import field_errors
from tests.reports import build_through_services, spec

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parents[2]
NUL = "\x00"
BOUNDS = "must be between 1 January 2000 and 31 December 2100."
CONTROL = "must not contain control characters."
URL = reverse("reports:summary_json")
NEW = reverse("reports:new")
GOOD = {"start": "2026-07-01", "end": "2026-09-30"}


@pytest.fixture
def qa_client(client, qa_lead_user):
    client.force_login(qa_lead_user)
    return client


@pytest.fixture
def vocabulary():
    """An activity, a strand and a case type, so a filter argument has something to match."""
    build_through_services([spec(datetime.date(2026, 8, 3), activity="Neglect")])


# --- The new report form -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "label"),
    [
        ({"kind": "month", "month": "0001-01"}, "month", "Month"),
        ({"kind": "month", "month": "9999-12"}, "month", "Month"),
        ({"kind": "month", "month": "1999-12"}, "month", "Month"),
        ({"kind": "range", "start": "0001-01-01", "end": "2026-01-31"}, "start", "From"),
        ({"kind": "range", "start": "2026-01-01", "end": "9999-12-31"}, "end", "To"),
        ({"kind": "range", "start": "2026-01-01", "end": "2101-01-01"}, "end", "To"),
    ],
)
def test_a_report_date_outside_the_range_is_an_error_naming_the_field(
    qa_client, data, field, label
):
    response = qa_client.post(NEW, data)

    assert response.status_code == 400
    assert not Report.objects.exists()
    assert field_errors(response, field) == [f"{label} {BOUNDS}"]


def test_a_report_for_january_0001_is_never_created_so_none_exists_that_cannot_be_shown(
    qa_client,
):
    qa_client.post(NEW, {"kind": "month", "month": "0001-01"})

    assert not Report.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "month", "month": "2000-01"},
        {"kind": "month", "month": "2100-12"},
        {"kind": "range", "start": "2000-01-01", "end": "2100-12-31"},
    ],
)
def test_a_report_at_the_edges_of_the_range_is_created_and_shown(qa_client, data):
    response = qa_client.post(NEW, data)

    assert response.status_code == 302
    report = Report.objects.get()
    assert qa_client.get(report.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("data", "field", "label"),
    [
        ({"kind": f"month{NUL}", "month": "2026-01"}, "kind", "Report on"),
        ({"kind": "year", "financial_year": f"2026{NUL}"}, "financial_year", None),
        ({"kind": "quarter", "financial_year": "2026", "quarter": f"1{NUL}"}, "quarter", None),
        ({"kind": "half", "financial_year": "2026", "half": f"1{NUL}"}, "half", None),
        ({"kind": "month", "month": f"2026-01{NUL}"}, "month", "Month"),
        ({"kind": "range", "start": f"2026{NUL}", "end": "2026-01-31"}, "start", "From"),
        ({"kind": "range", "start": "2026-01-01", "end": f"{NUL}"}, "end", "To"),
        ({"kind": "month", "month": "2026-01", "activity": f"1{NUL}"}, "activity", None),
        ({"kind": "month", "month": "2026-01", "strand": f"1{NUL}"}, "strand", None),
        ({"kind": "month", "month": "2026-01", "case_type": f"1{NUL}"}, "case_type", None),
    ],
)
def test_a_null_character_in_the_report_form_is_an_error_naming_the_field(
    qa_client, data, field, label
):
    from reports.forms import PeriodForm

    label = label or str(PeriodForm.base_fields[field].label)

    response = qa_client.post(NEW, data)

    assert response.status_code == 400
    assert not Report.objects.exists()
    assert field_errors(response, field) == [f"{label} {CONTROL}"]


def test_a_null_character_in_the_narrative_is_an_error_naming_the_field(qa_client):
    qa_client.post(NEW, {"kind": "month", "month": "2026-01"})
    report = Report.objects.get()

    response = qa_client.post(
        report.get_absolute_url(), {"title": "Scrutiny", "summary": f"All{NUL} good"}
    )

    assert response.status_code == 400
    assert field_errors(response, "summary") == [f"Summary {CONTROL}"]
    report.refresh_from_db()
    assert report.summary == ""


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "month", "month": "0001-01", "value": "90"}, "month", f"Month {BOUNDS}"),
        (
            {"kind": "range", "start": "2026-01-01", "end": "9999-12-31", "value": "90"},
            "end",
            f"To {BOUNDS}",
        ),
        (
            {"kind": "quarter", "financial_year": "2026", "quarter": "1", "value": f"9{NUL}"},
            "value",
            f"Actual value (%) {CONTROL}",
        ),
    ],
)
def test_a_manual_value_for_a_bad_period_is_an_error_naming_the_field(
    qa_client, qa_lead_user, data, field, message
):
    from reports.targets.services import target_create

    target = target_create(
        by=qa_lead_user,
        financial_year=2026,
        name="From elsewhere",
        measure="manual",
        direction="at_least",
        target_value="95",
        amber_tolerance=0,
    )

    response = qa_client.post(reverse("reports:target_actual", args=[target.pk]), data)

    assert response.status_code == 400
    assert not ManualActual.objects.exists()
    assert field_errors(response, field) == [message]


# --- /reports/summary.json and the report command ---------------------------------------------

# (arguments, what the error must say). Each names the argument it is about.
BAD_ARGUMENTS = [
    # Only YYYY-MM-DD, as the contract says: fromisoformat would take several of these.
    ({**GOOD, "start": "20260701"}, "start “20260701” is not a date in the form YYYY-MM-DD"),
    ({**GOOD, "start": "2026-7-1"}, "start “2026-7-1” is not a date in the form YYYY-MM-DD"),
    ({**GOOD, "end": "2026-09-30T00:00"}, "end “2026-09-30T00:00” is not a date in the form"),
    ({**GOOD, "end": "2026-W40-3"}, "end “2026-W40-3” is not a date in the form YYYY-MM-DD"),
    ({**GOOD, "end": "2026W403"}, "end “2026W403” is not a date in the form YYYY-MM-DD"),
    ({**GOOD, "end": "2026-273"}, "end “2026-273” is not a date in the form YYYY-MM-DD"),
    ({**GOOD, "start": " 2026-07-01"}, "is not a date in the form YYYY-MM-DD"),
    ({**GOOD, "start": "\u0662\u0660\u0662\u0666-07-01"}, "start “"),
    ({**GOOD, "start": "2026-02-30"}, "start “2026-02-30” is not a date"),
    # The range of dates the app works with.
    ({"start": "0001-01-01", "end": "0001-01-31"}, f"start {BOUNDS}"),
    ({"start": "1999-12-01", "end": "2000-01-31"}, f"start {BOUNDS}"),
    ({"start": "9999-12-01", "end": "9999-12-31"}, f"start {BOUNDS}"),
    ({"start": "2026-01-01", "end": "9999-12-31"}, f"end {BOUNDS}"),
    ({"start": "2100-12-01", "end": "2101-01-01"}, f"end {BOUNDS}"),
    # Null characters, wherever they are.
    ({**GOOD, "start": f"2026-07-01{NUL}"}, f"start {CONTROL}"),
    ({**GOOD, "end": NUL}, f"end {CONTROL}"),
    ({**GOOD, "activity": f"Neglect{NUL}"}, f"activity {CONTROL}"),
    ({**GOOD, "strand": f"social_care{NUL}"}, f"strand {CONTROL}"),
    ({**GOOD, "case_type": f"{NUL}"}, f"case type {CONTROL}"),
]


@pytest.mark.parametrize(("query", "named"), BAD_ARGUMENTS)
def test_bad_arguments_on_the_web_are_a_400_json_error_naming_the_argument(
    qa_client, vocabulary, query, named
):
    response = qa_client.get(URL, query)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert named in error
    assert NUL not in error


@pytest.mark.parametrize(("arguments", "named"), BAD_ARGUMENTS)
def test_bad_arguments_stop_the_command_naming_the_argument(vocabulary, arguments, named):
    options = [f"--{name.replace('_', '-')}={value}" for name, value in arguments.items()]

    with pytest.raises(CommandError) as raised:
        call_command("report", *options)

    assert named in str(raised.value)
    assert NUL not in str(raised.value)


@pytest.mark.parametrize(
    "query",
    [
        {"start": "2000-01-01", "end": "2000-01-31"},
        {"start": "2100-12-01", "end": "2100-12-31"},
        {"start": "2000-01-01", "end": "2100-12-31"},
    ],
)
def test_the_first_and_last_days_of_the_range_give_figures(qa_client, query):
    response = qa_client.get(URL, query)

    assert response.status_code == 200
    assert response.json()["start"] == query["start"]
    assert response.json()["end"] == query["end"]


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (("--start", "20260701", "--end", "2026-09-30"), "start “20260701” is not a date"),
        (("--start", "2026-07-01", "--end", "9999-12-31"), f"end {BOUNDS}"),
    ],
)
def test_on_the_command_line_a_bad_date_exits_non_zero_without_a_traceback(arguments, named):
    # Refused before the database is read, so the real manage.py can run them.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    finished = subprocess.run(
        [sys.executable, "manage.py", "report", *arguments],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert finished.returncode != 0
    assert named in finished.stderr
    assert "Traceback" not in finished.stderr
    assert finished.stdout == ""


def test_a_null_character_in_a_report_export_url_is_not_found(qa_client):
    qa_client.post(NEW, {"kind": "month", "month": "2026-01"})
    report = Report.objects.get()

    response = qa_client.get(f"/reports/{report.pk}/audits.csv%00")

    assert response.status_code == 404
    assert qa_client.get(f"/reports/{report.pk}%00/").status_code == 404


def test_the_targets_year_with_a_null_character_is_not_found(qa_client):
    assert qa_client.get(reverse("reports:targets"), {"year": f"2026{NUL}"}).status_code == 404
