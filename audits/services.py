"""Every write to audits and the audit tool. Views and commands call these; nothing else saves.

Services take keyword-only arguments and raise AuditError (or AuditSubmitError) with a message
a user can read.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from .figures import audit_contribution, contribution_changed
from .holders import services as holder_services
from .models import (
    AgreedAction,
    Answer,
    Audit,
    AuditActivity,
    AuditTool,
    Domain,
    DomainGrade,
    Question,
    RiskCategory,
    Status,
    grades_with_domains,
)
from .permissions import require
from .revisions import bump_revision, check_revision
from .rules import Problem, activity_tool_error, submit_problems
from .sections import Section, fingerprint
from .signals import audit_submitted
from .tools.answers import AnswerError, agencies_save, answers_save
from .tools.copying import copy_built_content
from .tools.kinds import COUNTING_KINDS, STANDARD_FAMILY
from .workflow import AuditError, transition

HEADER_FIELDS = (
    "case_reference",
    "audit_date",
    "activity",
    "age_band",
    "strand",
    "case_type",
    "team",
    "feedback_date",
    "feedback_with",
    "feedback_notes",
    "overall_grade",
    "overall_comments",
    "is_practice",
    # What a built tool's audit records for its kind of activity (audits.sections).
    "observed_event",
    "observed_on",
    "observed_practitioner",
    "external_auditor",
    "external_organisation",
)


class AuditSubmitError(AuditError):
    """The audit is not complete; ``problems`` says what is missing, field by field."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(
            _("The audit cannot be submitted yet: %(n)s thing(s) to put right.")
            % {"n": len(problems)}
        )


@dataclass
class AuditContent:
    """What a user typed into the audit form, already cleaned field by field."""

    header: dict = field(default_factory=dict)
    # domain number -> {"grade": code or "", "text": str}
    domains: dict[int, dict] = field(default_factory=dict)
    # None leaves the audit's risk categories as they are (a section page that does not show
    # them, audits.sections)
    risk_category_ids: list[int] | None = field(default_factory=list)
    # each {"id": existing pk or None, "description", "owner", "due_date"}; audit_save_draft
    # fills in the id of each action it creates, so the page can learn it
    actions: list[dict] = field(default_factory=list)
    # the actions the user removed on the page. Only these go: an action the page did not show
    # (added in another tab, or by someone else) is never deleted by leaving it out.
    removed_action_ids: list[int] = field(default_factory=list)
    # A built tool's answers: question pk -> {"value", "number", "date", "text",
    # "items_checked"} as typed (audits.tools.answers checks them again).
    answers: dict[int, dict] = field(default_factory=dict)
    # A multi-agency audit's auditors, one {"agency", "auditor_name", "organisation"} per
    # agency; None leaves them as they are (a page that does not show them).
    agencies: list[dict] | None = None


def current_tool() -> AuditTool:
    """The version of the standard (12-domain) tool that new audits start on."""
    tool = AuditTool.objects.filter(family=STANDARD_FAMILY, is_current=True).first()
    if tool is None:
        raise AuditError(_("No audit tool is in use. An administrator must make one current."))
    return tool


def tool_for(activity: AuditActivity | None) -> AuditTool:
    """The tool an audit in ``activity`` is made with: the activity's own, else the standard."""
    if activity is not None and activity.tool_id:
        return activity.tool
    return current_tool()


@transaction.atomic
def audit_create(*, auditor, activity: AuditActivity | None = None, **fields) -> Audit:
    """A new, empty draft on the activity's tool (the current standard tool where it names
    none), with a blank row for every domain or question; ``fields`` prefill the header."""
    tool = tool_for(activity)
    audit = Audit.objects.create(
        tool=tool, auditor=auditor, status=Status.DRAFT, activity=activity, **fields
    )
    if tool.is_standard:
        DomainGrade.objects.bulk_create(
            DomainGrade(audit=audit, domain=domain) for domain in tool.domains.all()
        )
    else:
        Answer.objects.bulk_create(
            Answer(audit=audit, question=question)
            for question in Question.objects.filter(section__tool=tool)
        )
    return audit


def _check_editable(audit: Audit, by) -> None:
    require("audits.edit_audit", by, audit, error=AuditError)


@transaction.atomic
def audit_save_draft(
    *,
    audit: Audit | None,
    by,
    content: AuditContent,
    expected_revision: int | None = None,
    page: str = "",
) -> Audit:
    """Save whatever has been filled in so far; nothing is required for a draft (autosave
    calls this too: it never runs the submit rules).

    ``audit`` None starts a new draft. ``expected_revision`` is the revision the page was
    opened at (``page`` its token): if the audit was saved since from another page, nothing is
    written and RevisionConflict says who saved it and when.
    """
    if audit is None and page:
        # The page's first save answered, but the answer was lost and the page asks again:
        # the draft that save started is this page's, not a second one.
        audit = Audit.objects.filter(auditor=by, revised_page=page, status=Status.DRAFT).first()
    if audit is None:
        # An activity with a tool of its own makes a draft on that tool (audits.tools).
        audit = audit_create(auditor=by, activity=content.header.get("activity"))
        expected_revision = None
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    return _save_locked_draft(
        audit, by=by, content=content, expected_revision=expected_revision, page=page
    )


