"""An audit's record for QA leads and administrators: each change (django-auditlog's entries for
the audit and the records about it) field by field, and who has opened it (the security log).
"""

import difflib
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.db.models import Count, Max, Q
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from .. import roles
from ..models import Audit, SecurityEvent
from .events import describe

# Text longer than this is shown as a word diff rather than as two whole values.
LONG_TEXT = 80
# Fields that tie a record to its parent or number it: what the record is, not a change in it.
STRUCTURAL = {"id", "audit", "moderation", "tool", "domain"}


@dataclass(frozen=True)
class FieldChange:
    at: object
    actor: str
    address: str
    action: str  # created, changed, deleted
    record: str  # which record: the audit, "Domain 3 …", an action …
    field: str
    old: str
    new: str
    diff: SafeString | None  # a word diff of long text, else None


ACTIONS = {
    LogEntry.Action.CREATE: "created",
    LogEntry.Action.UPDATE: "changed",
    LogEntry.Action.DELETE: "deleted",
    LogEntry.Action.ACCESS: "opened",
}


def audit_entries(audit: Audit):
    """The change history entries of the audit and of every record about it, oldest first."""
    return (
        LogEntry.objects.filter(
            Q(
                content_type__app_label="audits",
                content_type__model="audit",
                object_pk=str(audit.pk),
            )
            | Q(additional_data__audit=audit.pk)
        )
        .select_related("actor", "content_type")
        .order_by("timestamp", "pk")
    )


def _field(model, name: str):
    try:
        field = model._meta.get_field(name)
    except Exception:  # a field since removed from the model
        return None
    return field if getattr(field, "concrete", False) else None


class _Names:
    """The names of related records the entries point at: one query per kind of record."""

    def __init__(self, entries):
        wanted: dict = {}
        for entry in entries:
            model = entry.content_type.model_class()
            for name, values in (entry.changes or {}).items():
                if name in STRUCTURAL:
                    continue
                field = _field(model, name) if model else None
                if field is not None and field.is_relation and isinstance(values, list):
                    wanted.setdefault(field.related_model, set()).update(
                        v for v in values if v not in (None, "")
                    )
        self.names = {}
        for related, pks in wanted.items():
            for obj in related.objects.filter(pk__in=pks):
                name = roles.display_name(obj) if hasattr(obj, "get_username") else str(obj)
                self.names[(related, str(obj.pk))] = name

    def display(self, model, name: str, value) -> str:
        """A stored value as a reader knows it: a choice's label, a related record's name."""
        if value is None or value == "":
            return ""
        if isinstance(value, dict) and value.get("type") == "m2m":
            verb = {"add": "added", "delete": "removed"}.get(value.get("operation"), "set")
            return f"{verb}: " + ", ".join(str(o) for o in value.get("objects", []))
        field = _field(model, name)
        if field is None:
            return str(value)
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if field.is_relation:
            return self.names.get((field.related_model, str(value)), str(value))
        return str(value)


def word_diff(old: str, new: str) -> SafeString:
    """The new text with removed words struck through and added words marked."""
    before, after = old.split(), new.split()
    parts = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(format_html("{}", " ".join(before[i1:i2])))
            continue
        if i2 > i1:
            parts.append(format_html("<del>{}</del>", " ".join(before[i1:i2])))
        if j2 > j1:
            parts.append(format_html("<ins>{}</ins>", " ".join(after[j1:j2])))
    return format_html_join(" ", "{}", ((part,) for part in parts))


def field_changes(entries) -> list[FieldChange]:
    entries = list(entries)
    names = _Names(entries)
    rows = []
    for entry in entries:
        model = entry.content_type.model_class() or Audit
        actor = roles.display_name(entry.actor) if entry.actor else "—"
        for name, values in sorted((entry.changes or {}).items()):
            if name in STRUCTURAL:
                continue
            if isinstance(values, dict):  # a many-to-many change: one description
                old, new = "", names.display(model, name, values)
            else:
                old, new = (names.display(model, name, v) for v in values)
            if old == new:
                continue
            field = _field(model, name)
            label = str(field.verbose_name) if field is not None else name
            long_text = len(old) > LONG_TEXT or len(new) > LONG_TEXT
            rows.append(
                FieldChange(
                    at=entry.timestamp,
                    actor=actor,
                    address=entry.remote_addr or "",
                    action=ACTIONS.get(entry.action, "changed"),
                    record=entry.object_repr,
                    field=label,
                    old=old,
                    new=new,
                    diff=word_diff(old, new) if long_text and old and new else None,
                )
            )
    return rows


def audit_viewers(audit: Audit) -> list[dict]:
    """Who has opened the audit (its page, its PDF, its moderation page): each person once,
    with how often and when last."""
    return list(
        SecurityEvent.objects.filter(object=describe(audit))
        .values("username")
        .annotate(times=Count("pk"), last=Max("at"))
        .order_by("-last")
    )


def audit_record(audit: Audit) -> dict:
    return {"changes": field_changes(audit_entries(audit)), "viewers": audit_viewers(audit)}
