"""The overall scale a moderator grades on: the standard tool's (audits.grades) or a built
tool's own (its ToolGrade rows, position 1 best). Moderation asks here, whatever the tool, which
grades there are, their names, which is the lowest and whether a change raised or lowered one.

A built tool's grades are read once per tool object and kept on it, so a page that asks about
the same audit several times makes one query.
"""

from django.utils.translation import gettext_lazy as _

from audits import grades
from audits.grades import GRADE_RANK, OVERALL_GRADES, Grade
from audits.models import AuditTool

_KEPT = "_moderation_scale"


def is_moderated_tool(tool: AuditTool) -> bool:
    """Whether audits made with ``tool`` can be moderated: the tool gives an overall grade."""
    return tool.is_standard or tool.has_overall_grade


def _built_scale(tool: AuditTool) -> list[tuple[str, str]]:
    kept = getattr(tool, _KEPT, None)
    if kept is None:
        kept = [(g.code, g.label) for g in tool.grades.order_by("position")]
        setattr(tool, _KEPT, kept)
    return kept


def choices(tool: AuditTool) -> list[tuple[str, str]]:
    """(code, label) of every overall grade, best first."""
    return list(OVERALL_GRADES) if tool.is_standard else _built_scale(tool)


def rank(tool: AuditTool, code: str) -> int | None:
    """Higher is better (audits.grades.GRADE_RANK for the standard tool); None for a code not
    on the tool's scale."""
    if tool.is_standard:
        return GRADE_RANK.get(code)
    codes = [c for c, _label in _built_scale(tool)]
    return len(codes) - codes.index(code) if code in codes else None


def lowest(tool: AuditTool) -> str:
    """The lowest overall grade: what "always moderate Does not meet good" means for a tool."""
    if tool.is_standard:
        return Grade.DOES_NOT_MEET
    scale = _built_scale(tool)
    return scale[-1][0] if scale else ""


def label(tool: AuditTool, code: str) -> str:
    """The grade's name ("Requires improvement"); "" for no grade."""
    if not code:
        return ""
    if tool.is_standard:
        return grades.label(code)
    return dict(_built_scale(tool)).get(code, code)


NOT_MODERATED = _("The tool of this audit gives no overall grade, so it is not moderated.")
