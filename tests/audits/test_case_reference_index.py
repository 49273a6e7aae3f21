"""A case's audits are found through the index on the upper-cased reference, not by reading
every audit: the queries earlier_audits and case_timeline really send are EXPLAINed here.

PostgreSQL would read a near-empty table whole whatever its indexes, so the test turns
sequential scans off for its transaction; it still picks an index scan only where one serves.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits import selectors
from tests.helpers import submitted_audit

INDEX = "audit_case_ref_upper_idx"


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(str(row) for row in cursor.fetchall())


def _plans_of_case_queries(call) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        result = call()
    sqls = [q["sql"] for q in queries.captured_queries if "UPPER(" in q["sql"].upper()]
    assert sqls, "no query looked the case up"
    return result, [_plan(sql) for sql in sqls]


@pytest.fixture
def audits_of_two_cases(owner):
    return [
        submitted_audit(auditor=owner, case_reference=ref, audit_date=datetime.date(2026, 3, d))
        for d, ref in enumerate(["CR-3001", "cr-3001", "CR-3002"], start=1)
    ]


@pytest.mark.parametrize("who", ["owner", "qa_lead_user"])
def test_earlier_audits_finds_the_case_through_the_upper_case_index(
    request, audits_of_two_cases, who
):
    rows, plans = _plans_of_case_queries(
        lambda: selectors.earlier_audits(
            case_reference="Cr-3001", user=request.getfixturevalue(who)
        )
    )

    assert [row["audit"].pk for row in rows] == [a.pk for a in audits_of_two_cases[:2]]
    for plan in plans:
        assert INDEX in plan, plan


@pytest.mark.parametrize("who", ["owner", "qa_lead_user"])
def test_case_timeline_finds_the_case_through_the_upper_case_index(
    request, audits_of_two_cases, who
):
    timeline, plans = _plans_of_case_queries(
        lambda: selectors.case_timeline(case_reference="cR-3001", user=request.getfixturevalue(who))
    )

    assert len(timeline) == 2
    for plan in plans:
        assert INDEX in plan, plan
