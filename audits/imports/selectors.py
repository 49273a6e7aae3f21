"""Reading uploads: one fetch-and-check helper, the record of imports, earlier copies of a file."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from audits.models import ImportUpload
from audits.permissions import require

RECENT_IMPORTS = 20


def uploads_visible_to(user):
    """Every import made (the record, for all who import), and the user's own previews: a
    preview holds a file only its uploader has seen."""
    return ImportUpload.objects.filter(
        Q(state=ImportUpload.State.IMPORTED) | Q(uploaded_by=user)
    ).select_related("uploaded_by")


def upload_for(user, pk) -> ImportUpload:
    """The upload ``pk``: 403 for someone who may not import, 404 for what they may not see."""
    require("audits.import_files", user, error=PermissionDenied)
    upload = uploads_visible_to(user).filter(pk=pk).first()
    if upload is None:
        raise Http404(_("No such upload."))
    return upload


def recent_imports():
    """The latest imports made in the browser, latest first: who imported which file."""
    return ImportUpload.objects.filter(state=ImportUpload.State.IMPORTED).select_related(
        "uploaded_by"
    )[:RECENT_IMPORTS]


def imported_before(upload: ImportUpload):
    """Earlier imports of the very same file (the same bytes) of the same kind."""
    return (
        ImportUpload.objects.filter(
            kind=upload.kind, sha256=upload.sha256, state=ImportUpload.State.IMPORTED
        )
        .exclude(pk=upload.pk)
        .select_related("uploaded_by")
        .order_by("-imported_at")
    )
