"""The case holder's response is printed in the audit's PDF for those who may see it on the
audit's page (audits.printing)."""

import io

import pypdf
import pytest
import rules
from django.urls import reverse

from audits.holders import services
from audits.holders.selectors import response_of
from audits.models import ActionConfirmation
from audits.printing import audit_html
from tests import factories
from tests.helpers import submitted_audit

pytestmark = pytest.mark.django_db

RESPONSE = "The chronology is now up to date."


def pdf_text(client, audit) -> str:
    response = client.get(reverse("audits:pdf", args=[audit.pk]))
    assert response.status_code == 200
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture
def answered(world):
    audit = submitted_audit(auditor=world.auditor, case_reference="CR-7001")
    (action,) = audit.actions.all()
    services.holder_response_save(
        audit=audit,
        by=world.asha_user,
        text=RESPONSE,
        answers={action.pk: (ActionConfirmation.Answer.NOT_AGREED, "Already done in June.")},
    )
    return audit


def test_the_auditor_and_the_case_holder_read_the_response_in_the_pdf(client, world, answered):
    for user in (world.auditor, world.asha_user):
        client.force_login(user)
        text = pdf_text(client, answered)
        assert "The case holder's response" in text
        assert RESPONSE in text
        assert "Not agreed" in text and "Already done in June." in text


def test_someone_the_rules_keep_from_the_response_does_not_get_it(rf, world, answered):
    other = factories.auditor()  # as another auditor reading an exemplar
    request = rf.get("/")
    request.user = other

    assert response_of(answered) is not None
    assert not rules.has_perm("audits.view_holder_response", other, answered)
    assert RESPONSE not in audit_html(audit=answered, request=request)
