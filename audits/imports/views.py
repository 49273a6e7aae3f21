"""The import pages: choose an import, upload a file, check the preview, confirm."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from audits.csv.reading import RowError
from audits.permissions import require

from . import selectors, services
from .forms import UploadForm
from .kinds import KINDS
from .uploads import CappedMemoryUploadHandler


def _require_importer(user):
    require("audits.import_files", user, error=PermissionDenied)


def import_index(request):
    """The two imports, and the record of those made in the browser."""
    _require_importer(request.user)
    return render(
        request,
        "audits/imports/index.html",
        {"kinds": KINDS.values(), "imports": selectors.recent_imports()},
    )


# The upload handlers must be set before anything reads the request's body, and the CSRF check
# reads it: so the check is made here, by csrf_protect, after the handlers are set (Django's
# documented way: "Modifying upload handlers on the fly").
@csrf_exempt
def import_upload(request, kind):
    if kind not in KINDS:
        raise Http404(_("No such import."))
    _require_importer(request.user)
    if request.method == "POST":
        request.upload_handlers = [
            CappedMemoryUploadHandler(request, limit=settings.IMPORT_MAX_UPLOAD_BYTES)
        ]
    return _import_upload(request, kind=KINDS[kind])


@csrf_protect
def _import_upload(request, *, kind):
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
    else:
        form = UploadForm()
    context = {"kind": kind, "form": form, "error_summary": None}
    if request.method == "POST" and form.is_valid():
        filename = form.cleaned_data["file"].name
        try:
            preview = services.import_preview(
                kind=kind.slug, data=form.data_bytes, filename=filename, by=request.user
            )
        except services.ImportUploadError as error:
            form.add_error("file", str(error))
        else:
            if preview.upload is not None:
                return redirect("audits:import_preview", pk=preview.upload.pk)
            context.update(_problems_context(preview.errors, filename))
            form.add_error("file", context["problems_message"])
            context["error_summary"] = [("problems", context["problems_message"])]
    if form.errors and context["error_summary"] is None:
        context["error_summary"] = form.error_summary()
    return render(
        request, "audits/imports/upload.html", context, status=400 if form.errors else 200
    )


def _problems_context(errors: list[RowError], filename: str) -> dict:
    rows = len({error.line for error in errors if error.line > 1})
    problems = ngettext("%(n)s problem", "%(n)s problems", len(errors)) % {"n": len(errors)}
    if rows:
        problems += " " + ngettext("in %(n)s row", "in %(n)s rows", rows) % {"n": rows}
    message = _(
        "%(file)s has %(problems)s: nothing was imported. Correct the file and upload it again"
    ) % {"file": filename, "problems": problems}
    return {"problems": errors, "problems_message": message, "problems_file": filename}


def import_preview(request, pk):
    """What importing the upload will make, and "Confirm import"; once imported, the record."""
    upload = selectors.upload_for(request.user, pk)
    kind = KINDS[upload.kind]
    context = {"upload": upload, "kind": kind, "error_summary": None}
    status = 200
    if request.method == "POST":
        try:
            if "discard" in request.POST:
                services.import_discard(upload=upload, by=request.user)
                messages.info(request, _("The upload was cancelled: nothing was imported."))
                return redirect("audits:import_upload", kind=kind.slug)
            upload, differs = services.import_confirm(upload=upload, by=request.user)
        except services.ImportRefused as refused:
            context.update(_problems_context(refused.errors, upload.filename))
            context["error_summary"] = [("problems", context["problems_message"])]
            status = 409
        except services.ImportUploadError as error:
            upload = selectors.upload_for(request.user, pk)
            context["upload"] = upload
            context["error_summary"] = [(None, str(error))]
            status = 409
        else:
            messages.success(request, _("%(file)s was imported.") % {"file": upload.filename})
            if differs:
                messages.warning(
                    request,
                    _(
                        "The import made something other than the preview showed: the data "
                        "changed after the file was checked. What it made is below."
                    ),
                )
            return redirect("audits:import_preview", pk=upload.pk)
    context.update(
        {
            "expired": services.is_expired(upload),
            "earlier": selectors.imported_before(upload)[:5],
        }
    )
    return render(request, "audits/imports/preview.html", context, status=status)
