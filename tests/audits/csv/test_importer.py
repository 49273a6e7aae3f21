"""Importing audits from CSV (issue 2, item 8): all or nothing, duplicates skipped."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audits import bulk, selectors
from audits.csv import contract as csv_contract
from audits.csv.importer import RowError, import_audits_csv
from audits.grades import Grade
from audits.models import (
    Audit,
    AuditActivity,
    AuditTool,
    AuditTransition,
    DomainGrade,
    Status,
    Team,
)
from audits.workflow import TRANSITIONS
from tests import factories

pytestmark = pytest.mark.django_db


def row(**cells) -> dict:
    """A valid row; keyword arguments replace cells."""
    values = {
        "case_reference": "CR-1001",
        "audit_date": "2026-10-15",
        "auditor": "auditor-a",
        "activity": "Neglect thematic audit",
        "strand": "social_care",
        "case_type": "child_in_need",
        "age_band": "5-9",
        "team": "",
        **{column: "meets" for column in csv_contract.DOMAIN_COLUMNS},
        "overall_grade": "meets",
        "moderated_grade": "",
        "moderator": "",
        "practice": "no",
        "comments": "",
    }
    values.update(cells)
    return values


def csv_bytes(*rows: dict, columns=csv_contract.COLUMNS, encoding="utf-8") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(columns)
    for values in rows:
        writer.writerow([values.get(column, "") for column in columns])
    return out.getvalue().encode(encoding)


def run_import(*rows: dict, **kwargs):
    return import_audits_csv(io.BytesIO(csv_bytes(*rows)), **kwargs)


def moves(audit) -> list[tuple]:
    """The audit's recorded status changes, in order: (from, to, by, comment)."""
    return [
        (t.from_status, t.to_status, t.by, t.comment)
        for t in audit.transitions.select_related("by").order_by("at", "pk")
    ]


def counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Audit, User, AuditActivity, Team, DomainGrade, AuditTransition)
    }


def test_a_row_becomes_a_completed_imported_audit_on_the_current_tool():
    importer = factories.administrator(username="qa-importer")

    result = run_import(
        row(domain_3="not_applicable", comments="Plan drift noted."),
        by=importer,
        filename="historic.csv",
    )

    assert result.ok and result.created == 1
    audit = Audit.objects.get()
    assert (audit.case_reference, audit.audit_date) == ("CR-1001", datetime.date(2026, 10, 15))
    # A historic audit that was not moderated: completed, not waiting for a decision.
    assert audit.status == Status.COMPLETED and audit.is_imported
    assert audit.submitted_at is not None
    assert audit.tool == AuditTool.objects.get(is_current=True)
    assert (audit.strand.slug, audit.case_type.slug, audit.age_band.slug) == (
        "social_care",
        "child_in_need",
        "5-9",
    )
    assert audit.overall_grade == Grade.MEETS and audit.moderated_grade == ""
    assert audit.overall_comments == "Plan drift noted." and not audit.is_practice
    grades = list(
        audit.domain_grades.order_by("domain__number").values_list(
            "domain__number", "grade", "text"
        )
    )
    assert grades == [(n, "not_applicable" if n == 3 else "meets", "") for n in range(1, 13)]
    # Its history: submitted from a draft, then completed without moderation.
    assert moves(audit) == [
        (Status.DRAFT, Status.SUBMITTED, importer, "Imported from historic.csv"),
        (
            Status.SUBMITTED,
            Status.COMPLETED,
            importer,
            "Not moderated before this system (imported).",
        ),
    ]
    assert {t.at for t in audit.transitions.all()} == {audit.submitted_at}


