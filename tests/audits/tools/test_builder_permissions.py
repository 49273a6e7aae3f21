"""Who may build tools (audits.tools.permissions): the rules and what they tell the refused."""

import pytest
import rules

from audits import services
from audits.permissions import refusal
from audits.tools import services as tools
from tests.factories import AuditActivityFactory, administrator, auditor, moderator, qa_lead

pytestmark = pytest.mark.django_db


def built():
    tool = tools.tool_create(
        name="Thematic", by=qa_lead(), grades=[("Good", True), ("Poor", False)]
    )
    tools.question_add(section=tools.section_add(tool=tool, title="One"), text="Q?", kind="text")
    return tool


@pytest.mark.parametrize(
    "make, allowed",
    [(auditor, False), (moderator, False), (qa_lead, True), (administrator, True)],
)
def test_qa_leads_and_administrators_build_tools(make, allowed):
    user, tool = make(), built()
    for name in ("audits.build_tools", "audits.change_tool", "audits.version_tool"):
        assert rules.has_perm(name, user, tool) is allowed, name
    if not allowed:
        assert refusal("audits.change_tool", user, tool) == (
            "Only QA leads and administrators build audit tools."
        )


def test_a_tool_with_audits_may_be_versioned_but_not_changed():
    lead, tool = qa_lead(), built()
    services.audit_create(auditor=auditor(), activity=AuditActivityFactory(tool=tool))

    assert not rules.has_perm("audits.change_tool", lead, tool)
    assert "has audits, so it cannot be changed" in refusal("audits.change_tool", lead, tool)
    assert rules.has_perm("audits.version_tool", lead, tool)


def test_the_standard_tool_is_only_read_here():
    lead, standard = qa_lead(), services.current_tool()

    assert rules.has_perm("audits.build_tools", lead)
    assert refusal("audits.change_tool", lead, standard) == (
        "The standard tool's domains are changed in the admin."
    )
    assert not rules.has_perm("audits.version_tool", lead, standard)
