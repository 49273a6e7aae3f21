"""The benchmark page for QA leads: upload councils' files to compare (read in memory, never
kept), and download this council's file for a period. Thin: reports.benchmark.merge and
reports.benchmark.export do the work."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from audits import periods
from audits.grades import DOMAIN_CODES
from audits.permissions import require
from audits.uncertainty import interval_note
from reports.contract import ScopeError

from . import export, merge
from .forms import MAX_FILE_BYTES, MAX_FILES, BenchmarkUploadForm
from .uploads import MemoryFilesUploadHandler
from .vocabulary import CASE_TYPES, STRANDS


def _require_qa_lead(user):
    require("reports.write_reports", user, error=PermissionDenied)


def recent_periods(today) -> list[periods.Period]:
    """The periods offered for download, newest first: this quarter and the four before it,
    this financial year and the one before."""
    fy, number = periods.financial_year_of(today), periods.financial_quarter_of(today)
    quarters = []
    for _ in range(5):
        quarters.append(periods.quarter(fy, number))
        fy, number = (fy, number - 1) if number > 1 else (fy - 1, 4)
    this_year = periods.financial_year_of(today)
    return [*quarters, periods.financial_year(this_year), periods.financial_year(this_year - 1)]


def _page(request, *, form, comparison=None, export_error=None):
    context = {
        "form": form,
        "error_summary": [
            *(form.error_summary() if form.is_bound else []),
            *([("download-heading", export_error)] if export_error else []),
        ],
        "downloads": recent_periods(timezone.localdate()),
        "export_error": export_error,
        "comparison": comparison,
        "interval_note": interval_note(),
    }
    if comparison:
        context.update(
            rows=list(zip(comparison["councils"], comparison["standing"]["rows"], strict=True)),
            sentences=merge.standing_sentences(comparison["standing"]),
            by_strand=merge.split_rows(comparison, "by_strand", STRANDS),
            by_case_type=merge.split_rows(comparison, "by_case_type", CASE_TYPES),
            grade_codes=DOMAIN_CODES,
            domain_rows=[
                (d["number"], [d[code] for code in DOMAIN_CODES])
                for d in comparison["region"]["domains"]
            ],
        )
    status = 400 if context["error_summary"] else 200
    return render(request, "reports/benchmark/benchmark.html", context, status=status)


# The upload handler must be set before anything reads the request's body, and the CSRF check
# reads it: so the check is made by csrf_protect after the handler is set (as audits.imports).
@csrf_exempt
def benchmark(request):
    _require_qa_lead(request.user)
    if request.method == "POST":
        request.upload_handlers = [
            MemoryFilesUploadHandler(request, limit=MAX_FILE_BYTES, files=MAX_FILES)
        ]
    return _benchmark(request)


@csrf_protect
def _benchmark(request):
    if request.method != "POST":
        return _page(request, form=BenchmarkUploadForm())
    # Every file posted, whatever its field is called (the page's, or a script's "file").
    posted = [upload for name in request.FILES for upload in request.FILES.getlist(name)]
    form = BenchmarkUploadForm(request.POST, MultiValueDict({"files": posted} if posted else {}))
    comparison = None
    if form.is_valid():
        try:
            comparison = merge.compare(form.files_read)
        except merge.MergeRefused as refused:
            for problem in refused.problems:
                form.add_error("files", problem)
    return _page(request, form=form, comparison=comparison)


def benchmark_export(request):
    """This council's benchmark file for ?start=YYYY-MM-DD&end=YYYY-MM-DD, as a download; bad
    dates show the page again with the problem named."""
    _require_qa_lead(request.user)
    try:
        made = export.export_for(start=request.GET.get("start"), end=request.GET.get("end"))
    except (ScopeError, export.ExportRefused) as error:
        return _page(request, form=BenchmarkUploadForm(), export_error=str(error))
    response = HttpResponse(made.text, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.file_name(made.document)}"'
    return response
