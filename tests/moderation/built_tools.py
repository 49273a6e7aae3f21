"""Built audit tools for the moderation, results and report tests: a tool with a question of
every kind, its activity, and audits of it answered and submitted.

Audits are made through audits.services.audit_create and submitted as audit_submit does
(transition, then the audit_submitted signal that moderation listens to), without its submit
rules: those for built tools are another part of the work, and these tests are about what
happens after submission.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from audits import services
from audits.models import Answer, Audit, AuditActivity, Status
from audits.signals import audit_submitted
from audits.tools import services as tools
from audits.tools.kinds import ActivityKind, QuestionKind
from audits.workflow import transition
from tests import factories

SCALE = [("Good", True), ("Requires improvement", False), ("Inadequate", False)]
GOOD, RI, INADEQUATE = "good", "requires_improvement", "inadequate"
OPTIONS = ["Graded Care Profile", "Neglect toolkit", "None"]
# Question numbers, as (section, question), of the tool every_kind_tool builds.
GRADED, YES_NO, CHOICE, NUMBER, DATE, TEXT = (1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3)


def every_kind_tool(*, name="Neglect thematic audit", has_overall_grade=True, by=None):
    tool = tools.tool_create(
        name=name, by=by or factories.qa_lead(), grades=SCALE, has_overall_grade=has_overall_grade
    )
    first = tools.section_add(tool=tool, title="Recognising neglect")
    tools.question_add(section=first, text="Was neglect recognised early?", kind="graded")
    tools.question_add(section=first, text="Was a chronology kept?", kind="yes_no")
    tools.question_add(
        section=first, text="Which assessment tool was used?", kind="choice", options=OPTIONS
    )
    second = tools.section_add(tool=tool, title="Timeliness")
    tools.question_add(section=second, text="Days from referral to assessment", kind="number")
    tools.question_add(section=second, text="Date of the last visit", kind="date")
    tools.question_add(section=second, text="What would have helped?", kind=QuestionKind.TEXT)
    return tool


def built_activity(
    tool,
    *,
    name="Neglect audit",
    month=datetime.date(2026, 10, 1),
    kind=ActivityKind.THEMATIC,
    rate=0,
    always=True,
    **fields,
) -> AuditActivity:
    return AuditActivity.objects.create(
        name=name,
        month=month,
        tool=tool,
        kind=kind,
        moderation_rate=rate,
        always_moderate_not_met=always,
        **fields,
    )


class Fixed:
    """An rng that always draws ``value``."""

    def __init__(self, value: float):
        self.value = value

    def random(self):
        return self.value


def built_audit(
    activity,
    *,
    auditor=None,
    answers: dict | None = None,
    overall: str = "",
    audit_date=datetime.date(2026, 10, 15),
    case_reference="CR-2001",
    submit=True,
    practice=False,
    draw=0.99,
) -> Audit:
    """An audit of ``activity``'s tool with ``answers`` ({(section, question): value, or a
    dict of Answer fields}), submitted unless ``submit`` is False."""
    auditor = auditor or factories.auditor()
    audit = services.audit_create(
        auditor=auditor,
        activity=activity,
        case_reference=case_reference,
        audit_date=audit_date,
        strand=factories.strand(),
        case_type=factories.case_type(),
        overall_grade=overall,
        is_practice=practice,
    )
    for (section, number), given in (answers or {}).items():
        answer = Answer.objects.get(
            audit=audit, question__section__number=section, question__number=number
        )
        fields = given if isinstance(given, dict) else {_field(answer.question.kind): given}
        for field, value in fields.items():
            setattr(answer, field, value)
        answer.save()
    if submit:
        submit_built(audit, by=auditor, draw=draw)
    audit.refresh_from_db()
    return audit


def _field(kind: str) -> str:
    return {
        QuestionKind.NUMBER: "number",
        QuestionKind.DATE: "date",
        QuestionKind.TEXT: "text",
    }.get(kind, "value")


@transaction.atomic
def submit_built(audit: Audit, *, by, draw=0.99) -> Audit:
    """What audits.services.audit_submit does once its rules pass."""
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    transition(audit, to=Status.SUBMITTED, by=by)
    audit.submitted_at = timezone.now()
    audit.save(update_fields=["status", "submitted_at", "updated_at"])
    audit_submitted.send(sender=Audit, audit=audit, by=by, rng=Fixed(draw))
    return audit


def number(text: str) -> Decimal:
    return Decimal(text)