def _save_locked_draft(
    audit: Audit, *, by, content: AuditContent, expected_revision: int | None, page: str
) -> Audit:
    """audit_save_draft's writing, on ``audit`` read with select_for_update in the caller's
    transaction."""
    _check_editable(audit, by)
    check_revision(audit, expected=expected_revision, page=page, by=by)
    # A returned audit is counted in reports while its auditor amends it; a draft is not.
    counted_before = audit_contribution(audit) if audit.status != Status.DRAFT else None
    if content.header.get("is_practice", audit.is_practice) != audit.is_practice:
        require("audits.change_practice_flag", by, audit, error=AuditError, field="is_practice")
    if content.header.get("activity") is not None:
        if error := activity_tool_error(audit, content.header["activity"]):
            raise AuditError(error, field="activity")

    typed = [name for name in HEADER_FIELDS if name in content.header]
    saved = {name: _header_value(audit, name) for name in typed}
    for name in typed:
        setattr(audit, name, content.header[name])
    # Only the header fields that change are written: with none (a domain's page), the save is
    # of the revision alone (audits.revisions.bump_revision).
    changed_header = [name for name in typed if _header_value(audit, name) != saved[name]]
    bump_revision(audit, by=by, page=page, fields=changed_header, locked=True)

    _save_domains(audit, content.domains)
    if content.risk_category_ids is not None:
        allowed_risks = RiskCategory.objects.filter(
            domain__tool_id=audit.tool_id, pk__in=content.risk_category_ids
        )
        audit.risk_categories.set(allowed_risks)

    _save_built_parts(audit, content)
    if content.actions or content.removed_action_ids:
        _save_actions(audit, content.actions, removed=content.removed_action_ids)
    if counted_before is not None:
        contribution_changed(audit, counted_before)
    return audit


def _header_value(audit: Audit, name: str):
    """The value a header field holds in the row: a relation's id, not the related object
    (which would be read from the database)."""
    return Audit._meta.get_field(name).value_from_object(audit)


def _save_domains(audit: Audit, domains: dict[int, dict]) -> None:
    """The grades and evaluations of the page's domains (number -> {"grade", "text"}). The
    audit's grades are left loaded on it (prefetched), as saved: the page's new fingerprint
    (audits.sections) reads them."""
    if not domains:
        return
    prefetch_related_objects(
        [audit],
        Prefetch("domain_grades", queryset=grades_with_domains()),
    )
    grades = {g.domain.number: g for g in audit.domain_grades.all()}
    changed = []
    for number, values in domains.items():
        grade = grades.get(number)
        if grade is None:
            raise AuditError(_("Domain %(n)s is not part of this audit's tool.") % {"n": number})
        new = {"grade": values.get("grade") or "", "text": values.get("text") or ""}
        if new != {"grade": grade.grade, "text": grade.text}:
            grade.grade, grade.text = new["grade"], new["text"]
            changed.append(grade)
    # One save per changed domain, not a bulk update: the change history (django-auditlog)
    # keeps each domain's old and new grade and text.
    for grade in changed:
        grade.save(update_fields=["grade", "text"])


def _save_built_parts(audit: Audit, content: AuditContent) -> None:
    """A built tool's answers and a multi-agency audit's auditors (audits.tools.answers): only
    what changed is written. A value no answer can hold refuses the whole save."""
    if not (content.answers or content.agencies is not None):
        return
    counting = audit.activity_id is not None and audit.activity.kind in COUNTING_KINDS
    try:
        answers_save(audit=audit, typed=content.answers, counting=counting)
        if content.agencies is not None:
            agencies_save(audit=audit, rows=content.agencies)
    except AnswerError as error:
        raise AuditError(str(error)) from None


