"""The case holder's parts of shared pages: their response on the audit's page, and their
section of the home page (audits.holders)."""

import rules
from django import template

from audits.holders import selectors

register = template.Library()


@register.inclusion_tag("audits/holders/_response.html", takes_context=True)
def holder_response(context, audit):
    """The case holder's response and their answer to each action, for those the rules let
    see it (audits.view_holder_response); the button to answer for the case holder."""
    user = context["user"]
    if audit.status == "draft" or not rules.has_perm("audits.view_holder_response", user, audit):
        return {"can_view": False}
    response = selectors.response_of(audit)
    return {
        "can_view": True,
        "audit": audit,
        "response": response,
        "answers": selectors.action_answers(audit, response) if response else [],
        "can_respond": rules.has_perm("audits.respond_to_audit", user, audit),
    }


@register.inclusion_tag("audits/holders/_home.html", takes_context=True)
def case_holder_home(context):
    """How many audits of the user's cases wait for their response; nothing for someone
    without the Case holder role."""
    user = context["user"]
    if not rules.has_perm("audits.view_my_cases_audits", user):
        return {"shown": False}
    return {"shown": True, "waiting": selectors.waiting_for_response(user)}