def test_a_moderated_row_becomes_completed_with_its_moderator():
    moderator = factories.moderator(username="senior-manager")

    result = run_import(
        row(
            overall_grade="meets", moderated_grade="Does not meet good", moderator="senior-manager"
        ),
        filename="C:\\exports\\2025\tQ4.csv",
    )

    assert result.ok
    audit = Audit.objects.get()
    assert audit.status == Status.COMPLETED
    assert (audit.moderated_grade, audit.moderated_by) == (Grade.DOES_NOT_MEET, moderator)
    assert audit.final_grade == Grade.DOES_NOT_MEET
    # Submitted, taken for moderation and moderated: the moves the workflow allows.
    assert moves(audit) == [
        (Status.DRAFT, Status.SUBMITTED, None, "Imported from C:\\exports\\2025\tQ4.csv"),
        (
            Status.SUBMITTED,
            Status.IN_MODERATION,
            None,
            "Taken for moderation before this system (imported).",
        ),
        (Status.IN_MODERATION, Status.COMPLETED, None, "Moderated before this system (imported)."),
    ]


def _import_rows(n: int):
    return run_import(
        *(
            row(case_reference=f"CR-{i}", moderated_grade="meets", moderator="senior-manager")
            if i % 3 == 0
            else row(case_reference=f"CR-{i}")
            for i in range(n)
        )
    )


def test_every_imported_status_is_reached_through_the_transition_table():
    result = _import_rows(12)

    assert result.ok and result.created == 12
    for audit in Audit.objects.prefetch_related("transitions"):
        path = [(t.from_status, t.to_status) for t in audit.transitions.all()]
        assert path and all(pair in TRANSITIONS for pair in path), path
        # Each move starts where the one before ended: from a draft to the audit's status.
        statuses = [Status.DRAFT] + [to for _from, to in path]
        assert [from_ for from_, _to in path] == statuses[:-1]
        assert statuses[-1] == audit.status


def test_the_transitions_are_written_in_batches_not_a_query_per_audit():
    factories.moderator(username="senior-manager")
    table = AuditTransition._meta.db_table

    def transition_queries(n: int) -> int:
        Audit.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            assert _import_rows(n).created == n
        return sum(table in query["sql"] for query in queries.captured_queries)

    few, many = transition_queries(3), transition_queries(60)

    # 40 audits not moderated (two moves each), 20 moderated (three moves each).
    assert AuditTransition.objects.count() == 40 * 2 + 20 * 3
    # One statement on SQLite; PostgreSQL's COPY is not in Django's query log at all.
    assert many == few <= 1


def test_imported_audits_wait_for_nobody_and_a_second_import_moves_none_of_them(tmp_path):
    auditor = factories.auditor(username="auditor-a")
    factories.moderator(username="senior-manager")
    path = tmp_path / "historic.csv"
    path.write_bytes(
        csv_bytes(
            row(),
            row(case_reference="CR-2", moderated_grade="exceeds", moderator="senior-manager"),
        )
    )
    call_command("import_audits", str(path), stdout=io.StringIO())
    before = list(AuditTransition.objects.order_by("pk").values_list())

    call_command("import_audits", str(path), stdout=io.StringIO())

    # Nothing is left submitted: every imported audit is completed, moderated or not.
    assert selectors.status_counts(Audit.objects.all()) == {
        **dict.fromkeys(Status.values, 0),
        Status.COMPLETED: 2,
    }
    assert selectors.status_counts(selectors.my_audits(auditor))[Status.SUBMITTED] == 0
    assert list(AuditTransition.objects.order_by("pk").values_list()) == before


def test_grade_labels_and_other_names_are_accepted_in_any_case():
    result = run_import(
        row(
            domain_1="Meets Good",
            domain_2="n/a",
            domain_3="EXCEEDS GOOD",
            domain_4="does not meet good",
            domain_5="Not Applicable",
            overall_grade="Exceeds good",
            age_band="18+",
            strand="Early Help",
            case_type="EARLY_HELP",
            practice="YES",
        )
    )

    assert result.errors == []
    audit = Audit.objects.get()
    grades = dict(audit.domain_grades.values_list("domain__number", "grade"))
    assert [grades[n] for n in range(1, 6)] == [
        "meets",
        "not_applicable",
        "exceeds",
        "does_not_meet",
        "not_applicable",
    ]
    assert audit.overall_grade == "exceeds" and audit.is_practice
    assert (audit.age_band.slug, audit.strand.slug) == ("18-plus", "early_help")