def _save_actions(audit: Audit, rows: list[dict], *, removed: list[int]) -> None:
    existing = {a.pk: a for a in audit.actions.filter(source=AgreedAction.Source.AUDITOR)}
    for row in rows:
        values = {k: row.get(k) for k in ("description", "owner", "due_date")}
        values["description"] = values["description"] or ""
        values["owner"] = values["owner"] or ""
        action = existing.get(row.get("id"))
        if action is None:
            action = AgreedAction.objects.create(audit=audit, **values)
            row["id"] = action.pk  # the page learns the new action's id (autosave answers it)
        elif any(getattr(action, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(action, key, value)
            action.save(update_fields=list(values))
    # An action already closed (done or no longer needed) keeps its history: never delete it.
    # Deleted one by one so the change history records each.
    for action in audit.actions.filter(
        source=AgreedAction.Source.AUDITOR, state=AgreedAction.State.OPEN, pk__in=removed
    ):
        action.delete()


@transaction.atomic
def audit_save_section(
    *,
    audit: Audit | None,
    by,
    section: Section,
    content: AuditContent,
    expected_revision: int | None = None,
    page: str = "",
    seen: str = "",
) -> Audit:
    """Save one section page of the task list (audits.sections) as a draft.

    As ``audit_save_draft``, with one difference: a page whose revision is out of date may
    still save when ``seen``, the fingerprint of the section as the page showed it, is the
    section's fingerprint now, so whoever saved since changed other sections only, which this
    save leaves alone. Otherwise RevisionConflict, and nothing is written. The audit row stays
    locked from that comparison to the write, so nobody can change the section in between.
    """
    if audit is None or expected_revision is None:
        return audit_save_draft(
            audit=audit, by=by, content=content, expected_revision=expected_revision, page=page
        )
    locked = Audit.objects.select_for_update().get(pk=audit.pk)
    stale = locked.revision != expected_revision and not (page and locked.revised_page == page)
    if stale and seen and seen == fingerprint(locked, section):
        expected_revision = locked.revision
    return _save_locked_draft(
        locked, by=by, content=content, expected_revision=expected_revision, page=page
    )


def audit_submit(*, audit: Audit, by, today: datetime.date | None = None, rng=None) -> Audit:
    """Submit a complete draft (or a returned audit, amended) for moderation and reporting.

    Raises AuditSubmitError listing every missing or wrong field; nothing changes then. On the
    first submission moderation decides (once) whether to moderate it, drawing from ``rng``;
    an audit not chosen is completed at once.

    The submit rules read the audit and all its parts: that is done before the write lock is
    taken (on SQLite the one lock of the whole database), and under it only the revision is
    compared. Every save of the audit or its parts counts the revision up in the same
    transaction (audits.revisions), so the same revision means the parts read are the parts
    it holds; a different one, and they are read and checked again under the lock.
    """
    today = today or timezone.localdate()
    read = _with_submit_parts(audit.pk)
    _check_editable(read, by)  # the audit's own refusal first, as under the lock
    problems = submit_problems(read, today=today)
    if problems:
        # Refused on what the audit held when it was read: nothing was written, no lock taken.
        raise AuditSubmitError(problems)
    with transaction.atomic():
        # of: the audit's row only is locked; its tool and activity are read with it (the
        # moderation decision reads them).
        audit = (
            Audit.objects.select_for_update(of=("self",))
            .select_related("tool", "activity")
            .get(pk=audit.pk)
        )
        _check_editable(audit, by)
        if audit.revision != read.revision:
            problems = submit_problems(_with_submit_parts(audit.pk), today=today)
            if problems:
                raise AuditSubmitError(problems)
        counted_before = audit_contribution(audit)  # a returned audit's, amended
        transition(audit, to=Status.SUBMITTED, by=by)
        audit.submitted_at = timezone.now()
        bump_revision(audit, by=by, fields=["status", "submitted_at"], locked=True)
        audit_submitted.send(sender=Audit, audit=audit, by=by, rng=rng)
        contribution_changed(audit, counted_before)
        # The case holder and their team manager are emailed once this commits (audits.holders).
        holder_services.holders_tell_of_submission(audit=audit)
    return audit


def _with_submit_parts(pk: int) -> Audit:
    """The audit with everything the submit rules read (audits.rules.submit_problems)."""
    return (
        Audit.objects.select_related("tool", "activity")
        .prefetch_related(
            "domain_grades__domain", "actions", "answers__question__section", "agency_auditors"
        )
        .get(pk=pk)
    )


@transaction.atomic
def audit_delete_draft(*, audit: Audit, by) -> None:
    """An auditor may throw away their own draft; a submitted audit is never deleted."""
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    require("audits.delete_draft", by, audit, error=AuditError)
    audit.delete()


@transaction.atomic
def tool_copy_as_new_version(*, source: AuditTool, name: str | None = None) -> AuditTool:
    """A new, not yet current, version of the tool with the same domains and risk categories.

    Change the copy, then make it current with ``tool_make_current``: audits already made keep
    the version they were made with.
    """
    next_version = (
        AuditTool.objects.filter(family=source.family)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
        or 0
    ) + 1
    tool = AuditTool.objects.create(
        family=source.family,
        version=next_version,
        name=name or source.name,
        description=source.description,
        has_overall_grade=source.has_overall_grade,
    )
    copy_built_content(source=source, to=tool)
    for domain in source.domains.prefetch_related("risk_categories"):
        copy = Domain.objects.create(
            tool=tool, number=domain.number, title=domain.title, guidance=domain.guidance
        )
        RiskCategory.objects.bulk_create(
            RiskCategory(domain=copy, slug=r.slug, name=r.name, order=r.order)
            for r in domain.risk_categories.all()
        )
    return tool


@transaction.atomic
def tool_make_current(*, tool: AuditTool) -> AuditTool:
    """New audits start on ``tool`` from now on; existing audits are untouched."""
    if tool.is_standard and not tool.domains.exists():
        raise AuditError(_("A tool with no domains cannot be used."))
    if not tool.is_standard and not Question.objects.filter(section__tool=tool).exists():
        raise AuditError(_("A tool with no questions cannot be used."))
    AuditTool.objects.filter(family=tool.family, is_current=True).exclude(pk=tool.pk).update(
        is_current=False
    )
    tool.is_current = True
    tool.save(update_fields=["is_current"])
    return tool
