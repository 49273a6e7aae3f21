"""audits.tools.services: a QA lead's tool is built, used, then frozen; copies make versions."""

import pytest

from audits import services
from audits.models import Answer, Audit, AuditTool, DomainGrade
from audits.tools import services as tools
from audits.tools.kinds import STANDARD_FAMILY, QuestionKind
from tests.factories import AuditActivityFactory, auditor, qa_lead

pytestmark = pytest.mark.django_db

SCALE = [("Good", True), ("Requires improvement", False), ("Inadequate", False)]


def build_tool(by=None):
    tool = tools.tool_create(name="Neglect thematic audit", by=by or qa_lead(), grades=SCALE)
    section = tools.section_add(tool=tool, title="Recognising neglect")
    tools.question_add(section=section, text="Was neglect recognised early?", kind="graded")
    tools.question_add(section=section, text="Was a chronology kept?", kind="yes_no")
    tools.question_add(
        section=section,
        text="Which assessment tool was used?",
        kind=QuestionKind.CHOICE,
        options=["Graded Care Profile", "None", "Other"],
    )
    return tool


def test_a_new_tool_is_its_own_family_current_from_the_start():
    tool = build_tool()

    assert tool.family not in ("", STANDARD_FAMILY)
    assert tool.is_current and tool.version == 1
    assert [g.code for g in tool.grades.all()] == ["good", "requires_improvement", "inadequate"]
    assert [g.is_good for g in tool.grades.all()] == [True, False, False]
    # the standard tool stays current alongside it
    assert services.current_tool().family == STANDARD_FAMILY


def test_an_audit_in_an_activity_with_a_built_tool_gets_a_blank_answer_per_question():
    tool = build_tool()
    activity = AuditActivityFactory(tool=tool)

    audit = services.audit_create(auditor=auditor(), activity=activity)

    assert audit.tool == tool and audit.activity == activity
    assert Answer.objects.filter(audit=audit).count() == 3
    assert not DomainGrade.objects.filter(audit=audit).exists()


def test_an_audit_outside_an_activity_uses_the_standard_tool():
    audit = services.audit_create(auditor=auditor())

    assert audit.tool.is_standard
    assert DomainGrade.objects.filter(audit=audit).count() == 12


def test_a_tool_with_audits_cannot_be_changed_only_copied():
    tool = build_tool()
    services.audit_create(auditor=auditor(), activity=AuditActivityFactory(tool=tool))
    section = tool.sections.get()

    with pytest.raises(tools.ToolLocked):
        tools.question_add(section=section, text="Anything else?", kind="text")
    with pytest.raises(tools.ToolLocked):
        tools.tool_set_scale(tool=tool, grades=[("Yes", True), ("No", False)])
    with pytest.raises(tools.ToolLocked):
        tools.section_remove(section=section)

    copy = services.tool_copy_as_new_version(source=tool)
    tools.question_add(section=copy.sections.get(), text="Anything else?", kind="text")

    assert copy.family == tool.family and copy.version == 2 and not copy.is_current
    assert [q.text for q in copy.sections.get().questions.all()][-1] == "Anything else?"
    assert tool.sections.get().questions.count() == 3
    assert list(copy.grades.values_list("label", flat=True)) == [label for label, _ in SCALE]

    services.tool_make_current(tool=copy)
    tool.refresh_from_db()
    assert not tool.is_current and copy.is_current
    assert AuditTool.objects.get(family=STANDARD_FAMILY, is_current=True)


def test_a_graded_question_needs_a_scale_and_a_choice_two_options():
    tool = tools.tool_create(name="Supervision audit", by=qa_lead())
    section = tools.section_add(tool=tool, title="Supervision")

    with pytest.raises(tools.ToolError, match="scale"):
        tools.question_add(section=section, text="How good?", kind="graded")
    with pytest.raises(tools.ToolError, match="two options"):
        tools.question_add(section=section, text="Which?", kind="choice", options=["Only one"])


def test_removing_a_question_renumbers_the_rest():
    tool = build_tool()
    section = tool.sections.get()
    tools.question_remove(question=section.questions.get(number=1))

    assert list(section.questions.values_list("number", "kind")) == [
        (1, "yes_no"),
        (2, "choice"),
    ]


def test_standard_figures_never_count_audits_of_a_built_tool():
    from audits.figures import reportable

    tool = build_tool()
    audit = services.audit_create(auditor=auditor(), activity=AuditActivityFactory(tool=tool))
    Audit.objects.filter(pk=audit.pk).update(status="submitted")

    assert not reportable(Audit.objects.all()).filter(pk=audit.pk).exists()
