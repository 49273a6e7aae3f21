"""Find a case: the header's box and the results page (audits.views.find_case).

A case is found by its whole reference or its beginning, in any case, among the audits the user
may see (audits.selectors.audits_visible_to): the owner, a colleague and the outsiders each see
their own share. A reference that is exactly one case's, with audits past draft, goes straight
to the case's timeline. Bad input is a message on the page, never a 500.
"""

import datetime
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits import selectors
from tests import factories
from tests.helpers import draft_audit, submitted_audit

pytestmark = pytest.mark.django_db

URL = reverse("audits:find_case")
INDEX = "audit_case_ref_upper_idx"


@pytest.fixture
def cases(owner, colleague):
    owner.first_name, owner.last_name = "Ada", "Okafor"
    owner.save()
    return {
        "first": submitted_audit(
            auditor=owner, case_reference="CR-7001", audit_date=datetime.date(2026, 7, 1)
        ),
        "second": submitted_audit(
            auditor=owner, case_reference="CR-7002", audit_date=datetime.date(2026, 7, 2)
        ),
        "draft": draft_audit(auditor=owner, case_reference="CR-7003"),
        "colleagues": submitted_audit(
            auditor=colleague, case_reference="CR-7009", audit_date=datetime.date(2026, 7, 3)
        ),
        "elsewhere": submitted_audit(
            auditor=owner, case_reference="AB-7001", audit_date=datetime.date(2026, 7, 4)
        ),
    }


def _found(response) -> list[str]:
    return [a.case_reference for a in response.context["page_obj"].object_list]


# --- Who finds what: owner, colleague, outsiders -------------------------------------------------


@pytest.mark.parametrize(
    "who, expected",
    [
        # Their own audits in every state, their own draft included.
        ("owner", ["CR-7001", "CR-7002", "CR-7003"]),
        # Only their own: nothing of the owner's, not even that the cases exist.
        ("colleague", ["CR-7009"]),
        # Every audit past draft; nobody's draft.
        ("moderator_user", ["CR-7001", "CR-7002", "CR-7009"]),
        ("qa_lead_user", ["CR-7001", "CR-7002", "CR-7009"]),
        ("administrator_user", ["CR-7001", "CR-7002", "CR-7009"]),
    ],
)
def test_a_prefix_finds_the_cases_the_user_may_see(client, request, cases, who, expected):
    client.force_login(request.getfixturevalue(who))

    response = client.get(URL, {"reference": "cr-70"})

    assert response.status_code == 200
    assert _found(response) == expected


def test_someone_without_a_role_may_not_search(client, no_role_user, cases):
    client.force_login(no_role_user)

    assert client.get(URL, {"reference": "CR-70"}).status_code == 403


def test_a_colleague_learns_nothing_of_the_owners_case(client, colleague, cases):
    client.force_login(colleague)

    response = client.get(URL, {"reference": "CR-7001"})

    assert response.status_code == 200
    assert _found(response) == []
    text = unescape(response.content.decode())
    assert "No cases starting “CR-7001”" in text
    assert "/cases/CR-7001/" not in text


# --- An exact reference ---------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["CR-7001", "cr-7001", "Cr-7001"])
def test_a_whole_reference_of_one_case_goes_to_its_timeline(client, owner, cases, typed):
    client.force_login(owner)

    response = client.get(URL, {"reference": typed})

    assert response.status_code == 302
    assert response.url == reverse("audits:case_timeline", args=["CR-7001"])


def test_a_whole_reference_that_begins_others_lists_them_all(client, owner, cases):
    submitted_audit(auditor=owner, case_reference="CR-70011")
    client.force_login(owner)

    response = client.get(URL, {"reference": "CR-7001"})

    assert response.status_code == 200
    assert _found(response) == ["CR-7001", "CR-70011"]


def test_a_case_with_only_a_draft_is_listed_not_sent_to_an_empty_timeline(client, owner, cases):
    client.force_login(owner)

    response = client.get(URL, {"reference": "cr-7003"})

    assert response.status_code == 200
    assert _found(response) == ["CR-7003"]
    text = unescape(response.content.decode())
    assert reverse("audits:edit", args=[cases["draft"].pk]) in text


