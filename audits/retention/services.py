"""Deleting the audits past the retention period (audits.retention says what and why)."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from auditlog import get_logentry_model
from auditlog.context import disable_auditlog
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.deletion import Collector
from django.utils.translation import gettext as _

from ..case_links import relink_cases
from ..figures import close_months
from ..models import Audit, AuditActivity, Status
from ..roles import is_administrator
from ..schedule.selectors import PAST_DRAFT
from ..security.events import Event, record
from .selectors import RetentionError, audits_to_remove

# Audits deleted per round of deletes: keeps each IN (...) list well inside SQLite's limit.
CHUNK = 500


@dataclass(frozen=True)
class RemovedAudit:
    """What the command lists and the security log keeps of a deleted audit."""

    pk: int
    case_reference: str
    audit_date: datetime.date | None
    status: str
    created_at: datetime.datetime
    submitted_at: datetime.datetime | None
    updated_at: datetime.datetime

    @property
    def status_label(self) -> str:
        return Status(self.status).label


def removal_list(*, before: datetime.date) -> list[RemovedAudit]:
    """The audits ``retention_apply`` would delete now, oldest first: one query."""
    return [RemovedAudit(**row) for row in _rows(audits_to_remove(before=before))]


def _rows(audits):
    return audits.values(
        "pk", "case_reference", "audit_date", "status", "created_at", "submitted_at", "updated_at"
    )


def check_runner(user) -> None:
    """Refuse a ``--by`` account that is not an administrator's."""
    if user is not None and not (user.is_active and is_administrator(user)):
        raise RetentionError(
            _("%(name)s is not an active administrator: only an administrator may be named.")
            % {"name": user.get_username()}
        )


def retention_apply(
    *,
    before: datetime.date,
    years: int,
    by: AbstractBaseUser | None,
    os_user: str,
) -> list[RemovedAudit]:
    """Delete every audit dated before ``before`` (and undated ones last changed before it),
    with their children and their change history, in one transaction: all or nothing.

    First the audits' months are closed (their figures rebuilt one last time and kept, their
    action counts kept), and each activity's removed audits counted, so reports over whole
    months before ``before`` read the same afterwards. One security-log entry per audit names
    its case reference, its dates and who ran it: the administrator ``by``, else the
    operating-system user ``os_user`` that ran the command. Returns the deleted audits.
    """
    check_runner(by)
    with transaction.atomic():
        audits = audits_to_remove(before=before).select_for_update()
        removed = [RemovedAudit(**row) for row in _rows(audits)]
        if not removed:
            return []
        pks = [audit.pk for audit in removed]
        close_months(audit.audit_date for audit in removed if audit.audit_date)
        _count_removed_per_activity(pks)
        for audit in removed:
            _log(audit, before=before, years=years, by=by, os_user=os_user)
        for chunk in _chunks(pks):
            _delete_with_history(chunk)
        # A later audit of a removed audit's case has no earlier audit now, or another one.
        relink_cases(audit.case_reference for audit in removed)
        return removed


def _count_removed_per_activity(pks: list[int]) -> None:
    """Add the audits to their activities' removed counts (the schedule's planned against
    done), counted as audits.schedule.selectors counts them: practice audits never."""
    for chunk in _chunks(pks):
        rows = (
            Audit.objects.filter(pk__in=chunk, activity__isnull=False, is_practice=False)
            .values("activity")
            .annotate(
                submitted=Count("pk", filter=Q(status__in=PAST_DRAFT)),
                completed=Count("pk", filter=Q(status=Status.COMPLETED)),
            )
            .order_by()
        )
        for row in rows:
            # update(), not save(): a count the schedule keeps, not a change anyone made to
            # the activity, so it is not written to the activity's change history.
            AuditActivity.objects.filter(pk=row["activity"]).update(
                removed_submitted=F("removed_submitted") + row["submitted"],
                removed_completed=F("removed_completed") + row["completed"],
            )


def _log(audit: RemovedAudit, *, before, years, by, os_user) -> None:
    def iso(value):
        return value.isoformat() if value else None

    record(
        Event.RETENTION_DELETED,
        user=by,
        username=os_user,
        # A stand-in, unsaved: record() names the object "audit 42" from its model and key.
        obj=Audit(pk=audit.pk),
        case_reference=audit.case_reference,
        changes={
            "audit": audit.pk,
            "audit_date": iso(audit.audit_date),
            "status": audit.status,
            "created_at": iso(audit.created_at),
            "submitted_at": iso(audit.submitted_at),
            "last_changed_at": iso(audit.updated_at),
            "removed_before": before.isoformat(),
            "retention_years": years,
            "os_user": os_user,
        },
    )


def _delete_with_history(pks: list[int]) -> None:
    """Delete these audits and what cascades from them (in any app, found as Django's delete
    finds it), and every change-history row of those records; the deletion itself is not
    written to the history, which would copy the case content into it once more."""
    LogEntry = get_logentry_model()
    audits = Audit.objects.filter(pk__in=pks)
    collector = Collector(using=audits.db, origin=audits)
    collector.collect(audits)
    for model, instances in collector.data.items():
        content_type = ContentType.objects.get_for_model(model)
        object_pks = [str(instance.pk) for instance in instances]
        for chunk in _chunks(object_pks):
            LogEntry.objects.filter(content_type=content_type, object_pk__in=chunk).delete()
    # The history of records deleted earlier (an action removed from the audit, a note taken
    # out) is filed under the audit too (audits.models.CaseRecord).
    LogEntry.objects.filter(additional_data__audit__in=pks).delete()
    with disable_auditlog():
        collector.delete()


def _chunks(items: list) -> Iterator[list]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
