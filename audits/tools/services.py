"""Every write to a built audit tool (a QA lead's own tool: its scale, sections, questions).

A version with audits is never changed (``ToolLocked``): the QA lead copies it to a new version
(``audits.services.tool_copy_as_new_version``), changes the copy and makes it current. New
audits in an activity use the version the activity names.
"""

from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from audits.errors import DomainError
from audits.grades import GOOD, OVERALL_SCALE
from audits.models import Audit, AuditTool, Question, ToolGrade, ToolSection

from .kinds import STANDARD_FAMILY, QuestionKind


class ToolError(DomainError):
    """A change to a tool that cannot be made; the message says why."""


class ToolLocked(ToolError):
    def __init__(self, tool: AuditTool):
        super().__init__(
            _(
                "%(tool)s has audits, so it cannot be changed. Make a new version of it and "
                "change that."
            )
            % {"tool": tool}
        )
        self.tool = tool


# The standard tool's overall scale as a built tool's scale, best first: (label, counts as good).
# The builder offers it as a start; the labels are the standard vocabulary's (audits.grades).
STANDARD_SCALE: tuple[tuple[str, bool], ...] = tuple(
    (str(g.label), g in GOOD) for g in OVERALL_SCALE
)


def tool_is_locked(tool: AuditTool) -> bool:
    """Whether the version has audits (of any status): then it is never changed."""
    return Audit.objects.filter(tool=tool).exists()


def _unlocked(tool: AuditTool) -> AuditTool:
    """The tool, row-locked for the change, once it is known to have no audits."""
    tool = AuditTool.objects.select_for_update().get(pk=tool.pk)
    if tool.is_standard:
        raise ToolError(_("The standard tool's domains are changed in the admin."))
    if tool_is_locked(tool):
        raise ToolLocked(tool)
    return tool


def _family_for(name: str) -> str:
    base = slugify(name)[:50] or "tool"
    family, n = base, 1
    while family == STANDARD_FAMILY or AuditTool.objects.filter(family=family).exists():
        n += 1
        family = f"{base}-{n}"
    return family


@transaction.atomic
def tool_create(
    *, name: str, by, description: str = "", has_overall_grade: bool = True, grades=()
) -> AuditTool:
    """A new tool (version 1 of a new family), current from the start so activities can use it.
    ``grades`` is its scale, best first: (label, counts as good) pairs."""
    tool = AuditTool.objects.create(
        family=_family_for(name),
        version=1,
        name=name,
        description=description,
        has_overall_grade=has_overall_grade,
        is_current=True,
        created_by=by,
    )
    if grades:
        tool_set_scale(tool=tool, grades=grades)
    return tool


@transaction.atomic
def tool_build(
    *, name: str, by, description: str = "", has_overall_grade: bool = True, grades=()
) -> AuditTool:
    """A new tool as the builder's page makes it: like ``tool_create``, but a tool that gives an
    overall grade must come with its scale, since the overall grade is given on it."""
    grades = [(label, good) for label, good in grades if label.strip()]
    if has_overall_grade and not grades:
        raise ToolError(
            _(
                "Give the scale the overall grade is given on, or say the tool has no overall grade."
            ),
            field="grades",
        )
    return tool_create(
        name=name.strip(),
        by=by,
        description=description.strip(),
        has_overall_grade=has_overall_grade,
        grades=grades,
    )


@transaction.atomic
def tool_update(*, tool: AuditTool, name: str, description: str, has_overall_grade: bool):
    tool = _unlocked(tool)
    if has_overall_grade and not tool.has_overall_grade and not tool.grades.exists():
        raise ToolError(
            _("Give the tool its scale before it gives an overall grade."),
            field="has_overall_grade",
        )
    tool.name, tool.description, tool.has_overall_grade = name, description, has_overall_grade
    tool.save(update_fields=["name", "description", "has_overall_grade"])
    return tool


