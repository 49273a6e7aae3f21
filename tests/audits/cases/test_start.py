"""An auditor's allocated cases on their home page, and Start audit: one draft per case,
prefilled from the case list, however often (or from however many tabs) it is started."""

import datetime
import threading

import pytest
from django.db import connection
from django.urls import reverse

from audits.cases.services import Criteria, allocated_case_start, draw_sample, drawn_case_replace
from audits.models import AgeBand, Audit, CaseType, Status, Strand
from audits.workflow import AuditError
from tests import factories

from . import audit_of, case, person, team


@pytest.fixture
def world(db):
    north = team("north")
    holder = person("Holder", north)
    case(
        "CR-01",
        holder=holder,
        strand=Strand.objects.get(slug="early_help"),
        case_type=CaseType.objects.get(slug="looked_after"),
        age_band=AgeBand.objects.get(slug="10-15"),
    )
    case("CR-02", holder=holder)
    activity = factories.AuditActivityFactory(name="Monthly", month=datetime.date(2026, 11, 1))
    ann = factories.auditor(username="ann")
    activity.auditors.add(ann)
    record = draw_sample(
        activity=activity, seed="s", criteria=Criteria(size=2), by=factories.qa_lead()
    ).record
    drawn = {dc.case.case_reference: dc for dc in record.cases.select_related("case")}
    return {"activity": activity, "ann": ann, "drawn": drawn, "north": north}


def start_url(drawn):
    return reverse("audits:allocated_case_start", args=[drawn.pk])


def test_the_home_page_lists_the_allocated_cases_with_start_audit(client, world):
    client.force_login(world["ann"])
    page = client.get(reverse("audits:home")).content.decode()
    table = page.split('id="allocated-cases"', 1)[1].split("</table>", 1)[0]
    assert "CR-01" in table and "CR-02" in table and "Start audit" in table
    assert world["activity"].name in table


def test_start_audit_creates_the_draft_prefilled_from_the_case_and_opens_it(client, world):
    client.force_login(world["ann"])
    response = client.post(start_url(world["drawn"]["CR-01"]))
    audit = Audit.objects.get()
    assert response.status_code == 302 and response.url == reverse("audits:edit", args=[audit.pk])
    assert audit.auditor == world["ann"] and audit.status == Status.DRAFT
    assert audit.case_reference == "CR-01" and audit.activity == world["activity"]
    assert audit.team == world["north"]
    assert (audit.strand.slug, audit.case_type.slug, audit.age_band.slug) == (
        "early_help",
        "looked_after",
        "10-15",
    )
    assert audit.domain_grades.count() == audit.tool.domains.count() > 0
    # The home page now offers to continue it, not to start another.
    page = client.get(reverse("audits:home")).content.decode()
    row = page.split(">CR-01<", 1)[1].split("</tr>", 1)[0]
    assert "Continue audit" in row and reverse("audits:edit", args=[audit.pk]) in row


def test_starting_twice_from_two_tabs_opens_the_same_draft(client, world):
    """Both tabs had the home page open with Start audit; both are pressed."""
    client.force_login(world["ann"])
    first = client.post(start_url(world["drawn"]["CR-01"]))
    second = client.post(start_url(world["drawn"]["CR-01"]))
    assert first.url == second.url
    assert Audit.objects.filter(case_reference="CR-01").count() == 1


def test_a_submitted_audit_is_opened_not_started_again(world):
    audit = allocated_case_start(drawn_case=world["drawn"]["CR-01"], by=world["ann"])
    Audit.objects.filter(pk=audit.pk).update(status=Status.SUBMITTED)
    assert allocated_case_start(drawn_case=world["drawn"]["CR-01"], by=world["ann"]) == audit
    assert Audit.objects.count() == 1


def test_someone_elses_case_is_not_found_and_nothing_is_started(client, world):
    client.force_login(factories.auditor())
    assert client.post(start_url(world["drawn"]["CR-01"])).status_code == 404
    client.force_login(factories.qa_lead())
    assert client.post(start_url(world["drawn"]["CR-01"])).status_code == 404
    with pytest.raises(AuditError, match="allocated to another auditor"):
        allocated_case_start(drawn_case=world["drawn"]["CR-01"], by=factories.auditor())
    assert not Audit.objects.exists()


def test_start_is_post_only(client, world):
    client.force_login(world["ann"])
    assert client.get(start_url(world["drawn"]["CR-01"])).status_code == 405
    assert not Audit.objects.exists()


def test_a_withdrawn_case_cannot_be_started_and_leaves_the_home_page(client, world):
    drawn = world["drawn"]["CR-01"]
    drawn_case_replace(drawn_case=drawn, reason="Closed")
    client.force_login(world["ann"])
    response = client.post(start_url(drawn), follow=True)
    assert "withdrawn from the draw" in response.content.decode()
    assert not Audit.objects.exists()
    table = response.content.decode().split('id="allocated-cases"', 1)[1].split("</table>")[0]
    assert "CR-01" not in table


def test_an_audited_case_leaves_the_home_page(client, world):
    audit_of("CR-02", audit_date=datetime.date(2026, 11, 2), auditor=world["ann"])
    Audit.objects.filter(case_reference="CR-02").update(activity=world["activity"])
    client.force_login(world["ann"])
    table = client.get(reverse("audits:home")).content.decode().split('id="allocated-cases"')[1]
    assert "CR-02" not in table.split("</table>")[0]


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="needs a database that other connections reach: run on PostgreSQL",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_starts_at_the_same_moment_make_one_draft(world):
    """Two requests in two threads, each with its own database connection, start the same
    case at once: the second waits on the first's lock on the drawn case and opens its draft.
    (On SQLite the suite's in-memory database is one connection's; its IMMEDIATE transactions
    serialise writers in production, and the test above covers one start after another.)"""
    drawn, ann = world["drawn"]["CR-01"], world["ann"]
    barrier = threading.Barrier(2)
    results, errors = [], []

    def start():
        try:
            barrier.wait(timeout=10)
            results.append(allocated_case_start(drawn_case=drawn, by=ann).pk)
        except Exception as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert len(results) == 2 and results[0] == results[1]
    assert Audit.objects.filter(case_reference="CR-01").count() == 1


def test_the_home_page_reads_the_allocated_cases_in_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    client.force_login(world["ann"])
    client.get(reverse("audits:home"))
    with django_assert_max_num_queries(50) as few:
        client.get(reverse("audits:home"))
    holder = world["drawn"]["CR-01"].case.case_holder
    for n in range(6):
        case(f"CR-MORE-{n}", holder=holder)
    draw_sample(activity=world["activity"], seed="more", criteria=Criteria(size=6))
    allocated_case_start(drawn_case=world["drawn"]["CR-01"], by=world["ann"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("audits:home")).content.decode()
    assert page.count("Start audit<span") == 7 and "Continue audit" in page
