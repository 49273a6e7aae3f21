"""Every write of the moderation workflow. Each state change locks the audit row, checks the
current state against the one transition table (audits.workflow) and records the move.
"""

import random

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.background import enqueue_on_commit
from audits.figures import Contribution, audit_contribution, contribution_changed
from audits.grades import Grade
from audits.models import AgreedAction, Audit, Status
from audits.permissions import require
from audits.revisions import RevisionConflict, bump_revision, check_revision, saved_by
from audits.workflow import AuditError, transition

from . import scales, tasks
from .models import DomainNote, Exemplar, Moderation, ModerationCase, SampleReason

_system_random = random.SystemRandom()


class ModerationError(AuditError):
    """A moderation request the rules refuse; the message is written for the user."""


class ModerationConflict(ModerationError):
    """The audit changed after the moderator's page opened it; nothing was written."""


def decide_selection(
    *,
    rate: int,
    grade: str,
    always_moderate_not_met: bool,
    is_practice: bool,
    draw: float,
    lowest: str = Grade.DOES_NOT_MEET,
) -> tuple[bool, str]:
    """Whether an audit is moderated, and why. ``draw`` is uniform in [0, 1). ``lowest`` is
    the lowest grade of the audit's tool ("always moderate not met" means that grade)."""
    if is_practice:
        return True, SampleReason.PRACTICE
    if always_moderate_not_met and grade and grade == lowest:
        return True, SampleReason.RULE
    if draw < rate / 100:
        return True, SampleReason.RATE
    return False, SampleReason.NOT_SELECTED


def moderation_on_submit(*, audit: Audit, by, rng: random.Random | None = None) -> ModerationCase:
    """Decide once, at the first submission, whether ``audit`` (locked, just submitted) is
    moderated. An audit not chosen is completed at once; a resubmitted audit keeps its decision
    and goes back to the queue.
    """
    existing = ModerationCase.objects.filter(audit=audit).first()
    if existing is not None:
        # Resubmitting answers the moderator's send-back: it needs no separate acknowledgement.
        audit.moderations.filter(
            outcome=Moderation.Outcome.RETURNED, acknowledged_at__isnull=True
        ).update(acknowledged_at=timezone.now())
        return existing
    activity = audit.activity
    rate = activity.moderation_rate if activity else 100
    always = activity.always_moderate_not_met if activity else True
    if not scales.is_moderated_tool(audit.tool):
        # Nothing to agree or adjust: no draw is made, and the audit is completed at once.
        draw, sampled, reason = None, False, SampleReason.NO_OVERALL_GRADE
    else:
        draw = (rng or _system_random).random()
        sampled, reason = decide_selection(
            rate=rate,
            grade=audit.overall_grade,
            always_moderate_not_met=always,
            is_practice=audit.is_practice,
            draw=draw,
            lowest=scales.lowest(audit.tool),
        )
    case = ModerationCase.objects.create(
        audit=audit, sampled=sampled, reason=reason, rate=rate, draw=draw, decided_at=timezone.now()
    )
    if not sampled:
        comment = (
            _("Not moderated: the tool gives no overall grade.")
            if reason == SampleReason.NO_OVERALL_GRADE
            else _("Not chosen for moderation.")
        )
        transition(audit, to=Status.COMPLETED, by=by, comment=comment)
        audit.save(update_fields=["status", "updated_at"])
    return case


def _locked(audit: Audit) -> Audit:
    # of: the audit's row only is locked; its tool, which the moderation rules and the grade
    # scale read, comes in the same query rather than one more while the lock is held.
    return Audit.objects.select_for_update(of=("self",)).select_related("tool").get(pk=audit.pk)


def _require_moderator(user, audit: Audit) -> None:
    require("moderation.moderate_audit", user, audit, error=ModerationError)


def _case(audit: Audit) -> ModerationCase:
    case = ModerationCase.objects.select_for_update().filter(audit=audit).first()
    if case is None or not case.selected:
        raise ModerationError(_("This audit is not in the moderation queue."))
    case.audit = audit  # the locked row: the change history names the case by its audit
    return case


def _check_revision(audit: Audit, expected_revision: int | None, page: str, moderator) -> None:
    try:
        check_revision(audit, expected=expected_revision, page=page, by=moderator)
    except RevisionConflict as conflict:
        who = saved_by(conflict.record, viewer=moderator)
        at = f"{timezone.localtime(conflict.at):%H:%M}" if conflict.at else "?"
        raise ModerationConflict(
            _(
                "This audit changed after you opened it (saved at %(time)s by %(who)s). "
                "Nothing you entered has been saved, and it is still in the form: check the "
                "audit's current state above, then save again."
            )
            % {"who": who, "time": at}
        ) from None


