"""Shared by the retention tests: a council's audits either side of the retention boundary,
built through the services, with every kind of record that hangs off an audit."""

import datetime

from auditlog import get_logentry_model
from django.apps import apps
from django.utils import timezone

from audits.models import ActionReminder, AgreedAction, Audit, Status
from audits.periods import add_months, last_of_month
from audits.retention.selectors import removal_boundary
from moderation.services import exemplar_mark, moderation_record
from tests import factories
from tests.helpers import draft_audit, taken_audit
from tests.reports import ActionSpec, D, E, M, build_through_services, spec

YEARS = 7  # settings.RETENTION_YEARS' default


def today() -> datetime.date:
    # The command reads the real date, so the cohort is built around it.
    return timezone.localdate()


def boundary() -> datetime.date:
    return removal_boundary(today=today(), years=YEARS)


def old_months():
    """Three whole months, all before the boundary: the period a past report covered."""
    first = add_months(boundary(), -3)
    return first, last_of_month(add_months(boundary(), -1))


def build_world() -> dict:
    """Old audits (every status, actions in every state, moderation, an exemplar, a draft
    with no date) and new ones (from the boundary's first day on). Returns them by kind."""
    start, end = old_months()
    kept_day, recent = boundary(), today() - datetime.timedelta(days=40)
    mid = start + datetime.timedelta(days=40)
    old_specs = [
        spec(start, overall=M, moderated=E, status=Status.COMPLETED, activity="Old audit"),
        spec(mid, overall=D, status=Status.SUBMITTED, activity="Old audit"),
        spec(
            mid,
            overall=M,
            strand="early_help",
            case_type="early_help",
            status=Status.COMPLETED,
            activity="Old audit",
            actions=(
                ActionSpec(mid + datetime.timedelta(days=10), AgreedAction.State.DONE, mid),
                ActionSpec(mid + datetime.timedelta(days=20), AgreedAction.State.NOT_NEEDED),
                ActionSpec(mid + datetime.timedelta(days=30)),  # open, long overdue
                ActionSpec(None),  # open, no due date
            ),
        ),
        spec(end, overall=E, status=Status.RETURNED, activity="Old audit"),
        spec(end, overall=M, status=Status.IN_MODERATION, activity="Old audit"),
        spec(mid, overall=M, practice=True, status=Status.IN_MODERATION, activity="Old audit"),
        spec(mid, overall=M, status=Status.DRAFT, activity="Old audit"),
    ]
    new_specs = [
        spec(kept_day, overall=M, moderated=D, status=Status.COMPLETED, activity="Kept audit"),
        spec(recent, overall=D, status=Status.SUBMITTED, activity="Recent audit"),
    ]
    moderator = factories.moderator()
    old = build_through_services(old_specs, moderator=moderator, today=today())
    new = build_through_services(new_specs, moderator=moderator, today=today())
    for number, audit in enumerate(new, start=1):
        Audit.objects.filter(pk=audit.pk).update(case_reference=f"CR-N{number:04}")

    # Moderation with domain notes, and an exemplar, on an old audit.
    noted = taken_audit(
        moderator=moderator, audit_date=mid, case_reference="CR-90001", today=today()
    )
    moderation_record(
        audit=noted, moderator=moderator, grade=M, domain_notes={3: "The plan was not reviewed."}
    )
    exemplar_mark(audit=noted, by=moderator, note="A clear, child-centred plan.")
    old.append(noted)
    # A reminder sent about an old action; and an old action removed from its audit, whose
    # change history is still filed under the audit.
    action = AgreedAction.objects.filter(audit__in=old).first()
    ActionReminder.objects.create(action=action, sent_on=mid, recipient="owner@example.test")
    AgreedAction.objects.create(audit=old[1], description="Removed later").delete()
    # A draft never given a date, last changed before the boundary; and one changed lately.
    undated_old = draft_audit(audit_date=mid, case_reference="CR-90002")
    undated_new = draft_audit(audit_date=mid, case_reference="CR-90003")
    long_ago = timezone.make_aware(datetime.datetime.combine(start, datetime.time(12)))
    Audit.objects.filter(pk=undated_old.pk).update(audit_date=None, updated_at=long_ago)
    Audit.objects.filter(pk=undated_new.pk).update(audit_date=None)
    old.append(undated_old)
    new.append(undated_new)
    return {"old": old, "new": new}


def row_counts() -> dict[str, int]:
    """How many rows every table of the project holds."""
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def history_of(audit_pks) -> list:
    """The change-history rows filed under these audits."""
    LogEntry = get_logentry_model()
    return list(LogEntry.objects.filter(additional_data__audit__in=list(audit_pks)))
