"""The audit as a task list: its sections, and each section's status.

One definition of what a section holds and when it is done. A section is *Completed* when the
submit rules (audits.rules.submit_problems, the very rules ``audit_submit`` runs) find nothing
wrong in it and it holds an answer; *In progress* when it holds something but the rules still
find a problem in it; *Not started* when it holds nothing. Every problem the rules can find
belongs to exactly one section, so "every section Completed" and "submit would accept it" are the
same statement: *Check your answers* cannot start until then.

Agreed actions are the one section that may rightly stay empty: whether any are needed follows
from the overall grade (Does not meet good needs one). With no actions and nothing missing it is
Completed once the overall grade is chosen, and Not started before.

An audit on a built tool (audits.tools) has the same shape: About the case (with what its kind
of activity records: what a practice observation observed, an independent auditor, each agency's
auditor), one section per section of the tool (``section-1``...), Agreed actions, then Overall
grade and feedback (Feedback alone when the tool gives no overall grade).

Each section also has a fingerprint of its saved values, which a section page carries: a save
whose revision is out of date may still go through when the fingerprint shows that whoever saved
since changed other sections only (audits.services.audit_save_section).
"""

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy

from .rules import Problem, submit_problems
from .tools.kinds import AGENCY_KINDS, EXTERNAL_AUDITOR_KINDS, OBSERVATION_KINDS, ActivityKind

ABOUT, ACTIONS, OVERALL, CHECK = "case", "actions", "overall", "check"

# The header fields each section holds (the rest of the header is the overall section's).
ABOUT_FIELDS = (
    "case_reference",
    "audit_date",
    "activity",
    "age_band",
    "strand",
    "case_type",
    "team",
    "is_practice",
)
OVERALL_FIELDS = (
    "feedback_date",
    "feedback_with",
    "feedback_notes",
    "overall_grade",
    "overall_comments",
)
# What the About the case section of a built tool's audit adds for its kind of activity.
OBSERVATION_FIELDS = ("observed_event", "observed_on", "observed_practitioner")
EXTERNAL_FIELDS = ("external_auditor", "external_organisation")
# A built tool's section holding questions, and its slug.
QUESTIONS = "questions"


class TaskStatus(models.TextChoices):
    """The statuses of the GOV.UK task list, as it writes them."""

    NOT_STARTED = "not_started", gettext_lazy("Not started")
    IN_PROGRESS = "in_progress", gettext_lazy("In progress")
    COMPLETED = "completed", gettext_lazy("Completed")
    CANNOT_START = "cannot_start", gettext_lazy("Cannot start yet")


# How the GOV.UK task list shows each status: a coloured tag, or plain text (Completed, and
# Cannot start yet in grey).
STATUS_TAGS = {
    TaskStatus.NOT_STARTED: "govuk-tag--blue",
    TaskStatus.IN_PROGRESS: "govuk-tag--light-blue",
}


@dataclass(frozen=True)
class Section:
    slug: str  # in the section page's address
    title: str
    kind: str  # "about", "domain", "actions" or "overall"
    number: int | None = None  # a domain's number, or a built tool's section's
    hint: str = ""
    # The header fields the section holds, where not the kind's usual (ABOUT_FIELDS,
    # OVERALL_FIELDS): a built tool's about section adds its activity kind's, and its overall
    # section has no grade when the tool gives none.
    fields: tuple[str, ...] | None = None
    agencies: bool = False  # the about section of a multi-agency audit: each agency's auditor

    @property
    def header_fields(self) -> tuple[str, ...]:
        if self.fields is not None:
            return self.fields
        return {"about": ABOUT_FIELDS, "overall": OVERALL_FIELDS}.get(self.kind, ())


def domain_slug(number: int) -> str:
    return f"domain-{number}"


def section_slug(number: int) -> str:
    """The slug of a built tool's section ``number``."""
    return f"section-{number}"


def activity_kind(audit) -> str:
    """The kind of activity ``audit`` is in (a case file audit when in none)."""
    activity = audit.activity if audit is not None and audit.activity_id else None
    return activity.kind if activity is not None else ActivityKind.CASE_FILE


def tool_domains(tool) -> list:
    """The standard tool's domains in order, read once for the tool object: a section page reads
    them to find its section and again to build its forms (the tool is read afresh with each
    request's audit)."""
    domains = getattr(tool, "_section_domains", None)
    if domains is None:
        # In number order, as Domain's own order (tool, number) within one tool, without its
        # join of the tools to order by tool.
        domains = tool._section_domains = list(tool.domains.order_by("number"))
    return domains


