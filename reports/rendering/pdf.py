"""HTML to PDF with WeasyPrint, fetching nothing but the project's own static files and data: URIs.

The report HTML refers to its stylesheet under STATIC_BASE_URL, an address that exists only for
this fetcher: it is answered from the static files on disk, never from the network. Every other
URL (file:, http:, https: elsewhere, ftp:, …) is refused, so text a user typed can never make
the PDF engine read a local file or call out.
"""

import logging
import mimetypes

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

STATIC_BASE_URL = "https://casefile-audit.invalid/"


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
            relative = url[len(static_prefix) :].split("?")[0].split("#")[0]
            path = finders.find(relative) if ".." not in relative else None
            if path:
                with open(path, "rb") as handle:
                    body = handle.read()
                mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})
        self.refused.append(url)
        logger.warning("PDF rendering refused to fetch %s", url)
        raise ValueError(f"Refused to fetch {url}: only the project's static files are allowed.")


def html_to_pdf(html: str, fetcher: ProjectStaticFetcher | None = None) -> bytes:
    """Render ``html`` (a whole document whose <title> and lang become the PDF's metadata)."""
    fetcher = fetcher or ProjectStaticFetcher()
    return HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=fetcher).write_pdf()
