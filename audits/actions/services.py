"""Every change of an agreed action's state. Each locks the action row, checks the move against
ACTION_MOVES and writes an ActionEvent, so the history of an action is never lost.

An action is closed (done, or no longer needed) by its owner (see action_selectors) or a
manager; only a manager reopens one. Its owner is changed by a manager or by the auditor who
agreed it (``action_assign``). The owner is emailed, after the change commits, when someone
else makes it (audits.actions.notifications). Who may is audits.permissions': the rules
``audits.close_action``, ``audits.reopen_action`` and ``audits.assign_action``.

The daily reminders are written here too: ``action_reminders_queue`` (the daily command) queues
one task per address, and the task's ``action_reminder_send`` records one ActionReminder row
per action per day as it sends, so no action is reminded twice in a day.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audits.actions import notifications, tasks
from audits.actions.selectors import due_for_reminder, owner_of
from audits.background import enqueue_on_commit
from audits.figures import action_changed, action_contribution
from audits.models import ActionEvent, ActionReminder, AgreedAction, Audit
from audits.permissions import require
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
    """The action, locked, with its audit. The audit's row is locked first, as the services
    that change an audit lock it before its actions: a moderation or submit counts all the
    audit's actions into the kept figures before and after its change (audits.figures), so
    an action's move must not land between the two (it would be counted twice), and the same
    order keeps the two from waiting on each other."""
    Audit.objects.select_for_update().filter(pk=action.audit_id).values_list("pk").first()
    # of=("self",): lock the action only; the audit joined in to read its status and date.
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
    require("audits.close_action", by, action, error=ActionError)


def _move(action: AgreedAction, *, to: str, by, note: str, completed_on=None) -> ActionEvent:
    event = ActionEvent.objects.create(
        action=action, from_state=action.state, to_state=to, by=by, at=timezone.now(), note=note
    )
    counted_before = action_contribution(action)
    action.state = to
    action.completed_on = completed_on
    action.state_note = note if to != State.OPEN else ""
    action.save(update_fields=["state", "completed_on", "state_note"])
    action_changed(action, counted_before)  # the report's kept action counts
    enqueue_on_commit(tasks.email_action_moved, event_id=event.pk, owner_id=owner_of(action).pk)
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
    require("audits.reopen_action", by, action, error=ActionError)
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
    require("audits.assign_action", by, action, error=ActionError)
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
    event = ActionEvent.objects.create(
        action=action,
        from_state=action.state,
        to_state=action.state,
        by=by,
        at=timezone.now(),
        note=_("Owner changed to %(name)s.") % {"name": name},
    )
    action.assignee = assignee
    action.save(update_fields=["assignee"])
    enqueue_on_commit(tasks.email_action_assigned, event_id=event.pk, owner_id=owner.pk)
    return action


@dataclass(frozen=True)
class ReminderRun:
    """What one day's run of the reminders queued."""

    queued: int  # emails queued, one per address
    covered: int  # actions listed in them
    skipped: dict[str, int]  # owner's username -> actions not sent: no email address, or inactive


def action_reminders_queue(*, today: datetime.date) -> ReminderRun:
    """Queue one reminder email (a task, sent by the worker) for each address that owns open
    actions overdue or due within REMINDER_DAYS of ``today`` and has not been reminded that
    day. Nothing is recorded here: the task records each reminder as it sends it, so a run
    the same day after a reminder failed for good queues it again, and a run after it was
    sent queues nothing for that address.

    "Once a day at most" is per action and per address: two accounts sharing an address get
    one email, and someone already emailed today (about an action that became due after the
    first run, say) hears about the rest tomorrow.
    """
    by_recipient = defaultdict(list)
    skipped = defaultdict(int)
    for action in due_for_reminder(today):
        if not action.owner_email or not action.owner_active:
            skipped[action.owner_username] += 1
            continue
        by_recipient[action.owner_email].append(action)

    already = _reminded(today, by_recipient)
    queued = covered = 0
    for email, actions in by_recipient.items():
        if email in already:
            continue
        tasks.email_action_reminder.enqueue(recipient=email, today=today.isoformat())
        queued += 1
        covered += len(actions)
    return ReminderRun(queued=queued, covered=covered, skipped=dict(skipped))


def _reminded(today: datetime.date, recipients) -> set[str]:
    """The addresses among ``recipients`` already reminded on ``today`` or a later day (a
    late retry of an earlier day's reminder gives way to the later day's run)."""
    return set(
        ActionReminder.objects.filter(sent_on__gte=today, recipient__in=list(recipients))
        .values_list("recipient", flat=True)
        .distinct()
    )


def action_reminder_send(*, recipient: str, today: datetime.date) -> int:
    """Send ``recipient`` one email listing their open actions overdue or due within
    REMINDER_DAYS of ``today`` that are not reminded that day yet, unless they have had
    that day's email; return how many actions it listed (0: nothing sent).

    Run by the reminder task. Raises MailNotSent when the mail server does not take the
    email: nothing is then recorded, and the task is tried again later.
    """
    if _reminded(today, [recipient]):
        return 0
    actions = list(due_for_reminder(today).filter(owner_email=recipient, owner_active=True))
    return len(_remind(recipient, actions, today))


def _remind(email: str, actions: list[AgreedAction], today: datetime.date) -> list:
    """Record today's reminder for each action, then send one email listing those recorded.

    Why this cannot send twice, even with two tasks at once: each reminder row is inserted
    before the email goes, and the unique (action, sent_on) constraint lets only one task
    insert it. A second task's insert waits for the first task's transaction and then fails,
    so that action is left out of the second task's email (and with no action left, no
    email is sent). Both take actions in the same order (due date, pk), so they cannot
    deadlock. The email is sent inside the transaction, not on commit: if sending fails the
    rows are rolled back and a retry sends it; only a failure to commit after a successful
    send could repeat an email, which is the lesser harm than a reminder silently lost.
    """
    claimed = []
    with transaction.atomic():
        for action in actions:
            try:
                with transaction.atomic():  # a savepoint, so one clash keeps the others
                    ActionReminder.objects.create(action=action, sent_on=today, recipient=email)
            except IntegrityError:
                continue
            claimed.append(action)
        if claimed:
            notifications.action_reminder_send(
                recipient=email, action_ids=[a.pk for a in claimed], today=today
            )
    return claimed
