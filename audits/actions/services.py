"""Every change of an agreed action's state. Each locks the action row, checks the move against
ACTION_MOVES and writes an ActionEvent, so the history of an action is never lost.

An action is closed (done, or no longer needed) by its owner (see action_selectors) or a
manager; only a manager reopens one. Its owner is changed by a manager or by the auditor who
agreed it (``action_assign``).
"""

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audits.actions.selectors import is_manager, is_owner, may_assign
from audits.models import ActionEvent, AgreedAction, Status
from audits.roles import display_name
from audits.workflow import AuditError

State = AgreedAction.State

# (from, to): the only moves an action may make.
ACTION_MOVES = frozenset(
    {
        (State.OPEN, State.DONE),
        (State.OPEN, State.NOT_NEEDED),
        (State.DONE, State.OPEN),
        (State.NOT_NEEDED, State.OPEN),
    }
)


class ActionError(AuditError):
    """A change of an action the rules refuse. ``field`` names the form field it concerns."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


def _locked(action: AgreedAction) -> AgreedAction:
    # of=("self",): lock the action only, not the audit joined in to read its status and date.
    return (
        AgreedAction.objects.select_for_update(of=("self",))
        .select_related("audit")
        .get(pk=action.pk)
    )


def _check_move(action: AgreedAction, to: str) -> None:
    if (action.state, to) in ACTION_MOVES:
        return
    if action.state == to:
        raise ActionError(
            _("This action is already marked %(state)s.") % {"state": State(to).label.lower()}
        )
    raise ActionError(
        _(
            "This action is marked %(current)s, so it cannot be marked %(target)s. "
            "A manager must reopen it first."
        )
        % {"current": action.get_state_display().lower(), "target": State(to).label.lower()}
    )


def _check_may_close(action: AgreedAction, by) -> None:
    if not (is_owner(by, action) or is_manager(by)):
        raise ActionError(
            _("Only the action's owner or a QA lead, moderator or administrator can close it.")
        )
    if action.audit.status == Status.DRAFT:
        raise ActionError(_("The audit is still a draft: its actions are not agreed yet."))


def _move(action: AgreedAction, *, to: str, by, note: str, completed_on=None) -> ActionEvent:
    event = ActionEvent.objects.create(
        action=action, from_state=action.state, to_state=to, by=by, at=timezone.now(), note=note
    )
    action.state = to
    action.completed_on = completed_on
    action.state_note = note if to != State.OPEN else ""
    action.save(update_fields=["state", "completed_on", "state_note"])
    _tell_owner_of_move(action, by, to, note)
    return event


@transaction.atomic
def action_mark_done(
    *, action: AgreedAction, by, note: str, completed_on: datetime.date | None = None
) -> AgreedAction:
    """Mark an open action done, with a note of what was done.

    ``completed_on`` defaults to today; it cannot be in the future nor before the audit date.
    """
    action = _locked(action)
    _check_may_close(action, by)
    _check_move(action, State.DONE)
    note = (note or "").strip()
    if not note:
        raise ActionError(_("Say what was done."), field="note")
    today = timezone.localdate()
    completed_on = completed_on or today
    if completed_on > today:
        raise ActionError(_("The date it was done cannot be in the future."), field="completed_on")
    audit_date = action.audit.audit_date
    if audit_date and completed_on < audit_date:
        raise ActionError(
            _("The date it was done cannot be before the audit date (%(date)s).")
            % {"date": date_format(audit_date, "j F Y")},
            field="completed_on",
        )
    _move(action, to=State.DONE, by=by, note=note, completed_on=completed_on)
    return action


@transaction.atomic
def action_mark_not_needed(*, action: AgreedAction, by, reason: str) -> AgreedAction:
    """Close an open action that no longer needs doing, saying why."""
    action = _locked(action)
    _check_may_close(action, by)
    _check_move(action, State.NOT_NEEDED)
    reason = (reason or "").strip()
    if not reason:
        raise ActionError(_("Say why the action is no longer needed."), field="reason")
    _move(action, to=State.NOT_NEEDED, by=by, note=reason)
    return action


@transaction.atomic
def action_reopen(*, action: AgreedAction, by, note: str) -> AgreedAction:
    """A manager reopens a closed action (done or no longer needed), saying why.

    The earlier note and date stay in the history; the action itself is open again.
    """
    action = _locked(action)
    if not is_manager(by):
        raise ActionError(_("Only a QA lead, moderator or administrator can reopen an action."))
    _check_move(action, State.OPEN)
    note = (note or "").strip()
    if not note:
        raise ActionError(_("Say why the action is reopened."), field="note")
    _move(action, to=State.OPEN, by=by, note=note)
    return action


@transaction.atomic
def action_assign(*, action: AgreedAction, by, assignee) -> AgreedAction:
    """Make ``assignee`` (a user account, or None for the auditor who agreed it) the owner of
    an open action: the one who answers for it, may close it and gets its reminders.

    The change is written to the action's history, and the new owner is told by email.
    """
    action = _locked(action)
    if not may_assign(by, action):
        raise ActionError(
            _(
                "Only the auditor who agreed the action or a QA lead, moderator or "
                "administrator can change who owns it."
            )
        )
    if action.audit.status == Status.DRAFT:
        raise ActionError(_("The audit is still a draft: its actions are not agreed yet."))
    if action.state != State.OPEN:
        raise ActionError(_("Only an open action can be given to someone else."))
    if assignee is not None and not assignee.is_active:
        raise ActionError(_("That account is switched off: choose someone else."), field="assignee")
    if assignee is not None and assignee.pk == action.audit.auditor_id:
        assignee = None  # the auditor owns it anyway; keep the default, not a copy of it
    if assignee == action.assignee:
        raise ActionError(_("The action already has that owner."), field="assignee")
    owner = assignee or action.audit.auditor
    name = display_name(owner)
    ActionEvent.objects.create(
        action=action,
        from_state=action.state,
        to_state=action.state,
        by=by,
        at=timezone.now(),
        note=_("Owner changed to %(name)s.") % {"name": name},
    )
    action.assignee = assignee
    action.save(update_fields=["assignee"])
    if owner.pk != by.pk:
        _tell_new_owner(action, owner)
    return action


def _owner(action: AgreedAction):
    return action.assignee or action.audit.auditor


def _tell(owner, action: AgreedAction, subject: str, opening: str) -> None:
    """Email ``owner`` about their action after this transaction commits (if it does)."""
    if not owner.email:
        return
    reference = action.audit.case_reference or _("(no reference)")
    link = settings.SITE_URL.rstrip("/") + reverse("audits:action_detail", args=[action.pk])
    due = date_format(action.due_date, "j F Y") if action.due_date else _("no date set")
    body = _("%(opening)s\n\nCase %(ref)s: %(text)s\nBy: %(due)s\n\nOpen it: %(link)s\n") % {
        "opening": opening,
        "ref": reference,
        "text": action.description.strip(),
        "due": due,
        "link": link,
    }
    subject = f"{subject} (case {reference})"
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [owner.email])
    )


def _tell_new_owner(action: AgreedAction, owner) -> None:
    _tell(
        owner,
        action,
        _("An agreed action is now yours"),
        _("An agreed action from a case file audit is now yours to answer for."),
    )


def _tell_owner_of_move(action: AgreedAction, by, to: str, note: str) -> None:
    """A manager closed or reopened someone else's action: its owner hears it from us."""
    owner = _owner(action)
    if owner.pk == by.pk:
        return
    name = display_name(by)
    opening = {
        State.DONE: _("%(name)s marked your action done: %(note)s"),
        State.NOT_NEEDED: _("%(name)s marked your action no longer needed: %(note)s"),
        State.OPEN: _("%(name)s reopened your action: %(note)s"),
    }[to] % {"name": name, "note": note}
    _tell(
        owner,
        action,
        _("Your agreed action was %(state)s")
        % {
            "state": {
                State.DONE: _("marked done"),
                State.NOT_NEEDED: _("closed"),
                State.OPEN: _("reopened"),
            }[to]
        },
        opening,
    )