def test_unknown_people_become_accounts_that_cannot_log_in():
    factories.auditor(username="known-auditor")

    result = run_import(
        row(auditor="known-auditor"),
        row(
            case_reference="CR-2",
            auditor="retired-auditor",
            moderated_grade="meets",
            moderator="retired-moderator",
        ),
    )

    assert result.created_users == ["retired-auditor", "retired-moderator"]
    for username in result.created_users:
        user = User.objects.get(username=username)
        assert not user.has_usable_password()
        assert user.groups.count() == 0
    assert User.objects.get(username="known-auditor").has_usable_password()


def test_unknown_activities_and_teams_are_created_and_reported():
    factories.TeamFactory(name="Assessment team North", slug="assessment-north")

    result = run_import(
        row(activity="Domestic abuse audit", team="assessment team north"),
        row(
            case_reference="CR-2",
            audit_date="2026-09-30",
            activity="Domestic abuse audit",
            team="Disabled children's team",
        ),
    )

    assert result.created_teams == ["Disabled children's team"]
    assert Team.objects.get(name="Disabled children's team").slug == "disabled-childrens-team"
    # One activity for the new name, in the month of its earliest audit in the file.
    assert result.created_activities == ["Domestic abuse audit — September 2026"]
    activity = AuditActivity.objects.get(name="Domestic abuse audit")
    assert activity.month == datetime.date(2026, 9, 1)
    assert set(Audit.objects.values_list("activity", flat=True)) == {activity.pk}
    assert Audit.objects.get(case_reference="CR-1001").team.slug == "assessment-north"


@pytest.mark.parametrize(
    "audit_date, expected_month",
    [
        ("2026-09-20", datetime.date(2026, 9, 28)),  # the activity in the audit's month
        ("2026-08-05", datetime.date(2026, 7, 1)),  # else the latest not after the audit date
        ("2026-05-01", datetime.date(2026, 6, 1)),  # else the earliest
    ],
)
def test_an_activity_name_held_by_several_months_is_matched_by_date(audit_date, expected_month):
    # 28 September: an activity whose month was not entered as the first day still counts.
    for month in (datetime.date(2026, 6, 1), datetime.date(2026, 7, 1), datetime.date(2026, 9, 28)):
        factories.AuditActivityFactory(name="Care leavers audit", month=month)

    result = run_import(row(activity="Care leavers audit", audit_date=audit_date))

    assert result.ok and result.created_activities == []
    assert Audit.objects.get().activity.month == expected_month


def test_a_row_under_an_activity_of_another_month_imports_as_before():
    # The form refuses to submit such an audit (audits.rules.activity_month_error); the import
    # does not: historic rows name activities that may span any dates.
    may = factories.AuditActivityFactory(name="Care leavers audit", month=datetime.date(2026, 5, 1))

    result = run_import(
        row(activity="Care leavers audit", audit_date="2026-10-15"),
        row(case_reference="CR-2", activity="Care leavers audit", audit_date="2026-03-03"),
    )

    assert result.ok and result.created == 2 and result.created_activities == []
    assert set(Audit.objects.values_list("activity", "status")) == {(may.pk, Status.COMPLETED)}


