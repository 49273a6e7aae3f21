"""The overall scale a moderator grades on, whatever the tool: which grades there are and
their names (audits.tools.selectors, the one reading of a tool's scale), which is the lowest and
whether a change raised or lowered a grade (position 1 of a built tool's scale is best).
"""

from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When
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


def position_expression(field: str) -> Case:
    """In the database, the position on its tool's scale of the grade an audit holds in
    ``field`` ("overall_grade", "moderated_grade"): 1 is best, as ToolGrade.position, and the
    standard tool's grades take their places in audits.grades.OVERALL_SCALE. NULL for no grade
    or one not on the scale. Comparing two positions says whether moderation raised or lowered
    a grade on any tool, as ``rank`` does in Python."""
    built = Subquery(
        ToolGrade.objects.filter(tool=OuterRef("tool"), code=OuterRef(field))
        .order_by()
        .values("position")[:1],
        output_field=IntegerField(),
    )
    standard = [
        When(tool__family=STANDARD_FAMILY, **{field: grade.value}, then=Value(place))
        for place, grade in enumerate(OVERALL_SCALE, start=1)
    ]
    return Case(
        *standard,
        When(tool__family=STANDARD_FAMILY, then=Value(None)),
        default=built,
        output_field=IntegerField(),
    )


NOT_MODERATED = _("The tool of this audit gives no overall grade, so it is not moderated.")
