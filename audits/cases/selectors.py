"""Reads of the case list and the draws."""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Upper

from audits.models import Audit, DrawnCase, Status

from .sampling import Auditor


def _audited_in_activity() -> Exists:
    """Whether the drawn case has an audit in its draw's activity past draft."""
    return Exists(
        Audit.objects.exclude(status=Status.DRAFT)
        .alias(case_reference_upper=Upper("case_reference"))
        .filter(
            activity=OuterRef("draw__activity"),
            case_reference_upper=Upper(OuterRef("case__case_reference")),
        )
    )


def allocated_cases_for(user) -> QuerySet[DrawnCase]:
    """The cases allocated to ``user`` that they have still to audit: drawn for one of their
    activities, not withdrawn, and with no audit of the case in that activity past draft (a
    draft started from it still lists it). Oldest draw first, in draw order."""
    return (
        DrawnCase.objects.filter(auditor=user, withdrawn_at__isnull=True)
        .exclude(_audited_in_activity())
        .select_related("case", "case__case_type", "case__strand", "team", "draw__activity")
        .order_by("draw__drawn_at", "draw_id", "position")
    )


def activity_auditors(activity) -> list[Auditor]:
    """The activity's auditors with their teams (the team of the person linked to their
    account; None where the app knows none), ordered by username."""
    user_model = get_user_model()
    username = user_model.USERNAME_FIELD
    return [
        Auditor(key=name, team=team_id, ref=pk)
        for pk, name, team_id in activity.auditors.order_by(username).values_list(
            "pk", username, "person__team_id"
        )
    ]
