"""Thin views over reports.plan.services and reports.plan.selectors: turn a report's
recommendations into plan items, the plan page, an item's page (its progress), an item's
details."""

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from audits import conflicts
from audits.forms import RevisionForm, summarise_errors
from audits.permissions import require
from audits.revisions import RevisionConflict
from reports.models import Report

from . import selectors, services
from .filters import PlanFilter
from .forms import ItemForm, ProgressForm, RecommendationFormSet


def _today():
    return timezone.localdate()


def _require_manager(user) -> None:
    require("reports.change_plan", user, error=PermissionDenied)


@require_http_methods(["GET", "HEAD", "POST"])
def plan_from_report(request, pk):
    """The report's recommendations, one per paragraph or list line, each prefilled as an item
    the QA lead confirms and completes (owner, due date). All are saved, or none."""
    _require_manager(request.user)
    report = get_object_or_404(Report, pk=pk)
    already = selectors.report_item_titles(report)
    if request.method == "POST":
        formset = RecommendationFormSet(request.POST, prefix="rec")
    else:
        lines = selectors.recommendation_lines(report.recommendations)
        initial = [{"title": line, "include": line not in already} for line in lines]
        # One empty row for an item the text does not hold.
        initial.append({"title": "", "include": False})
        formset = RecommendationFormSet(initial=initial, prefix="rec")
    error_summary = []
    if request.method == "POST":
        if formset.is_valid():
            chosen = formset.chosen()
            try:
                items = services.plan_items_create(
                    report=report,
                    by=request.user,
                    items=[
                        services.NewItem(
                            title=data["title"],
                            due_date=data["due_date"],
                            owner=data["owner"],
                            owner_name=data["owner_name"],
                        )
                        for _n, data in chosen
                    ],
                )
            except services.PlanError as error:
                for index, field, message in error.errors:
                    number = chosen[index - 1][0] if index else None
                    if number is not None and message:
                        formset.forms[number - 1].add_service_errors([(field, message)])
                if not error.errors:
                    error_summary = [(None, str(error))]
            else:
                messages.success(
                    request,
                    _("%(n)s plan item(s) made from this report's recommendations.")
                    % {"n": len(items)},
                )
                return redirect(f"{reverse('reports:plan')}?report={report.pk}")
        error_summary = error_summary + formset.error_summary()
    return render(
        request,
        "reports/plan/from_report.html",
        {
            "report": report,
            "formset": formset,
            "error_summary": error_summary,
            "already": len(already),
        },
        status=400 if error_summary else 200,
    )


@require_http_methods(["GET", "HEAD"])
def plan_list(request):
    require("reports.view_plan", request.user, error=PermissionDenied)
    today = _today()
    queryset = selectors.plan_list(request.user, today=today)
    plan_filter = PlanFilter(request.GET or None, queryset=queryset)
    items = plan_filter.qs if plan_filter.is_bound else queryset
    return render(
        request,
        "reports/plan/plan_list.html",
        {
            "filter": plan_filter,
            "items": items,
            "today": today,
            "error_summary": plan_filter.form.error_summary() if plan_filter.is_bound else [],
        },
        status=400 if plan_filter.is_bound and plan_filter.form.errors else 200,
    )


def _errors(form, revision) -> list:
    """The error summary of a page's form and its hidden revision (a page posted with a
    revision that is no revision says so rather than nothing)."""
    if form is None or not form.is_bound:
        return []
    return summarise_errors(form, revision)


def _item_page(request, item, form, revision, *, status=200, **extra):
    notes, moves = selectors.item_history(item)
    return render(
        request,
        "reports/plan/item_detail.html",
        {
            "item": item,
            "form": form,
            "revision_form": revision,
            "notes": notes,
            "moves": moves,
            **selectors.item_flags(item, today=_today()),
            "error_summary": _errors(form, revision),
            **extra,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def plan_item(request, pk):
    """An item with its notes and status changes; QA leads and administrators record progress
    here (a note, evidence, the status after it)."""
    item = selectors.get_plan_item_for(request.user, pk)
    may_change = rules.has_perm("reports.change_plan", request.user)
    if request.method != "POST":
        form = (
            ProgressForm(initial=ProgressForm.initial_for(item), item=item) if may_change else None
        )
        return _item_page(request, item, form, RevisionForm(record=item))
    _require_manager(request.user)
    form = ProgressForm(request.POST, initial=ProgressForm.initial_for(item), item=item)
    revision = RevisionForm(request.POST, record=item)
    context = {}
    if form.is_valid() & revision.is_valid():
        try:
            services.plan_item_record_progress(
                item=item, by=request.user, **form.cleaned_data, **revision.expected()
            )
        except RevisionConflict as conflict:
            saved = ProgressForm(initial={"status": conflict.record.status})
            context = conflicts.conflict_context(conflict, revision, form, saved)
            item = conflict.record
        except services.PlanError as error:
            for _n, field, message in error.errors:
                form.add_error(field if field in form.fields else None, message or str(error))
        else:
            messages.success(request, _("Progress recorded."))
            return redirect(item)
    status = 409 if "conflict" in context else 400
    return _item_page(request, item, form, revision, status=status, **context)


@require_http_methods(["GET", "HEAD", "POST"])
def plan_item_edit(request, pk):
    item = selectors.get_plan_item_for(request.user, pk, "change")
    form = ItemForm(request.POST or None, initial=ItemForm.initial_for(item))
    revision = RevisionForm(request.POST or None, record=item)
    context = {}
    if request.method == "POST" and form.is_valid() & revision.is_valid():
        try:
            item = services.plan_item_update(
                item=item, by=request.user, **form.cleaned_data, **revision.expected()
            )
        except RevisionConflict as conflict:
            saved = ItemForm(initial=ItemForm.initial_for(conflict.record))
            context = conflicts.conflict_context(conflict, revision, form, saved)
        except services.PlanError as error:
            form.add_service_errors([(f, m) for _n, f, m in error.errors])
        else:
            messages.success(request, _("Plan item saved."))
            return redirect(item)
    bad = form.errors or revision.errors
    status = 409 if "conflict" in context else 400 if bad else 200
    return render(
        request,
        "reports/plan/item_form.html",
        {
            "item": item,
            "form": form,
            "revision_form": revision,
            "error_summary": _errors(form, revision),
            **context,
        },
        status=status,
    )
