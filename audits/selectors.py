"""Reads: what each user may see, and the fetch-and-check helper every audit view uses."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404
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
        raise Http404(_("No such audit."))
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
        Audit.objects.select_related(*LIST_RELATED, "tool", "moderation_case__taken_by",
                                     "moderation_case__added_by", "exemplar")
        .prefetch_related("domain_grades__domain", "actions", "risk_categories",
                          "transitions__by")
        .get(pk=audit.pk)
    )


def earlier_audits(*, case_reference: str, user, exclude_pk=None, before=None) -> list[dict]:
    """Earlier audits of the same case, past draft, oldest first.

    Each row says whether ``user`` may open it; those they may not are shown as a date only,
    so an auditor still learns the case was audited before.
    """
    if not case_reference:
        return []
    qs = (Audit.objects.filter(case_reference__iexact=case_reference)
          .exclude(status=Status.DRAFT))
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if before:
        qs = qs.filter(Q(audit_date__lte=before) | Q(audit_date__isnull=True))
    visible = set(audits_visible_to(user).filter(pk__in=qs.values("pk")).values_list("pk", flat=True))
    rows = qs.select_related("auditor").order_by("audit_date", "pk")
    return [
        {"audit": a, "visible": a.pk in visible} for a in rows
    ]


def activities_for_choice() -> QuerySet[AuditActivity]:
    return AuditActivity.objects.select_related("strand").order_by("-month", "name")


def status_counts(queryset) -> dict[str, int]:
    """How many audits of ``queryset`` are in each status, in one query."""
    counts = {status: 0 for status in Status.values}
    for row in queryset.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def activities_with_counts() -> QuerySet[AuditActivity]:
    """Activities, newest month first, with their audits past draft counted in the same query."""
    return (AuditActivity.objects.select_related("strand").prefetch_related("case_types")
            .annotate(audits_done=Count("audits", filter=~Q(audits__status=Status.DRAFT)))
            .order_by("-month", "name"))
