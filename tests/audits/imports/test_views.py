"""The import pages: who may use them, what an upload shows, and that only Confirm writes."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from audits.imports.uploads import CappedMemoryUploadHandler
from audits.models import Audit, Case, CaseImport, ImportUpload, Person, Strand, Team
from tests import factories

from .conftest import case_row, cases_csv

pytestmark = pytest.mark.django_db

UPLOAD_CASES = reverse("audits:import_upload", kwargs={"kind": "cases"})
UPLOAD_AUDITS = reverse("audits:import_upload", kwargs={"kind": "audits"})


def written() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Audit, Case, CaseImport, Person, Team, ImportUpload)
    }


def upload(client, data: bytes, *, name="cases.csv", url=UPLOAD_CASES):
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


@pytest.fixture
def lead_client(client, qa_lead_user):
    client.force_login(qa_lead_user)
    return client


def test_the_schedule_links_to_the_imports(lead_client):
    page = lead_client.get(reverse("audits:activities")).content.decode()
    assert reverse("audits:imports") in page


@pytest.mark.parametrize("url", [reverse("audits:imports"), UPLOAD_CASES, UPLOAD_AUDITS])
def test_only_qa_leads_and_administrators_open_the_pages(client, request, url):
    for who, status in (
        ("owner", 403),
        ("moderator_user", 403),
        ("no_role_user", 403),
        ("qa_lead_user", 200),
        ("administrator_user", 200),
    ):
        client.force_login(request.getfixturevalue(who))
        assert client.get(url).status_code == status, who


def test_an_auditor_posting_a_file_is_refused_and_nothing_is_kept(client, owner, good_cases):
    client.force_login(owner)
    before = written()
    assert upload(client, good_cases).status_code == 403
    assert written() == before


def test_an_unknown_kind_is_not_found(lead_client):
    assert lead_client.get("/imports/people/").status_code == 404


def test_a_bad_file_shows_every_problem_by_line_and_column_and_writes_nothing(
    lead_client, bad_cases
):
    before = written()
    response = upload(lead_client, bad_cases, name="extract.csv")

    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page and 'href="#problems"' in page
    problems = response.context["problems"]
    assert [(p.line, p.column) for p in problems] == [(3, "open_date"), (4, "case_reference")]
    for problem in problems:
        assert problem.reason.replace("“", "&ldquo;")[:20] in page or problem.reason[:20] in page
    assert "extract.csv has 2 problems in 2 rows: nothing was imported" in page
    assert written() == before


def test_a_good_file_shows_the_preview_and_only_confirm_writes(lead_client, good_cases):
    before = written()
    response = upload(lead_client, good_cases)
    upload_row = ImportUpload.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("audits:import_preview", kwargs={"pk": upload_row.pk})
    assert {k: v for k, v in written().items() if k != "ImportUpload"} == {
        k: v for k, v in before.items() if k != "ImportUpload"
    }

    page = lead_client.get(response.url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Confirm import" in text and "CR-3001" in text and "Sam Okafor" in text
    assert dict(page.context["upload"].summary["counts"])["New cases"] == 3
    assert page["Cache-Control"] and "no-store" in page["Cache-Control"]

    confirmed = lead_client.post(response.url, {"confirm": "1"})
    assert confirmed.status_code == 302
    assert Case.objects.count() == 3 and CaseImport.objects.count() == 1
    done = lead_client.get(response.url).content.decode()
    assert "was imported" in done and "Confirm import" not in done

    # The same page posted again (a second tab, a double click): refused, nothing twice.
    again = lead_client.post(response.url, {"confirm": "1"})
    assert again.status_code == 409
    assert "imported already" in again.content.decode()
    assert Case.objects.count() == 3 and CaseImport.objects.count() == 1


def test_cancel_forgets_the_upload(lead_client, good_cases):
    upload(lead_client, good_cases)
    pk = ImportUpload.objects.get().pk
    response = lead_client.post(
        reverse("audits:import_preview", kwargs={"pk": pk}), {"discard": "1"}
    )
    assert response.status_code == 302 and response.url == UPLOAD_CASES
    assert not ImportUpload.objects.exists() and not Case.objects.exists()


def test_a_preview_is_its_uploaders_alone_the_record_is_every_importers(
    client, qa_lead_user, administrator_user, owner, good_cases
):
    client.force_login(qa_lead_user)
    upload(client, good_cases)
    url = reverse("audits:import_preview", kwargs={"pk": ImportUpload.objects.get().pk})

    for colleague in (factories.qa_lead(), administrator_user):
        client.force_login(colleague)
        assert client.get(url).status_code == 404
        assert client.post(url, {"confirm": "1"}).status_code == 404
        assert client.post(url, {"discard": "1"}).status_code == 404
    client.force_login(owner)
    assert client.get(url).status_code == 403
    assert not Case.objects.exists()

    client.force_login(qa_lead_user)
    client.post(url, {"confirm": "1"})
    client.force_login(administrator_user)
    assert client.get(url).status_code == 200
    index = client.get(reverse("audits:imports")).content.decode()
    assert "cases.csv" in index


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"", "cases.csv", "The selected file is empty"),
        (b"PK\x03\x04rest of a zip", "cases.csv", "an Excel workbook (.xlsx)"),
        (b"%PDF-1.7", "cases.csv", "a PDF"),
        (b"case_reference\n", "cases.xlsx", "must be a CSV file"),
    ],
)
def test_files_that_are_no_csv_are_refused_naming_the_problem(lead_client, data, name, message):
    response = upload(lead_client, data, name=name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportUpload.objects.exists()


def test_no_file_at_all_asks_for_one(lead_client):
    response = lead_client.post(UPLOAD_CASES, {})
    assert response.status_code == 400 and "Select a CSV file" in response.content.decode()


def test_a_file_in_another_encoding_is_refused_naming_the_line(lead_client):
    data = cases_csv(case_row(), case_row(case_reference="CR-3002", case_holder="Zoë Brontë"))
    response = upload(lead_client, data.decode().encode("cp1252"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "not UTF-8 text" in page and "line 3" in page
    assert not Case.objects.exists()


def test_an_empty_csv_with_no_header_is_refused(lead_client):
    response = upload(lead_client, b"\r\n\r\n")
    assert response.status_code == 400
    assert "The selected file is empty" in response.content.decode()


def test_a_file_over_the_limit_is_refused_with_its_size(lead_client, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024 * 1024
    row = b"CR-1," + b"x" * 1000 + b"\n"
    data = b"case_reference,case_holder\n" + row * 1100  # about 1.1 MB
    response = upload(lead_client, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "The selected file must be smaller than 1 MB (it is 1.1 MB)" in page
    assert not ImportUpload.objects.exists()


def test_the_upload_handler_keeps_no_more_than_the_limit_in_memory():
    handler = CappedMemoryUploadHandler(limit=10)
    handler.new_file("file", "a.csv", "text/csv", None)
    handler.receive_data_chunk(b"0123456789", 0)
    handler.receive_data_chunk(b"abc", 10)
    kept = handler.file_complete(13)
    assert kept.too_big and kept.size == 13 and kept.read() == b""

    handler.new_file("file", "b.csv", "text/csv", None)  # a second file is never kept
    handler.receive_data_chunk(b"012", 0)
    second = handler.file_complete(3)
    assert second.read() == b""


def test_a_big_upload_never_touches_the_disk(lead_client, settings, monkeypatch, good_cases):
    """Django writes uploads over FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file: not here."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10
    import django.core.files.uploadedfile as uploadedfile

    def no_disk(*args, **kwargs):
        raise AssertionError("the upload was written to disk")

    monkeypatch.setattr(uploadedfile.TemporaryUploadedFile, "__init__", no_disk)
    response = upload(lead_client, good_cases)
    assert response.status_code == 302 and ImportUpload.objects.exists()


