"""The JSON contract: its keys and nesting, and the same JSON from the web for QA leads."""

import datetime
import io
import json

import pytest
from django.core.management import call_command

from audits.models import Status
from reports.contract import ScopeError, scope_from_arguments, summary
from tests import factories
from tests.reports import NA, TODAY, D, E, M, build_through_services, spec

pytestmark = pytest.mark.django_db

GRADE_KEYS = {"exceeds", "meets", "does_not_meet"}
TOP_KEYS = {
    "start",
    "end",
    "audits",
    "auditor_grades",
    "final_grades",
    "moderation",
    "by_strand",
    "by_case_type",
    "domains",
    "not_met_in_all_applicable_domains",
}
URL = "/reports/summary.json"
day = datetime.date


def some_audits():
    build_through_services(
        [
            spec(
                day(2026, 8, 1),
                overall=M,
                moderated=D,
                status=Status.COMPLETED,
                case_type="looked_after",
            ),
            spec(
                day(2026, 8, 2),
                overall=E,
                strand="early_help",
                case_type="early_help",
                domains=(E,) * 10 + (NA,) * 2,
            ),
            spec(day(2026, 8, 3), overall=D, domains=(D,) * 12),
        ]
    )


def assert_contract_shape(figures: dict) -> None:
    assert TOP_KEYS <= set(figures)
    assert isinstance(figures["start"], str) and isinstance(figures["end"], str)
    assert isinstance(figures["audits"], int)
    assert set(figures["auditor_grades"]) == GRADE_KEYS
    assert set(figures["final_grades"]) == GRADE_KEYS
    assert set(figures["moderation"]) == {"moderated", "agreed", "raised", "lowered"}
    assert {"social_care", "early_help"} <= set(figures["by_strand"])
    for strand in figures["by_strand"].values():
        assert {"audits", "auditor_grades", "final_grades"} <= set(strand)
        assert set(strand["auditor_grades"]) == GRADE_KEYS
        assert set(strand["final_grades"]) == GRADE_KEYS
    for case_type in figures["by_case_type"].values():
        assert {"audits", "final_grades"} <= set(case_type)
        assert set(case_type["final_grades"]) == GRADE_KEYS
    assert len(figures["domains"]) == 12
    assert [d["number"] for d in figures["domains"]] == list(range(1, 13))
    for domain in figures["domains"]:
        assert {"number", "title", *GRADE_KEYS, "not_applicable"} <= set(domain)
        assert isinstance(domain["title"], str) and domain["title"]
    assert isinstance(figures["not_met_in_all_applicable_domains"], int)
    # Plain JSON data: nothing changes on the way through json.dumps and back.
    assert json.loads(json.dumps(figures)) == figures


def test_the_summary_has_the_contract_keys_with_their_nesting():
    some_audits()
    scope = scope_from_arguments(start="2026-07-01", end="2026-09-30")

    figures = summary(scope, today=TODAY)

    assert_contract_shape(figures)
    assert figures["start"] == "2026-07-01" and figures["end"] == "2026-09-30"
    assert figures["audits"] == 3
    assert set(figures["by_case_type"]) == {"looked_after", "early_help", "child_in_need"}
    assert figures["not_met_in_all_applicable_domains"] == 1


def test_an_empty_period_still_lists_both_strands_and_all_twelve_domains():
    figures = summary(scope_from_arguments(start="2020-01-01", end="2020-01-31"), today=TODAY)

    assert_contract_shape(figures)
    assert figures["audits"] == 0
    zero = dict.fromkeys(GRADE_KEYS, 0)
    for slug in ("social_care", "early_help"):
        assert figures["by_strand"][slug]["audits"] == 0
        assert figures["by_strand"][slug]["auditor_grades"] == zero
        assert figures["by_strand"][slug]["final_grades"] == zero
    assert figures["by_case_type"] == {}
    assert all(d[g] == 0 for d in figures["domains"] for g in (*GRADE_KEYS, "not_applicable"))


