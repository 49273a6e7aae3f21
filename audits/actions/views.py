"""The actions page and each action's page: thin views over action_selectors and
action_services.

The page's forms are in audits.actions.forms.
"""

import rules
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audits.actions import selectors as action_selectors
from audits.actions import services as action_services
from audits.actions.filters import ActionFilter
from audits.actions.forms import AssignForm, MarkDoneForm, NotNeededForm, ReopenForm
from audits.models import AgreedAction
from audits.security.events import Event, record
from audits.workflow import AuditError

PAGE_SIZE = 25


# The form prefixes keep the ids of the forms apart on one page.
FORMS = {
    "done": MarkDoneForm,
    "not_needed": NotNeededForm,
    "reopen": ReopenForm,
    "assign": AssignForm,
}


def action_list(request):
    queryset = action_selectors.action_list(request.user)
    action_filter = ActionFilter(request.GET or None, queryset=queryset, user=request.user)
    page_obj = Paginator(action_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": action_filter,
        # The page's one error summary, and "Error: " first in its title (base.html).
        "error_summary": action_filter.form.error_summary() if action_filter.is_bound else [],
        "page_obj": page_obj,
        "querystring": query.urlencode(),
        "today": timezone.localdate(),
    }
    return render(request, "audits/action_list.html", context)


def action_detail(request, pk):
    action = action_selectors.get_action_for(request.user, pk, "view")
    record(Event.VIEWED_ACTION, request=request, obj=action)
    return _render_detail(request, action)


def _render_detail(request, action, *, bound=None, status=200):
    """The action's page; ``bound`` is the (name, form) that failed, shown with its errors."""
    user = request.user
    # Who may is the rule's; an open action can be closed or given away, a closed one reopened.
    is_open = action.state == AgreedAction.State.OPEN
    shown = []
    if is_open and rules.has_perm("audits.close_action", user, action):
        shown += ["done", "not_needed"]
    if not is_open and rules.has_perm("audits.reopen_action", user, action):
        shown.append("reopen")
    if is_open and rules.has_perm("audits.assign_action", user, action):
        shown.append("assign")
    page_forms = {name: FORMS[name](prefix=name) for name in shown}
    if "assign" in page_forms and bound is None:
        page_forms["assign"].initial = {"assignee": action.assignee_id}
    error_summary = []
    if bound is not None:
        name, form = bound
        page_forms[name] = form
        error_summary = form.error_summary()
    context = {
        "action": action,
        "events": action.events.select_related("by"),
        "owner": action.assignee or action.audit.auditor,
        "may_view_audit": rules.has_perm("audits.view_audit", user, action.audit),
        "forms": page_forms,
        "open_form": bound[0] if bound else None,
        "error_summary": error_summary,
        "today": timezone.localdate(),
    }
    return render(request, "audits/action_detail.html", context, status=status)


def _post(request, pk, *, name, access, call, success):
    action = action_selectors.get_action_for(request.user, pk, access)
    form = FORMS[name](request.POST, prefix=name)
    if form.is_valid():
        try:
            call(action, form.cleaned_data)
        except AuditError as error:
            field = getattr(error, "field", None)
            if field not in form.fields:
                # A refusal that no typing can put right (someone closed it meanwhile, say).
                messages.error(request, str(error))
                return redirect("audits:action_detail", pk=action.pk)
            form.add_error(field, str(error))
        else:
            messages.success(request, success)
            return redirect("audits:action_detail", pk=action.pk)
    messages.error(request, _("Nothing was saved: put right the problems listed below."))
    return _render_detail(request, action, bound=(name, form), status=400)


@require_POST
def action_mark_done(request, pk):
    return _post(
        request,
        pk,
        name="done",
        access="close",
        success=_("Action marked done."),
        call=lambda action, data: action_services.action_mark_done(
            action=action, by=request.user, note=data["note"], completed_on=data["completed_on"]
        ),
    )


@require_POST
def action_mark_not_needed(request, pk):
    return _post(
        request,
        pk,
        name="not_needed",
        access="close",
        success=_("Action marked no longer needed."),
        call=lambda action, data: action_services.action_mark_not_needed(
            action=action, by=request.user, reason=data["reason"]
        ),
    )


@require_POST
def action_assign(request, pk):
    return _post(
        request,
        pk,
        name="assign",
        access="assign",
        success=_("Owner changed."),
        call=lambda action, data: action_services.action_assign(
            action=action, by=request.user, assignee=data["assignee"]
        ),
    )


@require_POST
def action_reopen(request, pk):
    return _post(
        request,
        pk,
        name="reopen",
        access="reopen",
        success=_("Action reopened."),
        call=lambda action, data: action_services.action_reopen(
            action=action, by=request.user, note=data["note"]
        ),
    )
