"""The case list import (issue 14, item 4): all or nothing, every problem by line and column,
known cases updated and never duplicated; `import_cases` called as a script would."""

import csv
import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from audits.cases import contract
from audits.cases.importer import import_cases_csv
from audits.csv.reading import RowError
from audits.models import Case, CaseImport, Person, Team
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)


def row(**cells) -> dict:
    values = {
        "case_reference": "CR-1001",
        "case_holder": "Sam Okafor",
        "team": "North assessment",
        "strand": "social_care",
        "case_type": "child_in_need",
        "age_band": "5-9",
        "open_date": "2025-03-14",
        "family_group": "FG-77",
    }
    values.update(cells)
    return values


def csv_bytes(*rows: dict, columns=contract.COLUMNS) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(columns)
    for values in rows:
        writer.writerow([values.get(column, "") for column in columns])
    return out.getvalue().encode("utf-8")


def run_import(*rows, by=None, **kwargs):
    return import_cases_csv(io.BytesIO(csv_bytes(*rows, **kwargs)), by=by, today=TODAY)


def test_a_row_becomes_a_case_with_its_holder_team_and_codes():
    lead = factories.qa_lead()
    result = run_import(row(), by=lead)

    assert result.ok and (result.created, result.updated, result.unchanged) == (1, 0, 0)
    case = Case.objects.get()
    assert case.case_reference == "CR-1001"
    assert case.case_holder.name == "Sam Okafor" and case.case_holder.user is None
    assert case.team.name == "North assessment" and case.case_holder.team == case.team
    assert (case.strand.slug, case.case_type.slug, case.age_band.slug) == (
        "social_care",
        "child_in_need",
        "5-9",
    )
    assert case.open_date == datetime.date(2025, 3, 14) and case.family_group == "FG-77"
    assert result.created_people == ["Sam Okafor"] and result.created_teams == ["North assessment"]
    record = CaseImport.objects.get()
    assert record.by == lead and record.created == 1 and case.last_import == record


def test_codes_are_read_as_the_audit_import_reads_them_labels_slugs_any_case():
    team = factories.TeamFactory(name="Children in care", slug="children-in-care")
    result = run_import(
        row(strand="Social Care", case_type="LOOKED_AFTER", age_band="", team="CHILDREN-IN-CARE"),
        columns=[c for c in contract.COLUMNS if c != "family_group"],
    )

    assert result.ok, result.errors
    case = Case.objects.get()
    assert case.strand.slug == "social_care" and case.case_type.slug == "looked_after"
    assert case.age_band is None and case.team == team and case.family_group == ""
    assert result.created_teams == []


def test_every_bad_row_is_named_by_line_and_column_and_nothing_is_written():
    result = run_import(
        row(),
        row(case_reference="CR 2", case_holder=""),
        row(case_reference="CR-3", strand="martian", case_type="", open_date="14/03/2025"),
        row(case_reference="cr-1001", team="", age_band="ancient"),
        row(case_reference="CR-5", open_date="2027-01-01", family_group="Smith family"),
    )

    assert not result.ok
    where = {(e.line, e.column) for e in result.errors}
    assert where == {
        (3, "case_reference"),
        (3, "case_holder"),
        (4, "strand"),
        (4, "case_type"),
        (4, "open_date"),
        (5, "case_reference"),
        (5, "team"),
        (5, "age_band"),
        (6, "open_date"),
        (6, "family_group"),
    }
    by_place = {(e.line, e.column): e.reason for e in result.errors}
    assert "on line 2 already" in by_place[(5, "case_reference")]
    assert "not a known strand" in by_place[(4, "strand")]
    assert "YYYY-MM-DD" in by_place[(4, "open_date")]
    assert "future" in by_place[(6, "open_date")]
    assert [e.line for e in result.errors] == sorted(e.line for e in result.errors)
    assert not Case.objects.exists() and not Person.objects.exists()
    assert not CaseImport.objects.exists() and not Team.objects.exists()


