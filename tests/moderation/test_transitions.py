"""Every status change goes through the one table in audits.workflow; everything else is refused.

First the table itself (every pair of statuses it does not list), then the same rules as the
moderation and audit services apply them. Each refusal leaves the status as it was and writes
no transition row.
"""

import datetime
import itertools

import pytest

from audits import services as audit_services
from audits.grades import Grade
from audits.models import Audit, AuditTransition, Status
from audits.workflow import TRANSITIONS, AuditError, transition
from moderation import services
from moderation.models import Moderation, ModerationCase
from tests import factories
from tests.helpers import (
    complete_content,
    draft_audit,
    moderated_audit,
    submitted_audit,
    taken_audit,
)

TODAY = datetime.date(2026, 11, 25)

pytestmark = pytest.mark.django_db

ALL_PAIRS = list(itertools.product(Status.values, repeat=2))
ILLEGAL = [pair for pair in ALL_PAIRS if pair not in TRANSITIONS]
LEGAL = [pair for pair in ALL_PAIRS if pair in TRANSITIONS]


def test_the_table_lists_the_eight_moves_of_the_workflow():
    # 25 pairs, 8 allowed: so 17 (including the five "stay where you are" pairs) are refused.
    assert len(LEGAL) == 8
    assert len(ILLEGAL) == 17
    assert all((s, s) in ILLEGAL for s in Status.values)


def audit_in(status: str, *, moderator=None) -> Audit:
    """An audit brought to ``status`` the way users bring it there: through the services."""
    moderator = moderator or factories.moderator()
    if status == Status.DRAFT:
        audit = draft_audit()
    elif status == Status.SUBMITTED:
        audit = submitted_audit()
    elif status == Status.IN_MODERATION:
        audit = taken_audit(moderator=moderator)
    elif status == Status.RETURNED:
        audit = taken_audit(moderator=moderator)
        services.moderation_send_back(
            audit=audit, moderator=moderator, comments="Say more about the child's voice."
        )
    elif status == Status.COMPLETED:
        audit = moderated_audit(moderator=moderator)
    else:  # pragma: no cover - a new status needs a way to reach it here
        raise AssertionError(status)
    audit.refresh_from_db()
    assert audit.status == status
    return audit


def _snapshot(audit):
    audit.refresh_from_db()
    return (
        audit.status,
        audit.revision,
        AuditTransition.objects.filter(audit=audit).count(),
        Moderation.objects.filter(audit=audit).count(),
        audit.moderated_grade,
    )


def assert_refused(audit, call, *, match=None):
    """``call`` raises AuditError (or a subclass) and changes nothing about ``audit``."""
    before = _snapshot(audit)
    with pytest.raises(AuditError, match=match):
        call()
    assert _snapshot(audit) == before


# --- The table ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("from_status", "to_status"), ILLEGAL, ids=[f"{a}->{b}" for a, b in ILLEGAL]
)
def test_transition_refuses_every_move_the_table_does_not_list(from_status, to_status):
    audit = audit_in(from_status)
    by = factories.moderator()
    rows_before = AuditTransition.objects.count()

    with pytest.raises(AuditError, match="cannot be moved to"):
        transition(audit, to=to_status, by=by)

    assert audit.status == from_status
    assert AuditTransition.objects.count() == rows_before
    audit.refresh_from_db()
    assert audit.status == from_status


@pytest.mark.parametrize(("from_status", "to_status"), LEGAL, ids=[f"{a}->{b}" for a, b in LEGAL])
def test_transition_makes_every_move_the_table_lists_and_records_it(from_status, to_status):
    audit = audit_in(from_status)
    by = factories.moderator()
    rows_before = AuditTransition.objects.filter(audit=audit).count()

    record = transition(audit, to=to_status, by=by, comment="Checked.")

    assert audit.status == to_status
    assert AuditTransition.objects.filter(audit=audit).count() == rows_before + 1
    assert (record.from_status, record.to_status, record.by, record.comment) == (
        from_status,
        to_status,
        by,
        "Checked.",
    )


# --- Through the services --------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.DRAFT, Status.COMPLETED, Status.RETURNED])
def test_only_a_submitted_audit_can_be_taken(status):
    audit = audit_in(status)
    other = factories.moderator()

    assert_refused(audit, lambda: services.moderation_take(audit=audit, moderator=other))


def test_an_audit_completed_without_moderation_cannot_be_taken():
    activity = factories.AuditActivityFactory(moderation_rate=0, always_moderate_not_met=False)
    audit = submitted_audit(activity=activity)
    assert audit.status == Status.COMPLETED

    assert_refused(
        audit,
        lambda: services.moderation_take(audit=audit, moderator=factories.moderator()),
        match="not in the moderation queue",
    )


