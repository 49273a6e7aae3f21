"""Each reportable audit's link to its case's audit before it and the date of the one after
(audits.case_links), kept by the services. That any sequence of the services keeps them equal
to links made anew is checked in test_figures_incremental; the import in test_figures; the
retention schedule in retention/test_command (``refresh_report_figures --check``)."""

import datetime
import io
import threading
import time
from unittest import mock

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.db import connection

from audits import services
from audits.actions import services as action_services
from audits.apps import _build_missing_figures
from audits.case_links import (
    COMPARED,
    DECLINED,
    IMPROVED,
    NOT_COMPARED,
    SAME,
    relink_all,
    stale_links,
)
from audits.grades import Grade
from audits.models import Audit, CaseLink, DomainGrade
from moderation import services as moderation_services
from tests import factories
from tests.helpers import complete_content, draft_audit, submitted_audit, taken_audit

pytestmark = pytest.mark.django_db

SEP = {day: datetime.date(2026, 9, day) for day in range(1, 31)}


def links() -> dict:
    return {link.audit_id: (link.earlier_id, link.later_date) for link in CaseLink.objects.all()}


def test_a_cases_audits_are_linked_in_date_order_whatever_the_spelling():
    first = submitted_audit(case_reference="CR-L1", audit_date=SEP[1])
    third = submitted_audit(case_reference="cr-l1", audit_date=SEP[20])
    second = submitted_audit(case_reference="CR-L1", audit_date=SEP[10])
    other = submitted_audit(case_reference="CR-L2", audit_date=SEP[5])
    draft_audit(case_reference="CR-L1", audit_date=SEP[15])  # a draft is no audit of the case
    auditor = factories.auditor()
    content = complete_content(case_reference="CR-L1", audit_date=SEP[16])
    content.header["is_practice"] = True  # a practice audit is no audit of the case either
    practice = services.audit_save_draft(audit=None, by=auditor, content=content)
    services.audit_submit(audit=practice, by=auditor, today=SEP[30])

    assert links() == {
        first.pk: (None, SEP[10]),
        second.pk: (first.pk, SEP[20]),
        third.pk: (second.pk, None),
        other.pk: (None, None),
    }
    assert stale_links() == 0


def test_two_audits_of_a_case_on_one_day_follow_the_order_they_were_made():
    first = submitted_audit(case_reference="CR-L3", audit_date=SEP[3])
    second = submitted_audit(case_reference="CR-L3", audit_date=SEP[3])

    assert links() == {first.pk: (None, SEP[3]), second.pk: (first.pk, None)}


def comparison(audit) -> dict:
    return CaseLink.objects.filter(audit=audit).values(*COMPARED).get()


def test_each_audit_is_compared_with_its_earlier_one():
    first = submitted_audit(
        case_reference="CR-L7", audit_date=SEP[1], overall=Grade.MEETS, domain_grade=Grade.MEETS
    )
    DomainGrade.objects.filter(audit=first, domain__number=12).update(
        grade=Grade.NOT_APPLICABLE
    )  # not compared, though graded in the later audit
    first.refresh_from_db()
    second = submitted_audit(
        case_reference="CR-L7",
        audit_date=SEP[9],
        overall=Grade.EXCEEDS,
        domain_grade=Grade.DOES_NOT_MEET,
    )
    relink_all()

    assert comparison(first) == NOT_COMPARED
    declined = sum(1 << number for number in range(1, 12))
    assert comparison(second) == {
        **NOT_COMPARED,
        "overall_change": IMPROVED,
        "domains_declined": declined,
        "earlier_raised": 1,
        "earlier_open": 1,
        "earlier_open_dated": 1,
        "earlier_first_due": first.actions.get().due_date,
        "earlier_last_due": first.actions.get().due_date,
    }


def test_moderating_the_earlier_audit_compares_the_later_one_again():
    moderator = factories.moderator()
    first = taken_audit(
        moderator=moderator, case_reference="CR-L8", audit_date=SEP[1], overall=Grade.MEETS
    )
    second = submitted_audit(case_reference="CR-L8", audit_date=SEP[9], overall=Grade.MEETS)
    assert comparison(second)["overall_change"] == SAME

    moderation_services.moderation_record(
        audit=first, moderator=moderator, grade=Grade.EXCEEDS, rationale="Strong analysis."
    )

    assert comparison(second)["overall_change"] == DECLINED
    assert stale_links() == 0


def test_an_earlier_audits_action_done_is_counted_with_the_later_audit():
    first = submitted_audit(case_reference="CR-L9", audit_date=SEP[1])
    second = submitted_audit(case_reference="CR-L9", audit_date=SEP[9])
    action = first.actions.get()

    action_services.action_mark_done(
        action=action, by=factories.qa_lead(), note="Done.", completed_on=SEP[5]
    )

    counted = comparison(second)
    assert (counted["earlier_open"], counted["earlier_done"], counted["earlier_done_on_time"]) == (
        0,
        1,
        1,
    )
    assert stale_links() == 0


