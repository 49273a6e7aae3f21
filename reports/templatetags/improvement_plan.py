"""The improvement plan on a report (templates/reports/_report_plan.html): the items of the
report's figures (``plan``, frozen when published) with each one's latest progress note as it
was when the report was published, and, on the page, what this report's own recommendations
have become."""

import datetime

import rules
from django import template

from reports.models import PlanItem
from reports.plan.selectors import latest_notes

register = template.Library()

Status = PlanItem.Status


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


@register.simple_tag
def plan_section(plan, report=None):
    """The plan section's rows and counts, or None when the figures have no plan (a report
    published before the plan existed). One query, for the notes."""
    if not plan:
        return None
    until = report.published_at if report is not None and report.is_published else None
    notes = (
        latest_notes([item["id"] for item in plan["items"]], until=until) if plan["items"] else {}
    )
    return {
        "as_at": _date(plan["as_at"]),
        "total": plan["total"],
        "overdue": plan["overdue"],
        "done_on_time": plan["done_on_time"],
        "done_late": plan["done_late"],
        "counts": [(Status(code).label, n) for code, n in plan["by_status"].items()],
        "rows": [
            {
                **item,
                "due": _date(item["due"]),
                "closed_on": _date(item["closed_on"]),
                "status_label": Status(item["status"]).label,
                "note": notes.get(item["id"]),
            }
            for item in plan["items"]
        ],
    }


@register.simple_tag(takes_context=True)
def report_plan_items(context, report):
    """On the report's page: how many plan items came from it, and whether the user may make
    more."""
    user = context.get("user")
    if report is None or report.pk is None or user is None:
        return None
    return {
        "count": PlanItem.objects.filter(report=report).count(),
        "may_change": rules.has_perm("reports.change_plan", user),
    }