def _bump(audit: Audit, by, *fields: str, counted_before: Contribution | None = None) -> None:
    # The database still holds the audit as it was (``counted_before``, taken before anything
    # of the audit's was written, where the caller wrote its actions first): moderation
    # changes the audit's row, which bump_revision writes.
    if counted_before is None:
        counted_before = audit_contribution(audit)
    bump_revision(audit, by=by, fields=fields, locked=True)
    contribution_changed(audit, counted_before)


def _clear_draft(case: ModerationCase, *fields: str) -> None:
    case.draft, case.draft_saved_at = None, None
    case.save(update_fields=[*fields, "draft", "draft_saved_at"])


@transaction.atomic
def moderation_add_to_queue(*, audit: Audit, by) -> ModerationCase:
    """A QA lead asks for any audit past draft, not yet moderated (nor an exemplar, nor already
    in the queue), to be moderated."""
    audit = _locked(audit)
    require("moderation.add_to_queue", by, audit, error=ModerationError)
    case, _created = ModerationCase.objects.select_for_update().get_or_create(
        audit=audit,
        defaults={
            "sampled": False,
            "reason": SampleReason.NOT_SELECTED,
            "rate": audit.activity.moderation_rate if audit.activity else 100,
            "decided_at": timezone.now(),
        },
    )
    case.added_by, case.added_at = by, timezone.now()
    case.save(update_fields=["added_by", "added_at"])
    if audit.status == Status.COMPLETED:
        transition(audit, to=Status.SUBMITTED, by=by, comment=_("Added to the moderation queue."))
        _bump(audit, by, "status")
    return case


@transaction.atomic
def moderation_take(*, audit: Audit, moderator) -> Audit:
    """The moderator takes the audit from the queue; others see it is in their hands."""
    audit = _locked(audit)
    _require_moderator(moderator, audit)
    case = _case(audit)
    if audit.status == Status.IN_MODERATION:
        raise ModerationError(
            _("%(name)s is already moderating this audit.") % {"name": case.taken_by.get_username()}
        )
    transition(audit, to=Status.IN_MODERATION, by=moderator)
    case.taken_by, case.taken_at = moderator, timezone.now()
    _clear_draft(case, "taken_by", "taken_at")
    _bump(audit, moderator, "status")
    return audit


def _check_holder(
    audit: Audit,
    case: ModerationCase,
    moderator,
    expected_revision: int | None = None,
    page: str = "",
) -> None:
    """Refuse unless ``moderator`` holds the audit and their form is current; the most useful
    reason first: already moderated, then changed since the form was opened, then not held."""
    if audit.status == Status.COMPLETED:
        who = audit.moderated_by.get_username() if audit.moderated_by_id else _("someone else")
        raise ModerationError(
            _(
                "This audit has already been moderated by %(name)s. Nothing you entered has been "
                "saved."
            )
            % {"name": who}
        )
    _check_revision(audit, expected_revision, page, moderator)
    if audit.status != Status.IN_MODERATION or case.taken_by_id != moderator.pk:
        raise ModerationError(_("Take this audit from the queue before you moderate it."))


@transaction.atomic
def moderation_release(*, audit: Audit, moderator) -> Audit:
    """Put a taken audit back in the queue for someone else."""
    audit = _locked(audit)
    case = _case(audit)
    require("moderation.release_audit", moderator, audit, error=ModerationError)
    transition(audit, to=Status.SUBMITTED, by=moderator, comment=_("Released to the queue."))
    case.taken_by, case.taken_at = None, None
    _clear_draft(case, "taken_by", "taken_at")
    _bump(audit, moderator, "status")
    return audit


def _next_round(audit: Audit) -> int:
    return audit.moderations.count() + 1