def test_a_returned_audit_amended_to_another_strand_takes_its_link_with_it():
    """A link copies its audit's activity, strand and case type, which the report filters."""
    moderator, auditor = factories.moderator(), factories.auditor()
    audit = taken_audit(moderator=moderator, auditor=auditor, case_reference="CR-L10")
    moderation_services.moderation_send_back(
        audit=audit, moderator=moderator, comments="Look again."
    )
    content = complete_content(case_reference="CR-L10", audit_date=audit.audit_date)
    content.header["strand"] = factories.strand("early_help")
    services.audit_save_draft(audit=Audit.objects.get(pk=audit.pk), by=auditor, content=content)

    audit.refresh_from_db()
    link = CaseLink.objects.get(audit=audit)
    assert (link.strand_id, link.case_type_id, link.activity_id) == (
        audit.strand_id,
        audit.case_type_id,
        audit.activity_id,
    )
    assert audit.strand.slug == "early_help"
    assert stale_links() == 0


def test_links_changed_outside_the_services_are_named_by_the_check_and_mended():
    first = submitted_audit(case_reference="CR-L4", audit_date=SEP[1])
    second = submitted_audit(case_reference="CR-L4", audit_date=SEP[10])
    call_command("refresh_report_figures", "--check", stdout=io.StringIO())

    # A data fix in the database shell moves the first audit after the second (its month
    # stays the same, so only the links are wrong).
    Audit.objects.filter(pk=first.pk).update(audit_date=SEP[20])
    assert stale_links() == 2
    with pytest.raises(CommandError, match="2 link.* differ"):
        call_command("refresh_report_figures", "--check", stdout=io.StringIO())

    out = io.StringIO()
    call_command("refresh_report_figures", stdout=out)
    assert "links" in out.getvalue()
    assert links() == {second.pk: (None, SEP[20]), first.pk: (second.pk, None)}
    assert stale_links() == 0


def test_a_database_from_before_the_links_gets_them_after_migrating():
    first = submitted_audit(case_reference="CR-L5", audit_date=SEP[1])
    second = submitted_audit(case_reference="CR-L5", audit_date=SEP[2])
    CaseLink.objects.all().delete()

    _build_missing_figures(sender=None)

    assert links() == {first.pk: (None, SEP[2]), second.pk: (first.pk, None)}


def test_relinking_everything_gives_the_links_the_services_kept():
    audits = [
        submitted_audit(case_reference=f"CR-L{n % 3}", audit_date=SEP[1 + (7 * n) % 29])
        for n in range(9)
    ]
    kept = links()

    assert relink_all() == len(audits)
    assert links() == kept
    assert sum(earlier is not None for earlier, _ in kept.values()) == 6


# --- Two writers of one case at once (PostgreSQL) ---------------------------------------------

postgres_only = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite lets one writer in at a time; concurrent relinks need PostgreSQL",
)


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_audits_of_one_case_submitted_at_once_are_linked_to_each_other():
    """Each submit relinks the case inside its own transaction. Without the case's lock both
    would read the case's audits before the other committed, and both audits would be left
    with no earlier audit."""
    first_auditor, second_auditor = factories.auditor(), factories.auditor()
    # In two months, so that the months' locks on the kept figures do not queue them.
    august = datetime.date(2026, 8, 31)
    first = draft_audit(auditor=first_auditor, case_reference="CR-L6", audit_date=august)
    second = draft_audit(auditor=second_auditor, case_reference="cr-l6", audit_date=SEP[2])
    manager = type(CaseLink.objects)
    bulk_create = manager.bulk_create

    def slow_bulk_create(self, *args, **kwargs):
        time.sleep(0.3)  # each has read the case's audits and waits before writing its links
        return bulk_create(self, *args, **kwargs)

    barrier = threading.Barrier(2)
    errors = []

    def submit(audit, auditor):
        try:
            barrier.wait(timeout=10)
            services.audit_submit(audit=Audit.objects.get(pk=audit.pk), by=auditor, today=SEP[30])
        except BaseException as error:  # noqa: BLE001 - returned to the test
            errors.append(error)
        finally:
            connection.close()

    with mock.patch.object(manager, "bulk_create", slow_bulk_create):
        threads = [
            threading.Thread(target=submit, args=(first, first_auditor)),
            threading.Thread(target=submit, args=(second, second_auditor)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert errors == []
    assert links() == {first.pk: (None, SEP[2]), second.pk: (first.pk, None)}
    assert stale_links() == 0


def test_an_audits_change_history_leaves_its_link_out():
    """The link is kept by the app, not changed by anyone: the change history neither records
    it nor reads it (on every audit created or saved, that would be one query more)."""
    from django.db import connection as default_connection
    from django.test.utils import CaptureQueriesContext

    auditor = factories.auditor()
    content = complete_content(case_reference="CR-L11", audit_date=SEP[1])
    with CaptureQueriesContext(default_connection) as queries:
        draft = services.audit_save_draft(audit=None, by=auditor, content=content)

    assert draft.pk and LogEntry.objects.get_for_object(draft).exists()
    assert not [q["sql"] for q in queries.captured_queries if "audits_caselink" in q["sql"]]
