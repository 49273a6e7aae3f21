"""The case holder's pages: the audits of their cases, and their response to one."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import conflicts
from ..permissions import require
from ..revisions import RevisionConflict
from ..security.events import Event, record
from ..selectors import get_audit_for
from . import selectors, services
from .forms import ResponseForm, ResponseRevisionForm, initial_of

PAGE_SIZE = 50


def my_cases_audits(request):
    """The audits of the cases the user holds (or whose team they manage), once submitted,
    newest first, each saying whether they have answered it."""
    require("audits.view_my_cases_audits", request.user, error=PermissionDenied)
    page_obj = Paginator(selectors.my_cases_audits(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "audits/holders/my_cases.html", {"page_obj": page_obj})


def response_edit(request, pk):
    """The case holder's response to the audit ``pk``: their words, and whether they agree
    with each agreed action. Opening it is recorded as opening the audit: it shows the
    audit's actions."""
    audit = get_audit_for(request.user, pk, "view")
    require("audits.respond_to_audit", request.user, audit, error=PermissionDenied)
    response = selectors.response_of(audit)
    actions = list(audit.actions.order_by("pk"))
    form = ResponseForm(
        request.POST or None, actions=actions, initial=initial_of(response, actions)
    )
    revision = ResponseRevisionForm(request.POST or None, record=response)
    context = {}
    if request.method == "POST" and form.is_valid() & revision.is_valid():
        try:
            services.holder_response_save(
                audit=audit,
                by=request.user,
                text=form.cleaned_data["text"],
                answers=form.answers(),
                **revision.expected(),
            )
        except RevisionConflict as conflict:
            saved = ResponseForm(actions=actions, initial=initial_of(conflict.record, actions))
            context = conflicts.conflict_context(conflict, revision, form, saved)
        except services.HolderError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _("Your response has been saved. The auditor can see it."))
            return redirect(reverse("audits:detail", args=[audit.pk]) + "#holder-response")
    record(Event.VIEWED_AUDIT, request=request, obj=audit)
    status = 409 if context else 400 if form.errors else 200
    return render(
        request,
        "audits/holders/response_form.html",
        {
            "audit": audit,
            "form": form,
            "revision_form": revision,
            "response": response,
            **context,
        },
        status=status,
    )