@transaction.atomic
def moderation_record(
    *,
    audit: Audit,
    moderator,
    grade: str,
    rationale: str = "",
    feedback: str = "",
    domain_notes: dict[int, str] | None = None,
    actions: list[dict] | None = None,
    expected_revision: int | None = None,
    page: str = "",
) -> Moderation:
    """Agree with or adjust the overall grade; the audit is completed with the moderated grade.

    A rationale is required when the grade changes. Additional actions are added to the audit
    as the moderator's. Raises ModerationError when another moderator got there first.
    """
    audit = _locked(audit)
    _require_moderator(moderator, audit)
    case = _case(audit)
    _check_holder(audit, case, moderator, expected_revision, page)
    # Ranks on the audit's own tool's scale (position 1 is its best grade).
    new_rank = scales.rank(audit.tool, grade)
    if new_rank is None:
        raise ModerationError(_("Choose the moderated grade."), field="grade")
    old_rank = scales.rank(audit.tool, audit.overall_grade)
    if old_rank is None:
        raise ModerationError(
            _("The auditor gave no overall grade: send the audit back to them to give one.")
        )
    change = new_rank - old_rank
    if change and not rationale.strip():
        raise ModerationError(
            _("Explain why you changed the grade: a rationale is required."), field="rationale"
        )
    outcome = (
        Moderation.Outcome.AGREED
        if change == 0
        else Moderation.Outcome.RAISED
        if change > 0
        else Moderation.Outcome.LOWERED
    )
    moderation = Moderation.objects.create(
        audit=audit,
        round=_next_round(audit),
        moderator=moderator,
        outcome=outcome,
        auditor_grade=audit.overall_grade,
        moderated_grade=grade,
        rationale=rationale.strip(),
        feedback=feedback.strip(),
        created_at=timezone.now(),
    )
    notes = {number: note.strip() for number, note in (domain_notes or {}).items()}
    notes = {number: note for number, note in notes.items() if note}
    if notes:
        domains = {d.number: d for d in audit.tool.domains.all()}
        DomainNote.objects.bulk_create(
            DomainNote(moderation=moderation, domain=domains[number], note=note)
            for number, note in notes.items()
            if number in domains
        )
    counted_before = audit_contribution(audit)  # before its new actions are written
    for row in actions or ():
        if not (row.get("description") or "").strip():
            continue
        if audit.audit_date and row.get("due_date") and row["due_date"] < audit.audit_date:
            raise ModerationError(_("An action cannot be due before the audit date."))
        AgreedAction.objects.create(
            audit=audit,
            description=row["description"].strip(),
            owner=(row.get("owner") or "").strip(),
            due_date=row.get("due_date"),
            source=AgreedAction.Source.MODERATOR,
        )
    transition(audit, to=Status.COMPLETED, by=moderator, comment=moderation.get_outcome_display())
    audit.moderated_grade, audit.moderated_by = grade, moderator
    _clear_draft(case)
    _bump(
        audit,
        moderator,
        "status",
        "moderated_grade",
        "moderated_by",
        counted_before=counted_before,
    )
    enqueue_on_commit(tasks.email_moderation_outcome, moderation_id=moderation.pk)
    return moderation


@transaction.atomic
def moderation_send_back(
    *,
    audit: Audit,
    moderator,
    comments: str,
    expected_revision: int | None = None,
    page: str = "",
) -> Moderation:
    """Return the audit to its auditor to amend; moderation resumes when they resubmit."""
    audit = _locked(audit)
    _require_moderator(moderator, audit)
    case = _case(audit)
    _check_holder(audit, case, moderator, expected_revision, page)
    if not comments.strip():
        raise ModerationError(
            _("Say what the auditor should change before sending it back."), field="feedback"
        )
    moderation = Moderation.objects.create(
        audit=audit,
        round=_next_round(audit),
        moderator=moderator,
        outcome=Moderation.Outcome.RETURNED,
        auditor_grade=audit.overall_grade,
        feedback=comments.strip(),
        created_at=timezone.now(),
    )
    transition(audit, to=Status.RETURNED, by=moderator, comment=comments.strip())
    case.taken_by, case.taken_at = None, None
    _clear_draft(case, "taken_by", "taken_at")
    _bump(audit, moderator, "status")
    enqueue_on_commit(tasks.email_moderation_sent_back, moderation_id=moderation.pk)
    return moderation


@transaction.atomic
def moderation_save_draft(
    *, audit: Audit, moderator, draft: dict, expected_revision: int | None = None, page: str = ""
) -> Audit:
    """Keep what the moderator holding the audit has typed so far (autosave): no decision is
    made and no rule of one is run. Refused, with nothing written, if the audit changed since
    their page opened it (another tab included)."""
    audit = _locked(audit)
    _require_moderator(moderator, audit)
    case = _case(audit)
    _check_holder(audit, case, moderator, expected_revision, page)
    case.draft, case.draft_saved_at = draft, timezone.now()
    case.save(update_fields=["draft", "draft_saved_at"])
    bump_revision(audit, by=moderator, page=page, locked=True)
    return audit


@transaction.atomic
def feedback_acknowledge(*, moderation: Moderation, by) -> Moderation:
    """The auditor confirms they have read the moderator's feedback."""
    moderation = (
        Moderation.objects.select_for_update().select_related("audit").get(pk=moderation.pk)
    )
    require("moderation.acknowledge_feedback", by, moderation, error=ModerationError)
    if moderation.acknowledged_at is None:
        moderation.acknowledged_at = timezone.now()
        moderation.save(update_fields=["acknowledged_at"])
    return moderation


@transaction.atomic
def exemplar_mark(*, audit: Audit, by, note: str = "") -> Exemplar:
    """Hold a moderated audit up as good practice for every auditor to read. A moderator other
    than its auditor marks it (moderation.mark_exemplar); marking it again changes nothing."""
    audit = _locked(audit)
    require("moderation.mark_exemplar", by, audit, error=ModerationError)
    exemplar, _created = Exemplar.objects.get_or_create(
        audit=audit, defaults={"marked_by": by, "marked_at": timezone.now(), "note": note.strip()}
    )
    return exemplar


@transaction.atomic
def exemplar_unmark(*, audit: Audit, by) -> None:
    require("moderation.unmark_exemplar", by, audit, error=ModerationError)
    Exemplar.objects.filter(audit=audit).delete()
