"""One audit as a PDF for the child's file: its HTML, its file name.

Any tool: the standard 12-domain tool's domains, or a built tool's sections and questions with
each answer written as a reader reads it (a grade by its label on the tool's own scale, "Partly",
"1 July 2026"). The header says what the activity's kind records (what was observed, the
independent auditor, each agency's auditor); then the agreed actions, the overall judgement and
moderation, and the case holder's response where one is given.

The PDF itself comes from audits.pdf, the project's one "HTML to PDF", so the audit's stylesheet
is served by the same static-only fetcher as the scrutiny report's, in production as in tests.
"""

import re
from dataclasses import dataclass, field

import rules
from django.conf import settings
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import timezone

from . import grades
from .holders import selectors as holder_selectors
from .models import Answer, Audit, AuditTool, Status
from .pdf import html_to_pdf
from .tools.answers import answer_display
from .tools.kinds import (
    AGENCY_KINDS,
    COUNTING_KINDS,
    EXTERNAL_AUDITOR_KINDS,
    OBSERVATION_KINDS,
    ActivityKind,
    QuestionKind,
)
from .tools.selectors import grade_codes, grade_label

# What a file name may keep of a case reference; anything else (a slash, a quote, a space in an
# imported reference) becomes a hyphen, so the Content-Disposition header stays well formed.
_UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9_-]+")

# The date as the GOV.UK style writes it, and as the rest of the PDF does ("1 July 2026").
DATE_FORMAT = "j F Y"


@dataclass
class PrintedAnswer:
    """One question of a built tool with its answer as the PDF prints it."""

    number: str  # "2.3": the section's number and the question's
    question: str
    kind: str
    answer: str  # "" where the question was not answered
    comment: str = ""  # the auditor's comment on a graded, yes/no or choice answer
    items_checked: int | None = None


@dataclass
class PrintedSection:
    number: int
    title: str
    answers: list[PrintedAnswer] = field(default_factory=list)


def grade_labels(tool: AuditTool) -> dict[str, str]:
    """Each grade code of ``tool``'s scale with its label (audits.tools.selectors)."""
    codes = grades.DOMAIN_CODES if tool.is_standard else grade_codes(tool)
    return {code: grade_label(tool, code) for code in codes}


def built_sections(audit: Audit) -> list[PrintedSection]:
    """The audit's answers, section by section, in the tool's order: one query."""
    sections: dict[int, PrintedSection] = {}
    answers = (
        Answer.objects.filter(audit=audit)
        .select_related("question__section")
        .order_by("question__section__number", "question__number")
    )
    for answer in answers:
        question, section = answer.question, answer.question.section
        printed = sections.setdefault(
            section.pk, PrintedSection(number=section.number, title=section.title)
        )
        printed.answers.append(
            PrintedAnswer(
                number=f"{section.number}.{question.number}",
                question=question.text,
                kind=question.kind,
                answer=answer_display(question, answer, tool=audit.tool),
                comment="" if question.kind == QuestionKind.TEXT else answer.text,
                items_checked=answer.items_checked,
            )
        )
    return list(sections.values())


def audit_html(*, audit: Audit, request, case_holder_response=None) -> str:
    """The whole document. Rendered with the request, so the template's permission checks (and
    the moderation panel's) ask about the person downloading it.

    The case holder's response (audits/holders) is printed by
    templates/audits/pdf/_case_holder_response.html for those the rules let see it
    (``audits.view_holder_response``, as on the audit's page); ``case_holder_response`` gives
    one instead.
    """
    if case_holder_response is None and _may_see_response(request.user, audit):
        case_holder_response = holder_selectors.response_of(audit)
    tool = audit.tool
    labels = grade_labels(tool)
    kind = audit.activity.kind if audit.activity_id else ActivityKind.CASE_FILE
    if not tool.is_standard and tool.has_overall_grade:
        # The rounds templates/audits/pdf/_moderation.html prints, with their moderators, in
        # one query (named by relation: audits does not import moderation).
        prefetch_related_objects([audit], "moderations__moderator")
    context = {
        "audit": audit,
        "tool": tool,
        "council_name": settings.COUNCIL_NAME,
        "printed_at": timezone.localtime(),
        "kind": kind,
        "kind_label": ActivityKind(kind).label,
        "grade_labels": labels,
        "sections": None if tool.is_standard else built_sections(audit),
        "is_observation": kind in OBSERVATION_KINDS,
        "is_multi_agency": kind in AGENCY_KINDS,
        "is_dip_sample": kind in COUNTING_KINDS,
        "is_independent": kind in EXTERNAL_AUDITOR_KINDS,
        "agency_auditors": list(audit.agency_auditors.all()) if kind in AGENCY_KINDS else [],
        "case_holder_response": case_holder_response,
    }
    return render_to_string("audits/audit_pdf.html", context, request=request)


def _may_see_response(user, audit: Audit) -> bool:
    return audit.status != Status.DRAFT and rules.has_perm(
        "audits.view_holder_response", user, audit
    )


def audit_pdf(*, audit: Audit, request, case_holder_response=None) -> bytes:
    return html_to_pdf(
        audit_html(audit=audit, request=request, case_holder_response=case_holder_response)
    )


def audit_pdf_filename(audit: Audit) -> str:
    """``audit-CR-12345-2026-10-15.pdf``: the case reference and the audit date, the way the file
    will be found again in a case file; the audit's number where either is missing."""
    reference = _UNSAFE_IN_FILENAME.sub("-", audit.case_reference).strip("-")
    date = audit.audit_date.isoformat() if audit.audit_date else "undated"
    return f"audit-{reference or audit.pk}-{date}.pdf"
