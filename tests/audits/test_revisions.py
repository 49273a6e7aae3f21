"""audits.revisions: the one definition of "changed since you opened it"."""

import pytest
from django.conf import settings

from audits.revisions import Revised, RevisionConflict, bump_revision, check_revision
from tests import factories
from tests.helpers import draft_audit

pytestmark = pytest.mark.django_db


def test_the_change_history_leaves_out_the_same_revision_fields_the_model_has():
    assert settings.REVISION_FIELDS == list(Revised.REVISION_FIELDS)


def test_a_save_names_who_saved_when_and_from_which_page(owner):
    audit = draft_audit(auditor=owner)
    before = audit.revision

    bump_revision(audit, by=owner, page="tab-1")

    audit.refresh_from_db()
    assert audit.revision == before + 1
    assert (audit.revised_by, audit.revised_page) == (owner, "tab-1")
    assert audit.revised_at is not None


def test_an_out_of_date_revision_is_a_conflict_naming_the_last_saver(owner):
    audit = draft_audit(auditor=owner)
    seen = audit.revision
    bump_revision(audit, by=owner, page="tab-1")

    with pytest.raises(RevisionConflict) as raised:
        check_revision(audit, expected=seen, page="tab-2")

    assert raised.value.by == owner
    assert owner.get_full_name() in str(raised.value)


def test_ones_own_save_from_another_tab_is_named_so(owner):
    audit = draft_audit(auditor=owner)
    seen = audit.revision
    bump_revision(audit, by=owner, page="tab-1")

    with pytest.raises(RevisionConflict) as raised:
        check_revision(audit, expected=seen, page="tab-2", by=owner)

    assert "you, in another tab or window" in str(raised.value)


def test_the_same_pages_own_earlier_save_is_not_a_conflict(owner):
    audit = draft_audit(auditor=owner)
    seen = audit.revision
    bump_revision(audit, by=owner, page="tab-1")

    check_revision(audit, expected=seen, page="tab-1")
    check_revision(audit, expected=audit.revision, page="tab-2")
    check_revision(audit, expected=None)


def test_a_save_from_another_page_in_between_is_a_conflict_even_for_the_same_person(owner):
    audit = draft_audit(auditor=owner)
    seen = audit.revision
    bump_revision(audit, by=owner, page="tab-1")
    bump_revision(audit, by=owner, page="tab-2")

    with pytest.raises(RevisionConflict):
        check_revision(audit, expected=seen, page="tab-1")


def test_someone_elses_save_names_them(owner):
    other = factories.moderator()
    audit = draft_audit(auditor=owner)
    seen = audit.revision
    bump_revision(audit, by=other)

    with pytest.raises(RevisionConflict) as raised:
        check_revision(audit, expected=seen)

    assert (other.get_full_name() or other.get_username()) in str(raised.value)


def test_every_revised_models_change_history_leaves_out_its_revision_fields():
    """bump_revision(locked=True) writes a revision alone without the model's signals: the
    change history would have nothing to record, for every model that has a revision."""
    from auditlog.registry import auditlog
    from django.apps import apps

    revised = [m for m in apps.get_models() if issubclass(m, Revised)]
    assert revised
    for model in revised:
        assert auditlog.contains(model), model
        excluded = set(auditlog.get_model_fields(model)["exclude_fields"])
        assert set(Revised.REVISION_FIELDS) <= excluded, model


def test_a_locked_revision_alone_is_written_without_a_change_history_entry(owner):
    from auditlog.models import LogEntry
    from django.db import transaction

    from audits.models import Audit

    audit = draft_audit(auditor=owner)
    entries = LogEntry.objects.count()
    with transaction.atomic():
        locked = Audit.objects.select_for_update().get(pk=audit.pk)
        bump_revision(locked, by=owner, page="tab-1", locked=True)

    assert locked.revision == audit.revision + 1
    audit.refresh_from_db()
    assert (audit.revision, audit.revised_by, audit.revised_page) == (
        locked.revision,
        owner,
        "tab-1",
    )
    assert audit.revised_at == locked.revised_at
    assert LogEntry.objects.count() == entries
