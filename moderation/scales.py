"""The overall scale a moderator grades on, whatever the tool: which grades there are and
their names (audits.tools.selectors, the one reading of a tool's scale), which is the lowest and
whether a change raised or lowered a grade (position 1 of a built tool's scale is best).
"""

from django.utils.translation import gettext_lazy as _

from audits.grades import GRADE_RANK, OVERALL_SCALE, Grade
from audits.models import AuditTool, ToolGrade
from audits.tools.kinds import STANDARD_FAMILY
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


def positions(tool_ids) -> dict[int, dict[str, int]]:
    """For each tool of ``tool_ids``: the position of each of its overall grades, 1 the best
    (ToolGrade.position; the standard tool's by audits.grades.OVERALL_SCALE). Comparing two
    positions says whether moderation raised or lowered a grade on any tool, as ``rank`` does
    for one tool. Two queries, whatever the number of tools."""
    tool_ids = set(tool_ids)
    standard = set(
        AuditTool.objects.filter(pk__in=tool_ids, family=STANDARD_FAMILY).values_list(
            "pk", flat=True
        )
    )
    found: dict[int, dict[str, int]] = {
        pk: {grade.value: place for place, grade in enumerate(OVERALL_SCALE, start=1)}
        for pk in standard
    }
    for tool_id, code, position in (
        ToolGrade.objects.filter(tool_id__in=tool_ids - standard)
        .order_by()
        .values_list("tool_id", "code", "position")
    ):
        found.setdefault(tool_id, {})[code] = position
    return found


NOT_MODERATED = _("The tool of this audit gives no overall grade, so it is not moderated.")
