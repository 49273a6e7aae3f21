"""python manage.py report: JSON on standard output or in a file, other formats, bad arguments."""

import csv
import datetime
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from audits.csv import contract
from audits.models import Status
from reports.contract import scope_from_arguments, summary
from tests import factories
from tests.reports import D, E, M, build_through_services, spec

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parents[2]
day = datetime.date
Q2 = ("--start", "2026-07-01", "--end", "2026-09-30")


@pytest.fixture
def audits():
    return build_through_services(
        [
            spec(
                day(2026, 7, 1),
                overall=M,
                moderated=D,
                status=Status.COMPLETED,
                activity="Child in need audit",
            ),
            spec(day(2026, 8, 2), overall=E, strand="early_help", case_type="early_help"),
            spec(day(2026, 9, 30), overall=D),
            spec(day(2026, 10, 1), overall=E),  # after the period
            spec(day(2026, 8, 3), overall=E, status=Status.DRAFT),
        ]
    )


def run(*arguments) -> str:
    out = io.StringIO()
    call_command("report", *arguments, stdout=out)
    return out.getvalue()


def test_json_on_standard_output(audits):
    figures = json.loads(run(*Q2))

    assert figures == summary(scope_from_arguments(start="2026-07-01", end="2026-09-30"))
    assert figures["start"] == "2026-07-01"
    assert figures["audits"] == 3
    assert figures["auditor_grades"] == {"exceeds": 1, "meets": 1, "does_not_meet": 1}
    assert figures["final_grades"] == {"exceeds": 1, "meets": 0, "does_not_meet": 2}


def test_json_is_indented_for_people_to_read(audits):
    text = run(*Q2, "--format", "json")

    assert text.startswith('{\n  "start": "2026-07-01",')


@pytest.mark.parametrize(
    ("filters", "audits_counted"),
    [
        (("--activity", "Child in need audit"), 1),
        (("--strand", "early_help"), 1),
        (("--strand", "social_care"), 2),
        (("--case-type", "child_in_need"), 2),
        (("--strand", "social_care", "--case-type", "early_help"), 0),
    ],
)
def test_filters(audits, filters, audits_counted):
    figures = json.loads(run(*Q2, *filters))

    assert figures["audits"] == audits_counted
    assert set(figures["by_strand"]) >= {"social_care", "early_help"}


def test_output_writes_the_json_to_a_file(audits, tmp_path):
    target = tmp_path / "q2.json"

    message = run(*Q2, "--output", str(target))

    assert json.loads(target.read_text(encoding="utf-8")) == json.loads(run(*Q2))
    assert str(target) in message


def test_an_unwritable_output_is_a_command_error(audits, tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        run(*Q2, "--output", str(tmp_path / "no-such-folder" / "q2.json"))


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (("--start", "2026-09-30", "--end", "2026-07-01"), "end 2026-07-01 is before start"),
        (
            ("--start", "2026-07-01", "--end", "2026-09-30", "--strand", "youth_justice"),
            "strand “youth_justice” is unknown",
        ),
        (
            ("--start", "2026-07-01", "--end", "2026-09-30", "--activity", "No such audit"),
            "activity “No such audit” does not exist",
        ),
        (("--start", "2026-13-01", "--end", "2026-09-30"), "start “2026-13-01” is not a date"),
        (("--start", "2026-07-01", "--end", "30 September"), "end “30 September” is not a date"),
        (
            ("--start", "2026-07-01", "--end", "2026-09-30", "--case-type", "pets"),
            "case type “pets” is unknown",
        ),
        (("--end", "2026-09-30"), "start is required"),
        (("--start", "2026-07-01", "--end", "2026-09-30", "--format", "pdf"), "--output"),
        (("--start", "2026-07-01", "--end", "2026-09-30", "--format", "xlsx"), "--output"),
    ],
)
def test_bad_arguments_stop_the_command_naming_the_problem(arguments, named):
    with pytest.raises(CommandError, match=named):
        run(*arguments)


def test_an_activity_name_used_in_two_months_needs_a_narrower_period():
    build_through_services([spec(day(2026, 7, 1), activity="Monthly dip sample")])
    factories.AuditActivityFactory(name="Monthly dip sample", month=day(2026, 8, 1))

    with pytest.raises(CommandError, match="names 2 activities"):
        run(*Q2, "--activity", "Monthly dip sample")
    figures = json.loads(
        run("--start", "2026-07-01", "--end", "2026-07-31", "--activity", "Monthly dip sample")
    )
    assert figures["audits"] == 1


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (("--start", "2026-09-30", "--end", "2026-07-01"), "end 2026-07-01 is before start"),
        (("--start", "2026-07-01", "--end", "2026-02-30"), "end “2026-02-30” is not a date"),
        (("--start", "2026-07-01", "--end", "2026-09-30", "--format", "word"), "invalid choice"),
    ],
)
def test_on_the_command_line_a_bad_argument_exits_non_zero(arguments, named):
    # These are refused before the database is read, so the real manage.py can run them.
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
    assert finished.stdout == ""


def test_csv_gives_the_audits_behind_the_figures_in_the_import_columns(audits, tmp_path):
    target = tmp_path / "q2.csv"

    run(*Q2, "--format", "csv", "--output", str(target))

    with target.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == list(contract.COLUMNS)
    assert [r[1] for r in rows[1:]] == ["2026-07-01", "2026-08-02", "2026-09-30"]


def test_csv_on_standard_output(audits):
    rows = list(csv.reader(io.StringIO(run(*Q2, "--format", "csv"))))

    assert rows[0] == list(contract.COLUMNS)
    assert len(rows) == 4


def test_xlsx_to_a_file(audits, tmp_path):
    from openpyxl import load_workbook

    target = tmp_path / "q2.xlsx"

    message = run(*Q2, "--format", "xlsx", "--output", str(target))

    assert "3 audit(s)" in message
    workbook = load_workbook(target)
    assert workbook.sheetnames == ["Audits", "Summary"]
    assert workbook["Audits"].max_row == 4


def test_html(audits, tmp_path):
    pytest.importorskip("reports.rendering")
    target = tmp_path / "q2.html"

    run(*Q2, "--format", "html", "--output", str(target))

    html = target.read_text(encoding="utf-8")
    assert "2026" in html
    assert run(*Q2, "--format", "html").strip() == html.strip()


def test_pdf_to_a_file(audits, tmp_path):
    pytest.importorskip("reports.rendering.pdf")
    from pypdf import PdfReader

    target = tmp_path / "q2.pdf"

    run(*Q2, "--format", "pdf", "--output", str(target))

    assert target.read_bytes().startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in PdfReader(target).pages)
    assert "2026" in text


def test_the_benchmark_runs_on_a_few_audits():
    out = io.StringIO()

    call_command(
        "benchmark_report",
        "--audits",
        "30",
        "--small",
        "10",
        "--repeat",
        "2",
        "--no-pdf",
        stdout=out,
    )

    text = out.getvalue()
    assert "     10 audits" in text and "     30 audits" in text
    assert "ratio:" in text and "target:" in text
    assert "refresh:    one month" in text
    # The benchmark deleted and rebuilt its audits: the kept figures followed.
    from audits.figures import stale_months

    assert stale_months() == []


def test_the_benchmark_refuses_a_database_with_real_audits():
    build_through_services([spec(day(2026, 7, 1))])

    with pytest.raises(CommandError, match="scratch database"):
        call_command("benchmark_report", "--audits", "30", "--small", "10", stdout=io.StringIO())
