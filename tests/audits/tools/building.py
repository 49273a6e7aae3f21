"""Build a tool with every kind of question, an activity using it and its audits, the way a QA
lead and an auditor do: through the services."""

import datetime

from audits import services
from audits.tools import services as tools
from audits.tools.kinds import ActivityKind, QuestionKind
from tests import factories

SCALE = [("Good", True), ("Requires improvement", False), ("Inadequate", False)]
AUDIT_DATE = datetime.date(2026, 10, 15)
MONTH = datetime.date(2026, 10, 1)
AGENCIES = ["Police", "Health"]


def every_kind_tool(*, by=None, name="Neglect thematic audit", has_overall_grade=True):
    """A tool of two sections holding a question of every kind; the last is optional."""
    by = by or factories.qa_lead()
    tool = tools.tool_create(name=name, by=by, grades=SCALE, has_overall_grade=has_overall_grade)
    first = tools.section_add(tool=tool, title="Recognising neglect", guidance="Read the file.")
    tools.question_add(
        section=first,
        text="Was neglect recognised early?",
        kind=QuestionKind.GRADED,
        guidance="Look at the first contacts.",
    )
    tools.question_add(section=first, text="Was a chronology kept?", kind=QuestionKind.YES_NO)
    tools.question_add(
        section=first,
        text="Which assessment tool was used?",
        kind=QuestionKind.CHOICE,
        options=["Graded Care Profile", "None", "Other"],
    )
    second = tools.section_add(tool=tool, title="Records")
    tools.question_add(section=second, text="How many visits were made?", kind=QuestionKind.NUMBER)
    tools.question_add(section=second, text="When was the last visit?", kind=QuestionKind.DATE)
    tools.question_add(section=second, text="What difference did it make?", kind=QuestionKind.TEXT)
    tools.question_add(
        section=second, text="Anything else?", kind=QuestionKind.TEXT, required=False
    )
    return tool


def questions(tool) -> dict[str, object]:
    """The tool's questions by kind (the optional text question as "optional")."""
    found = {}
    for section in tool.sections.order_by("number"):
        for question in section.questions.order_by("number"):
            key = "optional" if not question.required else question.kind
            found[key] = question
    return found


def activity_for(tool, *, kind=ActivityKind.THEMATIC, **kwargs):
    if kind == ActivityKind.MULTI_AGENCY:
        kwargs.setdefault("agencies", AGENCIES)
    kwargs.setdefault("month", MONTH)
    return factories.AuditActivityFactory(
        tool=tool, kind=kind, name=kwargs.pop("name", f"{tool.name} {kind}"), **kwargs
    )


def complete_answers(tool, *, counting=False) -> dict[int, dict]:
    """Answers to every question of ``every_kind_tool``, as AuditContent takes them."""
    found = questions(tool)
    answers = {
        found[QuestionKind.GRADED].pk: {"value": "requires_improvement", "text": "Late."},
        found[QuestionKind.YES_NO].pk: {"value": "partly", "text": "Gaps in 2025."},
        found[QuestionKind.CHOICE].pk: {"value": "Graded Care Profile"},
        found[QuestionKind.NUMBER].pk: {"number": "6"},
        found[QuestionKind.DATE].pk: {"date": datetime.date(2026, 9, 30)},
        found[QuestionKind.TEXT].pk: {"text": "The child's attendance improved."},
    }
    if counting:
        for values in answers.values():
            values["items_checked"] = 10
    return answers


def complete_content(tool, activity, *, case_reference="CR-7001", overall="good"):
    """AuditContent for a built tool's audit that passes every submit rule."""
    header = {
        "case_reference": case_reference,
        "audit_date": AUDIT_DATE,
        "activity": activity,
        "strand": factories.strand(),
        "case_type": factories.case_type(),
        "age_band": factories.age_band(),
        "overall_comments": "Neglect was seen late.",
    }
    if tool.has_overall_grade:
        header["overall_grade"] = overall
    if activity.kind == ActivityKind.PRACTICE_OBSERVATION:
        header.update(
            observed_event="Child in need review",
            observed_on=AUDIT_DATE,
            observed_practitioner="Social worker, Team A",
        )
    if activity.kind == ActivityKind.INDEPENDENT:
        header.update(external_auditor="A. Reviewer", external_organisation="Audit Partners")
    agencies = None
    if activity.kind == ActivityKind.MULTI_AGENCY:
        agencies = [
            {"agency": agency, "auditor_name": f"{agency} auditor", "organisation": agency}
            for agency in activity.agencies
        ]
    return services.AuditContent(
        header=header,
        answers=complete_answers(tool, counting=activity.kind == ActivityKind.DIP_SAMPLE),
        agencies=agencies,
        actions=[],
    )


def built_draft(*, auditor=None, tool=None, kind=ActivityKind.THEMATIC, complete=True, **kw):
    """A draft on a built tool (complete, or blank but in its activity)."""
    auditor = auditor or factories.auditor()
    tool = tool or every_kind_tool()
    activity = kw.pop("activity", None) or activity_for(tool, kind=kind)
    if not complete:
        return services.audit_create(auditor=auditor, activity=activity)
    return services.audit_save_draft(
        audit=None, by=auditor, content=complete_content(tool, activity, **kw)
    )
