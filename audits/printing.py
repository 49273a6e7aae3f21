"""One audit as a PDF for the case file or supervision: its HTML, its file name.

The PDF itself comes from audits.pdf, the project's one "HTML to PDF", so the audit's stylesheet
is served by the same static-only fetcher as the scrutiny report's, in production as in tests.
"""

import re

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Audit
from .pdf import html_to_pdf

# What a file name may keep of a case reference; anything else (a slash, a quote, a space in an
# imported reference) becomes a hyphen, so the Content-Disposition header stays well formed.
_UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9_-]+")


def audit_html(*, audit: Audit, request) -> str:
    """The whole document. Rendered with the request, so the template's permission checks (and
    the moderation panel's) ask about the person downloading it."""
    context = {
        "audit": audit,
        "council_name": settings.COUNCIL_NAME,
        "printed_at": timezone.localtime(),
    }
    return render_to_string("audits/audit_pdf.html", context, request=request)


def audit_pdf(*, audit: Audit, request) -> bytes:
    return html_to_pdf(audit_html(audit=audit, request=request))


def audit_pdf_filename(audit: Audit) -> str:
    """``audit-CR-12345-2026-10-15.pdf``: the case reference and the audit date, the way the file
    will be found again in a case file; the audit's number where either is missing."""
    reference = _UNSAFE_IN_FILENAME.sub("-", audit.case_reference).strip("-")
    date = audit.audit_date.isoformat() if audit.audit_date else "undated"
    return f"audit-{reference or audit.pk}-{date}.pdf"
