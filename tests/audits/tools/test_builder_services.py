"""What the builder's pages add to audits.tools.services: a tool built with its scale, the
standard scale as a start, and errors that name the field they belong beside."""

import pytest

from audits.grades import GOOD, OVERALL_SCALE
from audits.models import AuditTool
from audits.tools import services as tools
from tests.factories import qa_lead

pytestmark = pytest.mark.django_db


def test_the_standard_scale_is_the_standard_tools_overall_scale():
    assert [label for label, _good in tools.STANDARD_SCALE] == [str(g.label) for g in OVERALL_SCALE]
    assert [good for _label, good in tools.STANDARD_SCALE] == [g in GOOD for g in OVERALL_SCALE]


def test_a_tool_built_with_an_overall_grade_needs_its_scale():
    with pytest.raises(tools.ToolError) as refused:
        tools.tool_build(name="Supervision audit", by=qa_lead(), grades=[("  ", True)])

    assert refused.value.field == "grades"
    assert not AuditTool.objects.filter(name="Supervision audit").exists()


def test_a_tool_built_with_the_standard_scale():
    tool = tools.tool_build(
        name="  Supervision audit ",
        by=qa_lead(),
        description=" Monthly. ",
        grades=tools.STANDARD_SCALE,
    )

    assert (tool.name, tool.description, tool.is_current) == ("Supervision audit", "Monthly.", True)
    assert list(tool.grades.values_list("code", "is_good")) == [
        ("exceeds_good", True),
        ("meets_good", True),
        ("does_not_meet_good", False),
    ]


def test_a_bad_scale_writes_nothing():
    with pytest.raises(tools.ToolError, match="same name") as refused:
        tools.tool_build(name="Twice", by=qa_lead(), grades=[("Good", True), ("GOOD", False)])

    assert refused.value.field == "grades"
    assert not AuditTool.objects.filter(name="Twice").exists()


def test_turning_on_the_overall_grade_needs_a_scale():
    tool = tools.tool_build(name="Dip sample", by=qa_lead(), has_overall_grade=False)

    with pytest.raises(tools.ToolError) as refused:
        tools.tool_update(tool=tool, name="Dip sample", description="", has_overall_grade=True)

    assert refused.value.field == "has_overall_grade"
    tool.refresh_from_db()
    assert not tool.has_overall_grade


@pytest.mark.parametrize(
    "kind, options, field",
    [
        ("nonsense", [], "kind"),
        ("graded", [], "kind"),  # the tool has no scale
        ("choice", ["One"], "options"),
        ("choice", ["One", "one"], "options"),
        ("choice", ["One", "x" * 201], "options"),
    ],
)
def test_question_errors_name_their_field(kind, options, field):
    tool = tools.tool_build(name="Dip sample", by=qa_lead(), has_overall_grade=False)
    section = tools.section_add(tool=tool, title="Referrals")

    with pytest.raises(tools.ToolError) as refused:
        tools.question_add(section=section, text="Q?", kind=kind, options=options)

    assert refused.value.field == field
    assert not section.questions.exists()
