"""Lists and pages that show many audits draw a built tool's grade by its own scale's name."""

import pytest
from django.urls import reverse

from audits import services
from tests.audits.tools.building import built_draft

pytestmark = pytest.mark.django_db


def test_the_audit_lists_name_a_built_tools_grade(client):
    audit = built_draft(overall="requires_improvement")
    services.audit_submit(audit=audit, by=audit.auditor)
    client.force_login(audit.auditor)

    for name in ("audits:mine",):
        html = client.get(reverse(name)).content.decode()
        assert "Requires improvement" in html, name
        assert "requires_improvement" not in html.replace('value="requires_improvement"', "")
