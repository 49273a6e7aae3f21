"""The audit's PDF as production renders it: DEBUG off, whitenoise's manifest storage, the static
files collected into STATIC_ROOT (the production_static fixture, tests/conftest.py). Its two
stylesheets (app.css for the grade badges, audit_print.css for the page) are then hashed names
only the collected files have; the report's PDF once came out unstyled that way.

Only the print stylesheet writes in the page margins: "OFFICIAL-SENSITIVE" at the top and the
foot of every page, the printed line and "Page n of N" at the foot, and it hides the body's own
copy of the marking. Finding exactly two markings and the page number on every page proves the
stylesheet was fetched and applied; an unstyled PDF has the marking once, on page 1 only.
"""

import io
import logging

import pypdf
import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from audits import printing
from audits.models import SecurityEvent
from audits.security.events import Event
from tests.helpers import fetch_problems, submitted_audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit(owner):
    return submitted_audit(auditor=owner, case_reference="CR-86420")


def assert_styled(data: bytes):
    reader = pypdf.PdfReader(io.BytesIO(data))
    pages = len(reader.pages)
    assert pages >= 2  # twelve domains do not fit on one A4 page
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert f"Page {number} of {pages}" in text  # @bottom-right
        assert text.count("OFFICIAL-SENSITIVE") == 2  # @top-center and @bottom-center
        assert "Printed " in text  # @bottom-left, from string-set


def test_the_audit_stylesheets_are_hashed_names_only_the_collected_files_have(
    production_static, rf, owner, audit
):
    request = rf.get("/")
    request.user = owner
    html = printing.audit_html(audit=audit, request=request)

    for name in ("css/app.css", "css/audit_print.css"):
        stem = name.removesuffix(".css")
        assert f"/static/{name}" not in html
        hashed = html.split(f'href="/static/{stem}.', 1)[1].split('"', 1)[0]
        assert (production_static / f"{stem}.{hashed}").is_file()
        assert finders.find(f"{stem}.{hashed}") is None


def test_an_audit_pdf_downloaded_in_production_is_styled(
    production_static, client, moderator_user, audit, caplog
):
    client.force_login(moderator_user)
    with caplog.at_level(logging.WARNING):
        response = client.get(reverse("audits:pdf", args=[audit.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert fetch_problems(caplog) == []
    assert_styled(response.content)
    assert SecurityEvent.objects.filter(
        event=Event.VIEWED_AUDIT_PDF, actor=moderator_user, case_reference="CR-86420"
    ).exists()


def test_the_audit_page_links_the_pdf_under_the_manifest_storage(
    production_static, client, owner, audit
):
    client.force_login(owner)
    response = client.get(reverse("audits:detail", args=[audit.pk]))

    assert response.status_code == 200
    assert reverse("audits:pdf", args=[audit.pk]) in response.content.decode()
