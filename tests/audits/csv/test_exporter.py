"""Exporting audits as CSV, the round trip export -> import -> export, and the benchmark."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from audits.csv import contract as csv_contract
from audits.csv.exporter import iter_audits_csv, write_audits_csv
from audits.csv.importer import import_audits_csv
from audits.grades import Grade
from audits.models import Audit, AuditActivity, Status, Team
from tests import factories
from tests.audits.csv.test_importer import csv_bytes, row
from tests.helpers import draft_audit, submitted_audit

pytestmark = pytest.mark.django_db

ROWS = [
    row(),
    row(
        case_reference="CR-1002",
        audit_date="2026-10-20",
        auditor="auditor-b",
        strand="early_help",
        case_type="early_help",
        age_band="under-1",
        team="Early help east",
        domain_2="not_applicable",
        domain_9="exceeds",
        overall_grade="does_not_meet",
        moderated_grade="meets",
        moderator="moderator-a",
        practice="yes",
        comments="Multi-line comment:\nchronology missing, “quotes”, commas, and ü.",
    ),
    row(
        case_reference="-3",
        audit_date="2026-11-02",
        activity="=Formula-looking activity",
        age_band="",
        domain_12="does_not_meet",
        overall_grade="exceeds",
        comments='=HYPERLINK("http://example.test")',
    ),
]


def export_text(queryset=None) -> str:
    stream = io.StringIO(newline="")
    write_audits_csv(
        queryset
        if queryset is not None
        else Audit.objects.order_by("audit_date", "case_reference"),
        stream,
    )
    return stream.getvalue()


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def wipe_database():
    Audit.objects.all().delete()
    AuditActivity.objects.all().delete()
    Team.objects.all().delete()
    User.objects.all().delete()


def test_import_then_export_gives_back_the_same_rows(tmp_path):
    source = tmp_path / "in.csv"
    source.write_bytes(csv_bytes(*ROWS))
    call_command("import_audits", str(source), stdout=io.StringIO())
    draft_audit(case_reference="CR-2999")  # drafts are unfinished: not exported

    target = tmp_path / "out.csv"
    call_command("export_audits", str(target), stdout=io.StringIO())

    exported = parse(target.read_text(encoding="utf-8"))
    assert exported[0] == list(csv_contract.COLUMNS)
    expected = [[values[column] for column in csv_contract.COLUMNS] for values in ROWS]
    # Cells a spreadsheet would run as formulas come out behind an apostrophe.
    expected[2][0] = "'-3"
    expected[2][3] = "'=Formula-looking activity"
    expected[2][-1] = '\'=HYPERLINK("http://example.test")'
    assert exported[1:] == expected
    assert Audit.objects.get(case_reference="-3").overall_comments.startswith("=HYPERLINK")


def test_service_made_audits_survive_export_wipe_import_export():
    activity = factories.AuditActivityFactory(name="Child protection plans audit")
    submitted_audit(
        case_reference="CR-2001",
        activity=activity,
        auditor=factories.auditor(username="auditor-one"),
    )
    submitted_audit(
        case_reference="CR-2002",
        activity=activity,
        overall=Grade.DOES_NOT_MEET,
        domain_grade=Grade.DOES_NOT_MEET,
        audit_date=datetime.date(2026, 10, 1),
        auditor=factories.auditor(username="auditor-two"),
    )
    submitted_audit(
        case_reference="CR-2003",
        overall=Grade.EXCEEDS,
        auditor=factories.auditor(username="auditor-three"),
    )
    first_text = export_text(
        Audit.objects.exclude(status=Status.DRAFT).order_by("audit_date", "case_reference")
    )
    rows = parse(first_text)
    assert [r[0] for r in rows[1:]] == ["CR-2002", "CR-2001", "CR-2003"]
    assert rows[1][2:4] == ["auditor-two", "Child protection plans audit"]
    assert rows[1][8:21] == ["does_not_meet"] * 13
    assert rows[3][20] == "exceeds"

    wipe_database()
    result = import_audits_csv(io.BytesIO(first_text.encode()), filename="export.csv")

    assert result.ok and result.created == 3
    assert result.created_users == ["auditor-two", "auditor-one", "auditor-three"]
    assert all(audit.is_imported for audit in Audit.objects.all())
    assert export_text() == first_text


def test_the_export_runs_a_fixed_number_of_queries(django_assert_max_num_queries):
    import_audits_csv(
        io.BytesIO(
            csv_bytes(
                *[
                    row(
                        case_reference=f"CR-{n}",
                        auditor=f"auditor-{n % 7}",
                        team=f"Team {n % 3}",
                        moderated_grade="meets" if n % 2 else "",
                        moderator="mod-1" if n % 2 else "",
                    )
                    for n in range(50)
                ]
            )
        )
    )
    small = Audit.objects.filter(case_reference__in=[f"CR-{n}" for n in range(5)])

    with django_assert_max_num_queries(1):
        assert write_audits_csv(small, io.StringIO()) == 5
    with django_assert_max_num_queries(1):
        assert write_audits_csv(Audit.objects.all(), io.StringIO()) == 50


def test_the_streaming_form_yields_the_same_csv_line_by_line():
    import_audits_csv(io.BytesIO(csv_bytes(*ROWS)))
    queryset = Audit.objects.order_by("audit_date")

    lines = list(iter_audits_csv(queryset))

    assert len(lines) == 4
    assert "".join(lines) == export_text(queryset)


def test_a_byte_order_mark_can_be_asked_for_and_imports_back():
    import_audits_csv(io.BytesIO(csv_bytes(row())))
    stream = io.StringIO(newline="")

    write_audits_csv(Audit.objects.all(), stream, bom=True)

    text = stream.getvalue()
    assert text.startswith("\ufeffcase_reference,")
    wipe_database()
    assert import_audits_csv(io.BytesIO(text.encode("utf-8"))).created == 1


@pytest.mark.parametrize(
    "value",
    [
        "",
        "plain",
        "=1+1",
        "+44",
        "-",
        "@SUM(A1)",
        "'=1",
        "''-2",
        "'plain",
        "\tx",
        "it's =",
    ],
)
def test_formula_escaping_is_undone_exactly(value):
    escaped = csv_contract.escape_cell(value)

    assert csv_contract.unescape_cell(escaped) == value
    assert escaped[:1] not in ("=", "+", "-", "@", "\t")


def test_the_benchmark_imports_for_real_then_removes_what_it_made():
    factories.auditor(username="existing-auditor")
    before = (User.objects.count(), AuditActivity.objects.count(), Team.objects.count())
    out = io.StringIO()

    call_command("benchmark_import", rows=30, stdout=out)

    output = out.getvalue()
    assert "rows:         30 (30 audits created, 0 duplicates)" in output
    assert "rows/s:" in output and "peak memory:" in output
    assert Audit.objects.count() == 0
    assert (User.objects.count(), AuditActivity.objects.count(), Team.objects.count()) == before


def test_the_benchmark_refuses_a_database_with_real_audits():
    submitted_audit()

    with pytest.raises(CommandError, match="holds 1 audit"):
        call_command("benchmark_import", rows=10, stdout=io.StringIO())
    assert Audit.objects.count() == 1