def test_a_file_with_bad_rows_writes_nothing_and_lists_every_problem(tmp_path):
    path = tmp_path / "bad.csv"
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    path.write_bytes(
        csv_bytes(
            row(auditor="new-person", activity="A new activity", team="A new team"),
            row(case_reference="CR/1001 A", audit_date=tomorrow),
            row(case_reference="CR-3", domain_7="", overall_grade="n/a", strand="fostering"),
            row(
                case_reference="CR-4",
                audit_date="15/10/2026",
                moderator="senior-manager",
                practice="maybe",
            ),
        )
    )
    before = counts()

    with pytest.raises(CommandError) as raised:
        call_command("import_audits", str(path))

    assert counts() == before
    message = str(raised.value)
    assert "Nothing was imported from bad.csv: 8 problem(s) in 3 row(s)." in message
    for expected in [
        "Line 3, case_reference: The case reference must be 1 to 32 letters, digits or hyphens",
        "Line 3, audit_date: The audit date cannot be in the future.",
        "Line 4, strand: “fostering” is not a known strand (use one of: social_care, early_help)",
        "Line 4, domain_7: Grade domain 7, or mark it not_applicable.",
        "Line 4, overall_grade: The overall grade cannot be Not applicable.",
        "Line 5, audit_date: “15/10/2026” is not a date written YYYY-MM-DD.",
        "Line 5, moderated_grade: Enter the moderated grade, or leave the moderator blank.",
        "Line 5, practice: “maybe” is not yes or no.",
    ]:
        assert expected in message
    assert "Line 2" not in message


def test_importing_the_same_file_twice_changes_nothing_the_second_time(tmp_path):
    path = tmp_path / "audits.csv"
    path.write_bytes(
        csv_bytes(row(), row(case_reference="CR-2"), row(case_reference="cr-2"))
    )  # same case, differently typed
    first = io.StringIO()
    call_command("import_audits", str(path), stdout=first)
    after_first = counts()

    second = io.StringIO()
    call_command("import_audits", str(path), stdout=second)

    assert after_first["Audit"] == 2
    assert "Line 4: repeats line 3" in first.getvalue()
    assert counts() == after_first
    output = second.getvalue()
    assert "Imported 0 audit(s) from audits.csv." in output
    assert "Skipped 3 duplicate row(s)" in output
    assert (
        "Line 2: an audit of CR-1001 on 2026-10-15 by auditor-a is already in the database"
        in output
    )


def test_moderator_without_a_moderated_grade_and_the_reverse_are_errors():
    result = run_import(
        row(moderator="senior-manager"),
        row(case_reference="CR-2", moderated_grade="meets"),
        row(case_reference="CR-3", moderated_grade="N/A", moderator="m-1"),
    )

    assert result.errors == [
        RowError(2, "moderated_grade", "Enter the moderated grade, or leave the moderator blank."),
        RowError(3, "moderator", "Enter the moderator's username: a moderated grade needs one."),
        RowError(4, "moderated_grade", "The moderated grade cannot be Not applicable."),
    ]
    assert Audit.objects.count() == 0 and not User.objects.filter(username="m-1").exists()


def test_a_future_audit_date_is_an_error():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    result = run_import(row(audit_date=tomorrow.isoformat()))

    assert result.errors == [RowError(2, "audit_date", "The audit date cannot be in the future.")]
    assert Audit.objects.count() == 0


# The wording of every form's null-character error (audits.rules.null_character_error).
NUL_REASON = "The cell must not contain control characters."


def test_a_nul_character_in_a_cell_is_a_row_error_and_nothing_is_written(tmp_path):
    path = tmp_path / "damaged.csv"
    path.write_bytes(
        csv_bytes(
            row(auditor="new-person", activity="A new activity", team="A new team"),
            row(case_reference="CR-2", comments="Plan\x00 drift noted."),
            row(case_reference="CR-3\x00", audit_date="2026-10-16"),
        )
    )
    before = counts()

    result = import_audits_csv(path.open("rb"))

    assert result.errors == [
        RowError(3, "comments", NUL_REASON),
        RowError(4, "case_reference", NUL_REASON),
    ]
    assert counts() == before
    with pytest.raises(CommandError) as raised:
        call_command("import_audits", str(path))
    message = str(raised.value)
    assert "Nothing was imported from damaged.csv: 2 problem(s) in 2 row(s)." in message
    assert f"Line 3, comments: {NUL_REASON}" in message
    assert f"Line 4, case_reference: {NUL_REASON}" in message
    assert "\x00" not in message
    assert counts() == before


