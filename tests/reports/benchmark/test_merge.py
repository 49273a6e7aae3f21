"""benchmark_merge: councils' files merged into the region's figures (the sum of the councils',
suppressed cells left out and counted), where this council stands with Wilson intervals, and
every refusal naming its file, on the command line and in the code."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.benchmark.merge import MergeRefused, merge
from tests.reports import build_through_import, wilson

from . import DOMAIN_GRADES, GRADES, NATIONAL_CASE_TYPES, NATIONAL_STRANDS, QUARTER, cohort

PROJECT = Path(__file__).resolve().parents[3]
START, END = QUARTER
ARGS = ("--start", START.isoformat(), "--end", END.isoformat())
MODERATION = ("moderated", "agreed", "raised", "lowered")


def export_as(council: str) -> dict:
    out = io.StringIO()
    with override_settings(COUNCIL_NAME=council, BENCHMARK_SUPPRESS_BELOW=5):
        call_command("benchmark_export", *ARGS, stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def as_file(document) -> bytes:
    return json.dumps(document).encode()


def added_up(documents: list[dict]) -> tuple[dict, int]:
    """The region counted here: each cell the sum of the councils' numbers, nulls left out and
    counted."""
    nulls = 0

    def total(values):
        nonlocal nulls
        nulls += sum(v is None for v in values)
        return sum(v for v in values if v is not None)

    def split(rows):
        return {
            "audits": total([r["audits"] for r in rows]),
            **{
                key: {g: total([r[key][g] for r in rows]) for g in GRADES}
                for key in ("auditor_grades", "final_grades")
            },
        }

    region = {
        **split(documents),
        "moderation": {k: total([d["moderation"][k] for d in documents]) for k in MODERATION},
        "by_strand": {c: split([d["by_strand"][c] for d in documents]) for c in NATIONAL_STRANDS},
        "by_case_type": {
            c: split([d["by_case_type"][c] for d in documents]) for c in NATIONAL_CASE_TYPES
        },
        "domains": [
            {
                "number": n,
                **{g: total([d["domains"][n - 1][g] for d in documents]) for g in DOMAIN_GRADES},
            }
            for n in range(1, 13)
        ],
    }
    return region, nulls


@pytest.mark.django_db
def test_merging_two_councils_exports_gives_the_region_their_sum():
    build_through_import(cohort(80))
    north = export_as("Northby County Council")
    build_through_import(cohort(45, seed=3), prefix="CR-J")
    south = export_as("Southwick City Council")
    assert north != south
    nulls = [v for d in (north, south) for v in json.dumps(d).split() if v.startswith("null")]
    assert nulls, "no suppressed cell: the test would not see one added"

    merged = merge([("north.json", as_file(north)), ("south.json", as_file(south))])

    region, suppressed = added_up([north, south])
    assert merged["schema"] == "casefile-benchmark/1"
    assert merged["councils"] == [north, south]
    assert {k: v for k, v in merged["region"].items() if k != "suppressed_cells"} == region
    assert merged["region"]["suppressed_cells"] == suppressed > 0


counts = st.none() | st.integers(5, 10_000)


def documents(council: str):
    grades = st.fixed_dictionaries({g: counts for g in GRADES})
    split = st.fixed_dictionaries(
        {"audits": counts, "auditor_grades": grades, "final_grades": grades}
    )
    return st.fixed_dictionaries(
        {
            "schema": st.just("casefile-benchmark/1"),
            "council": st.just(council),
            "start": st.just("2026-07-01"),
            "end": st.just("2026-09-30"),
            "audits": counts,
            "auditor_grades": grades,
            "final_grades": grades,
            "moderation": st.fixed_dictionaries({k: counts for k in MODERATION}),
            "by_strand": st.fixed_dictionaries({c: split for c in NATIONAL_STRANDS}),
            "by_case_type": st.fixed_dictionaries({c: split for c in NATIONAL_CASE_TYPES}),
            "domains": st.tuples(
                *[
                    st.fixed_dictionaries(
                        {"number": st.just(n), **{g: counts for g in DOMAIN_GRADES}}
                    )
                    for n in range(1, 13)
                ]
            ).map(list),
        }
    )


@settings(max_examples=40, deadline=None)
@given(data=st.data(), how_many=st.integers(1, 5))
def test_for_any_files_the_region_is_the_sum_of_the_known_cells(data, how_many):
    files = [data.draw(documents(f"Council {n}")) for n in range(how_many)]

    merged = merge([(f"c{n}.json", as_file(d)) for n, d in enumerate(files)])

    region, suppressed = added_up(files)
    assert merged["region"] == {**region, "suppressed_cells": suppressed}
    assert merged["councils"] == files


def _good(council="Northby County Council") -> dict:
    grades = {"exceeds": 5, "meets": 30, "does_not_meet": 15}
    split = {"audits": 50, "auditor_grades": grades, "final_grades": grades}
    return {
        "schema": "casefile-benchmark/1",
        "council": council,
        "start": "2026-07-01",
        "end": "2026-09-30",
        **split,
        "moderation": {"moderated": 20, "agreed": 15, "raised": None, "lowered": 5},
        "by_strand": {c: split if c == "social_care" else _empty() for c in NATIONAL_STRANDS},
        "by_case_type": {
            c: split if c == "child_in_need" else _empty() for c in NATIONAL_CASE_TYPES
        },
        "domains": [{"number": n, **dict.fromkeys(DOMAIN_GRADES, 10)} for n in range(1, 13)],
    }


def _empty() -> dict:
    grades = dict.fromkeys(GRADES)
    return {"audits": None, "auditor_grades": grades, "final_grades": dict(grades)}


def _with(**changes) -> bytes:
    return as_file({**_good(), **changes})


REFUSED = [
    (
        _with(schema="casefile-benchmark/2"),
        "is a casefile-benchmark/2 file, and this app reads casefile-benchmark/1 files only",
    ),
    (
        _with(schema="something-else/1"),
        "is a “something-else/1” file, not a casefile-benchmark/1 file",
    ),
    (b'{"schema": "casefile-benchmark/1", ', "is not valid JSON (line 1"),
    (b"\xff\xfe{}", "is not a text file in UTF-8"),
    (b"[1, 2]", "is not a benchmark file"),
    (b"", "is not valid JSON"),
    (_with(audits=-3), "does not follow the casefile-benchmark/1 schema: audits: -3 is below 0"),
    (_with(audits="12"), "audits: must be a whole number or null"),
    (_with(case_reference="CR-1"), "case_reference: is not a key of casefile-benchmark/1"),
    (_with(start="2026-02-30"), "start or end is no such day"),
    (_with(start="2026-10-01"), "end 2026-09-30 is before start 2026-10-01"),
    (as_file({k: v for k, v in _good().items() if k != "domains"}), "“domains” is missing"),
]


@pytest.mark.parametrize(("content", "message"), REFUSED)
def test_a_file_that_cannot_be_merged_is_refused_naming_it(content, message):
    with pytest.raises(MergeRefused) as refused:
        merge([("good.json", as_file(_good("Other Council"))), ("bad-file.json", content)])

    assert len(refused.value.problems) == 1
    assert refused.value.problems[0].startswith("bad-file.json: ")
    assert message in refused.value.problems[0]


def test_two_files_from_one_council_for_one_period_are_refused():
    with pytest.raises(MergeRefused) as refused:
        merge([("a.json", as_file(_good())), ("b.json", as_file(_good()))])

    (problem,) = refused.value.problems
    assert problem.startswith(
        "b.json: is a second file from Northby County Council for 2026-07-01 to 2026-09-30"
    )
    assert "a.json" in problem


def test_every_file_refused_is_named_at_once():
    with pytest.raises(MergeRefused) as refused:
        merge([("one.json", b"nonsense"), ("two.json", _with(schema="casefile-benchmark/2"))])

    assert [p.split(":")[0] for p in refused.value.problems] == ["one.json", "two.json"]


def test_where_this_council_stands_with_intervals():
    ours = {**_good("Example Borough Council")}
    ours["final_grades"] = {"exceeds": 10, "meets": 30, "does_not_meet": 10}  # 40 of 50
    theirs = _good("Northby County Council")  # 35 of 50
    # Its Does not meet good suppressed: at least Meets good is Exceeds plus Meets, 5 + 20.
    third = {**_good("Southwick City Council"), "audits": 40}
    third["final_grades"] = {"exceeds": 5, "meets": 20, "does_not_meet": None}

    with override_settings(COUNCIL_NAME="Example Borough Council"):
        standing = merge(
            [("a.json", as_file(ours)), ("b.json", as_file(theirs)), ("c.json", as_file(third))]
        )["standing"]

    assert standing["in_files"] is True
    assert [c["after"]["at_least_meets"] for c in standing["councils"]] == [40, 35, 25]
    assert [c["after"]["percent"] for c in standing["councils"]] == [80.0, 70.0, 62.5]
    assert [c["after"]["ci"] for c in standing["councils"]] == [
        wilson(40, 50),
        wilson(35, 50),
        wilson(25, 40),
    ]
    assert [c["rank"] for c in standing["councils"]] == [1, 2, 3]
    assert standing["rank"] == 1 and standing["of"] == 3
    assert standing["region"]["after"]["at_least_meets"] == 100
    assert standing["region"]["after"]["audits"] == 140
    assert standing["region"]["after"]["ci"] == wilson(100, 140)
    assert standing["others"]["after"]["at_least_meets"] == 60
    assert standing["others"]["after"]["ci"] == wilson(60, 90)
    assert "could be down to chance" in standing["difference"]


def test_a_share_that_suppression_hides_is_not_guessed():
    hidden = _good("Example Borough Council")
    hidden["final_grades"] = {"exceeds": None, "meets": 30, "does_not_meet": None}

    with override_settings(COUNCIL_NAME="Example Borough Council"):
        standing = merge([("a.json", as_file(hidden)), ("b.json", as_file(_good()))])["standing"]

    assert standing["councils"][0]["after"]["percent"] is None
    assert standing["rank"] is None
    assert standing["region"]["after"]["audits"] == 50  # Northby's alone


def _write(tmp_path, name, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def test_the_command_prints_a_table_with_each_council_the_region_and_where_this_council_stands(
    tmp_path,
):
    ours = _good("Example Borough Council")
    files = [
        _write(tmp_path, "ours.json", as_file(ours)),
        _write(tmp_path, "north.json", as_file(_good())),
    ]
    out = io.StringIO()

    with override_settings(COUNCIL_NAME="Example Borough Council"):
        call_command("benchmark_merge", *files, stdout=out)

    text = out.getvalue()
    assert "Example Borough Council" in text and "Northby County Council" in text
    assert "Region" in text
    low, high = wilson(35, 50)
    assert f"70% ({low:.0f}–{high:.0f}%)" in text
    assert "Where Example Borough Council stands: 70%" in text
    assert "rank 1 of 2" in text
    assert "Suppressed cells left out of the region's sums: 170." in text


def test_the_command_prints_json_with_format_json(tmp_path):
    files = [
        _write(tmp_path, "a.json", as_file(_good("A Council"))),
        _write(tmp_path, "b.json", as_file(_good("B Council"))),
    ]
    out = io.StringIO()

    call_command("benchmark_merge", *files, "--format", "json", stdout=out)

    printed = json.loads(out.getvalue())
    assert printed["schema"] == "casefile-benchmark/1"
    assert printed["councils"] == [_good("A Council"), _good("B Council")]
    assert printed["region"]["audits"] == 100
    assert printed["region"]["moderation"] == {
        "moderated": 40,
        "agreed": 30,
        "raised": 0,
        "lowered": 10,
    }
    assert printed["region"]["suppressed_cells"] == 2 * (1 + 2 * 7 + 10 * 7)


def test_the_command_refuses_naming_the_file(tmp_path):
    files = [
        _write(tmp_path, "a.json", as_file(_good())),
        _write(tmp_path, "newer.json", _with(schema="casefile-benchmark/2")),
    ]

    with pytest.raises(CommandError, match=r"newer\.json: is a casefile-benchmark/2 file"):
        call_command("benchmark_merge", *files, stdout=io.StringIO())
    with pytest.raises(CommandError, match=r"missing\.json: cannot be read"):
        call_command("benchmark_merge", str(tmp_path / "missing.json"), stdout=io.StringIO())


def _run(*arguments):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    return subprocess.run(
        [sys.executable, "manage.py", "benchmark_merge", *arguments],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_on_the_command_line_merging_exits_zero_and_a_refusal_non_zero(tmp_path):
    good = [
        _write(tmp_path, "a.json", as_file(_good("A Council"))),
        _write(tmp_path, "b.json", as_file(_good("B Council"))),
    ]
    twice = _write(tmp_path, "b-again.json", as_file(_good("B Council")))

    merged = _run(*good, "--format", "json")
    refused = _run(*good, twice)
    nothing = _run()

    assert merged.returncode == 0
    assert json.loads(merged.stdout)["region"]["audits"] == 100
    assert refused.returncode != 0
    assert "b-again.json: is a second file from B Council" in refused.stderr
    assert refused.stdout == ""
    assert nothing.returncode != 0 and "FILE" in nothing.stderr


def test_the_same_file_given_twice_is_refused_saying_so():
    with pytest.raises(MergeRefused) as refused:
        merge([("a.json", as_file(_good())), ("a.json", as_file(_good()))])

    (problem,) = refused.value.problems
    assert problem.startswith("a.json: is a second file from Northby County Council")
    assert "the same file given twice" in problem
