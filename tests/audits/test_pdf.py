"""The audit's PDF (audits:pdf): what it says, read back with text extraction; who may download
it (the audit page's rule); what the response tells the browser; and the security log's row."""

import datetime
import io

import pypdf
import pytest
from django.urls import reverse

from audits import printing, services
from audits.models import Audit, RiskCategory, SecurityEvent
from audits.pdf import ProjectStaticFetcher, html_to_pdf
from audits.security.events import Event
from moderation.services import exemplar_mark
from tests import factories
from tests.helpers import complete_content, draft_audit, moderated_audit

pytestmark = pytest.mark.django_db

A4_POINTS = (595.3, 841.9)
AUDIT_DATE = datetime.date(2026, 10, 15)


def pdf_text(data: bytes) -> str:
    """The PDF's text with line breaks and runs of spaces folded, as a reader would read it."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def pdf_events():
    return SecurityEvent.objects.filter(event=Event.VIEWED_AUDIT_PDF)


@pytest.fixture
def audit(owner):
    """The owner's submitted audit, with a text of its own in every domain, a team, two risks
    and an agreed action: everything the PDF must carry."""
    content = complete_content(case_reference="CR-24680", audit_date=AUDIT_DATE)
    content.header["team"] = factories.TeamFactory(name="Assessment team East", slug="east")
    content.header["overall_comments"] = "Planning is purposeful; the chronology lags."
    for number in content.domains:
        content.domains[number]["text"] = f"Domain {number} evidence typed by the auditor."
    content.domains[3]["grade"] = "does_not_meet"
    content.risk_category_ids = list(RiskCategory.objects.values_list("pk", flat=True)[:2])
    draft = services.audit_save_draft(audit=None, by=owner, content=content)
    return services.audit_submit(audit=draft, by=owner, today=datetime.date(2026, 11, 25))


def download(client, user, audit):
    client.force_login(user)
    return client.get(reverse("audits:pdf", args=[audit.pk]))


def test_the_pdf_carries_the_header_the_domains_and_the_judgement(client, owner, audit):
    owner.first_name, owner.last_name = "Ada", "Okafor"
    owner.save()
    response = download(client, owner, audit)

    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Audit of case CR-24680" in text
    assert "15 October 2026" in text
    assert "Ada Okafor" in text
    assert "Assessment team East" in text
    assert str(audit.strand) in text and str(audit.case_type) in text
    assert "Submitted" in text
    for grade in audit.domain_grades.select_related("domain"):
        assert f"{grade.domain.number}. {grade.domain.title}" in text
        assert f"Domain {grade.domain.number} evidence typed by the auditor." in text
    # Eleven domains and the overall grade Meets good; domain 3 Does not meet good.
    assert text.count("Meets good") == 12
    assert text.count("Does not meet good") == 1
    assert "Grade: Does not meet good" in text
    for risk in audit.risk_categories.all():
        assert risk.name in text
    assert "Update the chronology" in text
    assert "Team manager" in text
    assert "12 November 2026" in text  # the action is due 28 days after the audit
    assert "Planning is purposeful; the chronology lags." in text
    assert "OFFICIAL-SENSITIVE" in text


def test_the_pdf_is_a4_with_a_title_language_footer_and_page_numbers(client, owner, audit):
    reader = pypdf.PdfReader(io.BytesIO(download(client, owner, audit).content))

    assert reader.metadata.title == "Audit of case CR-24680"
    assert reader.trailer["/Root"].get("/Lang") == "en-GB"
    pages = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        width, height = (float(v) for v in page.mediabox.upper_right)
        assert (round(width, 1), round(height, 1)) == A4_POINTS
        text = page.extract_text()
        assert f"Page {number} of {pages}" in text
        assert "Printed " in text


def test_the_response_is_an_attachment_named_by_case_and_date_and_not_cached(client, owner, audit):
    response = download(client, owner, audit)

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="audit-CR-24680-2026-10-15.pdf"'
    assert response["Cache-Control"] == "no-store, private"


@pytest.mark.parametrize(
    ("reference", "date", "expected"),
    [
        ("CR-12345", AUDIT_DATE, "audit-CR-12345-2026-10-15.pdf"),
        ('CR/12 "x"', AUDIT_DATE, "audit-CR-12-x-2026-10-15.pdf"),
        ("", None, "audit-7-undated.pdf"),
    ],
)
def test_the_file_name_keeps_only_safe_characters(reference, date, expected):
    assert printing.audit_pdf_filename(Audit(pk=7, case_reference=reference, audit_date=date)) == (
        expected
    )


def test_typed_text_is_printed_as_text_and_nothing_is_fetched(rf, owner):
    content = complete_content(case_reference="CR-13579")
    content.domains[1]["text"] = '<img src="file:///etc/passwd"> and <b>bold</b>'
    content.header["overall_comments"] = '<link rel="stylesheet" href="http://example.com/x.css">'
    audit = services.audit_save_draft(audit=None, by=owner, content=content)
    request = rf.get("/")
    request.user = owner
    fetcher = ProjectStaticFetcher()

    html = printing.audit_html(audit=audit, request=request)
    text = pdf_text(html_to_pdf(html, fetcher=fetcher))

    assert '<img src="file:///etc/passwd"> and <b>bold</b>' in text
    assert "http://example.com/x.css" in text
    assert "root:x:0:0" not in text
    assert fetcher.refused == []  # escaped: the engine never even tried


def test_the_page_offers_the_download(client, owner, audit):
    client.force_login(owner)
    html = client.get(reverse("audits:detail", args=[audit.pk])).content.decode()

    assert f'href="{reverse("audits:pdf", args=[audit.pk])}"' in html
    assert "Download PDF" in html


# --- Who may download it: the audit page's rule ------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("owner", 200),
        ("colleague", 404),
        ("no_role_user", 404),
        ("moderator_user", 200),
        ("qa_lead_user", 200),
        ("administrator_user", 200),
    ],
)
def test_whoever_may_open_the_audit_may_download_it(client, request, audit, who, expected):
    user = request.getfixturevalue(who)
    client.force_login(user)

    page = client.get(reverse("audits:detail", args=[audit.pk]))
    response = client.get(reverse("audits:pdf", args=[audit.pk]))

    assert response.status_code == page.status_code == expected
    assert pdf_events().filter(actor=user).count() == (1 if expected == 200 else 0)


def test_a_colleague_gets_nothing_and_nothing_is_logged(client, colleague, audit):
    response = download(client, colleague, audit)

    assert response.status_code == 404
    assert b"CR-24680" not in response.content
    assert not pdf_events().exists()


def test_nobody_but_the_auditor_downloads_a_draft(client, owner, moderator_user):
    draft = draft_audit(auditor=owner, case_reference="CR-11111")

    assert download(client, moderator_user, draft).status_code == 404
    response = download(client, owner, draft)
    assert response.status_code == 200
    assert "CR-11111" in pdf_text(response.content)


def test_an_unknown_audit_is_a_404_and_nothing_is_logged(client, owner):
    client.force_login(owner)

    assert client.get("/audits/999999/audit.pdf").status_code == 404
    assert not pdf_events().exists()


# --- What the moderation part shows: the audit page's rules -------------------------------------


@pytest.fixture
def exemplar(owner):
    """A moderated audit whose grade the moderator changed, with a rationale, then held up as an
    exemplar: every auditor may open it, but the rationale is for its auditor and moderators."""
    audit = moderated_audit(
        auditor=owner,
        case_reference="CR-97531",
        grade="exceeds",
        rationale="Outstanding direct work with the family.",
    )
    exemplar_mark(audit=audit, by=factories.moderator(), note="Direct work")
    return audit


def test_the_auditor_reads_the_moderation_rationale(client, owner, exemplar):
    text = pdf_text(download(client, owner, exemplar).content)

    assert "Moderated grade Exceeds good" in text
    assert "Outstanding direct work with the family." in text
    assert "Take for moderation" not in text and "Acknowledge" not in text  # no buttons


def test_another_auditor_sees_the_grades_of_an_exemplar_but_not_the_rationale(
    client, colleague, exemplar
):
    response = download(client, colleague, exemplar)

    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Moderated grade Exceeds good" in text
    assert "Outstanding direct work with the family." not in text
    assert "for the auditor and the moderators only" in text


# --- The security log ---------------------------------------------------------------------------


def test_each_download_is_in_the_security_log_with_the_case_and_the_user(
    client, moderator_user, audit
):
    download(client, moderator_user, audit)
    download(client, moderator_user, audit)

    rows = list(pdf_events().order_by("pk"))
    assert len(rows) == 2
    row = rows[0]
    assert row.actor == moderator_user
    assert row.username == moderator_user.username
    assert row.case_reference == "CR-24680"
    assert row.object == f"audit {audit.pk}"
    assert row.path == reverse("audits:pdf", args=[audit.pk])
