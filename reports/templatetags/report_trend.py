"""The report's trend section (reports/_report_trend.html) builds its chart and rows here from
the figures it is given, so the section stays in its own include."""

from django import template

from ..rendering.trend import trend_view as build_trend_view

register = template.Library()


@register.simple_tag
def trend_view(figures: dict) -> dict | None:
    return build_trend_view(figures)
