from django import template

from audits import roles

from .. import selectors
from ..forms import ExemplarForm

register = template.Library()


@register.inclusion_tag("moderation/_audit_panel.html", takes_context=True)
def moderation_panel(context, audit):
    """Moderation decision, rounds and feedback for the audit page, with the actions the viewer
    may take there."""
    user = context["user"]
    case = getattr(audit, "moderation_case", None) if hasattr(audit, "moderation_case") else None
    return {
        "audit": audit,
        "user": user,
        "case": case,
        "history": selectors.moderation_history(audit, user),
        # Say that rounds exist but are not for this reader, rather than show none silently.
        "feedback_hidden": (
            not selectors.may_read_feedback(user, audit) and audit.moderations.exists()
        ),
        "is_auditor_of_audit": audit.auditor_id == user.pk,
        "can_moderate": roles.is_moderator(user) and audit.auditor_id != user.pk,
        "can_add_to_queue": roles.is_qa_lead(user),
        "is_exemplar": hasattr(audit, "exemplar"),
        "exemplar_form": ExemplarForm(),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def unacknowledged_feedback(user) -> int:
    return selectors.unacknowledged_feedback_count(user) if roles.is_auditor(user) else 0


@register.simple_tag
def queue_size(user) -> int:
    return selectors.moderation_queue(user).count() if roles.is_moderator(user) else 0


@register.inclusion_tag("moderation/_send_back_notice.html")
def send_back_notice(audit):
    """What the moderator asked the auditor to change, shown on the returned audit's form."""
    if audit is None or audit.status != "returned":
        return {"round": None}
    from ..models import Moderation

    latest = (
        audit.moderations.filter(outcome=Moderation.Outcome.RETURNED)
        .select_related("moderator")
        .order_by("-round")
        .first()
    )
    return {"round": latest}
