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
    number: int | None = None  # a domain's number
    hint: str = ""

    @property
    def header_fields(self) -> tuple[str, ...]:
        return {"about": ABOUT_FIELDS, "overall": OVERALL_FIELDS}.get(self.kind, ())


def domain_slug(number: int) -> str:
    return f"domain-{number}"


def sections_for(tool) -> list[Section]:
    """The sections of an audit on ``tool``, in task list order."""
    found = [Section(ABOUT, str(gettext_lazy("About the case")), "about")]
    for domain in tool.domains.all():
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


def find_section(tool, slug: str) -> Section | None:
    return next((s for s in sections_for(tool) if s.slug == slug), None)


def next_section(tool, section: Section) -> Section | None:
    """The section after ``section``, or None after the last."""
    ordered = sections_for(tool)
    index = [s.slug for s in ordered].index(section.slug)
    return ordered[index + 1] if index + 1 < len(ordered) else None


def section_of(problem: Problem) -> str:
    """The slug of the section whose answers must change to put ``problem`` right."""
    if problem.part == "domain":
        return domain_slug(problem.index)
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
        return {
            name: getattr(audit, f"{name}_id" if name in _FOREIGN_KEYS else name)
            for name in section.header_fields
        }
    if section.kind == "domain":
        if "domain_grades" in getattr(audit, "_prefetched_objects_cache", {}):
            grade = next(
                (g for g in audit.domain_grades.all() if g.domain.number == section.number), None
            )
        else:  # one row, not one query per domain
            grade = audit.domain_grades.filter(domain__number=section.number).first()
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


def _has_answer(section: Section, values: dict) -> bool:
    if section.kind == "about":
        # A practice flag alone is no answer about the case.
        return any(v not in (None, "", False) for k, v in values.items() if k != "is_practice")
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
    if answered or (section.kind == "actions" and overall_answered):
        return TaskStatus.COMPLETED
    return TaskStatus.NOT_STARTED


def task_list(audit, *, today: datetime.date) -> list[Task]:
    """Every section of ``audit`` with its status, then Check your answers: Cannot start yet
    until every section is Completed (that is, until the submit rules find nothing)."""
    problems = submit_problems(audit, today=today)
    by_section: dict[str, list[Problem]] = {}
    for problem in problems:
        by_section.setdefault(section_of(problem), []).append(problem)
    sections = sections_for(audit.tool)
    overall_answered = bool(audit.overall_grade)  # it decides whether actions are needed
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
