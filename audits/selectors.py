"""Reads: what each user may see, and the fetch-and-check helper every audit view uses."""

from django.core.exceptions import PermissionDenied
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from . import roles
from .models import EDITABLE_STATUSES, Audit, AuditActivity, Status

LIST_RELATED = ("auditor", "activity", "strand", "case_type", "age_band", "team", "moderated_by")


def audits_visible_to(user) -> QuerySet[Audit]:
    """Own audits in every state; every audit past draft for moderators, QA leads and admins;
    exemplars for auditors.

    Nobody ever sees another person's draft.
    """
    own = Q(auditor=user)
    if roles.sees_all_submitted(user):
        return Audit.objects.filter(own | ~Q(status=Status.DRAFT))
    if roles.is_auditor(user):
        # Exemplars of good practice are there for every auditor to learn from.
        return Audit.objects.filter(own | Q(exemplar__isnull=False))
    return Audit.objects.filter(own)


def get_audit_for(user, pk, action: str = "view") -> Audit:
    """The audit ``pk`` if ``user`` may see it (else 404) and may do ``action`` (else 403).

    Actions: "view"; "edit" (change, submit or delete: the auditor, while draft or returned).
    """
    try:
        audit = audits_visible_to(user).select_related(*LIST_RELATED, "tool").get(pk=pk)
    except (Audit.DoesNotExist, ValueError):
        raise Http404(_("No such audit.")) from None
    if action == "view":
        return audit
    if action == "edit":
        if audit.auditor_id != user.pk or audit.status not in EDITABLE_STATUSES:
            raise PermissionDenied(_("This audit can no longer be changed."))
        return audit
    raise ValueError(f"unknown action {action!r}")


def my_audits(user) -> QuerySet[Audit]:
    return Audit.objects.filter(auditor=user).select_related(*LIST_RELATED)


def all_audits(user) -> QuerySet[Audit]:
    """Every audit past draft, for the roles that see them all; nothing for anyone else."""
    if not roles.sees_all_submitted(user):
        return Audit.objects.none()
    return Audit.objects.exclude(status=Status.DRAFT).select_related(*LIST_RELATED)


def audit_with_parts(audit: Audit) -> Audit:
    """The audit with its domains, grades, risks and actions loaded in a fixed number of queries."""
    return (
        Audit.objects.select_related(
            *LIST_RELATED,
            "tool",
            "moderation_case__taken_by",
            "moderation_case__added_by",
            "exemplar",
        )
        .prefetch_related("domain_grades__domain", "actions", "risk_categories", "transitions__by")
        .get(pk=audit.pk)
    )


def earlier_audits(*, case_reference: str, user, exclude_pk=None, before=None) -> list[dict]:
    """Earlier audits of the same case, past draft, oldest first.

    Each row says whether ``user`` may open it; those they may not are shown as a date only,
    so an auditor still learns the case was audited before.
    """
    if not case_reference:
        return []
    qs = Audit.objects.filter(case_reference__iexact=case_reference).exclude(status=Status.DRAFT)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if before:
        qs = qs.filter(Q(audit_date__lte=before) | Q(audit_date__isnull=True))
    visible = set(
        audits_visible_to(user).filter(pk__in=qs.values("pk")).values_list("pk", flat=True)
    )
    rows = qs.select_related("auditor").order_by("audit_date", "pk")
    return [{"audit": a, "visible": a.pk in visible} for a in rows]


def activities_for_choice() -> QuerySet[AuditActivity]:
    return AuditActivity.objects.select_related("strand").order_by("-month", "name")


def status_counts(queryset) -> dict[str, int]:
    """How many audits of ``queryset`` are in each status, in one query."""
    counts = {status: 0 for status in Status.values}
    for row in queryset.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


PAST_DRAFT = (Status.SUBMITTED, Status.IN_MODERATION, Status.RETURNED, Status.COMPLETED)


