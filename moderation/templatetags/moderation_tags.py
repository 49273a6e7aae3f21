import rules
from django import template

from .. import selectors
from ..forms import ExemplarForm

register = template.Library()


@register.inclusion_tag("moderation/_audit_panel.html", takes_context=True)
def moderation_panel(context, audit, for_print=False):
    """Moderation decision, rounds and feedback for the audit page. The panel asks the
    moderation rules which buttons to offer (``{% has_perm %}``). ``for_print`` (the audit's PDF)
    leaves the buttons and forms out but shows what the same rules let the reader see."""
    user = context["user"]
    case = getattr(audit, "moderation_case", None) if hasattr(audit, "moderation_case") else None
    return {
        "audit": audit,
        "user": user,
        "for_print": for_print,
        "case": case,
        "history": selectors.moderation_history(audit, user),
        # Say that rounds exist but are not for this reader, rather than show none silently.
        "feedback_hidden": (
            not rules.has_perm("moderation.read_feedback", user, audit)
            and audit.moderations.exists()
        ),
        "is_exemplar": hasattr(audit, "exemplar"),
        "exemplar_form": ExemplarForm(),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def unacknowledged_feedback(user) -> int:
    if not rules.has_perm("moderation.view_feedback", user):
        return 0
    return selectors.unacknowledged_feedback_count(user)


@register.simple_tag
def queue_size(user) -> int:
    if not rules.has_perm("moderation.view_queue", user):
        return 0
    return selectors.moderation_queue(user).count()


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


@register.inclusion_tag("moderation/_home_moderator.html", takes_context=True)
def moderator_home(context):
    """The moderator's section of the home page (audits/home.html), for moderators only."""
    from django.utils import timezone

    user = context["user"]
    if not rules.has_perm("moderation.view_queue", user):
        return {"home": None}
    return {
        "home": selectors.moderator_home(user, now=timezone.now(), today=timezone.localdate()),
        "user": user,
    }


@register.inclusion_tag("moderation/_home_drift.html", takes_context=True)
def drift_alerts_home(context):
    """The drift alerts panel of the home page (audits/home.html), for QA leads and
    administrators only (moderation.view_drift): the auditors flagged now, or that none is.
    Two queries."""
    from .. import drift

    if not rules.has_perm("moderation.view_drift", context["user"]):
        return {"show": False}
    return {"show": True, "alerts": drift.drift_alerts(), "window": drift.window_size()}


@register.inclusion_tag("moderation/_home_feedback.html", takes_context=True)
def feedback_to_acknowledge(context):
    """The auditor's moderation feedback not yet acknowledged, for their home page: how many,
    and the latest few, each linking to its audit. Two queries."""
    user = context["user"]
    if not rules.has_perm("moderation.view_feedback", user):
        return {"count": 0}
    waiting = selectors.feedback_for(user).filter(acknowledged_at__isnull=True)
    count = waiting.count()
    return {"count": count, "latest": list(waiting[: selectors.RECENT]) if count else []}


@register.inclusion_tag("moderation/_overall_grade.html")
def overall_grade(tool, code, label=None):
    """An overall grade as a badge: the standard tool's (audits/_grade.html) or a built tool's
    own grade by name. ``label``, where the page's query already read the name."""
    from .. import scales

    standard = tool is None or tool.is_standard
    return {
        "code": code,
        "standard": standard,
        "label": "" if standard else (label or scales.label(tool, code)),
    }
