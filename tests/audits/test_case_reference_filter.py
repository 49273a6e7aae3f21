"""The lists' "Case reference" filter (issue 13): the whole reference or its beginning, whatever
the case, only among what the user may see, read through the upper-cased reference's index."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits import selectors
from audits.actions import selectors as action_selectors
from audits.actions.filters import ActionFilter
from audits.filters import AuditFilter
from audits.models import Audit
from tests.helpers import draft_audit, submitted_audit

pytestmark = pytest.mark.django_db

INDEX = "audit_case_ref_upper_idx"


@pytest.fixture
def cases(owner, colleague):
    made = {}
    for n, (who, ref) in enumerate(
        [
            (owner, "CR-3001"),
            (owner, "cr-30017"),
            (owner, "CR-3100"),
            (colleague, "CR-3002"),
            (owner, "XCR-3001"),
        ],
        start=1,
    ):
        made[ref] = submitted_audit(
            auditor=who, case_reference=ref, audit_date=datetime.date(2026, 10, n)
        )
    return made


def references(response) -> list[str]:
    assert response.status_code == 200
    return sorted(a.case_reference for a in response.context["page_obj"])


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("CR-3001", ["CR-3001", "cr-30017"]),  # the whole reference, and those it begins
        ("cr-30017", ["cr-30017"]),
        ("Cr-300", ["CR-3001", "CR-3002", "cr-30017"]),
        ("CR-3", ["CR-3001", "CR-3002", "CR-3100", "cr-30017"]),
        ("CR-4", []),
    ],
)
def test_all_audits_filter_by_case_reference_whole_or_beginning_in_any_case(
    client, qa_lead_user, cases, typed, expected
):
    client.force_login(qa_lead_user)

    response = client.get(reverse("audits:all"), {"case_reference": typed})

    assert references(response) == expected


def test_my_audits_filter_only_among_my_own(client, owner, cases):
    client.force_login(owner)

    response = client.get(reverse("audits:mine"), {"case_reference": "CR-300"})

    # CR-3002 is the colleague's: it matches but is not the owner's to see here.
    assert references(response) == ["CR-3001", "cr-30017"]


def test_my_audits_filter_finds_my_drafts_too(client, owner, cases):
    draft_audit(auditor=owner, case_reference="CR-3009")
    client.force_login(owner)

    response = client.get(reverse("audits:mine"), {"case_reference": "cr-3009"})

    assert references(response) == ["CR-3009"]


def test_the_actions_list_filters_by_its_audits_case_reference(client, owner, colleague, cases):
    client.force_login(owner)

    response = client.get(reverse("audits:actions"), {"case_reference": "cr-300"})

    assert response.status_code == 200
    shown = sorted(a.audit.case_reference for a in response.context["page_obj"])
    # The owner sees only the actions of their own audits: not the colleague's CR-3002.
    assert shown == ["CR-3001", "cr-30017"]


def test_a_reference_that_could_never_be_one_is_an_error_on_the_filter(client, qa_lead_user):
    client.force_login(qa_lead_user)

    response = client.get(reverse("audits:all"), {"case_reference": "CR 1%"})

    html = response.content.decode()
    assert 'id="id_case_reference_error"' in html
    assert "Case reference must be letters, numbers and hyphens only" in html


def _plans(queryset) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        list(queryset.all())
    plans = []
    for query in queries.captured_queries:
        if "UPPER(" not in query["sql"].upper():
            continue
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute("EXPLAIN " + query["sql"])
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
            plans.append("\n".join(str(row) for row in cursor.fetchall()))
    assert plans, "no query looked the reference up"
    return plans


def test_the_audit_filter_reads_the_upper_case_index(qa_lead_user, cases):
    audit_filter = AuditFilter(
        {"case_reference": "cr-300"}, queryset=selectors.all_audits(qa_lead_user)
    )

    for plan in _plans(audit_filter.qs):
        assert INDEX in plan, plan


def test_the_prefix_selector_reads_the_upper_case_index(cases):
    queryset = selectors.with_case_reference_prefix(Audit.objects.all(), "cr-300")

    assert sorted(a.case_reference for a in queryset) == ["CR-3001", "CR-3002", "cr-30017"]
    for plan in _plans(queryset):
        assert INDEX in plan, plan


def test_the_action_filter_takes_the_reference_of_the_actions_audit(owner, cases):
    action_filter = ActionFilter(
        {"case_reference": "CR-3100"}, queryset=action_selectors.action_list(owner), user=owner
    )

    assert [a.audit.case_reference for a in action_filter.qs] == ["CR-3100"]


def test_a_filter_error_is_in_the_pages_error_summary_and_title(client, qa_lead_user):
    client.force_login(qa_lead_user)

    html = client.get(reverse("audits:actions"), {"case_reference": "CR 1"}).content.decode()

    assert "<title>Error: " in html
    assert 'href="#id_case_reference">Case reference must be letters' in html