def test_an_audit_already_taken_cannot_be_taken_again():
    first = factories.moderator(username="first-moderator")
    audit = taken_audit(moderator=first)

    assert_refused(
        audit,
        lambda: services.moderation_take(audit=audit, moderator=factories.moderator()),
        match="first-moderator is already moderating",
    )


def test_a_submitted_audit_not_taken_cannot_be_recorded():
    audit = submitted_audit()

    assert_refused(
        audit,
        lambda: services.moderation_record(
            audit=audit, moderator=factories.moderator(), grade=Grade.MEETS
        ),
        match="Take this audit",
    )


def test_only_the_moderator_who_took_it_can_record():
    audit = taken_audit(moderator=factories.moderator())
    other = factories.moderator()

    assert_refused(
        audit,
        lambda: services.moderation_record(audit=audit, moderator=other, grade=Grade.MEETS),
        match="Take this audit",
    )
    assert_refused(
        audit,
        lambda: services.moderation_send_back(
            audit=audit, moderator=other, comments="Add the plan."
        ),
        match="Take this audit",
    )


def test_only_the_moderator_who_took_it_can_release():
    holder = factories.moderator()
    audit = taken_audit(moderator=holder)

    for someone_else in (factories.moderator(), factories.qa_lead(), audit.auditor):
        assert_refused(
            audit,
            lambda: services.moderation_release(audit=audit, moderator=someone_else),  # noqa: B023 (called at once, inside the loop)
            match="Only the moderator who took",
        )
    assert ModerationCase.objects.get(audit=audit).taken_by == holder


def test_a_submitted_audit_cannot_be_released():
    audit = submitted_audit()

    assert_refused(
        audit, lambda: services.moderation_release(audit=audit, moderator=factories.moderator())
    )


def test_a_completed_audit_cannot_be_sent_back():
    moderator = factories.moderator()
    audit = moderated_audit(moderator=moderator)

    assert_refused(
        audit,
        lambda: services.moderation_send_back(
            audit=audit, moderator=moderator, comments="On second thoughts."
        ),
        match="already been moderated",
    )


def test_a_completed_audit_cannot_be_resubmitted():
    audit = moderated_audit()

    assert_refused(
        audit, lambda: audit_services.audit_submit(audit=audit, by=audit.auditor, today=TODAY)
    )


def test_a_completed_audit_cannot_be_edited():
    audit = moderated_audit()

    assert_refused(
        audit,
        lambda: audit_services.audit_save_draft(
            audit=audit, by=audit.auditor, content=complete_content(overall=Grade.EXCEEDS)
        ),
    )


def test_an_audit_in_moderation_cannot_be_resubmitted_or_edited():
    audit = taken_audit(moderator=factories.moderator())

    assert_refused(
        audit, lambda: audit_services.audit_submit(audit=audit, by=audit.auditor, today=TODAY)
    )
    assert_refused(
        audit,
        lambda: audit_services.audit_save_draft(
            audit=audit, by=audit.auditor, content=complete_content()
        ),
    )


def test_a_draft_cannot_be_added_to_the_queue():
    audit = draft_audit()

    assert_refused(
        audit, lambda: services.moderation_add_to_queue(audit=audit, by=factories.qa_lead())
    )
    assert not ModerationCase.objects.filter(audit=audit).exists()


def test_a_moderated_audit_cannot_be_added_to_the_queue():
    audit = moderated_audit()
    case_before = ModerationCase.objects.filter(audit=audit).values().get()

    assert_refused(
        audit, lambda: services.moderation_add_to_queue(audit=audit, by=factories.qa_lead())
    )
    assert ModerationCase.objects.filter(audit=audit).values().get() == case_before


def test_an_audit_already_in_the_queue_cannot_be_added_again():
    audit = submitted_audit()

    assert_refused(
        audit,
        lambda: services.moderation_add_to_queue(audit=audit, by=factories.qa_lead()),
        match="already in the moderation queue",
    )


def test_a_refused_move_inside_a_service_rolls_back_everything_it_wrote():
    # Raised after the Moderation row was written: the atomic block must drop it again.
    moderator = factories.moderator()
    audit = taken_audit(moderator=moderator)

    assert_refused(
        audit,
        lambda: services.moderation_record(
            audit=audit,
            moderator=moderator,
            grade=Grade.MEETS,
            actions=[
                {
                    "description": "Visit again",
                    "owner": "Social worker",
                    "due_date": datetime.date(2026, 1, 1),
                }
            ],
        ),
        match="cannot be due before",
    )
    assert not audit.actions.filter(source="moderator").exists()
