"""The list of all audits finds a page's audits in an index, in the list's order, without a
sort: unfiltered, by case type, by strand and by state (audits.models.Audit's listed indexes). The query
the list page really sends for its page is EXPLAINed.

PostgreSQL would read a near-empty table whole whatever its indexes, and with three audits
sorting them costs it next to nothing, so the test turns sequential scans and sorts off for its
transaction: it still sorts, or picks another index, where none of the list's serves. Which of
the list's indexes it picks for three audits depends on its statistics, so there the test asks
for one of them; SQLite's choice does not, and must be the one made for the filter.
"""

import pytest
from django.db import connection
from django.db.models import Q
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
        ({"strand": "social_care"}, "audit_strand_listed_idx"),
    ],
)
def test_a_page_of_the_list_is_read_from_an_index_in_order(
    client, moderator_user, owner, filters, index
):
    for ref in ("CR-4001", "CR-4002", "CR-4003"):
        submitted_audit(auditor=owner, case_reference=ref)
    Audit.objects.update(
        case_type=factories.case_type("child_protection"), strand=factories.strand("social_care")
    )
    query = {"page": 1}
    if "case_type" in filters:
        query["case_type"] = factories.case_type(filters["case_type"]).pk
    if "strand" in filters:
        query["strand"] = factories.strand(filters["strand"]).pk
    query.update({k: v for k, v in filters.items() if k not in ("case_type", "strand")})
    client.force_login(moderator_user)

    plan = _plan(_page_query(client, query))

    if connection.vendor == "postgresql":
        assert "_listed_idx" in plan, plan
    else:
        assert index in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan


def test_past_draft_is_written_into_the_sql_so_sqlite_can_match_the_indexes_condition():
    """A parameter's value is unknown when SQLite prepares a statement: with ``NOT (status =
    ?)`` it read each row's state from the table, even through the partial index."""
    from audits.models import past_draft

    sql, params = Audit.objects.filter(past_draft()).values("pk").query.sql_with_params()

    assert "= 'draft')" in sql
    assert "draft" not in [str(p) for p in params]
    # The condition is the indexes' own.
    index = next(i for i in Audit._meta.indexes if i.name == "audit_listed_idx")
    assert index.condition == ~Q(status="draft")


@pytest.mark.parametrize("field", ["case_type", "strand"])
def test_the_list_counts_a_case_type_or_strand_without_reading_the_audits_table_on_sqlite(
    client, moderator_user, owner, field
):
    """Through the partial index alone: SQLite's program for the count reads no column of
    the audits table (it read each row's state there when the state was a parameter)."""
    if connection.vendor != "sqlite":
        pytest.skip("the statement's program is SQLite's (PostgreSQL's driver writes values in)")
    for ref in ("CR-4101", "CR-4102"):
        submitted_audit(auditor=owner, case_reference=ref)
    chosen = {
        "case_type": factories.case_type("child_protection"),
        "strand": factories.strand("social_care"),
    }[field]
    Audit.objects.update(**{field: chosen})
    client.force_login(moderator_user)
    sent = []  # as sent, with its parameters (a captured query has its values written in)

    def keep(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        client.get(ALL, {field: chosen.pk})
    count, params = next((sql, params) for sql, params in sent if "COUNT(" in sql)

    with connection.cursor() as cursor:
        cursor.execute("SELECT rootpage FROM sqlite_master WHERE name = 'audits_audit'")
        (table,) = cursor.fetchone()
        cursor.execute("EXPLAIN " + count, params)
        program = [row[1:4] for row in cursor.fetchall()]  # (opcode, p1, p2)

    table_cursors = {p1 for op, p1, p2 in program if op == "OpenRead" and p2 == table}
    index_cursors = {p1 for op, p1, p2 in program if op == "OpenRead" and p2 != table}
    assert index_cursors  # the count walks an index
    assert not [row for row in program if row[0] == "Column" and row[1] in table_cursors]


@pytest.mark.parametrize("value", ["draft'; --", "a b", ""])
def test_only_plain_words_are_written_into_sql(value):
    from audits.models import Written

    with pytest.raises(ValueError):
        Written(value)
