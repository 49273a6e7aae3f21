"""The bulk helper of the transition table (audits.workflow.transitions_bulk), used by the CSV
import: the same table as ``transition()``, one statement for many audits."""

import datetime

import pytest
from django.utils import timezone

from audits.models import Audit, AuditTransition, Status
from audits.services import current_tool
from audits.workflow import AuditError, Move, transitions_bulk
from tests import factories

pytestmark = pytest.mark.django_db


def bulk_audit(status: str) -> Audit:
    """An audit written with its final status, as a bulk path writes it (no service moves it)."""
    return Audit.objects.create(
        tool=current_tool(), auditor=factories.auditor(), status=status, is_imported=True
    )


def test_every_move_is_recorded_in_order_with_who_when_and_why():
    importer = factories.administrator()
    completed, moderated = bulk_audit(Status.COMPLETED), bulk_audit(Status.COMPLETED)
    at = timezone.make_aware(datetime.datetime(2026, 11, 25, 9, 30))

    written = transitions_bulk(
        [
            Move(completed, Status.DRAFT, Status.SUBMITTED, "Imported from a.csv"),
            Move(moderated, Status.DRAFT, Status.SUBMITTED, "Imported from a.csv"),
            Move(completed, Status.SUBMITTED, Status.COMPLETED, "Not moderated."),
            Move(moderated, Status.SUBMITTED, Status.IN_MODERATION),
            Move(moderated, Status.IN_MODERATION, Status.COMPLETED, "Moderated."),
        ],
        by=importer,
        at=at,
    )

    assert written == 5
    rows = AuditTransition.objects.order_by("pk").values_list(
        "audit", "from_status", "to_status", "by", "at", "comment"
    )
    assert list(rows) == [
        (completed.pk, "draft", "submitted", importer.pk, at, "Imported from a.csv"),
        (moderated.pk, "draft", "submitted", importer.pk, at, "Imported from a.csv"),
        (completed.pk, "submitted", "completed", importer.pk, at, "Not moderated."),
        (moderated.pk, "submitted", "in_moderation", importer.pk, at, ""),
        (moderated.pk, "in_moderation", "completed", importer.pk, at, "Moderated."),
    ]


def test_a_move_the_table_does_not_list_is_refused_and_nothing_is_written():
    first, second = bulk_audit(Status.SUBMITTED), bulk_audit(Status.COMPLETED)

    # Straight from draft to completed skips the submission: the table has no such move.
    with pytest.raises(AuditError, match="This audit is draft and cannot be moved to completed."):
        transitions_bulk(
            [
                Move(first, Status.DRAFT, Status.SUBMITTED),
                Move(second, Status.DRAFT, Status.COMPLETED),
            ],
            by=None,
        )

    assert not AuditTransition.objects.exists()


def test_moves_that_do_not_follow_on_or_end_elsewhere_are_refused():
    audit = bulk_audit(Status.COMPLETED)

    with pytest.raises(AuditError, match="does not start where its previous move ended"):
        transitions_bulk(
            [
                Move(audit, Status.DRAFT, Status.SUBMITTED),
                Move(audit, Status.IN_MODERATION, Status.COMPLETED),
            ],
            by=None,
        )
    # Legal moves, but the audit was written as completed: the history would not explain it.
    with pytest.raises(AuditError, match="end in submitted, but the audit is completed"):
        transitions_bulk([Move(audit, Status.DRAFT, Status.SUBMITTED)], by=None)

    assert not AuditTransition.objects.exists()
