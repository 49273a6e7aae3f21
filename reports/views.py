"""Thin views over reports.services and reports.selectors."""

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audits import autosave, conflicts
from audits.autosave import Refused
from audits.forms import RevisionForm
from audits.models import AuditActivity
from audits.permissions import require
from audits.revisions import RevisionConflict
from audits.security.events import Event, record

from . import contract, selectors, services, tasks
from .forms import NarrativeForm, PeriodForm
from .models import Report
from .rendering import html as rendering
from .rendering import presentation
from .rendering.pdf import html_to_pdf


def _require_reader(user):
    require("reports.view_reports", user, error=PermissionDenied)


def _require_writer(user):
    require("reports.write_reports", user, error=PermissionDenied)


def _report_for(user, pk) -> Report:
    """The report, without its frozen HTML and PDF loaded (``pdf_made`` says if there is one)."""
    _require_reader(user)
    return get_object_or_404(
        tasks.with_pdf_made(Report.objects).select_related(
            "activity", "strand", "case_type", "created_by", "published_by"
        ),
        pk=pk,
    )


def report_list(request):
    _require_reader(request.user)
    reports = tasks.with_pdf_made(Report.objects).select_related("created_by", "published_by")
    return render(
        request,
        "reports/report_list.html",
        {
            "published": reports.filter(state=Report.State.PUBLISHED),
            "drafts": reports.filter(state=Report.State.DRAFT),
            "can_write": rules.has_perm("reports.write_reports", request.user),
        },
    )


def report_new(request):
    _require_writer(request.user)
    form = PeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        report = services.report_create(
            by=request.user,
            period=data["period"],
            activity=data["activity"],
            strand=data["strand"],
            case_type=data["case_type"],
        )
        messages.success(request, _("Draft report created. Write the narrative, then publish."))
        return redirect(report)
    return render(
        request, "reports/report_new.html", {"form": form}, status=400 if form.errors else 200
    )


def _narrative_form(report, data=None) -> NarrativeForm:
    return NarrativeForm(data, initial=_narrative_of(report))


def _narrative_of(report) -> dict:
    return {
        "title": report.title,
        "summary": report.summary,
        "findings": report.findings,
        "recommendations": report.recommendations,
    }


def _detail_page(request, report, form, revision=None, *, status=None, **extra):
    figures = services.report_current_figures(report)
    exports = [
        {"url": reverse("reports:export", args=[report.pk, fmt]), "label": label}
        for fmt, label in (("csv", _("Audits as CSV")), ("xlsx", _("Workbook (XLSX)")))
    ]
    bound = form is not None and form.is_bound
    context = {
        **rendering.report_context(figures=figures, report=report),
        "pdf_state": tasks.pdf_state(report),
        "form": form,
        "revision_form": revision or RevisionForm(record=report),
        "error_summary": form.error_summary() if bound else [],
        "export_links": exports,
        **extra,
    }
    if status is None:
        status = 400 if form is not None and form.errors else 200
    return render(request, "reports/report_detail.html", context, status=status)


def _conflict_page(request, form, revision, conflict):
    """The narrative as the QA lead typed it, beside the version saved since (audits.conflicts);
    the next save is their choice."""
    current = conflict.record
    saved = NarrativeForm(initial=_narrative_of(current))
    context = conflicts.conflict_context(conflict, revision, form, saved)
    return _detail_page(request, current, form, revision, status=409, **context)


def _save_narrative(request, report):
    """Validate the narrative form and save it: (report, form, revision), or raise
    autosave.Refused carrying the forms. The one save path of the Save button and autosave."""
    form = _narrative_form(report, request.POST)
    revision = RevisionForm(request.POST, record=report)
    if not (form.is_valid() & revision.is_valid()):
        raise Refused(400, forms=(form, revision))
    try:
        report = services.report_update_narrative(
            report=report, by=request.user, **form.cleaned_data, **revision.expected()
        )
    except RevisionConflict as conflict:
        raise Refused(409, conflict=conflict, forms=(form, revision)) from None
    except services.ReportError as error:
        raise Refused(403, message=str(error), forms=(form, revision)) from None
    return report


def report_detail(request, pk):
    report = _report_for(request.user, pk)
    may_change = rules.has_perm("reports.change_report", request.user, report)
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied(_("This report can no longer be changed."))
        try:
            _save_narrative(request, report)
        except Refused as refused:
            form, revision = refused.forms
            if refused.conflict:
                return _conflict_page(request, form, revision, refused.conflict)
            if refused.message:
                messages.error(request, refused.message)
            return _detail_page(request, report, form, revision)
        messages.success(request, _("Narrative saved."))
        return redirect(report)
    record(Event.VIEWED_REPORT, request=request, obj=report)
    return _detail_page(request, report, _narrative_form(report) if may_change else None)


@require_POST
def report_autosave(request, pk):
    """The narrative saved while the QA lead types (static/js/autosave.js); JSON answers."""
    report = _report_for(request.user, pk)
    require("reports.change_report", request.user, report, error=PermissionDenied)
    try:
        report = _save_narrative(request, report)
    except Refused as refused:
        return refused.json(errors=refused.forms[0].error_summary())
    return autosave.saved(report)