@transaction.atomic
def tool_set_scale(*, tool: AuditTool, grades) -> list[ToolGrade]:
    """Replace the tool's scale with ``grades``, best first: (label, counts as good) pairs."""
    tool = _unlocked(tool)
    labels = [label.strip() for label, _good in grades]
    if len(labels) < 2:
        raise ToolError(_("A scale needs at least two grades."), field="grades")
    if any(not label for label in labels):
        raise ToolError(_("Every grade needs a name."), field="grades")
    if len({label.lower() for label in labels}) != len(labels):
        raise ToolError(_("Two grades of the scale have the same name."), field="grades")
    tool.grades.all().delete()
    codes: list[str] = []
    for label in labels:
        code = slugify(label).replace("-", "_")[:20] or "grade"
        while code in codes:
            code = f"{code[:17]}_{len(codes)}"
        codes.append(code)
    return ToolGrade.objects.bulk_create(
        ToolGrade(tool=tool, position=i, code=code, label=label, is_good=bool(good))
        for i, (code, label, (_label, good)) in enumerate(zip(codes, labels, grades), start=1)
    )


@transaction.atomic
def section_add(*, tool: AuditTool, title: str, guidance: str = "") -> ToolSection:
    tool = _unlocked(tool)
    number = (tool.sections.aggregate(n=Max("number"))["n"] or 0) + 1
    return ToolSection.objects.create(tool=tool, number=number, title=title, guidance=guidance)


@transaction.atomic
def section_update(*, section: ToolSection, title: str, guidance: str = "") -> ToolSection:
    _unlocked(section.tool)
    section.title, section.guidance = title, guidance
    section.save(update_fields=["title", "guidance"])
    return section


@transaction.atomic
def section_remove(*, section: ToolSection) -> None:
    tool = _unlocked(section.tool)
    section.delete()
    _renumber(tool.sections.order_by("number"))


def _check_question(tool: AuditTool, kind: str, options: list[str]) -> list[str]:
    if kind not in QuestionKind.values:
        raise ToolError(_("Choose what kind of question it is."), field="kind")
    options = [o.strip() for o in options if o.strip()]
    if kind == QuestionKind.CHOICE:
        if len(options) < 2:
            raise ToolError(_("A choice from a list needs at least two options."), field="options")
        if len({o.lower() for o in options}) != len(options):
            raise ToolError(_("Two options of the list are the same."), field="options")
        if any(len(o) > 200 for o in options):
            raise ToolError(_("An option can be at most 200 characters."), field="options")
        return options
    if kind == QuestionKind.GRADED and not tool.grades.exists():
        raise ToolError(_("Give the tool its scale before adding a graded question."), field="kind")
    return []


@transaction.atomic
def question_add(
    *,
    section: ToolSection,
    text: str,
    kind: str,
    guidance: str = "",
    required: bool = True,
    options: list[str] | None = None,
) -> Question:
    tool = _unlocked(section.tool)
    options = _check_question(tool, kind, options or [])
    number = (section.questions.aggregate(n=Max("number"))["n"] or 0) + 1
    return Question.objects.create(
        section=section,
        number=number,
        text=text,
        guidance=guidance,
        kind=kind,
        required=required,
        options=options,
    )


@transaction.atomic
def question_update(
    *,
    question: Question,
    text: str,
    kind: str,
    guidance: str = "",
    required: bool = True,
    options: list[str] | None = None,
) -> Question:
    tool = _unlocked(question.section.tool)
    question.options = _check_question(tool, kind, options or [])
    question.text, question.kind = text, kind
    question.guidance, question.required = guidance, required
    question.save()
    return question


@transaction.atomic
def question_remove(*, question: Question) -> None:
    section = question.section
    _unlocked(section.tool)
    question.delete()
    _renumber(section.questions.order_by("number"))


def _renumber(rows) -> None:
    for number, row in enumerate(rows, start=1):
        if row.number != number:
            type(row).objects.filter(pk=row.pk).update(number=number)
