"""audits.tools.results: every question's figures, and the overall grades before and after
moderation, against a count made independently in plain Python over random audits."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits import services
from audits.models import Answer, Audit, AuditActivity, Status
from audits.tools.kinds import ActivityKind, YesNo
from audits.tools.results import activity_results
from tests import factories
from tests.moderation.built_tools import (
    CHOICE,
    DATE,
    GRADED,
    NUMBER,
    OPTIONS,
    TEXT,
    YES_NO,
    every_kind_tool,
)

pytestmark = pytest.mark.django_db

CODES = ["good", "requires_improvement", "inadequate"]
POSITION = {code: i for i, code in enumerate(CODES, start=1)}
KEYS = {GRADED: "graded", YES_NO: "yes_no", CHOICE: "choice", NUMBER: "number", DATE: "date"}

audit_specs = st.lists(
    st.fixed_dictionaries(
        {
            "status": st.sampled_from([Status.DRAFT, Status.SUBMITTED, Status.COMPLETED]),
            "practice": st.booleans(),
            "overall": st.sampled_from(["", *CODES]),
            "moderated": st.sampled_from(["", *CODES]),
            "graded": st.sampled_from(["", *CODES]),
            "yes_no": st.sampled_from(["", *YesNo.values]),
            "choice": st.sampled_from(["", *OPTIONS]),
            "number": st.none()
            | st.decimals(min_value=0, max_value=99999, places=2, allow_nan=False),
            "date": st.none()
            | st.dates(min_value=datetime.date(2025, 1, 1), max_value=datetime.date(2026, 12, 31)),
            "text": st.sampled_from(["", "", "No chronology.", "Plan drift"]),
            "items": st.none() | st.integers(min_value=0, max_value=40),
            "day": st.integers(min_value=1, max_value=28),
        }
    ),
    max_size=8,
)


def make(activity, specs, auditor):
    for n, spec in enumerate(specs):
        audit = services.audit_create(
            auditor=auditor,
            activity=activity,
            case_reference=f"CR-{activity.pk}-{n}",
            audit_date=datetime.date(2026, 10, spec["day"]),
        )
        moderated = spec["moderated"] if spec["overall"] else ""
        Audit.objects.filter(pk=audit.pk).update(
            status=spec["status"],
            is_practice=spec["practice"],
            overall_grade=spec["overall"],
            moderated_grade=moderated,
        )
        spec["pk"], spec["case_reference"] = audit.pk, f"CR-{activity.pk}-{n}"
        spec["audit_date"], spec["moderated"] = datetime.date(2026, 10, spec["day"]), moderated
        for answer in Answer.objects.filter(audit=audit).select_related("question__section"):
            key = (answer.question.section.number, answer.question.number)
            if key in (GRADED, YES_NO, CHOICE):
                answer.value = spec[KEYS[key]]
            elif key == NUMBER:
                answer.number = spec["number"]
            elif key == DATE:
                answer.date = spec["date"]
            elif key == TEXT:
                answer.text = spec["text"]
            answer.items_checked = spec["items"]
            answer.save()


def expected_question(counted, key) -> dict:
    """What one question's figures should be, counted from the specs alone."""
    if key in (GRADED, YES_NO, CHOICE):
        values = [s[KEYS[key]] for s in counted if s[KEYS[key]]]
        answered = values
        known = {GRADED: CODES, YES_NO: list(YesNo.values), CHOICE: OPTIONS}[key]
        rows = {}
        for v in known:
            items = [s["items"] for s in counted if s[KEYS[key]] == v and s["items"] is not None]
            rows[v] = (values.count(v), sum(items) if items else None)
        extra = {}
    elif key == NUMBER:
        answered = [s["number"] for s in counted if s["number"] is not None]
        rows = None
        mean = None
        if answered:
            mean = (sum(answered) / len(answered)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        extra = {
            "count": len(answered),
            "min": min(answered) if answered else None,
            "max": max(answered) if answered else None,
            "mean": mean,
        }
    elif key == DATE:
        answered = [s["date"] for s in counted if s["date"] is not None]
        rows = None
        extra = {
            "count": len(answered),
            "first": min(answered).isoformat() if answered else None,
            "last": max(answered).isoformat() if answered else None,
        }
    else:
        answered = [s for s in counted if s["text"]]
        rows = None
        extra = {
            "texts": [
                (s["case_reference"], s["text"])
                for s in sorted(answered, key=lambda s: (s["audit_date"], s["case_reference"]))
            ]
        }
    items = [s["items"] for s in counted if s["items"] is not None]
    return {
        "answered": len(answered),
        "not_answered": len(counted) - len(answered),
        "items": sum(items) if items else None,
        "rows": rows,
        **extra,
    }


def actual_question(result, key) -> dict:
    section = result["sections"][key[0] - 1]
    q = section["questions"][key[1] - 1]
    out = {
        "answered": q["answered"],
        "not_answered": q["not_answered"],
        "items": q["items_checked"],
        "rows": None,
    }
    if "answers" in q:
        out["rows"] = {r["value"]: (r["count"], r["items_checked"]) for r in q["answers"]}
    if "numbers" in q:
        n = q["numbers"]
        out.update(
            count=n["count"],
            **{k: None if n[k] is None else Decimal(n[k]) for k in ("min", "max", "mean")},
        )
    if "dates" in q:
        out.update(q["dates"])
    if "texts" in q:
        out["texts"] = [(t["case_reference"], t["text"]) for t in q["texts"]]
    return out


def expected_overall(counted) -> dict:
    auditor = {c: sum(1 for s in counted if s["overall"] == c) for c in CODES}
    final = {c: sum(1 for s in counted if (s["moderated"] or s["overall"]) == c) for c in CODES}
    moderated = [s for s in counted if s["moderated"]]
    return {
        "auditor_grades": auditor,
        "final_grades": final,
        "not_graded": sum(1 for s in counted if not s["overall"]),
        "moderation": {
            "moderated": len(moderated),
            "agreed": sum(1 for s in moderated if s["moderated"] == s["overall"]),
            "raised": sum(
                1 for s in moderated if POSITION[s["moderated"]] < POSITION[s["overall"]]
            ),
            "lowered": sum(
                1 for s in moderated if POSITION[s["moderated"]] > POSITION[s["overall"]]
            ),
        },
    }


@pytest.fixture
def tool(db):
    return every_kind_tool()


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=audit_specs)
def test_every_figure_equals_an_independent_count(tool, specs):
    # A new activity per example: the figures are an activity's, so earlier examples' audits
    # (in other activities) must not reach them.
    activity = AuditActivity.objects.create(
        name=f"Neglect {AuditActivity.objects.count()}",
        month=datetime.date(2026, 10, 1),
        tool=tool,
        kind=ActivityKind.DIP_SAMPLE,
    )
    make(activity, specs, factories.auditor())
    counted = [s for s in specs if s["status"] != Status.DRAFT and not s["practice"]]

    [result] = activity_results([activity])

    assert result["audits"] == len(counted)
    assert result["counts_items"] is True
    for key in (GRADED, YES_NO, CHOICE, NUMBER, DATE, TEXT):
        assert actual_question(result, key) == expected_question(counted, key), key
    overall = {k: v for k, v in result["overall"].items() if k not in ("scale", "labels")}
    assert overall == expected_overall(counted)


