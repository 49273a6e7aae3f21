"""The JSON answers of every autosave endpoint (audits, moderation, report narratives).

static/js/autosave.js posts an edit page's form to its ``data-autosave-url`` a few seconds after
typing stops and when the page is hidden, and reads one of these answers:

- 200 ``{"saved": true, "revision", "saved_at", "saved_at_display", "fields", ...urls}``:
  saved; ``fields`` maps a field's name to the value the page should now hold (a new action
  row's id), and ``edit_url``/``autosave_url``, when given, are the page's addresses from now on.
- 400 ``{"error": "invalid", "message", "errors": [{"anchor", "message"}]}``: nothing saved.
- 409 ``{"error": "conflict", "message", "by", "at"}``: saved elsewhere since the page opened;
  nothing saved. The page posts its form normally to compare and choose.
- 403 ``{"error": "refused", "message"}``: the record can no longer be edited here.
"""

from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .revisions import RevisionConflict, person_name


class Refused(Exception):
    """A page's save was refused: an HTTP status and what to say. ``conflict`` is the
    RevisionConflict of a 409; ``message`` the service's refusal of a 403; a 400 has neither
    (the page's forms hold the errors)."""

    def __init__(
        self, status: int, *, conflict: RevisionConflict | None = None, message="", forms=()
    ):
        super().__init__(message)
        self.status, self.conflict, self.message = status, conflict, message
        self.forms = forms  # the page's bound forms, for the view that shows them again

    def json(self, *, errors=()) -> JsonResponse:
        if self.conflict is not None:
            return conflict(self.conflict)
        if self.status == 400:
            return invalid(errors)
        kind = "conflict" if self.status == 409 else "refused"
        return JsonResponse({"error": kind, "message": self.message}, status=self.status)


def saved(record, *, fields: dict | None = None, **urls) -> JsonResponse:
    at = timezone.localtime(record.revised_at or timezone.now())
    return JsonResponse(
        {
            "saved": True,
            "revision": record.revision,
            "saved_at": at.isoformat(),
            "saved_at_display": f"{at:%H:%M}",
            "fields": fields or {},
            **urls,
        }
    )


def conflict(error: RevisionConflict) -> JsonResponse:
    return JsonResponse(
        {
            "error": "conflict",
            "message": str(error),
            "by": person_name(error.by) if error.by else "",
            "at": timezone.localtime(error.at).isoformat() if error.at else "",
        },
        status=409,
    )


def invalid(errors) -> JsonResponse:
    return JsonResponse(
        {
            "error": "invalid",
            "message": _("Not saved: put right the problems on the page, then it saves again."),
            "errors": [{"anchor": anchor or "", "message": str(m)} for anchor, m in errors],
        },
        status=400,
    )
