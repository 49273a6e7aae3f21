"""The agreed actions' emails, as tasks (audits.background): queued once the change has
committed, run by the worker, tried again later when the mail server fails."""

import datetime

from audits.actions import notifications, services
from audits.background import retried_task


@retried_task
def email_action_moved(*, event_id: int, owner_id: int) -> None:
    """Tell the owner that someone else closed or reopened their action (the ActionEvent
    ``event_id``)."""
    notifications.action_moved(event_id=event_id, owner_id=owner_id)


@retried_task
def email_action_assigned(*, event_id: int, owner_id: int) -> None:
    """Tell ``owner_id`` that an action is now theirs."""
    notifications.action_assigned(event_id=event_id, owner_id=owner_id)


@retried_task
def email_action_reminder(*, recipient: str, today: str) -> None:
    """Send ``recipient`` their reminder of the day ``today`` (YYYY-MM-DD), unless it has been
    sent already; see audits.actions.services.action_reminder_send."""
    services.action_reminder_send(recipient=recipient, today=datetime.date.fromisoformat(today))
