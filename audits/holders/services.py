"""Every write for case holders in the loop: telling them of a submitted audit, and their
response to it. Keyword-only arguments; HolderError with a message a user can read."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..background import enqueue_on_commit
from ..errors import DomainError
from ..models import ActionConfirmation, Audit, CaseHolderResponse
from ..permissions import require
from ..revisions import bump_revision, check_revision
from . import selectors, tasks

RESPONSE_MAX_LENGTH = 5000
NOTE_MAX_LENGTH = 1000


class HolderError(DomainError):
    """A case holder's request the rules refuse; the message is written for them."""


def answer_field(action_pk: int) -> str:
    """The form field that holds the answer to the action ``action_pk`` (its note:
    ``answer_field(pk) + "_note"``), so a refusal is shown beside it."""
    return f"action_{action_pk}"


def holders_tell_of_submission(*, audit: Audit) -> None:
    """Queue, for when the submission of ``audit`` commits, an email to its case holder and
    their team manager (audits.holders.selectors.people_to_tell), each who has an address.
    Called by ``audits.services.audit_submit`` inside its transaction: nothing is sent if the
    submission rolls back, and nothing is sent inside the request. Who they are is read once
    it has committed too, so the submit's write lock is not held while the case, its holder
    and its team are read; a failure then is logged, not raised (the submission is saved)."""
    transaction.on_commit(lambda: _tell_of_submission(audit), robust=True)


def _tell_of_submission(audit: Audit) -> None:
    holder = None
    for person in selectors.people_to_tell(audit):
        holder = holder or person
        if selectors.email_of(person):
            enqueue_on_commit(
                tasks.email_audit_submitted,
                audit_id=audit.pk,
                person_id=person.pk,
                as_manager=person is not holder,
            )


@transaction.atomic
def holder_response_save(
    *,
    audit: Audit,
    by,
    text: str,
    answers: dict[int, tuple[str, str]],
    expected_revision: int | None = None,
    page: str = "",
) -> CaseHolderResponse:
    """Save the case holder's response to ``audit``: ``text``, and for every agreed action of
    the audit an answer (``answers``: action id -> (ActionConfirmation.Answer, note)); a note
    is required where they do not agree.

    The first save makes the response; a later one changes it. ``expected_revision`` is the
    response's revision the page was opened at (0: the page showed no response yet) and
    ``page`` its token: if the response was saved since from another page, nothing is written
    and RevisionConflict says who saved it and when. The change history keeps every version.
    """
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    require("audits.respond_to_audit", by, audit, error=HolderError)
    text = (text or "").strip()
    if not text:
        raise HolderError(_("Enter your response to the audit."), field="text")
    if len(text) > RESPONSE_MAX_LENGTH:
        raise HolderError(
            _("Your response must be %(n)s characters or fewer.") % {"n": RESPONSE_MAX_LENGTH},
            field="text",
        )
    actions = list(audit.actions.order_by("pk"))
    cleaned = {}
    for action in actions:
        answer, note = answers.get(action.pk, ("", ""))
        note = (note or "").strip()
        if answer not in ActionConfirmation.Answer.values:
            raise HolderError(
                _("Say whether you agree with the action “%(action)s”.")
                % {"action": action.description[:60]},
                field=answer_field(action.pk),
            )
        if answer == ActionConfirmation.Answer.NOT_AGREED and not note:
            raise HolderError(
                _("Say why you do not agree with the action “%(action)s”.")
                % {"action": action.description[:60]},
                field=answer_field(action.pk) + "_note",
            )
        if len(note) > NOTE_MAX_LENGTH:
            raise HolderError(
                _("A note must be %(n)s characters or fewer.") % {"n": NOTE_MAX_LENGTH},
                field=answer_field(action.pk) + "_note",
            )
        cleaned[action.pk] = (answer, note)

    response = CaseHolderResponse.objects.select_for_update().filter(audit=audit).first()
    if response is None:
        response = CaseHolderResponse.objects.create(
            audit=audit,
            text=text,
            responded_by=by,
            revised_by=by,
            revised_at=timezone.now(),
            revised_page=page,
        )
    else:
        # A page opened before any response was saved carries 0: any response now is newer.
        check_revision(response, expected=expected_revision, page=page, by=by)
        response.text, response.responded_by = text, by
        bump_revision(response, by=by, page=page, fields=["text", "responded_by"])

    existing = {c.action_id: c for c in response.confirmations.all()}
    for action_pk, (answer, note) in cleaned.items():
        confirmation = existing.get(action_pk)
        if confirmation is None:
            ActionConfirmation.objects.create(
                response=response, action_id=action_pk, answer=answer, note=note
            )
        elif (confirmation.answer, confirmation.note) != (answer, note):
            # One save each, not a bulk update: the change history keeps every answer.
            confirmation.answer, confirmation.note = answer, note
            confirmation.save(update_fields=["answer", "note"])
    return response
