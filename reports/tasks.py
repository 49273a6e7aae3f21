"""A published report's PDF, made by a task (audits.background) so that publishing answers at
once. Publishing freezes the paper's HTML; the task only turns that HTML into the PDF, so the
PDF is the paper as published however long the worker takes (or however often it retries).

Until the PDF is made, ``pdf_state`` says whether it is being made (a task waits, runs or will
be retried) or could not be made (every attempt failed, or the task was lost): the report's page
and its PDF download say so in words, and a QA lead may ask for it to be made again.
"""

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from audits.background import is_queued, retried_task

from .models import Report
from .rendering.pdf import html_to_pdf

READY, BEING_MADE, NOT_MADE = "ready", "being_made", "not_made"


class ReportPdfNotMade(Exception):
    """The PDF engine failed; the message names the report by id and period only."""


@retried_task
def make_report_pdf(*, report_id: int) -> None:
    """Make the PDF of the published report ``report_id`` from its frozen HTML, unless made."""
    report = Report.objects.only("pk", "period_label", "frozen_html").get(pk=report_id)
    if Report.objects.filter(pk=report_id, frozen_pdf__isnull=False).exists():
        return  # made already, by an earlier run asked for twice
    try:
        pdf = html_to_pdf(report.frozen_html)
    except Exception as error:
        raise ReportPdfNotMade(
            f"Could not make the PDF of report {report_id} ({report.period_label}): "
            f"{type(error).__name__}: {error}"
        ) from error
    # Only where none is stored yet: a PDF, once there, is never replaced.
    Report.objects.filter(pk=report_id, frozen_pdf__isnull=True).update(frozen_pdf=pdf)


def with_pdf_made(reports: QuerySet[Report]) -> QuerySet[Report]:
    """``reports`` without loading their frozen HTML and PDF, each with ``pdf_made``."""
    made = ExpressionWrapper(Q(frozen_pdf__isnull=False), output_field=BooleanField())
    return reports.defer("frozen_html", "frozen_pdf").annotate(pdf_made=made)


def pdf_state(report: Report) -> str | None:
    """READY, BEING_MADE or NOT_MADE for a published report (from ``with_pdf_made``); None
    for a draft, whose PDF is made when it is downloaded."""
    if not report.is_published:
        return None
    if report.pdf_made:
        return READY
    return BEING_MADE if is_queued(make_report_pdf, report_id=report.pk) else NOT_MADE