@require_POST
def report_publish(request, pk):
    """The narrative form's Publish button: save what is in the form, then publish, in one step,
    so a narrative typed but not saved is not lost. A POST without the narrative's fields
    (nothing typed to save) publishes the saved narrative."""
    report = _report_for(request.user, pk)
    _require_writer(request.user)
    form = _narrative_form(report, request.POST)
    revision = RevisionForm(request.POST, record=report)
    narrative = None
    # A published report has no form to correct: the service refuses it and says why.
    if any(name in request.POST for name in form.fields) and not report.is_published:
        if not (form.is_valid() & revision.is_valid()):
            messages.error(
                request,
                _("The report was not published. Correct the narrative, then publish again."),
            )
            return _detail_page(request, report, form, revision)
        narrative = form.cleaned_data
    expected = revision.expected() if revision.is_valid() else {}
    try:
        services.report_publish(report=report, by=request.user, narrative=narrative, **expected)
    except RevisionConflict as conflict:
        messages.error(request, _("The report was not published."))
        return _conflict_page(request, form, revision, conflict)
    except services.ReportError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Report published. Its figures and narrative are now fixed; its PDF is being made."),
        )
    return redirect(report)


@require_POST
def report_pdf_make_again(request, pk):
    report = _report_for(request.user, pk)
    _require_writer(request.user)
    try:
        services.report_pdf_make_again(report=report, by=request.user)
    except services.ReportError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The PDF is being made again."))
    return redirect(report)


def report_pdf(request, pk):
    report = _report_for(request.user, pk)
    state = tasks.pdf_state(report)
    if state in (tasks.BEING_MADE, tasks.NOT_MADE):
        # Never a PDF other than the one frozen at publishing: say why there is none yet.
        being_made = state == tasks.BEING_MADE
        response = render(
            request,
            "reports/report_pdf_not_ready.html",
            {"report": report, "pdf_state": state, "title": report.title},
            status=202 if being_made else 409,
        )
        if being_made:
            response["Retry-After"] = "30"
        return response
    if report.is_published:
        pdf = bytes(Report.objects.values_list("frozen_pdf", flat=True).get(pk=report.pk))
    else:
        figures = services.report_current_figures(report)
        pdf = html_to_pdf(rendering.report_html(figures=figures, report=report, for_pdf=True))
    record(Event.VIEWED_REPORT_PDF, request=request, obj=report)
    response = HttpResponse(pdf, content_type="application/pdf")
    state = "published" if report.is_published else "draft"
    response["Content-Disposition"] = (
        f'attachment; filename="scrutiny-report-{report.start}-{report.end}-{state}.pdf"'
    )
    return response


def summary_json(request):
    """The JSON contract over the web, for QA leads: /reports/summary.json?start=…&end=…"""
    _require_writer(request.user)
    try:
        scope = contract.scope_from_arguments(
            start=request.GET.get("start"),
            end=request.GET.get("end"),
            activity=request.GET.get("activity") or None,
            strand=request.GET.get("strand") or None,
            case_type=request.GET.get("case_type") or None,
        )
    except contract.ScopeError as error:
        return JsonResponse({"error": str(error)}, status=400)
    summary = contract.summary(scope)
    record(Event.VIEWED_SUMMARY, request=request, object_label=f"summary {scope.period}")
    return JsonResponse(summary)


def report_export(request, pk, fmt):
    """The audits behind a report, for analysis: the CSV contract's columns, or an XLSX
    workbook with the audits and the summary tables. Always today's audits: a published
    report's frozen figures are in its PDF."""
    from io import BytesIO

    from .exports import write_report_csv, write_report_xlsx

    report = _report_for(request.user, pk)
    if fmt not in ("csv", "xlsx"):
        raise Http404(_("Exports are CSV or XLSX."))
    scope = services.report_scope(report)
    name = f"scrutiny-report-{report.start}-{report.end}-audits"
    record(Event.EXPORTED_CSV if fmt == "csv" else Event.EXPORTED_XLSX, request=request, obj=report)
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        write_report_csv(scope, response)
        return response
    buffer = BytesIO()
    write_report_xlsx(scope, buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def activity_results(request, pk):
    """An activity's results: for a built tool, every question's answers and the overall
    grades before and after moderation; for the standard tool, the report's figures for it."""
    require("reports.view_activity_results", request.user, error=PermissionDenied)
    activity = get_object_or_404(AuditActivity.objects.select_related("tool", "strand"), pk=pk)
    page = selectors.activity_page_figures(activity, today=timezone.localdate())
    context = {"activity": activity, "standard": "figures" in page}
    if "results" in page:
        context["result"] = presentation.activity_result_view(page["results"])
    elif page["figures"] is not None:
        context.update(presentation.build(page["figures"]))
    # Free-text answers carry case references: who read them is recorded.
    record(Event.VIEWED_REPORT, request=request, obj=activity)
    return render(request, "reports/activity_results.html", context)
