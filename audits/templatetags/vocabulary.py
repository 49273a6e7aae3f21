"""Template filters over the one grade vocabulary and the one percentage rule, so that no
template writes a grade label, a grade's CSS class or a rounding of its own.

    {% load vocabulary %}
    {{ audit.overall_grade|grade_label }}   "Meets good"
    {{ code|grade_class }}                  "grade-meets"
    {{ stats.percent_agreement|percentage }} "31.3%" (a dash where there is none)
"""

from django import template

from audits import grades
from audits.percentages import format_percent, round_one_place

register = template.Library()


@register.filter
def grade_label(code: str) -> str:
    return grades.label(code)


@register.filter
def grade_short_label(code: str) -> str:
    return grades.short_label(code)


@register.filter
def grade_class(code: str) -> str:
    return grades.CSS_CLASSES.get(code, "")


@register.filter
def percentage(value) -> str:
    """An unrounded percentage (e.g. a moderation statistic), rounded by the one rule and
    written with one decimal place: "80.0%"."""
    return format_percent(round_one_place(value), fixed=True)