def test_a_strand_filter_keeps_both_strands_in_by_strand():
    some_audits()

    figures = summary(
        scope_from_arguments(start="2026-07-01", end="2026-09-30", strand="early_help"), today=TODAY
    )

    assert_contract_shape(figures)
    assert figures["by_strand"]["social_care"]["audits"] == 0
    assert figures["by_strand"]["early_help"]["audits"] == 1


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"start": "2026-09-30", "end": "2026-07-01"}, "before start"),
        ({"start": "2026-07-01", "end": "2026-09-31"}, "end “2026-09-31”"),
        ({"start": "1 July 2026", "end": "2026-09-30"}, "start “1 July 2026”"),
        ({"start": None, "end": "2026-09-30"}, "start is required"),
        (
            {"start": "2026-07-01", "end": "2026-09-30", "strand": "youth_justice"},
            "strand “youth_justice” is unknown",
        ),
        (
            {"start": "2026-07-01", "end": "2026-09-30", "activity": "No such audit"},
            "activity “No such audit” does not exist",
        ),
        (
            {"start": "2026-07-01", "end": "2026-09-30", "case_type": "pets"},
            "case type “pets” is unknown",
        ),
    ],
)
def test_bad_arguments_raise_a_scope_error_naming_the_problem(arguments, named):
    with pytest.raises(ScopeError, match=named):
        scope_from_arguments(**arguments)


# --- The same JSON from the web ----------------------------------------------------------------


def test_a_qa_lead_gets_the_same_json_from_the_web_as_from_the_command(client, qa_lead_user):
    some_audits()
    client.force_login(qa_lead_user)

    response = client.get(URL, {"start": "2026-07-01", "end": "2026-09-30"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    figures = response.json()
    assert_contract_shape(figures)
    assert figures == summary(scope_from_arguments(start="2026-07-01", end="2026-09-30"))
    out = io.StringIO()
    call_command("report", "--start", "2026-07-01", "--end", "2026-09-30", stdout=out)
    assert json.loads(out.getvalue()) == figures


def test_the_web_applies_the_filters(client, qa_lead_user):
    some_audits()
    client.force_login(qa_lead_user)

    response = client.get(
        URL,
        {
            "start": "2026-07-01",
            "end": "2026-09-30",
            "strand": "social_care",
            "case_type": "looked_after",
        },
    )

    assert response.status_code == 200
    assert response.json()["audits"] == 1
    assert response.json()["final_grades"] == {"exceeds": 0, "meets": 0, "does_not_meet": 1}


@pytest.mark.parametrize("who", ["owner", "moderator_user", "administrator_user", "no_role_user"])
def test_other_roles_are_refused(client, request, who):
    client.force_login(request.getfixturevalue(who))

    response = client.get(URL, {"start": "2026-07-01", "end": "2026-09-30"})

    assert response.status_code == 403


def test_an_auditor_who_is_also_a_qa_lead_gets_the_json(client):
    from audits import roles

    user = factories.UserFactory(roles=[roles.AUDITOR, roles.QA_LEAD])
    client.force_login(user)

    assert client.get(URL, {"start": "2026-07-01", "end": "2026-09-30"}).status_code == 200


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(URL, {"start": "2026-07-01", "end": "2026-09-30"})

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"start": "2026-09-30", "end": "2026-07-01"}, "before start"),
        ({"start": "2026-07-01", "end": "30/09/2026"}, "end “30/09/2026”"),
        ({"end": "2026-09-30"}, "start is required"),
        ({"start": "2026-07-01", "end": "2026-09-30", "strand": "youth_justice"}, "strand"),
        ({"start": "2026-07-01", "end": "2026-09-30", "activity": "No such audit"}, "activity"),
        ({"start": "2026-07-01", "end": "2026-09-30", "case_type": "pets"}, "case type"),
    ],
)
def test_bad_arguments_on_the_web_are_a_400_naming_the_problem(client, qa_lead_user, query, named):
    client.force_login(qa_lead_user)

    response = client.get(URL, query)

    assert response.status_code == 400
    assert named in response.json()["error"]
