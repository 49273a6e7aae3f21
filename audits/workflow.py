"""The one table of audit state changes, and the helper every service uses to make one."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import DomainError
from .models import AuditTransition, Status


class AuditError(DomainError):
    """A request the audit rules refuse; the message is written for the user."""


# (from, to) -> what the move is called. Every status change in the project is listed here.
TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.DRAFT, Status.SUBMITTED): gettext_lazy("submit"),
    (Status.RETURNED, Status.SUBMITTED): gettext_lazy("resubmit"),
    (Status.SUBMITTED, Status.COMPLETED): gettext_lazy("complete without moderation"),
    (Status.SUBMITTED, Status.IN_MODERATION): gettext_lazy("take for moderation"),
    (Status.IN_MODERATION, Status.SUBMITTED): gettext_lazy("release to the queue"),
    (Status.IN_MODERATION, Status.COMPLETED): gettext_lazy("record moderation"),
    (Status.IN_MODERATION, Status.RETURNED): gettext_lazy("send back to the auditor"),
    (Status.COMPLETED, Status.SUBMITTED): gettext_lazy("add to the moderation queue"),
}


def transition(audit, *, to: str, by, comment: str = "", at=None) -> AuditTransition:
    """Move ``audit`` (already locked by the caller) to ``to`` and record it.

    Raises AuditError when the table does not allow the move from the audit's current status.
    """
    if (audit.status, to) not in TRANSITIONS:
        raise AuditError(
            _("This audit is %(current)s and cannot be moved to %(target)s.")
            % {"current": audit.get_status_display().lower(), "target": Status(to).label.lower()}
        )
    record = AuditTransition.objects.create(
        audit=audit,
        from_status=audit.status,
        to_status=to,
        by=by,
        at=at or timezone.now(),
        comment=comment,
    )
    audit.status = to
    return record
