"""``{% reaudit_view figures as reaudits %}``: the re-audit section's rows
(reports.rendering.reaudits), for the one include that shows them on the page and in the PDF."""

from django import template

from ..rendering.reaudits import reaudit_view as build

register = template.Library()


@register.simple_tag
def reaudit_view(figures):
    return build(figures)
