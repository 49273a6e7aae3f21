"""A built tool's audit PDF as production makes it (production_static: DEBUG off, whitenoise's
manifest storage, the static files collected): styled (the print stylesheet, a hashed name only
the collected files have, was fetched and applied: the marking in both margins and "Page n of N"
on every page) and tagged (PDF/UA-1, its language, its title, bookmarks from the headings: each
section of the tool; the actions and agencies tables with their header rows)."""

import io
import logging

import pypdf
import pytest
from django.urls import reverse

from audits.models import AgencyContribution
from audits.tools.kinds import ActivityKind
from tests.audits.test_audit_pdf_tools import make_audit
from tests.helpers import fetch_problems
from tests.pdf_structure import assert_tables_have_header_rows, read

pytestmark = pytest.mark.django_db


def test_a_built_tool_audit_pdf_downloaded_in_production_is_styled_and_tagged(
    production_static, client, owner, caplog
):
    audit = make_audit(owner=owner, kind=ActivityKind.MULTI_AGENCY)
    AgencyContribution.objects.create(
        audit=audit, agency="Police", auditor_name="DS Kay Hill", organisation="County Police"
    )
    client.force_login(owner)
    with caplog.at_level(logging.WARNING):
        response = client.get(reverse("audits:pdf", args=[audit.pk]))

    assert response.status_code == 200
    assert fetch_problems(caplog) == []

    reader = pypdf.PdfReader(io.BytesIO(response.content))
    pages = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        width, height = (float(v) for v in page.mediabox.upper_right)
        assert (round(width, 1), round(height, 1)) == (595.3, 841.9)  # A4
        text = page.extract_text()
        assert f"Page {number} of {pages}" in text  # @bottom-right
        assert text.count("OFFICIAL-SENSITIVE") == 2  # @top-center and @bottom-center
        assert "Printed " in text  # @bottom-left

    pdf = read(response.content)
    assert pdf.marked
    assert pdf.pdfua_part == "1"
    assert pdf.lang == "en-GB"
    assert pdf.title == "Audit of case CR-55501"
    assert pdf.display_doc_title
    assert pdf.bookmarks[:6] == [
        (1, "Audit of case CR-55501"),
        (2, "About the audit"),
        (2, "Agencies taking part"),
        (2, "Answers"),
        (3, "1. Recognising neglect"),
        (3, "2. Planning for the child"),
    ]
    assert [title for level, title in pdf.bookmarks[6:] if level == 2][:4] == [
        "Agreed actions",
        "Feedback to the case holder",
        "Overall judgement",
        "Moderation",
    ]
    # The questions are headings too, for a screen reader, but not bookmarks.
    assert len(pdf.tree.find("H4")) == 7
    assert_tables_have_header_rows(pdf.tree, 2)  # the agencies and the actions
