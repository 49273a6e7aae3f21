"""Previewing, confirming and discarding an import uploaded in the browser.

The preview runs the command's own import inside a transaction that is rolled back, so it
checks the file against exactly the rules (and the database) the real import would, and counts
what it would make; only a file without problems is kept, as an ``ImportUpload``. Confirming
runs the import again on the text kept, for real, holding a lock on the upload so that two
confirms (a double click, two tabs, two servers) import it once; the second is told it was
imported already. If the database changed in between (someone imported the same audits), the
import does what the rules say now and the page says that the result differs from the preview.

A person has one preview of each kind at a time: a new upload replaces their earlier one. A
preview not confirmed within PREVIEW_MAX_AGE is refused and then deleted, with its text.
"""

import datetime
import hashlib
import io
from dataclasses import dataclass, field

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audits import roles
from audits.csv.reading import RowError, decode
from audits.errors import DomainError
from audits.models import ImportUpload
from audits.permissions import require

from .kinds import KINDS, ImportKind

PREVIEW_MAX_AGE = datetime.timedelta(hours=2)
# What a summary holds of the file's rows (case references): shown in the preview only.
CASE_DATA = ("rows", "skipped", "columns")


class ImportUploadError(DomainError):
    """An upload that cannot be imported now; the message says why."""


class ImportRefused(ImportUploadError):
    """The import found problems with the file: ``errors``, each by line and column."""

    def __init__(self, errors: list[RowError]):
        super().__init__(_("Nothing was imported: the file has problems."))
        self.errors = errors


@dataclass
class Preview:
    kind: ImportKind
    filename: str
    errors: list[RowError] = field(default_factory=list)
    upload: ImportUpload | None = None


def _refused_by_database(exc) -> ImportUploadError:
    return ImportUploadError(
        _("Nothing was imported: the database refused the import (%(error)s).") % {"error": exc}
    )


def import_preview(*, kind: str, data: bytes, filename: str, by) -> Preview:
    """Check ``data`` (the uploaded file's bytes) as the import of ``kind`` would, writing
    nothing of it; keep it for confirming when it has no problems.

    Returns a Preview: with ``errors`` (every problem, by line and column) and no upload, or
    with the ``upload`` whose summary says what importing it will make.
    """
    require("audits.import_files", by, error=ImportUploadError)
    import_kind = KINDS[kind]
    preview = Preview(kind=import_kind, filename=filename)
    text = decode(data, preview.errors)  # the import's own reading of the bytes
    if text is None:
        return preview
    try:
        with transaction.atomic():
            marker = import_kind.marker()
            result = import_kind.run(io.StringIO(text, newline=""), by=by, filename=filename)
            summary = import_kind.summarise(result, marker) if not result.errors else None
            transaction.set_rollback(True)  # a preview: everything it wrote goes
    except DatabaseError as exc:
        raise _refused_by_database(exc) from exc
    if result.errors:
        preview.errors = list(result.errors)
        return preview
    now = timezone.now()
    with transaction.atomic():
        _delete_stale(now=now, by=by, kind=kind)
        preview.upload = ImportUpload.objects.create(
            kind=kind,
            filename=filename[: ImportUpload._meta.get_field("filename").max_length],
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            text=text,
            summary=summary,
            uploaded_by=by,
            uploaded_at=now,
        )
    return preview


def _delete_stale(*, now, by, kind) -> None:
    """Previews nobody confirmed in time, and ``by``'s own earlier preview of ``kind``."""
    pending = ImportUpload.objects.filter(state=ImportUpload.State.PENDING)
    pending.filter(uploaded_at__lt=now - PREVIEW_MAX_AGE).delete()
    pending.filter(uploaded_by=by, kind=kind).delete()


def is_expired(upload: ImportUpload, *, now=None) -> bool:
    return (
        upload.state == ImportUpload.State.PENDING
        and upload.uploaded_at < (now or timezone.now()) - PREVIEW_MAX_AGE
    )


def import_confirm(*, upload: ImportUpload, by) -> tuple[ImportUpload, bool]:
    """Import the previewed file, exactly the text previewed, all or nothing.

    Returns the upload (now the record of the import) and whether the result differs from the
    preview's. Raises ImportUploadError when it was imported already, is not ``by``'s, has
    expired or the database refused it; ImportRefused (with ``errors``) when the rules now
    find problems the preview did not (the database changed since), and then nothing is written.
    """
    require("audits.import_files", by, error=ImportUploadError)
    try:
        with transaction.atomic():
            # Locked: a second confirm waits here, then finds the file imported.
            locked = ImportUpload.objects.select_for_update().filter(pk=upload.pk).first()
            if locked is None:
                raise ImportUploadError(
                    _(
                        "This preview is no longer kept (it was replaced by a newer upload, "
                        "cancelled or too old): upload the file again."
                    )
                )
            if locked.state == ImportUpload.State.IMPORTED:
                raise ImportUploadError(
                    _(
                        "This file was imported already, on %(when)s by %(who)s: it has not "
                        "been imported again."
                    )
                    % {
                        "when": date_format(
                            timezone.localtime(locked.imported_at), "j F Y \\a\\t H:i"
                        ),
                        "who": roles.display_name(locked.uploaded_by),
                    }
                )
            if locked.uploaded_by_id != by.pk:
                raise ImportUploadError(_("Only the person who uploaded the file can confirm it."))
            now = timezone.now()
            if is_expired(locked, now=now):
                raise ImportUploadError(
                    _(
                        "This preview is more than %(hours)s hours old: upload the file again "
                        "to check it against the data as it is now."
                    )
                    % {"hours": int(PREVIEW_MAX_AGE.total_seconds() // 3600)}
                )
            kind = KINDS[locked.kind]
            marker = kind.marker()
            result = kind.run(io.StringIO(locked.text, newline=""), by=by, filename=locked.filename)
            if result.errors:
                raise ImportRefused(list(result.errors))
            summary = kind.summarise(result, marker)
            differs = summary["counts"] != locked.summary.get("counts")
            locked.state = ImportUpload.State.IMPORTED
            locked.imported_at = now
            locked.text = ""  # the rows live in their own tables now
            # The record keeps the counts and names, not the rows: case references belong to
            # the audits and cases, which the retention schedule deletes in their time.
            locked.summary = {k: v for k, v in summary.items() if k not in CASE_DATA}
            locked.case_import = getattr(result, "record", None)
            locked.save(update_fields=["state", "imported_at", "text", "summary", "case_import"])
    except DatabaseError as exc:
        raise _refused_by_database(exc) from exc
    return locked, differs


def import_discard(*, upload: ImportUpload, by) -> None:
    """Forget ``by``'s preview: nothing was imported, and its text goes."""
    require("audits.import_files", by, error=ImportUploadError)
    deleted, _counts = ImportUpload.objects.filter(
        pk=upload.pk, uploaded_by=by, state=ImportUpload.State.PENDING
    ).delete()
    if (
        not deleted
        and ImportUpload.objects.filter(pk=upload.pk, state=ImportUpload.State.IMPORTED).exists()
    ):
        raise ImportUploadError(_("This file was imported already: it can no longer be cancelled."))
