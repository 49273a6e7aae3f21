"""Thin views over reports.targets.services and reports.targets.measures: QA leads set a year's targets
and enter manual actuals; QA leads and administrators see them rated for the year to date."""

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from audits import conflicts, periods
from audits.forms import RevisionForm
from audits.percentages import format_number
from audits.periods import financial_year_of, fy_label
from audits.permissions import require
from audits.revisions import RevisionConflict
from reports.models import Measure, Target, TargetCheckpoint
from reports.selectors import ReportScope
from reports.targets import services
from reports.targets.forms import CheckpointForm, ManualActualForm, TargetForm, YearForm
from reports.targets.measures import manual_actuals, targets_table, year_to_date


def _today():
    return timezone.localdate()


def _require_reader(user) -> None:
    require("reports.view_targets", user, error=PermissionDenied)


def _require_writer(user) -> None:
    if not rules.has_perm("reports.set_targets", user):
        raise PermissionDenied(_("Only QA leads set QA targets."))


def _target_for(user, pk, action: str = "view") -> Target:
    """The target, for a user who may see targets (403 otherwise; 404 if there is none), and
    403 when ``action`` is a change and the user may not make it."""
    _require_reader(user)
    target = get_object_or_404(Target, pk=pk)
    if action != "view":
        _require_writer(user)
    return target


def _year_from(value) -> int | None:
    """The financial year asked for in the query string; None when it is not a year."""
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if periods.financial_year_allowed(year) else None


def _year_param(request) -> int:
    raw = request.GET.get("year")
    if raw in (None, ""):
        return financial_year_of(_today())
    year = _year_from(raw)
    if year is None:
        raise Http404(_("There is no such financial year."))
    return year


def _targets_url(year: int) -> str:
    return f"{reverse('reports:targets')}?year={year}"


def _apply_error(form, error: services.TargetError) -> None:
    for field, message in error.errors:
        form.add_error(field if field in form.fields else None, message)


@require_http_methods(["GET", "HEAD"])
def targets(request):
    _require_reader(request.user)
    today = _today()
    year = _year_param(request)
    current = financial_year_of(today)
    years = set(range(current + 1, current - 6, -1)) | {year}
    years |= set(Target.objects.values_list("financial_year", flat=True).distinct())
    year_form = YearForm(
        initial={"year": year}, years=[(y, fy_label(y)) for y in sorted(years, reverse=True)]
    )
    period = year_to_date(year, today=today)
    can_write = rules.has_perm("reports.set_targets", request.user)
    return render(
        request,
        "reports/targets.html",
        {
            "year": year,
            "year_label": fy_label(year),
            "previous_year": year - 1,
            "previous_label": fy_label(year - 1),
            "next_year": year + 1,
            "next_label": fy_label(year + 1),
            "year_form": year_form,
            "period": period,
            "not_started": today < period.start,
            "targets": targets_table(ReportScope(period), financial_year=year),
            "manual_actuals": manual_actuals(year),
            "can_write": can_write,
        },
    )


