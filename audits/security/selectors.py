"""The security log and the change history read as one log, oldest first, for the log page,
its CSV export and ``manage.py security_log``.

Each event is a dict with the keys of the SIEM contract: ``at`` (ISO 8601), ``actor`` (the
username, "" for the system), ``event``, ``object``, ``case_reference``, ``address``, ``path``
and ``changes`` ({field: [old, new]}; a many-to-many change is {field: {"type": "m2m", ...}}).
"""

import datetime
import heapq
from collections.abc import Iterator
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.db.models import Q
from django.utils import timezone

from ..models import Audit, SecurityEvent
from .history import ACTIONS

FIELDS = ("at", "actor", "event", "object", "case_reference", "address", "path", "changes")


@dataclass(frozen=True)
class LogQuery:
    since: datetime.date | None = None
    until: datetime.date | None = None  # inclusive: the whole day
    user: str = ""
    case_reference: str = ""


def _bounds(query: LogQuery, field: str) -> Q:
    condition = Q()
    zone = timezone.get_current_timezone()
    if query.since:
        start = datetime.datetime.combine(query.since, datetime.time.min, tzinfo=zone)
        condition &= Q(**{f"{field}__gte": start})
    if query.until:
        end = datetime.datetime.combine(
            query.until + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
        )
        condition &= Q(**{f"{field}__lt": end})
    return condition


def security_events(query: LogQuery):
    events = SecurityEvent.objects.filter(_bounds(query, "at"))
    if query.user:
        events = events.filter(username=query.user)
    if query.case_reference:
        events = events.filter(case_reference=query.case_reference)
    return events.order_by("at", "pk")


def change_entries(query: LogQuery):
    entries = LogEntry.objects.filter(_bounds(query, "timestamp"))
    if query.user:
        entries = entries.filter(actor__username=query.user)
    if query.case_reference:
        # Entries written before the case reference was typed (a new draft's) are found through
        # the audit they belong to.
        audits = list(
            Audit.objects.filter(case_reference=query.case_reference).values_list("pk", flat=True)
        )
        entries = entries.filter(
            Q(additional_data__case_reference=query.case_reference)
            | Q(additional_data__audit__in=audits)
        )
    return entries.select_related("actor", "content_type").order_by("timestamp", "pk")


def _from_security_event(event: SecurityEvent) -> dict:
    return {
        "at": event.at,
        "actor": event.username,
        "event": event.event,
        "object": event.object,
        "case_reference": event.case_reference,
        "address": event.address or "",
        "path": event.path,
        "changes": event.changes or {},
    }


class _CaseReferences(dict):
    """Audit pk -> its case reference now, each looked up once."""

    def __missing__(self, pk):
        self[pk] = Audit.objects.filter(pk=pk).values_list("case_reference", flat=True).first()
        return self[pk] or ""


def _from_change(entry: LogEntry, references: _CaseReferences) -> dict:
    kind = entry.content_type.model
    data = entry.additional_data or {}
    case_reference = data.get("case_reference") or ""
    if not case_reference and data.get("audit"):
        case_reference = references[data["audit"]]
    return {
        "at": entry.timestamp,
        "actor": entry.actor.get_username() if entry.actor else "",
        "event": f"{ACTIONS.get(entry.action, 'changed')}_{kind}",
        "object": f"{kind} {entry.object_pk}: {entry.object_repr}"[:300],
        "case_reference": case_reference,
        "address": entry.remote_addr or "",
        "path": "",
        "changes": entry.changes or {},
    }


def log_events(query: LogQuery) -> Iterator[dict]:
    """Every event the query selects, oldest first, streamed (two ordered queries merged)."""
    references = _CaseReferences()
    yield from heapq.merge(
        (_from_security_event(e) for e in security_events(query).iterator(chunk_size=2000)),
        (_from_change(e, references) for e in change_entries(query).iterator(chunk_size=2000)),
        key=lambda event: event["at"],
    )


def count_events(query: LogQuery) -> int:
    return security_events(query).count() + change_entries(query).count()


def latest_events(query: LogQuery, limit: int) -> list[dict]:
    """The newest ``limit`` events, newest first (for the page)."""
    references = _CaseReferences()
    newest = [
        *(_from_security_event(e) for e in security_events(query).reverse()[:limit]),
        *(_from_change(e, references) for e in change_entries(query).reverse()[:limit]),
    ]
    return sorted(newest, key=lambda event: event["at"], reverse=True)[:limit]


def as_json_ready(event: dict) -> dict:
    """The event with its time as ISO 8601 text, in the contract's key order."""
    ready = {key: event[key] for key in FIELDS}
    ready["at"] = event["at"].isoformat()
    return ready
