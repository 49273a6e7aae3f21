"""The compare page: two periods, two activities or two teams side by side (reports.compare)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from audits.permissions import require
from audits.uncertainty import SIGNIFICANCE, small_sample_note

from .compare import compare_figures, comparison_rows
from .forms_compare import CompareForm


def compare(request):
    """A GET form; with valid choices, the figures of both sides and their differences. Bad
    choices give the form again with its errors (status 400), never a page of figures."""
    require("reports.view_reports", request.user, error=PermissionDenied)
    bound = "by" in request.GET
    form = CompareForm(request.GET if bound else None, today=timezone.localdate())
    context = {"form": form, "significance": SIGNIFICANCE, "small_sample_note": small_sample_note()}
    if bound and form.is_valid() and "sides" in form.cleaned_data:
        data = form.cleaned_data
        first, second = data["sides"]
        figures = compare_figures(
            first, second, strand=data.get("strand"), case_type=data.get("case_type")
        )
        context.update(figures=figures, rows=comparison_rows(figures), sides=(first, second))
    status = 400 if bound and form.errors else 200
    return render(request, "reports/compare.html", context, status=status)