def _audits_of_activity(**filters) -> Coalesce:
    """How many of the activity's audits match ``filters``, practice audits never: a
    correlated count, so the figure stays right whatever the caller joins beside it.

    COUNT(*), not of the id, so that the index on (activity, is_practice, status) answers it
    alone (PostgreSQL reads no audit rows once the table has been vacuumed)."""
    counted = (
        Audit.objects.filter(activity=OuterRef("pk"), is_practice=False, **filters)
        .order_by()
        .values("activity")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def activities_with_counts(*, today=None, start=None, end=None) -> QuerySet[AuditActivity]:
    """Activities, newest month first, with planned against done counted in the same query.

    ``audits_done`` counts audits past draft; ``audits_completed`` those completed; practice
    audits count in neither. ``is_late``: the due date has passed with fewer audits submitted
    than planned.
    """
    today = today or timezone.localdate()
    # Subqueries, not Count over a join to the audits: grouping the joined rows of every
    # activity's audits (with COUNT DISTINCT, in case a caller joined another to-many
    # relation) made the report's schedule slow with many audits.
    qs = (
        AuditActivity.objects.select_related("strand")
        .prefetch_related("case_types", "auditors")
        .annotate(
            audits_done=_audits_of_activity(status__in=PAST_DRAFT),
            audits_completed=_audits_of_activity(status=Status.COMPLETED),
        )
        .annotate(
            is_late=Case(
                When(
                    Q(due_date__lt=today) & Q(planned_audits__gt=F("audits_done")), then=Value(True)
                ),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-month", "name")
    )
    if start:
        qs = qs.filter(month__gte=start)
    if end:
        qs = qs.filter(month__lte=end)
    return qs


def schedule_by_month(*, today, months_back: int = 6, months_ahead: int = 3) -> list[dict]:
    """The audit schedule around ``today``: each month with its activities, coming months first
    in date order, then the past ones."""
    this_month = today.replace(day=1)
    first = _add_months(this_month, -months_back)
    last = _add_months(this_month, months_ahead)
    months: dict = {}
    for activity in activities_with_counts(today=today, start=first, end=last):
        months.setdefault(activity.month, []).append(activity)
    ordered = sorted(months.items())
    return [
        {
            "month": month,
            "activities": sorted(items, key=lambda a: a.name),
            "is_past": month < this_month,
            "is_current": month == this_month,
        }
        for month, items in ordered
    ]


def assigned_activities(user, *, today) -> QuerySet[AuditActivity]:
    """Activities this month and later (and last month's, if late) assigned to ``user``, with
    how many audits they have submitted for each."""
    since = _add_months(today.replace(day=1), -1)
    return (
        user.assigned_activities.filter(month__gte=since)
        .select_related("strand")
        .annotate(
            my_done=Count(
                "audits", filter=Q(audits__auditor=user) & Q(audits__status__in=PAST_DRAFT)
            )
        )
        .order_by("month", "name")
    )


def _add_months(day, months):
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1, day=1)


def case_timeline(*, case_reference: str, user) -> list[dict]:
    """Every audit of a case past draft that ``user`` may see, oldest first, each with the
    domains whose grade changed since the audit before and that audit's actions and outcome.

    Four queries whatever the number of audits: audits, grades, actions, and the user's roles.
    """
    audits = list(
        audits_visible_to(user)
        .filter(case_reference__iexact=case_reference)
        .exclude(status=Status.DRAFT)
        .select_related("auditor", "activity")
        .prefetch_related("domain_grades__domain", "actions")
        .order_by("audit_date", "pk")
    )
    timeline, previous = [], None
    for audit in audits:
        grades = {g.domain.number: g for g in audit.domain_grades.all()}
        changes = []
        if previous is not None:
            before = {g.domain.number: g for g in previous.domain_grades.all()}
            for number, grade in sorted(grades.items()):
                old = before.get(number)
                if old is not None and old.grade != grade.grade:
                    changes.append(
                        {
                            "number": number,
                            "title": grade.domain.title,
                            "before": old.get_grade_display() or "—",
                            "after": grade.get_grade_display() or "—",
                        }
                    )
        timeline.append(
            {
                "audit": audit,
                "changes": changes,
                "previous_actions": list(previous.actions.all()) if previous else [],
            }
        )
        previous = audit
    return timeline
