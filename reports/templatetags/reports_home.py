"""The QA lead's section of the home page (audits/home.html), which the audits app cannot
build itself: it never imports reports."""

import rules
from django import template
from django.utils import timezone

from ..home import quarter_at_a_glance

register = template.Library()


@register.inclusion_tag("reports/_home_qa_lead.html", takes_context=True)
def qa_lead_home(context):
    """This quarter at a glance, for QA leads only."""
    user = context["user"]
    if not rules.has_perm("reports.view_quarter", user):
        return {"home": None}
    return {"home": quarter_at_a_glance(today=timezone.localdate()), "user": user}