def _target_form_page(request, form, *, year: int, target=None, status=200, **extra):
    return render(
        request,
        "reports/target_form.html",
        {
            "mode": "edit" if target else "new",
            "form": form,
            "target": target,
            "year": year,
            "year_label": fy_label(year),
            "back_url": _targets_url(year),
            **extra,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def target_new(request):
    _require_writer(request.user)
    year = _year_param(request)
    form = TargetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            target = services.target_create(
                by=request.user, financial_year=year, **form.cleaned_data
            )
        except services.TargetError as error:
            _apply_error(form, error)
        else:
            messages.success(
                request,
                _("Target “%(name)s” added for %(year)s.")
                % {"name": target.name, "year": fy_label(year)},
            )
            return redirect(_targets_url(year))
    return _target_form_page(request, form, year=year, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def target_edit(request, pk):
    target = _target_for(request.user, pk, "change")
    form = TargetForm(request.POST or None, initial=TargetForm.initial_for(target))
    revision = RevisionForm(request.POST or None, record=target)
    context = {"revision_form": revision}
    if request.method == "POST" and form.is_valid() & revision.is_valid():
        try:
            target = services.target_update(
                target=target, by=request.user, **form.cleaned_data, **revision.expected()
            )
        except RevisionConflict as conflict:
            saved = TargetForm(initial=TargetForm.initial_for(conflict.record))
            context.update(conflicts.conflict_context(conflict, revision, form, saved))
        except services.TargetError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("Target “%(name)s” saved.") % {"name": target.name})
            return redirect(_targets_url(target.financial_year))
    status = 409 if "conflict" in context else 400 if form.errors else 200
    return _target_form_page(
        request, form, year=target.financial_year, target=target, status=status, **context
    )


@require_http_methods(["GET", "POST"])
def target_delete(request, pk):
    target = _target_for(request.user, pk, "delete")
    if request.method == "POST":
        try:
            services.target_delete(target=target, by=request.user)
        except services.TargetError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Target “%(name)s” removed.") % {"name": target.name})
        return redirect(_targets_url(target.financial_year))
    return render(
        request,
        "reports/target_form.html",
        {
            "mode": "delete",
            "target": target,
            "year": target.financial_year,
            "year_label": fy_label(target.financial_year),
            "back_url": _targets_url(target.financial_year),
        },
    )


@require_http_methods(["GET", "POST"])
def target_actual(request, pk):
    target = _target_for(request.user, pk, "enter")
    if target.measure != Measure.MANUAL:
        messages.error(
            request,
            _(
                "“%(name)s” is counted from the audits; only manual targets "
                "take a value entered by hand."
            )
            % {"name": target.name},
        )
        return redirect(_targets_url(target.financial_year))
    form = ManualActualForm(request.POST or None, financial_year=target.financial_year)
    if request.method == "POST" and form.is_valid():
        period = form.cleaned_data["period"]
        try:
            services.manual_actual_set(
                target=target, by=request.user, period=period, value=form.cleaned_data["value"]
            )
        except services.TargetError as error:
            _apply_error(form, error)
        else:
            messages.success(
                request,
                _("%(value)s%% entered for “%(name)s”, %(period)s.")
                % {
                    "value": format_number(form.cleaned_data["value"]),
                    "name": target.name,
                    "period": period.label,
                },
            )
            return redirect(_targets_url(target.financial_year))
    return render(
        request,
        "reports/target_form.html",
        {
            "mode": "actual",
            "form": form,
            "target": target,
            "year": target.financial_year,
            "target_text": f"{format_number(target.target_value)}%",
            "year_label": fy_label(target.financial_year),
            "actuals": manual_actuals(target.financial_year, target=target),
            "back_url": _targets_url(target.financial_year),
        },
        status=400 if form.errors else 200,
    )


def _checkpoint_for(user, pk) -> TargetCheckpoint:
    """The checkpoint, for a QA lead (403 for anyone else who may see targets, as for a
    target; 404 if there is none)."""
    _require_reader(user)
    checkpoint = get_object_or_404(TargetCheckpoint.objects.select_related("target"), pk=pk)
    _require_writer(user)
    return checkpoint


def _checkpoints_url(target: Target) -> str:
    return reverse("reports:target_checkpoints", args=[target.pk])


def _checkpoint_page(request, *, mode: str, target: Target, form=None, checkpoint=None, status=200):
    return render(
        request,
        "reports/target_checkpoints.html",
        {
            "mode": mode,
            "form": form,
            "target": target,
            "checkpoint": checkpoint,
            "checkpoints": target.checkpoints.order_by("date"),
            "target_text": f"{format_number(target.target_value)}%",
            "year_label": fy_label(target.financial_year),
            "back_url": _targets_url(target.financial_year),
            "checkpoints_url": _checkpoints_url(target),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def target_checkpoints(request, pk):
    """A target's in-year checkpoints, and the form that adds one."""
    target = _target_for(request.user, pk, "change")
    form = CheckpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            checkpoint = services.checkpoint_add(
                target=target, by=request.user, **form.cleaned_data
            )
        except services.TargetError as error:
            _apply_error(form, error)
        else:
            messages.success(
                request,
                _("Checkpoint %(date)s added to “%(name)s”.")
                % {"date": f"{checkpoint.date:%-d %B %Y}", "name": target.name},
            )
            return redirect(_checkpoints_url(target))
    return _checkpoint_page(
        request, mode="list", target=target, form=form, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def checkpoint_edit(request, pk):
    checkpoint = _checkpoint_for(request.user, pk)
    form = CheckpointForm(request.POST or None, initial=CheckpointForm.initial_for(checkpoint))
    if request.method == "POST" and form.is_valid():
        try:
            checkpoint = services.checkpoint_update(
                checkpoint=checkpoint, by=request.user, **form.cleaned_data
            )
        except services.TargetError as error:
            _apply_error(form, error)
        else:
            messages.success(
                request,
                _("Checkpoint %(date)s saved.") % {"date": f"{checkpoint.date:%-d %B %Y}"},
            )
            return redirect(_checkpoints_url(checkpoint.target))
    return _checkpoint_page(
        request,
        mode="edit",
        target=checkpoint.target,
        form=form,
        checkpoint=checkpoint,
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def checkpoint_delete(request, pk):
    checkpoint = _checkpoint_for(request.user, pk)
    if request.method == "POST":
        try:
            services.checkpoint_delete(checkpoint=checkpoint, by=request.user)
        except services.TargetError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Checkpoint %(date)s removed.") % {"date": f"{checkpoint.date:%-d %B %Y}"},
            )
        return redirect(_checkpoints_url(checkpoint.target))
    return _checkpoint_page(request, mode="delete", target=checkpoint.target, checkpoint=checkpoint)
