"""Manager compliance as a section of another page (the period report's screen view), for
those who may see it: {% load compliance_tags %}{% manager_compliance_section start end %}.

Counted from the data as it is now (audits.compliance.selectors), not frozen with a published
report's figures: the section says so."""

import rules
from django import template
from django.utils import timezone

from audits.compliance.selectors import manager_compliance

register = template.Library()


@register.inclusion_tag("audits/compliance/_section.html", takes_context=True)
def manager_compliance_section(context, start, end):
    user = context.get("user")
    if user is None or not rules.has_perm("audits.view_compliance", user):
        return {"months": None}
    today = timezone.localdate()
    return {
        "months": manager_compliance(first=start, last=end, today=today),
        "today": today,
        "start": start,
        "end": end,
    }
