"""Two confirms of one preview at the same moment (a double click reaching two app servers):
the lock on the upload lets one import it; the other is told it was imported already."""

import threading

import pytest
from django.db import connection, connections

from audits.imports import services
from audits.models import Case, CaseImport, ImportUpload
from tests import factories

from .conftest import case_row, cases_csv

# serialized_rollback: see test_audit_journey.py (the flush would wipe the migrated data).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="the in-memory SQLite test database has one writer"
)
def test_two_confirms_at_once_import_the_file_once():
    lead = factories.qa_lead()
    data = cases_csv(*(case_row(case_reference=f"CR-{n:04}") for n in range(1, 201)))
    upload = services.import_preview(kind="cases", data=data, filename="c.csv", by=lead).upload
    barrier = threading.Barrier(2)
    outcomes = []

    def confirm():
        try:
            barrier.wait()
            services.import_confirm(upload=upload, by=lead)
            outcomes.append("imported")
        except services.ImportUploadError as error:
            outcomes.append(str(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(outcomes) == 2
    assert outcomes.count("imported") == 1
    assert any("imported already" in outcome for outcome in outcomes)
    assert Case.objects.count() == 200 and CaseImport.objects.count() == 1
    assert ImportUpload.objects.get().state == ImportUpload.State.IMPORTED