def test_the_upload_is_refused_without_the_csrf_token(qa_lead_user, good_cases):
    client = Client(enforce_csrf_checks=True)
    client.force_login(qa_lead_user)
    response = client.post(UPLOAD_CASES, {"file": io.BytesIO(good_cases)})
    assert response.status_code == 403
    assert not ImportUpload.objects.exists()


def test_the_audit_import_page_previews_and_confirms(lead_client, good_audits, bad_audits):
    response = upload(lead_client, bad_audits, name="audits.csv", url=UPLOAD_AUDITS)
    assert response.status_code == 400 and len(response.context["problems"]) == 3
    assert not Audit.objects.exists()

    response = upload(lead_client, good_audits, name="audits.csv", url=UPLOAD_AUDITS)
    lead_client.post(response.url, {"confirm": "1"})
    assert Audit.objects.filter(is_imported=True).count() == 3


def test_uploading_the_same_file_again_warns_it_was_imported_before(lead_client, good_cases):
    response = upload(lead_client, good_cases)
    lead_client.post(response.url, {"confirm": "1"})
    response = upload(lead_client, good_cases)
    page = lead_client.get(response.url).content.decode()
    assert "This very file was imported before" in page
    assert dict(ImportUpload.objects.first().summary["counts"])["Cases unchanged"] == 3


def test_a_stale_preview_confirmed_says_the_result_differs(lead_client, good_audits, tmp_path):
    response = upload(lead_client, good_audits, name="audits.csv", url=UPLOAD_AUDITS)
    path = tmp_path / "same.csv"
    path.write_bytes(good_audits)
    call_command("import_audits", str(path))  # someone else imported the same audits

    page = lead_client.post(response.url, {"confirm": "1"}, follow=True).content.decode()
    assert "made something other than the preview showed" in page
    assert Audit.objects.count() == 3


def test_a_confirm_the_rules_now_refuse_lists_the_problems_and_writes_nothing(
    lead_client, good_cases
):
    response = upload(lead_client, good_cases)
    Strand.objects.filter(slug="social_care").update(slug="csc", name="CSC")

    refused = lead_client.post(response.url, {"confirm": "1"})
    assert refused.status_code == 409
    assert [p.column for p in refused.context["problems"]] == ["strand"] * 3
    assert "govuk-error-summary" in refused.content.decode()
    assert not Case.objects.exists()


def test_cancelling_in_a_stale_tab_after_the_import_says_so(lead_client, good_cases):
    response = upload(lead_client, good_cases)
    lead_client.post(response.url, {"confirm": "1"})

    cancelled = lead_client.post(response.url, {"discard": "1"})
    assert cancelled.status_code == 409
    assert "imported already" in cancelled.content.decode()
    assert Case.objects.count() == 3 and ImportUpload.objects.count() == 1
