"""The one table of audit state changes, and the helpers every writer uses to make one:
``transition()`` for one locked audit, ``transitions_bulk()`` for a bulk path (the CSV import)."""

from collections.abc import Iterable
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import bulk
from .errors import DomainError
from .models import Audit, AuditTransition, Status


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


def check_move(current: str, to: str) -> None:
    """Raise AuditError unless the table allows moving an audit from ``current`` to ``to``."""
    if (current, to) not in TRANSITIONS:
        raise AuditError(
            _("This audit is %(current)s and cannot be moved to %(target)s.")
            % {"current": _label(current), "target": _label(to)}
        )


def _label(status: str) -> str:
    return Status(status).label.lower() if status in Status.values else repr(status)


def transition(audit, *, to: str, by, comment: str = "", at=None) -> AuditTransition:
    """Move ``audit`` (already locked by the caller) to ``to`` and record it.

    Raises AuditError when the table does not allow the move from the audit's current status.
    """
    check_move(audit.status, to)
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


class Move(NamedTuple):
    """One status change on a bulk path: ``audit`` (saved, with the status its last move
    reaches) went from ``from_status`` to ``to``."""

    audit: Audit
    from_status: str
    to: str
    comment: str = ""


_TRANSITION_FIELDS = ("audit", "from_status", "to_status", "by", "at", "comment")


def transitions_bulk(moves: Iterable[Move], *, by, at=None) -> int:
    """Record many audits' moves at once, for a bulk path that writes its audits in batches
    rather than locking and moving them one by one (the CSV import, inside its transaction).

    Every move is checked against TRANSITIONS as ``transition()`` checks it; an audit's moves
    (in the order given) must each start where the one before ended and the last must reach
    the status the audit was written with, so its history always says how it got there. If any
    move is refused, AuditError is raised and nothing is written. The rows go in as plain rows
    (``audits.bulk``), a statement per batch whatever the number of audits. Returns how many.
    """
    moves = list(moves)
    last: dict[int, Move] = {}
    for move in moves:
        check_move(move.from_status, move.to)
        previous = last.get(move.audit.pk)
        if previous is not None and previous.to != move.from_status:
            raise AuditError(
                _("Audit %(pk)s: a move does not start where its previous move ended.")
                % {"pk": move.audit.pk}
            )
        last[move.audit.pk] = move
    for move in last.values():
        if move.to != move.audit.status:
            raise AuditError(
                _("Audit %(pk)s: its moves end in %(to)s, but the audit is %(status)s.")
                % {
                    "pk": move.audit.pk,
                    "to": _label(move.to),
                    "status": _label(move.audit.status),
                }
            )
    at = connection.ops.adapt_datetimefield_value(at or timezone.now())
    by_id = by.pk if by is not None else None
    with transaction.atomic():
        bulk.insert_rows(
            AuditTransition,
            _TRANSITION_FIELDS,
            ((m.audit.pk, m.from_status, m.to, by_id, at, m.comment) for m in moves),
        )
    return len(moves)
