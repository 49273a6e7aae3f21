"""benchmark_export: the council's period figures as a benchmark file, counted independently,
small counts suppressed, no case reference or name anywhere, valid against the schema file,
refused (and nothing written) when a check fails."""

import datetime
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits.models import Audit, Status
from reports.benchmark import export
from reports.benchmark.export import refusals
from reports.benchmark.schema import problems, schema_text
from tests import factories
from tests.reports import AuditSpec, build_through_import, build_through_services, spec

from . import DOMAIN_GRADES, GRADES, QUARTER, cohort, expected_document, leaves

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parents[3]
SCHEMA_FILE = PROJECT / "docs" / "benchmark-schema.json"
START, END = QUARTER
ARGS = ("--start", START.isoformat(), "--end", END.isoformat())
COUNCIL = "Example Borough Council"  # config.settings_test's COUNCIL_NAME default
# period_figures' bound (ten for a quarter of whole months): the export reads nothing else.
QUERIES = 20


def run(*arguments) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("benchmark_export", *arguments, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def council(settings):
    settings.COUNCIL_NAME = COUNCIL
    settings.BENCHMARK_SUPPRESS_BELOW = 5
    settings.BENCHMARK_STRANDS = ""
    settings.BENCHMARK_CASE_TYPES = ""


def test_the_file_is_the_periods_counts_with_every_count_below_five_null(council):
    specs = cohort(80)
    build_through_import(specs)

    out, err = run(*ARGS)

    document = json.loads(out)
    assert document == expected_document(specs, start=START, end=END, council=COUNCIL)
    # The cohort has cells of every kind: the test would not notice a suppression that never
    # happened, or one that hid everything.
    counts = [v for p, v in leaves(document) if not p.endswith("#key") and not isinstance(v, str)]
    assert None in counts
    assert any(v is not None and v >= 5 for v in counts if not isinstance(v, bool))
    assert document["by_case_type"]["other"]["audits"] is not None  # no recourse to public funds
    assert "no_recourse_public_funds" in err and "BENCHMARK_CASE_TYPES" in err


def test_zero_is_suppressed_and_the_threshold_is_the_setting(council, settings):
    build_through_import([AuditSpec(datetime.date(2026, 8, 1), overall="meets")])

    five = json.loads(run(*ARGS)[0])
    settings.BENCHMARK_SUPPRESS_BELOW = 1
    one = json.loads(run(*ARGS)[0])

    assert five["audits"] is None and five["final_grades"]["meets"] is None
    assert one["audits"] == 1 and one["final_grades"]["meets"] == 1
    # 0 is below any threshold: written as null, not 0.
    assert one["final_grades"]["exceeds"] is None


def test_a_council_slug_is_mapped_by_the_setting(council, settings):
    specs = cohort(80)
    build_through_import(specs)
    settings.BENCHMARK_CASE_TYPES = "no_recourse_public_funds=child_in_need"

    out, err = run(*ARGS)

    assert json.loads(out) == expected_document(
        specs,
        start=START,
        end=END,
        council=COUNCIL,
        case_types={"no_recourse_public_funds": "child_in_need"},
    )
    assert err == ""


def test_a_mapping_to_no_national_code_stops_the_export(council, settings):
    settings.BENCHMARK_STRANDS = "social_care=childrens_services"

    with pytest.raises(CommandError, match="not written: BENCHMARK_STRANDS: “childrens_services”"):
        run(*ARGS)


def test_the_export_makes_a_fixed_number_of_queries(council, django_assert_max_num_queries):
    build_through_import(cohort(20))
    with django_assert_max_num_queries(QUERIES):
        run(*ARGS)
    build_through_import(cohort(120, seed=5), prefix="CR-J")
    with django_assert_max_num_queries(QUERIES):
        run(*ARGS)


@st.composite
def audits(draw):
    moderated = draw(st.sampled_from(("", *GRADES)))
    strand, case_type = draw(
        st.sampled_from(
            (
                ("social_care", "child_in_need"),
                ("social_care", "looked_after"),
                ("social_care", "no_recourse_public_funds"),
                ("early_help", "early_help"),
            )
        )
    )
    return AuditSpec(
        audit_date=draw(st.dates(datetime.date(2026, 6, 20), datetime.date(2026, 10, 10))),
        overall=draw(st.sampled_from(GRADES)),
        moderated=moderated,
        strand=strand,
        case_type=case_type,
        domains=tuple(draw(st.lists(st.sampled_from(DOMAIN_GRADES), min_size=12, max_size=12))),
        status=Status.COMPLETED if moderated else draw(st.sampled_from(Status.values)),
        practice=draw(st.booleans()),
        activity="Quarterly audit",
    )


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    specs=st.lists(audits(), max_size=40),
    threshold=st.integers(1, 8),
    days=st.tuples(
        st.dates(datetime.date(2026, 6, 15), datetime.date(2026, 8, 15)),
        st.integers(0, 80),
    ),
)
def test_for_any_cohort_and_threshold_the_file_equals_an_independent_count(
    council, specs, threshold, days
):
    start, end = days[0], days[0] + datetime.timedelta(days=days[1])
    with transaction.atomic():
        if specs:
            build_through_import(specs)
        with override_settings(BENCHMARK_SUPPRESS_BELOW=threshold):
            document = json.loads(run("--start", start.isoformat(), "--end", end.isoformat())[0])
        assert document == expected_document(
            specs, start=start, end=end, council=COUNCIL, threshold=threshold
        )
        transaction.set_rollback(True)


