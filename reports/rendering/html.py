"""The report as HTML: one body template shared by the page and the PDF paper."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from reports.rendering import presentation


def report_context(*, figures: dict, report=None) -> dict:
    return {
        **presentation.build(figures),
        "report": report,
        "council_name": settings.COUNCIL_NAME,
        "generated_at": timezone.now(),
        "title": report.title if report else f"Case file audit report: {figures['period_label']}",
    }


def report_html(*, figures: dict, report=None, for_pdf: bool = True) -> str:
    """A whole HTML document for WeasyPrint (for_pdf) or the body fragment for the page."""
    template = "reports/report_pdf.html" if for_pdf else "reports/_report_body.html"
    return render_to_string(template, report_context(figures=figures, report=report))
