"""The list of all audits finds a page's audits in an index, in the list's order, without a
sort: unfiltered, by case type and by state (audits.models.Audit's listed indexes). The query
the list page really sends for its page is EXPLAINed.

PostgreSQL would read a near-empty table whole whatever its indexes, and with three audits
sorting them costs it next to nothing, so the test turns sequential scans and sorts off for its
transaction: it still sorts, or picks another index, where none of the list's serves. Which of
the list's indexes it picks for three audits depends on its statistics, so there the test asks
for one of them; SQLite's choice does not, and must be the one made for the filter.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.models import Audit
from tests import factories
from tests.helpers import submitted_audit


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("EXPLAIN " + sql)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(str(row) for row in cursor.fetchall())


pytestmark = pytest.mark.django_db

ALL = reverse("audits:all")


def _page_query(client, query: dict) -> str:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(ALL, query).status_code == 200
    pages = [q["sql"] for q in captured.captured_queries if " IN (SELECT" in q["sql"]]
    assert len(pages) == 1, [q["sql"] for q in captured.captured_queries]
    sql = pages[0]
    start = sql.index(" IN (SELECT") + len(" IN (")
    return sql[start : sql.rindex(")")]  # the page's ids (the names are subqueries before it)


@pytest.mark.parametrize(
    "filters, index",
    [
        ({}, "audit_listed_idx"),
        ({"case_type": "child_protection"}, "audit_case_type_listed_idx"),
        ({"status": "submitted"}, "audit_status_listed_idx"),
    ],
)
def test_a_page_of_the_list_is_read_from_an_index_in_order(
    client, moderator_user, owner, filters, index
):
    for ref in ("CR-4001", "CR-4002", "CR-4003"):
        submitted_audit(auditor=owner, case_reference=ref)
    Audit.objects.update(case_type=factories.case_type("child_protection"))
    query = {"page": 1}
    if "case_type" in filters:
        query["case_type"] = factories.case_type(filters["case_type"]).pk
    query.update({k: v for k, v in filters.items() if k != "case_type"})
    client.force_login(moderator_user)

    plan = _plan(_page_query(client, query))

    if connection.vendor == "postgresql":
        assert "_listed_idx" in plan, plan
    else:
        assert index in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan
