"""HTML to PDF with WeasyPrint, fetching nothing but the project's own static files and data: URIs.

The one home of "HTML to PDF": the audit's PDF (audits.views) and the scrutiny report's
(reports.rendering.pdf) both come through here. A document names its stylesheet with
``{% static %}``, resolved against STATIC_BASE_URL, an address that exists only for this
fetcher: it is answered from the static files on disk, never from the network. Every other URL
(file:, http:, https: elsewhere, ftp:, …) is refused, so text a user typed can never make the
PDF engine read a local file or call out.

A static URL is looked up the way it was made: in production ``{% static %}`` gives the manifest
storage's hashed name (``css/audit_print.<hash>.css``), which only the collected files in
STATIC_ROOT have, so the storage is asked first. Files that were not collected (development, and
the tests, which run with DEBUG off but the plain storage) have unhashed names the staticfiles
finders know, so they are the fallback; either way only files under the static roots are read.
"""

import logging
import mimetypes

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

STATIC_BASE_URL = "https://casefile-audit.invalid/"

# Tagged output for screen readers (issue 13): PDF/UA-1, which WeasyPrint writes as PDF 1.7.
PDF_VARIANT = "pdf/ua-1"


class ProjectStaticFetcher(URLFetcher):
    """Serves project static files and data: URIs; refuses everything else and remembers it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, allowed_protocols=["data", "https"], **kwargs)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        static_prefix = STATIC_BASE_URL + settings.STATIC_URL.lstrip("/")
        if url.startswith(static_prefix):
            name = url[len(static_prefix) :].split("?")[0].split("#")[0]
            body = _static_file(name)
            if body is not None:
                mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})
        self.refused.append(url)
        logger.warning("PDF rendering refused to fetch %s", url)
        raise ValueError(f"Refused to fetch {url}: only the project's static files are allowed.")


def _static_file(name: str) -> bytes | None:
    """The bytes of the project static file ``name`` (as in its URL), or None if there is none."""
    if not name or ".." in name or name.startswith("/"):
        return None
    try:
        if staticfiles_storage.exists(name):
            with staticfiles_storage.open(name) as handle:
                return handle.read()
        path = finders.find(name)
        if path:
            with open(path, "rb") as handle:
                return handle.read()
    except (SuspiciousFileOperation, OSError):
        pass  # outside the static roots, or a directory: not a static file
    return None


def html_to_pdf(html: str, fetcher: ProjectStaticFetcher | None = None) -> bytes:
    """Render ``html`` (a whole document whose <title> and lang become the PDF's metadata) as a
    tagged PDF/UA-1 file.

    PDF/UA makes WeasyPrint tag the structure (headings, paragraphs, lists, tables with their
    header cells, figures with the SVG's <title> as their text alternative), mark the file as
    tagged (MarkInfo), write the language (/Lang from <html lang>) and ask viewers to show the
    title rather than the file name (DisplayDocTitle), with the PDF/UA identifier in the XMP
    metadata. Bookmarks come from the headings (bookmark-level in the print stylesheets)."""
    fetcher = fetcher or ProjectStaticFetcher()
    document = HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=fetcher)
    return document.write_pdf(pdf_variant=PDF_VARIANT)