# --- The results --------------------------------------------------------------------------------


def test_results_are_a_table_with_dates_and_names(client, qa_lead_user, cases):
    client.force_login(qa_lead_user)

    response = client.get(URL, {"reference": "CR-700"})

    text = unescape(response.content.decode())
    assert 'class="govuk-table"' in text
    assert "1 July 2026" in text and "2 July 2026" in text
    assert "Ada Okafor" in text
    assert cases["first"].auditor.username not in text
    assert reverse("audits:detail", args=[cases["first"].pk]) in text
    assert reverse("audits:case_timeline", args=["CR-7001"]) in text
    assert "<title>Cases starting CR-700 – " in text


def test_the_search_reads_the_case_reference_index(owner, cases):
    with CaptureQueriesContext(connection) as queries:
        found = list(selectors.find_case(user=owner, reference="cR-70"))
    assert [a.case_reference for a in found] == ["CR-7001", "CR-7002", "CR-7003"]
    sqls = [q["sql"] for q in queries.captured_queries if "UPPER(" in q["sql"].upper()]
    assert sqls
    for sql in sqls:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute("EXPLAIN " + sql)
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = "\n".join(str(row) for row in cursor.fetchall())
        assert INDEX in plan, plan


def test_the_prefix_is_a_prefix_not_a_range(owner):
    """The bounds let the index read a range; what the range holds without the prefix (a
    locale's collation passes hyphens over) is not found."""
    for reference in ("CR-3", "CR3", "CR-30", "CR-4", "CQ-3", "CRZ"):
        submitted_audit(auditor=owner, case_reference=reference)

    found = selectors.find_case(user=owner, reference="cr-3")

    assert sorted(a.case_reference for a in found) == ["CR-3", "CR-30"]


def test_the_query_count_does_not_grow_with_the_audits(
    client, qa_lead_user, cases, django_assert_max_num_queries
):
    client.force_login(qa_lead_user)
    client.get(URL, {"reference": "CR"})  # the session and roles settle
    with django_assert_max_num_queries(12) as few:
        client.get(URL, {"reference": "CR"})
    for n in range(10):
        submitted_audit(auditor=factories.auditor(), case_reference=f"CR-8{n:03}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL, {"reference": "CR"})
    assert len(_found(response)) == 13


# --- Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, message",
    [
        ("", "Enter a case reference, or its beginning."),
        ("   ", "Enter a case reference, or its beginning."),
        ("C" * 33, "A case reference is at most 32 characters (you entered 33)."),
        ("CR-\x007001", "Case reference must not contain control characters."),
        ("CR 7001", "A case reference has only letters, digits and hyphens"),
        ("CR%", "A case reference has only letters, digits and hyphens"),
        ("Ĉ-1", "A case reference has only letters, digits and hyphens"),
    ],
)
def test_bad_input_says_what_is_wrong(client, owner, cases, typed, message):
    client.force_login(owner)

    response = client.get(URL, {"reference": typed})

    assert response.status_code == 400
    text = unescape(response.content.decode())
    assert "govuk-error-summary" in text
    assert message in text
    assert "<title>Error: Find a case – " in text
    assert response.context["page_obj"] is None


def test_the_empty_page_asks_for_a_reference(client, owner):
    client.force_login(owner)

    response = client.get(URL)

    assert response.status_code == 200
    assert "govuk-error-summary" not in response.content.decode()
    assert 'id="id_reference"' in response.content.decode()


# --- The header's box ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, shown",
    [
        ("owner", True),
        ("moderator_user", True),
        ("qa_lead_user", True),
        ("administrator_user", True),
        ("no_role_user", False),
    ],
)
def test_the_header_has_the_search_box_for_whoever_may_search(client, request, who, shown):
    client.force_login(request.getfixturevalue(who))

    text = client.get(reverse("audits:home")).content.decode()

    assert ('id="header-search-reference"' in text) is shown
    assert (f'action="{URL}"' in text) is shown


def test_the_header_box_and_the_page_form_have_ids_of_their_own(client, owner):
    client.force_login(owner)

    text = client.get(URL).content.decode()

    assert text.count('id="header-search-reference"') == 1
    assert text.count('id="id_reference"') == 1
