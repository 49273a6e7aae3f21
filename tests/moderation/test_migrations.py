"""The data migration that completes audits imported before the import contract decided their
state (moderation 0002)."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from audits.models import Audit, AuditTransition, Status
from audits.workflow import TRANSITIONS
from tests.helpers import draft_audit, submitted_audit

pytestmark = pytest.mark.django_db

migration = importlib.import_module("moderation.migrations.0002_complete_unmoderated_imports")


def _run():
    migration.complete_unmoderated_imports(apps, SimpleNamespace(connection=connection))


def _stuck_import(**kwargs):
    """An audit as the importer left it before: Submitted, imported, no moderation decision."""
    audit = draft_audit(**kwargs)
    Audit.objects.filter(pk=audit.pk).update(status=Status.SUBMITTED, is_imported=True)
    return audit


def test_a_stuck_import_is_completed_through_the_transition_table():
    audit = _stuck_import(case_reference="CR-7001")
    _run()
    audit.refresh_from_db()
    assert audit.status == Status.COMPLETED
    [move] = AuditTransition.objects.filter(audit=audit)
    assert (move.from_status, move.to_status) in TRANSITIONS
    assert (move.from_status, move.to_status) == (Status.SUBMITTED, Status.COMPLETED)
    # Run again, nothing more happens.
    _run()
    assert AuditTransition.objects.filter(audit=audit).count() == 1


def test_audits_with_a_decision_or_a_moderated_grade_are_left_alone():
    decided = submitted_audit(case_reference="CR-7002")  # moderation decided at submission
    Audit.objects.filter(pk=decided.pk).update(is_imported=True)
    graded = _stuck_import(case_reference="CR-7003")
    Audit.objects.filter(pk=graded.pk).update(moderated_grade="meets")
    typed_here = draft_audit(case_reference="CR-7004")
    Audit.objects.filter(pk=typed_here.pk).update(status=Status.SUBMITTED)  # not imported
    before = {a.pk: a.status for a in Audit.objects.all()}
    _run()
    assert {a.pk: a.status for a in Audit.objects.all()} == before