def test_missing_and_unknown_columns_are_reported_on_the_header_line():
    result = run_import(row(), columns=["case_reference", "case_holder", "colour"])

    assert {(e.line, e.column) for e in result.errors} >= {
        (1, "colour"),
        (1, "team"),
        (1, "strand"),
        (1, "case_type"),
        (1, "age_band"),
        (1, "open_date"),
    }
    assert not Case.objects.exists()


def test_a_newer_extract_moves_cases_and_never_duplicates_one():
    run_import(row(), row(case_reference="CR-2", case_holder="Ama Boateng", team="South"))
    first = {c.case_reference: c.pk for c in Case.objects.all()}

    result = run_import(
        # Moved to another holder in another team, reference in another letter case.
        row(case_reference="cr-1001", case_holder="Ama  Boateng", team="South"),
        row(case_reference="CR-2", case_holder="Ama Boateng", team="South"),
        row(case_reference="CR-3", case_holder="Lee Chan", team="North assessment"),
    )

    assert result.ok, result.errors
    assert (result.created, result.updated, result.moved, result.unchanged) == (1, 1, 1, 1)
    assert Case.objects.count() == 3
    moved = Case.objects.get(pk=first["CR-1001"])
    assert moved.case_reference == "CR-1001"  # kept as first written
    assert moved.case_holder.name == "Ama Boateng" and moved.team.name == "South"
    assert Person.objects.filter(name_key="ama boateng").count() == 1
    assert set(Case.objects.values_list("last_import", flat=True)) == {result.record.pk}


def test_importing_the_same_file_twice_changes_nothing_the_second_time():
    rows = [row(case_reference=f"CR-{n}") for n in range(1, 6)]
    run_import(*rows)
    before = list(Case.objects.order_by("pk").values())

    result = run_import(*rows)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 5)
    after = list(Case.objects.order_by("pk").values())
    assert [{**c, "last_import_id": None} for c in before] == [
        {**c, "last_import_id": None} for c in after
    ]


def test_a_person_takes_the_team_of_the_last_row_naming_them():
    result = run_import(
        row(case_reference="CR-1", team="North"), row(case_reference="CR-2", team="South")
    )

    assert result.ok
    assert Person.objects.get().team.name == "South"
    assert dict(Case.objects.values_list("case_reference", "team__name")) == {
        "CR-1": "North",
        "CR-2": "South",
    }


def test_a_nul_character_is_a_row_error():
    result = run_import(row(case_holder="Sam\x00"))
    assert result.errors == [RowError(2, "case_holder", result.errors[0].reason)]
    assert not Case.objects.exists()


def test_a_file_that_is_not_utf8_is_refused():
    result = import_cases_csv(io.BytesIO("case_reference\nCR-1 é".encode("latin-1")), today=TODAY)
    assert [(e.line, e.column) for e in result.errors] == [(2, "")]


# --- The command, as a script calls it -----------------------------------------------------


def test_the_command_reports_what_it_did(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_bytes(csv_bytes(row(), row(case_reference="CR-2")))
    out = io.StringIO()

    call_command("import_cases", str(path), stdout=out)

    assert "2 new case(s), 0 updated" in out.getvalue()
    assert "Sam Okafor" in out.getvalue()


def test_the_command_lists_every_problem_and_fails(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_bytes(csv_bytes(row(strand="x"), row(case_reference="", open_date="")))

    with pytest.raises(CommandError) as raised:
        call_command("import_cases", str(path))

    message = str(raised.value)
    assert message.startswith("Nothing was imported from cases.csv: 3 problem(s) in 2 row(s).")
    assert "Line 2, strand:" in message
    assert "Line 3, case_reference:" in message and "Line 3, open_date:" in message
    assert not Case.objects.exists()


def test_the_importing_user_must_exist(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_bytes(csv_bytes(row()))
    with pytest.raises(CommandError, match="There is no user “nobody”"):
        call_command("import_cases", str(path), by="nobody")
