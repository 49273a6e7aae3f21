"""The audit schedule's pages: QA leads and administrators plan activities by month."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import conflicts
from ..forms import RevisionForm
from ..models import AuditActivity
from ..permissions import require
from ..revisions import RevisionConflict
from ..workflow import AuditError
from . import selectors, services
from .forms import ActivityForm


def _require_planner(user):
    require("audits.plan_activities", user, error=PermissionDenied)


def activity_list(request):
    """The audit schedule: coming and past months, planned against submitted and completed."""
    _require_planner(request.user)
    today = timezone.localdate()
    return render(
        request,
        "audits/activity_list.html",
        {"months": selectors.schedule_by_month(today=today), "today": today},
    )


def activity_new(request):
    _require_planner(request.user)
    return _activity_form(request, activity=None)


def activity_edit(request, pk):
    _require_planner(request.user)
    activity = get_object_or_404(AuditActivity, pk=pk)
    return _activity_form(request, activity=activity)


def _tool_fixed(activity) -> str:
    """Why the activity's tool can no longer change, or "" while it can."""
    if activity is None or not activity.audits.exists():
        return ""
    return _(
        "This activity already has audits made with %(tool)s, so its tool cannot change. "
        "Plan a new activity for another tool."
    ) % {"tool": activity.tool or _("the standard tool")}


def _activity_form(request, *, activity):
    form_options = {
        "tool": activity.tool if activity else None,
        "tool_fixed": _tool_fixed(activity),
    }
    form = ActivityForm(request.POST or None, initial=_initial_of(activity), **form_options)
    revision = RevisionForm(request.POST or None, record=activity)
    context = {}
    if request.method == "POST" and form.is_valid() & revision.is_valid():
        try:
            if activity is None:
                activity = services.activity_create(by=request.user, **form.cleaned_data)
            else:
                activity = services.activity_update(
                    activity=activity, by=request.user, **form.cleaned_data, **revision.expected()
                )
        except RevisionConflict as conflict:
            saved = ActivityForm(initial=_initial_of(conflict.record), **form_options)
            context = conflicts.conflict_context(conflict, revision, form, saved)
        except AuditError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(request, _("Activity “%(name)s” saved.") % {"name": activity.name})
            return redirect("audits:activities")
    status = 409 if context else 400 if form.errors else 200
    return render(
        request,
        "audits/activity_form.html",
        {"form": form, "revision_form": revision, "activity": activity, **context},
        status=status,
    )


def _initial_of(activity) -> dict:
    initial = {"moderation_rate": 100, "always_moderate_not_met": True, "kind": "case_file"}
    if activity is not None:
        initial = {
            name: getattr(activity, name)
            for name in (
                "name",
                "theme",
                "month",
                "strand",
                "planned_audits",
                "due_date",
                "moderation_rate",
                "always_moderate_not_met",
                "kind",
                "tool",
            )
        }
        initial["agencies"] = "\n".join(activity.agencies)
        initial.update(
            case_types=list(activity.case_types.all()), auditors=list(activity.auditors.all())
        )
    return initial
