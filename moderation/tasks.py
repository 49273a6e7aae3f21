"""The emails to an auditor about the moderation of their audit, as tasks (audits.background):
queued once the moderation has committed, run by the worker, tried again later when the mail
server fails."""

from audits.background import retried_task

from . import notifications


@retried_task
def email_moderation_outcome(*, moderation_id: int) -> None:
    """Tell the auditor the outcome of the moderation ``moderation_id`` and its feedback."""
    notifications.moderation_recorded(moderation_id=moderation_id)


@retried_task
def email_moderation_sent_back(*, moderation_id: int) -> None:
    """Tell the auditor their audit was sent back, and what to change."""
    notifications.moderation_sent_back(moderation_id=moderation_id)
