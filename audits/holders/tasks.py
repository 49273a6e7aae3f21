"""The case holders' emails, as tasks (audits.background): queued once the submission has
committed, run by the worker, tried again later when the mail server fails."""

from ..background import retried_task
from . import notifications


@retried_task
def email_audit_submitted(*, audit_id: int, person_id: int, as_manager: bool) -> None:
    """Tell the case holder (or, ``as_manager``, their team manager) ``person_id`` that the
    audit ``audit_id`` of their case was submitted."""
    notifications.audit_submitted(audit_id=audit_id, person_id=person_id, as_manager=as_manager)