def test_no_case_reference_or_name_is_anywhere_in_the_file(council):
    auditor = factories.auditor(username="zkowalski", first_name="Zofia", last_name="Kowalski")
    build_through_services(
        [spec(datetime.date(2026, 8, n), overall="meets") for n in range(1, 9)], auditor=auditor
    )
    build_through_import(cohort(80), prefix="REF-")
    references = set(Audit.objects.values_list("case_reference", flat=True))
    assert len(references) > 60

    out, _err = run(*ARGS)

    for reference in references:
        assert reference not in out
    for word in ("Zofia", "Kowalski", "zkowalski", "import-auditor", "import-moderator"):
        assert word not in out
    document = json.loads(out)
    strings = {v for p, v in leaves(document) if isinstance(v, str) and not p.endswith("#key")}
    assert strings == {"casefile-benchmark/1", COUNCIL, START.isoformat(), END.isoformat()}


def test_the_file_validates_against_the_schema_file(council):
    build_through_import(cohort(80))
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)

    document = json.loads(run(*ARGS)[0])

    jsonschema.Draft202012Validator(schema).validate(document)
    # An empty period too: every count null.
    jsonschema.Draft202012Validator(schema).validate(
        json.loads(run("--start", "2020-01-01", "--end", "2020-01-31")[0])
    )


def test_the_schema_file_is_the_one_the_app_applies():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "docs/benchmark-schema.json differs from reports.benchmark.schema: write it again with "
        "DJANGO_SETTINGS_MODULE=config.settings_test python -c 'import django; django.setup(); "
        'from reports.benchmark.schema import schema_text; print(schema_text(), end="")\' '
        "> docs/benchmark-schema.json"
    )


def _tampered(document: dict) -> list[dict]:
    """Files that are no benchmark file of this version, each one change away from a good one."""
    changes = []

    def changed(change):
        copy = json.loads(json.dumps(document))
        change(copy)
        changes.append(copy)

    changed(lambda d: d.update(case_reference="CR-1"))
    changed(lambda d: d["by_strand"]["social_care"].update(names=["A"]))
    changed(lambda d: d.update(audits=-1))
    changed(lambda d: d.update(audits="12"))
    changed(lambda d: d.update(audits=True))
    changed(lambda d: d.update(audits=2.5))
    changed(lambda d: d.pop("moderation"))
    changed(lambda d: d["final_grades"].pop("meets"))
    changed(lambda d: d.update(start="1 July 2026"))
    changed(lambda d: d.update(schema="casefile-benchmark/2"))
    changed(lambda d: d.update(council=""))
    changed(lambda d: d["domains"].pop())
    changed(lambda d: d["domains"].append(dict(d["domains"][0], number=13)))
    changed(lambda d: d["domains"][0].update(number=2))
    changed(lambda d: d["by_case_type"].update(no_recourse_public_funds=d["by_case_type"]["other"]))
    return changes


