"""Copying a built tool's scale, sections and questions into a new version."""

from audits.models import AuditTool, Question, ToolGrade, ToolSection


def copy_built_content(*, source: AuditTool, to: AuditTool) -> None:
    """Give ``to`` the grades, sections and questions of ``source`` (none for the standard
    tool, whose domains are copied by audits.services.tool_copy_as_new_version)."""
    ToolGrade.objects.bulk_create(
        ToolGrade(tool=to, position=g.position, code=g.code, label=g.label, is_good=g.is_good)
        for g in source.grades.all()
    )
    for section in source.sections.prefetch_related("questions"):
        copy = ToolSection.objects.create(
            tool=to, number=section.number, title=section.title, guidance=section.guidance
        )
        Question.objects.bulk_create(
            Question(
                section=copy,
                number=q.number,
                text=q.text,
                guidance=q.guidance,
                kind=q.kind,
                required=q.required,
                options=list(q.options),
            )
            for q in section.questions.all()
        )
