"""Optimistic concurrency: one definition of "this record changed since you opened it".

A record that people edit in a browser (an audit, a moderation in progress, a report's
narrative) has a ``revision`` counted up by every save, and remembers who saved it last, when,
and from which page. A page carries the revision it was opened at and a token of its own; a save
whose revision is out of date is refused with ``RevisionConflict`` before anything is written,
so two tabs or two people never silently overwrite each other.

The page token covers one case only: a page's own saves racing each other (an autosave still
on its way when the user presses Save). If the last save came from the same page, nobody else
can have saved in between, since their save would have been the last.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import DomainError


class Revised(models.Model):
    """The fields a record needs for the conflict check (an abstract base)."""

    revision = models.PositiveIntegerField(default=1, editable=False)
    revised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    revised_at = models.DateTimeField(null=True, blank=True, editable=False)
    revised_page = models.CharField(max_length=40, blank=True, editable=False)

    REVISION_FIELDS = ("revision", "revised_by", "revised_at", "revised_page")

    class Meta:
        abstract = True


class RevisionConflict(DomainError):
    """Someone saved the record after the page was opened; nothing was written."""

    def __init__(self, record: Revised, *, viewer=None):
        self.record = record
        self.by = record.revised_by
        self.at = record.revised_at
        super().__init__(conflict_message(record, viewer=viewer))


def saved_by(record: Revised, *, viewer=None) -> str:
    """Who saved ``record`` last, as ``viewer`` (whose save was refused) reads it."""
    if record.revised_by_id is None:
        return _("someone else")
    if viewer is not None and record.revised_by_id == viewer.pk:
        return _("you, in another tab or window")
    return person_name(record.revised_by)


def conflict_message(record: Revised, *, viewer=None) -> str:
    who = saved_by(record, viewer=viewer)
    if record.revised_at is None:
        return _(
            "This was changed by %(who)s after you opened it. Nothing you typed has been lost "
            "or saved yet: compare the versions below and choose what to keep."
        ) % {"who": who}
    at = timezone.localtime(record.revised_at)
    return _(
        "This was changed at %(time)s on %(date)s by %(who)s, after you opened it. Nothing you "
        "typed has been lost or saved yet: compare the versions below and choose what to keep."
    ) % {"who": who, "time": f"{at:%H:%M}", "date": f"{at:%-d %B %Y}"}


def person_name(user) -> str:
    return user.get_full_name() or user.get_username()


def new_page_token() -> str:
    """A token for one opening of an edit page."""
    return secrets.token_urlsafe(12)


def check_revision(record: Revised, *, expected: int | None, page: str = "", by=None) -> None:
    """Raise RevisionConflict unless ``expected`` is the record's revision (or the last save
    came from this same page). Call it on the row locked with select_for_update.

    ``expected`` None means the caller showed no revision (a command, a script, a test that is
    about something else): nothing to compare. ``by``, who is saving, is told "you, in another
    tab" when the last save was their own.
    """
    if expected is None or record.revision == expected:
        return
    if page and record.revised_page == page:
        return
    raise RevisionConflict(record, viewer=by)


def bump_revision(record: Revised, *, by, page: str = "", fields=(), locked: bool = False) -> None:
    """Save ``fields`` of the record with the next revision, naming who saved it and from
    which page.

    ``locked``: the caller read the record with select_for_update in this transaction, so the
    next revision is known without reading it back; and a save of the revision fields alone
    (no ``fields``) is one UPDATE, without the model's signals: the change history
    (django-auditlog, settings.AUDITLOG_INCLUDE_TRACKING_MODELS) leaves the revision fields out
    of every Revised model, so its signal would only read the row again to find nothing to
    record.
    """
    now = timezone.now()
    has_updated_at = any(f.name == "updated_at" for f in record._meta.concrete_fields)
    if locked and not fields:
        values = {
            "revision": record.revision + 1,
            "revised_by": by,
            "revised_at": now,
            "revised_page": page,
        }
        if has_updated_at:
            values["updated_at"] = now
        type(record)._base_manager.filter(pk=record.pk).update(**values)
        for name, value in values.items():
            setattr(record, name, value)
        return
    record.revision = record.revision + 1 if locked else F("revision") + 1
    record.revised_by = by
    record.revised_at = now
    record.revised_page = page
    update = [*fields, *Revised.REVISION_FIELDS]
    if has_updated_at:
        update.append("updated_at")
    record.save(update_fields=list(dict.fromkeys(update)))
    if not locked:
        record.refresh_from_db(fields=["revision"])