def test_the_app_and_the_schema_file_refuse_the_same_files(council):
    build_through_import(cohort(80))
    document = json.loads(run(*ARGS)[0])
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text()))
    assert problems(document) == [] and validator.is_valid(document)

    for bad in _tampered(document):
        assert problems(bad), bad
        assert not validator.is_valid(bad), bad


def test_refusals_find_a_small_cell_text_and_another_councils_name(council):
    build_through_import(cohort(80))
    document = json.loads(run(*ARGS)[0])
    assert refusals(document, council=COUNCIL, threshold=5) == []

    small = json.loads(json.dumps(document))
    small["by_strand"]["early_help"]["audits"] = 3
    assert any(
        "below the suppression threshold" in p
        for p in refusals(small, council=COUNCIL, threshold=5)
    )
    assert refusals(document, council="Another Council", threshold=5)
    assert refusals(document, council=COUNCIL, threshold=1000)  # every count is below it now


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(council="CR-S0001"),  # a case reference where the name goes
        lambda d: d["by_strand"]["social_care"].update(audits=2),  # a cell below the threshold
        lambda d: d.update(cases=["CR-S0001"]),  # a key no benchmark file has
        lambda d: d["domains"][0].update(meets="CR-S0001"),
    ],
)
def test_a_file_failing_a_check_is_refused_and_nothing_is_written(
    council, monkeypatch, tmp_path, change
):
    build_through_import(cohort(80))
    build = export.build_document

    def leaky(scope):
        document, unmapped = build(scope)
        change(document)
        return document, unmapped

    monkeypatch.setattr(export, "build_document", leaky)
    target = tmp_path / "out.json"
    out = io.StringIO()

    with pytest.raises(CommandError, match="was not written"):
        call_command("benchmark_export", *ARGS, "--output", str(target), stdout=out)
    with pytest.raises(CommandError, match="was not written"):
        call_command("benchmark_export", *ARGS, stdout=out)

    assert not target.exists()
    assert out.getvalue() == ""


def test_output_writes_the_same_file(council, tmp_path):
    build_through_import(cohort(40))
    target = tmp_path / "q2.json"

    out, _err = run(*ARGS, "--output", str(target))

    assert target.read_text(encoding="utf-8") == run(*ARGS)[0]
    assert str(target) in out


def test_an_output_that_cannot_be_written_is_named(council, tmp_path):
    with pytest.raises(CommandError, match="Cannot write .*missing"):
        run(*ARGS, "--output", str(tmp_path / "missing" / "q2.json"))


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (("--end", "2026-09-30"), "start is required"),
        (("--start", "2026-07-01"), "end is required"),
        (("--start", "2026-07-01", "--end", "2026-02-30"), "end “2026-02-30” is not a date"),
        (("--start", "01/07/2026", "--end", "2026-09-30"), "start “01/07/2026” is not a date"),
        (("--start", "2026-09-30", "--end", "2026-07-01"), "end 2026-07-01 is before start"),
        (
            ("--start", "2026-07-01", "--end", "2026-09-30", "--strand", "x"),
            "unrecognized arguments",
        ),
    ],
)
def test_on_the_command_line_a_bad_argument_exits_non_zero_naming_it(arguments, named, tmp_path):
    # Refused before the database is read, so the real manage.py can run them.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    target = tmp_path / "out.json"
    finished = subprocess.run(
        [sys.executable, "manage.py", "benchmark_export", *arguments, "--output", str(target)],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert finished.returncode != 0
    assert named in finished.stderr
    assert finished.stdout == ""
    assert not target.exists()