def sections_for(tool, *, kind: str = "") -> list[Section]:
    """The sections of an audit on ``tool``, in task list order; ``kind``, the kind of its
    activity, says what a built tool's About the case section adds."""
    if not tool.is_standard:
        return _built_sections(tool, kind or ActivityKind.CASE_FILE)
    found = [Section(ABOUT, str(gettext_lazy("About the case")), "about")]
    for domain in tool_domains(tool):
        found.append(
            Section(
                domain_slug(domain.number),
                f"{domain.number}. {domain.title}",
                "domain",
                number=domain.number,
            )
        )
    found.append(Section(ACTIONS, str(gettext_lazy("Agreed actions")), "actions"))
    found.append(Section(OVERALL, str(gettext_lazy("Overall grade and feedback")), "overall"))
    return found


def _built_sections(tool, kind: str) -> list[Section]:
    from .tools.selectors import tool_sections

    about = ABOUT_FIELDS
    if kind in OBSERVATION_KINDS:
        about += OBSERVATION_FIELDS
    if kind in EXTERNAL_AUDITOR_KINDS:
        about += EXTERNAL_FIELDS
    found = [
        Section(
            ABOUT,
            str(gettext_lazy("About the case")),
            "about",
            fields=about,
            agencies=kind in AGENCY_KINDS,
        )
    ]
    for part in tool_sections(tool):
        found.append(
            Section(
                section_slug(part.number),
                f"{part.number}. {part.title}",
                QUESTIONS,
                number=part.number,
                hint=part.guidance,
            )
        )
    found.append(Section(ACTIONS, str(gettext_lazy("Agreed actions")), "actions"))
    if tool.has_overall_grade:
        found.append(Section(OVERALL, str(gettext_lazy("Overall grade and feedback")), "overall"))
    else:
        feedback = tuple(f for f in OVERALL_FIELDS if f != "overall_grade")
        found.append(Section(OVERALL, str(gettext_lazy("Feedback")), "overall", fields=feedback))
    return found


def find_section(tool, slug: str, *, kind: str = "") -> Section | None:
    return next((s for s in sections_for(tool, kind=kind) if s.slug == slug), None)


def next_section(tool, section: Section) -> Section | None:
    """The section after ``section``, or None after the last."""
    ordered = sections_for(tool)
    index = [s.slug for s in ordered].index(section.slug)
    return ordered[index + 1] if index + 1 < len(ordered) else None


def section_of(problem: Problem) -> str:
    """The slug of the section whose answers must change to put ``problem`` right."""
    if problem.part == "domain":
        return domain_slug(problem.index)
    if problem.part == "question":
        return section_slug(problem.index)
    if problem.part in ("action", "actions"):
        return ACTIONS
    return OVERALL if problem.field in OVERALL_FIELDS else ABOUT


def auditor_actions(audit) -> list:
    """The actions the auditor's page shows and saves (not those moderation added)."""
    return [a for a in audit.actions.all() if a.source == a.Source.AUDITOR]


def section_values(audit, section: Section) -> dict:
    """What ``audit`` holds in ``section``, as plain values (for the fingerprint and the
    "holds an answer" test)."""
    if section.kind in ("about", "overall"):
        values = {
            name: getattr(audit, f"{name}_id" if name in _FOREIGN_KEYS else name)
            for name in section.header_fields
        }
        if section.agencies:
            values["agencies"] = sorted(
                [c.agency, c.auditor_name, c.organisation] for c in _agency_rows(audit)
            )
        return values
    if section.kind == QUESTIONS:
        from .tools.answers import answer_values

        return {
            "answers": sorted(
                [a.question_id, *answer_values(a).values()]
                for a in _section_answers(audit, section.number)
            )
        }
    if section.kind == "domain":
        grade = _domain_grade(audit, section.number)
        values = {"grade": grade.grade if grade else "", "text": grade.text if grade else ""}
        if section.number == 1:
            values["risks"] = sorted(r.pk for r in audit.risk_categories.all())
        return values
    return {
        "actions": [
            [a.pk, a.description, a.owner, a.due_date, a.state] for a in auditor_actions(audit)
        ]
    }


_FOREIGN_KEYS = ("activity", "age_band", "strand", "case_type", "team")


