"""Every write to reports: create a draft, write its narrative, publish it."""

import datetime
from typing import TypedDict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.errors import DomainError
from audits.periods import Period
from audits.permissions import require
from audits.revisions import bump_revision, check_revision

from .figures import report_figures
from .models import Report
from .rendering.html import report_html
from .rendering.pdf import html_to_pdf
from .selectors import ReportScope


class ReportError(DomainError):
    """A report request the rules refuse; the message is written for the user."""


class Narrative(TypedDict):
    """The sections a QA lead writes (NarrativeForm's cleaned data)."""

    title: str
    summary: str
    findings: str
    recommendations: str


def _require_qa_lead(user) -> None:
    require("reports.write_reports", user, error=ReportError)


def report_scope(report: Report) -> ReportScope:
    return ReportScope(
        Period(report.start, report.end, report.period_label),
        report.activity,
        report.strand,
        report.case_type,
    )


def report_create(
    *, by, period: Period, activity=None, strand=None, case_type=None, title: str = ""
) -> Report:
    """A draft report for ``period`` and the optional filters."""
    _require_qa_lead(by)
    parts = [p.name for p in (activity, strand, case_type) if p is not None]
    default_title = _("Case file audit report: %(period)s") % {"period": period.label}
    if parts:
        default_title += f" ({', '.join(parts)})"
    return Report.objects.create(
        title=(title or default_title)[:200],
        period_label=period.label,
        start=period.start,
        end=period.end,
        activity=activity,
        strand=strand,
        case_type=case_type,
        created_by=by,
    )


def _draft_for_update(report: Report) -> Report:
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.is_published:
        raise ReportError(
            _("This report was published on %(date)s and can no longer change.")
            % {"date": f"{timezone.localtime(report.published_at):%-d %B %Y}"}
        )
    return report


def _write_narrative(
    report: Report,
    *,
    by,
    page: str,
    title: str,
    summary: str,
    findings: str,
    recommendations: str,
) -> None:
    report.title = title.strip() or report.title
    report.summary, report.findings = summary.strip(), findings.strip()
    report.recommendations = recommendations.strip()
    bump_revision(
        report, by=by, page=page, fields=["title", "summary", "findings", "recommendations"]
    )


@transaction.atomic
def report_update_narrative(
    *,
    report: Report,
    by,
    title: str,
    summary: str,
    findings: str,
    recommendations: str,
    expected_revision: int | None = None,
    page: str = "",
) -> Report:
    """Save a draft's narrative (the Save button and autosave). ``expected_revision`` is the
    revision the page was opened at: if another page saved since, RevisionConflict and
    nothing is written."""
    _require_qa_lead(by)
    report = _draft_for_update(report)
    check_revision(report, expected=expected_revision, page=page)
    _write_narrative(
        report,
        by=by,
        page=page,
        title=title,
        summary=summary,
        findings=findings,
        recommendations=recommendations,
    )
    return report


@transaction.atomic
def report_publish(
    *,
    report: Report,
    by,
    narrative: Narrative | None = None,
    today: datetime.date | None = None,
    expected_revision: int | None = None,
    page: str = "",
) -> Report:
    """Freeze the figures, the narrative and the PDF. A published report never changes.

    ``narrative``, what the QA lead has in the form as they publish, is saved first in the same
    transaction, so what they typed is what is frozen, or nothing is if publishing fails. If
    the narrative was saved from another page since this one opened (``expected_revision``),
    RevisionConflict: nobody publishes a narrative they have not seen.
    """
    _require_qa_lead(by)
    report = _draft_for_update(report)
    check_revision(report, expected=expected_revision, page=page)
    if narrative is not None:
        _write_narrative(report, by=by, page=page, **narrative)
    figures = report_figures(report_scope(report), today=today or timezone.localdate())
    report.state = Report.State.PUBLISHED
    report.published_by, report.published_at = by, timezone.now()
    report.frozen_figures = figures
    report.frozen_pdf = html_to_pdf(report_html(figures=figures, report=report, for_pdf=True))
    report.save(
        update_fields=[
            "state",
            "published_by",
            "published_at",
            "frozen_figures",
            "frozen_pdf",
            "updated_at",
        ]
    )
    return report


def report_current_figures(report: Report, *, today: datetime.date | None = None) -> dict:
    """Frozen figures for a published report; live ones for a draft."""
    if report.is_published:
        return report.frozen_figures
    return report_figures(report_scope(report), today=today or timezone.localdate())
