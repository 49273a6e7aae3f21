"""The web import's services: the preview writes nothing and applies the commands' rules; the
confirm imports exactly the text previewed, once."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from audits.imports import services
from audits.imports.services import ImportRefused, ImportUploadError
from audits.models import (
    Audit,
    AuditActivity,
    AuditTransition,
    Case,
    CaseImport,
    DomainGrade,
    ImportUpload,
    Person,
    SecurityEvent,
    Team,
)
from tests import factories

from .conftest import audit_row, audits_csv, case_row, cases_csv

pytestmark = pytest.mark.django_db

MODELS = (
    Audit,
    DomainGrade,
    AuditTransition,
    AuditActivity,
    User,
    Team,
    Case,
    Person,
    CaseImport,
    SecurityEvent,
)


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def lead():
    return factories.qa_lead(username="lead", first_name="Quinn", last_name="Lewis")


def test_a_good_audit_file_previews_its_counts_and_first_rows_and_writes_nothing(lead, good_audits):
    before = counts()
    preview = services.import_preview(
        kind="audits", data=good_audits, filename="audits.csv", by=lead
    )

    assert preview.errors == []
    after = counts()
    after.pop("User")  # the lead's own account was made before
    before.pop("User")
    assert after == before
    assert not User.objects.filter(username__in=["historic-auditor", "mod-a"]).exists()
    upload = preview.upload
    assert upload.state == ImportUpload.State.PENDING and upload.uploaded_by == lead
    counted = dict(upload.summary["counts"])
    assert counted["Audits"] == 3 and counted["New accounts"] == 2
    assert counted["New activities"] == 1 and counted["New teams"] == 1
    assert [row[0] for row in upload.summary["rows"]] == ["CR-2001", "CR-2002", "CR-2003"]
    assert upload.summary["rows"][1][-1] == "Exceeds good"
    assert upload.text == good_audits.decode()


def test_a_bad_file_lists_every_problem_by_line_and_column_and_keeps_nothing(lead, bad_audits):
    before = counts()
    preview = services.import_preview(kind="audits", data=bad_audits, filename="bad.csv", by=lead)

    assert preview.upload is None
    assert {(e.line, e.column) for e in preview.errors} == {
        (3, "overall_grade"),
        (3, "strand"),
        (4, "case_reference"),
    }
    assert counts() == before
    assert not ImportUpload.objects.exists()


def test_the_preview_finds_exactly_what_the_command_finds(lead, bad_audits, tmp_path):
    """One parser: the page's problems are the command's, word for word."""
    path = tmp_path / "bad.csv"
    path.write_bytes(bad_audits)
    with pytest.raises(Exception) as refused:
        call_command("import_audits", str(path))
    preview = services.import_preview(kind="audits", data=bad_audits, filename="bad.csv", by=lead)

    for error in preview.errors:
        assert str(error) in str(refused.value)


def test_a_file_that_is_not_utf8_is_refused_naming_the_line(lead):
    data = cases_csv(case_row(), case_row(case_reference="CR-3002", case_holder="José"))
    data = data.decode().encode("cp1252")
    preview = services.import_preview(kind="cases", data=data, filename="x.csv", by=lead)

    assert preview.upload is None and len(preview.errors) == 1
    assert preview.errors[0].line == 3 and "not UTF-8" in preview.errors[0].reason


def test_confirm_imports_everything_previewed_and_records_who(lead, good_audits):
    preview = services.import_preview(
        kind="audits", data=good_audits, filename="audits.csv", by=lead
    )
    upload, differs = services.import_confirm(upload=preview.upload, by=lead)

    assert not differs
    assert Audit.objects.filter(is_imported=True).count() == 3
    assert DomainGrade.objects.count() == 36
    assert set(Audit.objects.values_list("case_reference", flat=True)) == {
        "CR-2001",
        "CR-2002",
        "CR-2003",
    }
    transition = AuditTransition.objects.filter(by=lead).first()
    assert transition is not None and "audits.csv" in transition.comment
    upload.refresh_from_db()
    assert upload.state == ImportUpload.State.IMPORTED and upload.imported_at is not None
    assert upload.text == ""  # the rows live in their own tables now
    assert dict(upload.summary["counts"])["Audits"] == 3
    # The record keeps no case references: those go with the audits, in their time.
    assert "CR-2001" not in str(upload.summary) and "rows" not in upload.summary


def test_confirming_a_case_list_links_the_case_import_record(lead, good_cases):
    preview = services.import_preview(kind="cases", data=good_cases, filename="cases.csv", by=lead)
    assert dict(preview.upload.summary["counts"])["New cases"] == 3
    assert not Case.objects.exists()

    upload, _ = services.import_confirm(upload=preview.upload, by=lead)

    assert Case.objects.count() == 3
    record = CaseImport.objects.get()
    assert upload.case_import == record and record.by == lead and record.created == 3


def test_a_second_confirm_imports_nothing_again(lead, good_cases):
    preview = services.import_preview(kind="cases", data=good_cases, filename="cases.csv", by=lead)
    services.import_confirm(upload=preview.upload, by=lead)
    before = counts()

    with pytest.raises(ImportUploadError, match="imported already"):
        services.import_confirm(upload=preview.upload, by=lead)
    assert counts() == before
    assert CaseImport.objects.count() == 1


def test_a_stale_preview_imports_what_the_rules_say_now_and_says_it_differs(
    lead, good_audits, tmp_path
):
    preview = services.import_preview(
        kind="audits", data=good_audits, filename="audits.csv", by=lead
    )
    # Meanwhile someone imports the same audits with the command.
    path = tmp_path / "same.csv"
    path.write_bytes(good_audits)
    call_command("import_audits", str(path))
    assert Audit.objects.count() == 3

    upload, differs = services.import_confirm(upload=preview.upload, by=lead)

    assert differs
    assert Audit.objects.count() == 3  # every row now a duplicate, skipped
    counted = dict(upload.summary["counts"])
    assert counted["Audits"] == 0 and counted["Duplicate rows skipped"] == 3


def test_a_confirm_the_database_now_refuses_writes_nothing_and_lists_the_problems(lead, good_cases):
    preview = services.import_preview(kind="cases", data=good_cases, filename="cases.csv", by=lead)
    # The vocabulary changed after the preview: the strand is gone.
    from audits.models import Strand

    Strand.objects.filter(slug="social_care").update(slug="children_social_care", name="CSC")
    before = counts()

    with pytest.raises(ImportRefused) as refused:
        services.import_confirm(upload=preview.upload, by=lead)

    assert {e.column for e in refused.value.errors} == {"strand"}
    assert counts() == before
    assert ImportUpload.objects.get().state == ImportUpload.State.PENDING


def test_an_old_preview_is_refused_and_later_cleared(lead, good_cases):
    preview = services.import_preview(kind="cases", data=good_cases, filename="cases.csv", by=lead)
    old = timezone.now() - services.PREVIEW_MAX_AGE - datetime.timedelta(minutes=1)
    ImportUpload.objects.filter(pk=preview.upload.pk).update(uploaded_at=old)

    with pytest.raises(ImportUploadError, match="upload the file again"):
        services.import_confirm(upload=preview.upload, by=lead)
    assert not Case.objects.exists()

    # Anyone's next upload clears it, text and all.
    other = factories.qa_lead()
    services.import_preview(kind="audits", data=audits_csv(audit_row()), filename="a.csv", by=other)
    assert not ImportUpload.objects.filter(pk=preview.upload.pk).exists()


def test_a_new_upload_replaces_the_same_persons_earlier_preview_of_that_kind(lead, good_cases):
    first = services.import_preview(kind="cases", data=good_cases, filename="a.csv", by=lead)
    second = services.import_preview(kind="cases", data=good_cases, filename="b.csv", by=lead)

    assert list(ImportUpload.objects.values_list("pk", flat=True)) == [second.upload.pk]
    with pytest.raises(ImportUploadError, match="no longer kept"):
        services.import_confirm(upload=first.upload, by=lead)


def test_only_the_uploader_confirms_and_only_leads_and_administrators_import(lead, good_cases):
    preview = services.import_preview(kind="cases", data=good_cases, filename="a.csv", by=lead)
    with pytest.raises(ImportUploadError, match="Only the person who uploaded"):
        services.import_confirm(upload=preview.upload, by=factories.qa_lead())
    for someone in (factories.auditor(), factories.moderator()):
        with pytest.raises(ImportUploadError, match="Only QA leads and administrators"):
            services.import_preview(kind="cases", data=good_cases, filename="a.csv", by=someone)
        with pytest.raises(ImportUploadError, match="Only QA leads and administrators"):
            services.import_confirm(upload=preview.upload, by=someone)
    assert not Case.objects.exists()
    admin_preview = services.import_preview(
        kind="cases", data=good_cases, filename="a.csv", by=factories.administrator()
    )
    assert admin_preview.upload is not None


def test_discard_forgets_the_preview(lead, good_cases):
    preview = services.import_preview(kind="cases", data=good_cases, filename="a.csv", by=lead)
    services.import_discard(upload=preview.upload, by=lead)
    assert not ImportUpload.objects.exists() and not Case.objects.exists()