def _domain_grade(audit, number: int):
    """The grade of ``audit``'s domain ``number``, or None: from the grades already read when
    they were (by their domain's id where the audit's tool and its domains are at hand, so the
    grades need not carry their domains), else one row, not one query per domain."""
    tool = audit.tool if type(audit).tool.is_cached(audit) else None
    domain = next((d for d in tool_domains(tool) if d.number == number), None) if tool else None
    if _prefetched(audit, "domain_grades"):
        if domain is not None:
            return next((g for g in audit.domain_grades.all() if g.domain_id == domain.pk), None)
        return next((g for g in audit.domain_grades.all() if g.domain.number == number), None)
    if domain is not None:
        return audit.domain_grades.filter(domain_id=domain.pk).first()
    return audit.domain_grades.filter(domain__number=number).first()


def _prefetched(audit, name: str) -> bool:
    return name in getattr(audit, "_prefetched_objects_cache", {})


def _agency_rows(audit) -> list:
    if audit is None or audit.pk is None:
        return []
    if _prefetched(audit, "agency_auditors"):
        return list(audit.agency_auditors.all())
    return list(audit.agency_auditors.order_by("pk"))


def _section_answers(audit, number: int) -> list:
    """The answers of ``audit`` to the questions of its tool's section ``number``."""
    if _prefetched(audit, "answers"):
        return [a for a in audit.answers.all() if a.question.section.number == number]
    return list(
        audit.answers.filter(question__section__number=number).select_related("question__section")
    )


def _has_answer(section: Section, values: dict) -> bool:
    if section.kind == "about":
        # A practice flag alone is no answer about the case.
        return any(
            v not in (None, "", False, [])
            for k, v in values.items()
            if k not in ("is_practice", "agencies")
        ) or any(name or organisation for _agency, name, organisation in values.get("agencies", ()))
    if section.kind == QUESTIONS:
        return any(any(v not in (None, "") for v in row[1:]) for row in values["answers"])
    if section.kind == "domain":
        return bool(values["grade"] or values["text"].strip() or values.get("risks"))
    if section.kind == "actions":
        return bool(values["actions"])
    return any(
        v not in (None, "") and (not isinstance(v, str) or v.strip()) for v in values.values()
    )


def fingerprint(audit, section: Section) -> str:
    """A short digest of what ``audit`` holds in ``section``: equal digests, same answers."""
    text = json.dumps(section_values(audit, section), default=_plain, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _plain(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Task:
    section: Section | None  # None for Check your answers
    status: str
    problems: tuple[Problem, ...] = ()

    @property
    def label(self) -> str:
        return TaskStatus(self.status).label

    @property
    def tag(self) -> str:
        """The GOV.UK tag class of the status, or "" for plain text."""
        return STATUS_TAGS.get(self.status, "")

    @property
    def completed(self) -> bool:
        return self.status == TaskStatus.COMPLETED

    @property
    def can_start(self) -> bool:
        return self.status != TaskStatus.CANNOT_START


def section_status(section: Section, values: dict, problems, *, overall_answered: bool) -> str:
    """A section's status from its saved values and the submit problems found in it."""
    answered = _has_answer(section, values)
    if problems:
        return TaskStatus.IN_PROGRESS if answered else TaskStatus.NOT_STARTED
    # Sections that may rightly stay empty: the actions, and the feedback of a built tool that
    # gives no overall grade; Completed once the audit is answered.
    optional = section.kind == "actions" or (
        section.kind == "overall" and "overall_grade" not in section.header_fields
    )
    if answered or (optional and overall_answered):
        return TaskStatus.COMPLETED
    return TaskStatus.NOT_STARTED


def task_list(audit, *, today: datetime.date) -> list[Task]:
    """Every section of ``audit`` with its status, then Check your answers: Cannot start yet
    until every section is Completed (that is, until the submit rules find nothing)."""
    problems = submit_problems(audit, today=today)
    by_section: dict[str, list[Problem]] = {}
    for problem in problems:
        by_section.setdefault(section_of(problem), []).append(problem)
    sections = sections_for(audit.tool, kind=activity_kind(audit))
    # It decides whether actions are needed; a built tool with no overall grade: any answer.
    overall_answered = bool(audit.overall_grade)
    if not audit.tool.is_standard and not audit.tool.has_overall_grade:
        overall_answered = any(
            _has_answer(s, section_values(audit, s)) for s in sections if s.kind == QUESTIONS
        )
    tasks = [
        Task(
            section,
            section_status(
                section,
                section_values(audit, section),
                by_section.get(section.slug, ()),
                overall_answered=overall_answered,
            ),
            tuple(by_section.get(section.slug, ())),
        )
        for section in sections
    ]
    ready = all(task.completed for task in tasks)
    tasks.append(Task(None, TaskStatus.NOT_STARTED if ready else TaskStatus.CANNOT_START))
    return tasks
