"""`make screenshots` (tests/screenshots.py) without the browser: every page of its list opens,
as the role it is drawn as, with the status it expects. A page renamed or moved, or a role
that can no longer open it, fails here rather than in a slow run of the whole script."""

import pytest
from django.urls import resolve

from audits.models import Status
from tests import factories
from tests.helpers import draft_audit, submitted_audit
from tests.screenshots import ROLES, board_paper, page_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(qa_lead_user, administrator_user):
    return {
        "auditor": factories.auditor(),
        "moderator": factories.moderator(),
        "qa-lead": qa_lead_user,
        "administrator": administrator_user,
    }


def test_every_page_of_the_list_opens_as_its_role(client, people):
    submitted_audit(auditor=people["auditor"], case_reference="CR-10001")
    draft_audit(auditor=people["auditor"], case_reference="CR-10002")
    to_moderate = submitted_audit(case_reference="CR-10003")  # another auditor's
    assert to_moderate.status == Status.SUBMITTED
    report = board_paper(people["qa-lead"])
    assert board_paper(people["qa-lead"]) == report  # made once

    pages = page_list(people, report)

    assert {page.role for page in pages} == {None, *ROLES}
    assert len({page.stem for page in pages}) == len(pages)  # one image name each
    names = {page.stem for page in pages}
    assert {"auditor-draft-audit", "moderator-moderation-form", "signed-out-not-found"} <= names
    for page in pages:
        if page.status == 200:
            resolve(page.url)
        client.logout()
        if page.role is not None:
            client.force_login(people[page.role])
        response = client.get(page.url)
        assert response.status_code == page.status, (page.stem, page.url)
