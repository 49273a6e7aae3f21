"""Reads about built audit tools: a tool's scale, its sections and questions, and how a grade
code reads.

An audit's ``overall_grade`` (and ``moderated_grade``) holds a code of its tool's scale: a
``grades.Grade`` code for the standard tool, a ``ToolGrade`` code for a built tool. The model
field's choices are the standard ones, so ``get_overall_grade_display`` is wrong for a built
tool: ask ``grade_label`` instead, everywhere a grade code of any tool is shown.
"""

from django.db.models import Prefetch

from audits import grades
from audits.models import AuditTool, Question, ToolGrade, ToolSection


def tool_grades(tool: AuditTool) -> list[ToolGrade]:
    """The tool's scale, best first (empty for the standard tool, whose scale is audits.grades).
    Read once per tool object: prefetched grades are used when there."""
    cache = getattr(tool, "_prefetched_objects_cache", {})
    if "grades" in cache:
        return sorted(cache["grades"], key=lambda g: g.position)
    found = getattr(tool, "_tool_grades", None)
    if found is None:
        found = list(ToolGrade.objects.filter(tool_id=tool.pk).order_by("position"))
        tool._tool_grades = found
    return found


def grade_choices(tool: AuditTool) -> list[tuple[str, str]]:
    """(code, label) of each grade an overall grade on ``tool`` may be, best first."""
    if tool.is_standard:
        return list(grades.OVERALL_GRADES)
    return [(g.code, g.label) for g in tool_grades(tool)]


def grade_codes(tool: AuditTool) -> tuple[str, ...]:
    return tuple(code for code, _label in grade_choices(tool))


def grade_label(tool: AuditTool, code: str) -> str:
    """How the grade ``code`` of ``tool``'s scale reads ("Meets good", "Requires improvement"),
    or "" for no grade. A code that is not on the tool's scale reads as itself."""
    if not code:
        return ""
    if tool.is_standard:
        try:
            return grades.label(code)
        except ValueError:
            return code
    return next((g.label for g in tool_grades(tool) if g.code == code), code)


def grade_is_good(tool: AuditTool, code: str) -> bool:
    """Whether ``code`` counts as good on ``tool``'s scale."""
    if tool.is_standard:
        return code in grades.GOOD
    return any(g.is_good for g in tool_grades(tool) if g.code == code)


def tool_sections(tool: AuditTool) -> list[ToolSection]:
    """The built tool's sections in order, each with its questions (``questions.all()``)
    loaded in one more query; cached on the tool object for the request."""
    found = getattr(tool, "_tool_sections", None)
    if found is None:
        found = list(
            ToolSection.objects.filter(tool_id=tool.pk)
            .order_by("number")
            .prefetch_related(Prefetch("questions", queryset=Question.objects.order_by("number")))
        )
        tool._tool_sections = found
    return found
