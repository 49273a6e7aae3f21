"""The audits behind a report as CSV (the import contract) and as an XLSX workbook."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from audits import periods
from audits.csv import contract
from audits.csv.importer import import_audits_csv
from audits.models import Audit, Status
from reports.exports import write_report_csv, write_report_xlsx
from reports.figures import report_figures
from reports.selectors import ReportScope, reportable_audits
from tests.reports import (
    NA,
    TODAY,
    D,
    E,
    M,
    build_through_import,
    build_through_services,
    spec,
)

pytestmark = pytest.mark.django_db

Q2 = periods.quarter(2026, 2)
day = datetime.date


@pytest.fixture
def cohort():
    return build_through_services(
        [
            spec(day(2026, 7, 1), overall=M, moderated=D, status=Status.COMPLETED),
            spec(
                day(2026, 9, 30),
                overall=E,
                strand="early_help",
                case_type="early_help",
                domains=(E,) * 10 + (NA,) * 2,
            ),
            spec(
                day(2026, 8, 20),
                overall=D,
                status=Status.RETURNED,
                case_type="looked_after",
                domains=(D,) * 12,
            ),
            spec(day(2026, 8, 1), overall=M, status=Status.DRAFT),  # never exported
            spec(day(2026, 8, 2), overall=M, practice=True),  # never exported
            # Before the quarter, so under an activity of its own month.
            spec(day(2026, 6, 30), overall=E, activity="June audit"),
        ]
    )


def csv_rows(scope) -> tuple[int, list[list[str]]]:
    out = io.StringIO(newline="")
    count = write_report_csv(scope, out)
    return count, list(csv.reader(io.StringIO(out.getvalue(), newline="")))


def xlsx(scope, **kwargs):
    out = io.BytesIO()
    count = write_report_xlsx(scope, out, today=TODAY, **kwargs)
    return count, load_workbook(io.BytesIO(out.getvalue()))


def test_csv_has_the_import_columns_and_exactly_the_audits_counted(cohort):
    count, rows = csv_rows(ReportScope(Q2))

    assert rows[0] == list(contract.COLUMNS)
    assert count == len(rows) - 1 == report_figures(ReportScope(Q2), today=TODAY)["audits"] == 3
    by_column = [dict(zip(rows[0], row)) for row in rows[1:]]
    assert [r["audit_date"] for r in by_column] == ["2026-07-01", "2026-08-20", "2026-09-30"]
    assert [r["overall_grade"] for r in by_column] == [M, D, E]
    assert [r["moderated_grade"] for r in by_column] == [D, "", ""]
    assert by_column[2]["strand"] == "early_help"
    assert [by_column[2][f"domain_{n}"] for n in (1, 10, 11, 12)] == [E, E, NA, NA]
    assert {r["practice"] for r in by_column} == {"no"}


def test_csv_follows_the_filters(cohort):
    scope = ReportScope(Q2, case_type=cohort[2].case_type)

    count, rows = csv_rows(scope)

    assert count == 1
    assert rows[1][contract.COLUMNS.index("case_type")] == "looked_after"


def test_the_csv_imports_back_to_the_same_figures(cohort):
    scope = ReportScope(Q2)
    before = report_figures(scope, today=TODAY)
    out = io.StringIO(newline="")
    write_report_csv(scope, out)
    # Deleted only to make room for the round trip: nothing in the app deletes these audits.
    reportable_audits(scope).delete()

    result = import_audits_csv(io.BytesIO(out.getvalue().encode()), today=TODAY)

    assert result.ok and result.created == 3
    after = report_figures(scope, today=TODAY)
    # The CSV carries no agreed actions, so their figures differ. Nor does it carry a status:
    # an import records audits that already happened, so the audit that was waiting for
    # moderation and the returned one come back completed, and the schedule's count of
    # completed audits is the one other figure that moves. The trend's overdue actions are
    # actions too.
    for figures in (before, after):
        for entry in figures["trend"]:
            del entry["overdue_actions"]
    expected = {k: v for k, v in before.items() if k != "actions"}
    [activity] = expected["schedule"]["in_period"]
    assert (activity["submitted"], activity["completed"]) == (3, 1)
    activity["completed"] += 2
    assert {k: v for k, v in after.items() if k != "actions"} == expected


def test_the_workbook_has_an_audits_sheet_with_the_csv_and_a_summary_sheet(cohort):
    scope = ReportScope(Q2)
    _, rows = csv_rows(scope)

    count, workbook = xlsx(scope)

    assert workbook.sheetnames == ["Audits", "Summary"]
    assert count == 3
    sheet = [list(row) for row in workbook["Audits"].iter_rows(values_only=True)]
    assert sheet[0] == list(contract.COLUMNS)
    date_at = contract.COLUMNS.index("audit_date")
    for from_xlsx, from_csv in zip(sheet[1:], rows[1:], strict=True):
        # The date is a real date in the workbook; every other cell is the CSV's.
        assert from_xlsx[date_at].date().isoformat() == from_csv[date_at]
        others = [c or "" for i, c in enumerate(from_xlsx) if i != date_at]
        assert others == [c for i, c in enumerate(from_csv) if i != date_at]


def summary_rows(workbook) -> list[list]:
    return [list(row) for row in workbook["Summary"].iter_rows(values_only=True)]


def table(rows, heading: str) -> list[list]:
    """The rows under the row whose first cell is ``heading``, up to the next blank row."""
    start = next(i for i, row in enumerate(rows) if row and row[0] == heading)
    found = []
    for row in rows[start + 1 :]:
        if not row or row[0] is None:
            break
        found.append(row)
    return found


def test_the_summary_sheet_states_the_report_tables(cohort):
    scope = ReportScope(Q2)
    figures = report_figures(scope, today=TODAY)

    _, workbook = xlsx(scope)

    rows = summary_rows(workbook)
    assert ["Audits counted", 3] == rows[6][:2]
    grades = table(rows, "Overall grade")
    assert [row[:5] for row in grades] == [
        ["Exceeds good", 1, pytest.approx(1 / 3), 1, pytest.approx(1 / 3)],
        ["Meets good", 1, pytest.approx(1 / 3), 0, 0],
        ["Does not meet good", 1, pytest.approx(1 / 3), 2, pytest.approx(2 / 3)],
        ["Total", 3, 1, 3, 1],
    ]
    assert [row[:3] for row in table(rows, "Moderation")] == [
        ["Moderated (% of audits counted)", 1, pytest.approx(1 / 3)],
        ["Moderator agreed (% of moderated)", 0, 0],
        ["Grade raised (% of moderated)", 0, 0],
        ["Grade lowered (% of moderated)", 1, 1],
    ]
    strands = table(rows, "By strand")
    assert [row[:8] for row in strands] == [
        ["Social care", 2, 0, 1, 1, 0, 0, 2],
        ["Early help", 1, 1, 0, 0, 1, 0, 0],
    ]
    case_types = {row[0]: row[1:5] for row in table(rows, "By case type")}
    assert case_types == {
        "Child in need": [1, 0, 0, 1],
        "Early help": [1, 1, 0, 0],
        "Looked after": [1, 0, 0, 1],
    }
    domains = table(rows, "Domain")
    assert len(domains) == 12
    for row, domain in zip(domains, figures["domains"]):
        assert row[:6] == [
            domain["number"],
            domain["title"],
            domain["exceeds"],
            domain["meets"],
            domain["does_not_meet"],
            domain["not_applicable"],
        ]
    assert domains[0][6:8] == [3, pytest.approx(2 / 3)]  # Meets, Exceeds and Does not meet
    assert domains[11][6:8] == [2, pytest.approx(1 / 2)]  # Meets, N/A and Does not meet
    assert rows[-1][:2] == ["Audits graded Does not meet good in every applicable domain", 1]


def test_percentages_are_numbers_formatted_as_percentages(cohort):
    _, workbook = xlsx(ReportScope(Q2))

    sheet = workbook["Summary"]
    exceeds_row = next(row for row in sheet.iter_rows() if row[0].value == "Exceeds good")
    assert exceeds_row[2].number_format == "0.0%"
    assert isinstance(exceeds_row[2].value, float)


def test_an_empty_report_has_blank_percentages_not_errors():
    _, workbook = xlsx(ReportScope(periods.month(2020, 1)))

    grades = table(summary_rows(workbook), "Overall grade")
    assert grades[0][:5] == ["Exceeds good", 0, None, 0, None]
    assert workbook["Audits"].max_row == 1


def test_no_cell_is_ever_a_formula():
    audits = build_through_services([spec(day(2026, 8, 1))])
    # Comments are free text an auditor types; the builder leaves them plain, so set one here.
    Audit.objects.filter(pk=audits[0].pk).update(overall_comments='=HYPERLINK("http://x")')

    _, workbook = xlsx(ReportScope(Q2))

    cells = [c for sheet in workbook for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    comments = workbook["Audits"].cell(row=2, column=contract.COLUMNS.index("comments") + 1)
    assert comments.value == '\'=HYPERLINK("http://x")'  # escaped as in the CSV


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_the_exports_run_a_fixed_number_of_queries(export):
    def queries_for(how_many: int) -> tuple[int, int]:
        build_through_import(
            [
                spec(Q2.start + datetime.timedelta(days=n % 90), overall=(E, M, D)[n % 3])
                for n in range(how_many)
            ],
            prefix=f"CR-{how_many}-",
        )
        with CaptureQueriesContext(connection) as figures:
            report_figures(ReportScope(Q2), today=TODAY)
        with CaptureQueriesContext(connection) as captured:
            if export == "csv":
                write_report_csv(ReportScope(Q2), io.StringIO())
            else:
                write_report_xlsx(ReportScope(Q2), io.BytesIO(), today=TODAY)
        return len(figures), len(captured)

    few = queries_for(5)
    many = queries_for(400)

    assert few == many
    figures, export_queries = many
    # The CSV: one streamed query. The workbook: the figures', the audits and two for the
    # strand and case type names.
    assert export_queries == (1 if export == "csv" else figures + 3)