def test_only_past_draft_non_practice_audits_of_the_activity_count(tool):
    auditor = factories.auditor()
    mine = AuditActivity.objects.create(name="A", month=datetime.date(2026, 10, 1), tool=tool)
    other = AuditActivity.objects.create(name="B", month=datetime.date(2026, 10, 1), tool=tool)
    base = {
        "overall": "good",
        "moderated": "",
        "graded": "good",
        "yes_no": "yes",
        "choice": OPTIONS[0],
        "number": Decimal(3),
        "date": None,
        "text": "",
        "items": None,
        "day": 1,
    }
    make(
        mine,
        [
            {**base, "status": Status.SUBMITTED, "practice": False},
            {**base, "status": Status.DRAFT, "practice": False},
            {**base, "status": Status.COMPLETED, "practice": True},
        ],
        auditor,
    )
    make(other, [{**base, "status": Status.SUBMITTED, "practice": False}] * 2, auditor)

    first, second = activity_results([mine, other])

    assert (first["audits"], second["audits"]) == (1, 2)
    graded = first["sections"][0]["questions"][0]
    assert [(r["label"], r["count"]) for r in graded["answers"]] == [
        ("Good", 1),
        ("Requires improvement", 0),
        ("Inadequate", 0),
    ]
    assert [r["label"] for r in first["sections"][0]["questions"][1]["answers"]] == [
        "Yes",
        "No",
        "Partly",
        "Not applicable",
    ]


def test_the_number_of_queries_does_not_grow_with_audits_or_activities(
    tool, django_assert_max_num_queries
):
    auditor = factories.auditor()
    spec = {
        "status": Status.SUBMITTED,
        "practice": False,
        "overall": "good",
        "moderated": "inadequate",
        "graded": "good",
        "yes_no": "no",
        "choice": OPTIONS[1],
        "number": Decimal("2.5"),
        "date": datetime.date(2026, 10, 2),
        "text": "Something",
        "items": 3,
        "day": 2,
    }
    activities = []
    for n in range(3):
        activity = AuditActivity.objects.create(
            name=f"Act {n}", month=datetime.date(2026, 10, 1), tool=tool
        )
        make(activity, [dict(spec) for _ in range(n + 2)], auditor)
        activities.append(activity)
    activities = list(AuditActivity.objects.filter(pk__in=[a.pk for a in activities]))

    with django_assert_max_num_queries(7):  # the activities are a list already
        results = activity_results(activities)

    assert [r["audits"] for r in results] == [2, 3, 4]
    assert [r["overall"]["moderation"]["lowered"] for r in results] == [2, 3, 4]


def test_a_tool_without_an_overall_grade_has_no_overall_figures():
    tool = every_kind_tool(name="LADO dip sample", has_overall_grade=False)
    activity = AuditActivity.objects.create(
        name="LADO", month=datetime.date(2026, 10, 1), tool=tool
    )

    [result] = activity_results([activity])

    assert result["overall"] is None and result["audits"] == 0
    assert [len(s["questions"]) for s in result["sections"]] == [3, 3]
