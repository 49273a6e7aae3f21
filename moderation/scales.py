"""The overall scale a moderator grades on, whatever the tool: which grades there are and
their names (audits.tools.selectors, the one reading of a tool's scale), which is the lowest and
whether a change raised or lowered a grade (position 1 of a built tool's scale is best).
"""

from django.utils.translation import gettext_lazy as _

from audits.grades import GRADE_RANK, Grade
from audits.models import AuditTool
from audits.tools.selectors import grade_choices, grade_codes, grade_label


def is_moderated_tool(tool: AuditTool) -> bool:
    """Whether audits made with ``tool`` can be moderated: the tool gives an overall grade."""
    return tool.is_standard or tool.has_overall_grade


def choices(tool: AuditTool) -> list[tuple[str, str]]:
    """(code, label) of every overall grade, best first."""
    return grade_choices(tool)


def rank(tool: AuditTool, code: str) -> int | None:
    """Higher is better (audits.grades.GRADE_RANK for the standard tool); None for a code not
    on the tool's scale."""
    if tool.is_standard:
        return GRADE_RANK.get(code)
    codes = grade_codes(tool)
    return len(codes) - codes.index(code) if code in codes else None


def lowest(tool: AuditTool) -> str:
    """The lowest overall grade: what "always moderate Does not meet good" means for a tool."""
    if tool.is_standard:
        return Grade.DOES_NOT_MEET
    codes = grade_codes(tool)
    return codes[-1] if codes else ""


def label(tool: AuditTool, code: str) -> str:
    """The grade's name ("Requires improvement"); "" for no grade."""
    return grade_label(tool, code)


NOT_MODERATED = _("The tool of this audit gives no overall grade, so it is not moderated.")