def test_a_nul_character_in_an_otherwise_valid_file_is_refused_on_every_database():
    # PostgreSQL refuses NUL in text; SQLite would store it. The contract is the same on both.
    result = run_import(row(comments="\x00"))

    assert result.errors == [RowError(2, "comments", NUL_REASON)]
    assert Audit.objects.count() == 0


def test_a_nul_character_in_the_header_is_reported_by_its_position():
    columns = list(csv_contract.COLUMNS)
    columns[2] = "auditor\x00"

    result = import_audits_csv(io.BytesIO(csv_bytes(row(), columns=columns)))

    assert (
        RowError(1, "column 3", "The header cell must not contain control characters.")
        in result.errors
    )
    assert not any("\x00" in str(error) for error in result.errors)
    assert Audit.objects.count() == 0


def test_other_control_characters_are_kept_as_typed():
    # Only NUL cannot be stored; tabs, line breaks and the like in a comment round-trip.
    comments = "Line one\r\nLine two\twith a tab\x0b and a vertical tab."

    result = run_import(row(comments=comments))

    assert result.ok and Audit.objects.get().overall_comments == comments


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        csv_bytes(row(), row(case_reference="CR-2", comments="Café visit"), encoding="latin-1")
    )

    with pytest.raises(CommandError, match="Line 3: The file is not UTF-8 text"):
        call_command("import_audits", str(path))
    assert Audit.objects.count() == 0


def test_a_utf8_byte_order_mark_is_accepted():
    data = "\ufeff".encode() + csv_bytes(row(comments="Café visit"))

    result = import_audits_csv(io.BytesIO(data))

    assert result.ok and Audit.objects.get().overall_comments == "Café visit"


def test_missing_and_unknown_columns_are_reported():
    columns = [c for c in csv_contract.COLUMNS if c not in ("auditor", "domain_12")]
    data = csv_bytes(row(), columns=[*columns, "child_name"])

    errors = import_audits_csv(io.BytesIO(data)).errors

    assert RowError(1, "child_name", "“child_name” is not a column of the audit CSV.") in errors
    assert (
        RowError(1, "auditor", "The required column “auditor” is missing from the header row.")
        in errors
    )
    assert (
        RowError(1, "domain_12", "The required column “domain_12” is missing from the header row.")
        in errors
    )
    assert Audit.objects.count() == 0


def test_optional_columns_may_be_left_out_and_empty_trailing_cells_are_ignored():
    columns = [c for c in csv_contract.COLUMNS if c not in csv_contract.OPTIONAL_COLUMNS]
    columns += ["", ""]  # as a spreadsheet saves cells that were touched and cleared

    result = import_audits_csv(io.BytesIO(csv_bytes(row(), columns=columns)))

    assert result.ok and Audit.objects.get().age_band is None


def test_a_database_error_half_way_writes_nothing(monkeypatch, tmp_path):
    def fail(*args, **kwargs):
        raise IntegrityError("simulated failure after the audits were inserted")

    # The grades and transitions go in after the audits, users and activities.
    monkeypatch.setattr(bulk, "insert_rows", fail)
    path = tmp_path / "audits.csv"
    path.write_bytes(csv_bytes(row(auditor="brand-new", activity="Brand new activity")))
    before = counts()

    with pytest.raises(CommandError, match="Nothing was imported: the database refused"):
        call_command("import_audits", str(path))

    assert counts() == before


def test_the_importing_user_must_exist(tmp_path):
    path = tmp_path / "audits.csv"
    path.write_bytes(csv_bytes(row()))

    with pytest.raises(CommandError, match="There is no user “nobody”"):
        call_command("import_audits", str(path), by="nobody")
