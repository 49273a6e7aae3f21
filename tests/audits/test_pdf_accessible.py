"""The audit's PDF as an accessible PDF (issue 13): tagged (PDF/UA-1), its language, its title
shown by viewers, bookmarks from its headings (the parts and each of the twelve domains), and the
actions table with its header row. Made as production makes it (production_static: DEBUG off,
the manifest storage) and read back with pypdf (tests/pdf_structure.py)."""

import logging

import pytest
from django.urls import reverse

from audits.models import Domain
from tests.helpers import fetch_problems, moderated_audit
from tests.pdf_structure import assert_tables_have_header_rows, read

pytestmark = pytest.mark.django_db


def test_an_audit_pdf_downloaded_in_production_is_a_tagged_pdf(
    production_static, client, moderator_user, caplog
):
    audit = moderated_audit(case_reference="CR-97531")
    client.force_login(moderator_user)
    with caplog.at_level(logging.WARNING):
        response = client.get(reverse("audits:pdf", args=[audit.pk]))

    assert response.status_code == 200
    assert fetch_problems(caplog) == []
    pdf = read(response.content)
    assert pdf.marked
    assert pdf.pdfua_part == "1"
    assert pdf.lang == "en-GB"
    assert pdf.title == "Audit of case CR-97531"
    assert pdf.display_doc_title

    domains = [
        f"{number}. {title}"
        for number, title in Domain.objects.filter(tool=audit.tool)
        .order_by("number")
        .values_list("number", "title")
    ]
    assert len(domains) == 12
    assert pdf.bookmarks[:3] == [
        (1, "Audit of case CR-97531"),
        (2, "About the audit"),
        (2, "The twelve domains"),
    ]
    assert pdf.bookmarks[3:15] == [(3, domain) for domain in domains]
    assert [title for level, title in pdf.bookmarks[15:] if level == 2][:4] == [
        "Risk categories",
        "Agreed actions",
        "Feedback to the case holder",
        "Overall judgement",
    ]
    assert pdf.tree.tag == "Document"
    assert len(pdf.tree.find("H3")) >= 12
    assert audit.actions.count() == 1  # complete_content agrees one action
    assert_tables_have_header_rows(pdf.tree, 1)
