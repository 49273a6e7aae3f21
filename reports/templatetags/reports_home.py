"""The QA lead's section of the home page (audits/home.html), which the audits app cannot
build itself: it never imports reports. It also lists an owner's own overdue improvement plan
items on their home, whatever their role (reports.plan)."""

import rules
from django import template
from django.utils import timezone

from ..home import quarter_at_a_glance
from ..plan.selectors import overdue_items

register = template.Library()


@register.inclusion_tag("reports/_home_qa_lead.html", takes_context=True)
def qa_lead_home(context):
    """This quarter at a glance and every overdue plan item, for QA leads; for anyone else who
    owns plan items, their own overdue ones."""
    user = context["user"]
    today = timezone.localdate()
    if not rules.has_perm("reports.view_quarter", user):
        return {"home": None, "my_overdue": overdue_items(today=today, owner=user), "user": user}
    return {
        "home": quarter_at_a_glance(today=today),
        "plan_overdue": overdue_items(today=today),
        "user": user,
    }
