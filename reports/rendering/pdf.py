"""The report's PDF goes through the project's one "HTML to PDF" (audits.pdf): the same WeasyPrint
call and the same fetcher that serves only the project's static files, for the report and for the
audit alike. Kept under this name so the report code and its tests read as before."""

from audits.pdf import STATIC_BASE_URL, ProjectStaticFetcher, html_to_pdf

__all__ = ["STATIC_BASE_URL", "ProjectStaticFetcher", "html_to_pdf"]
