"""The reports rules (reports/permissions.py) for an auditor, a colleague and the outsiders, and
the services and pages that ask them."""

import pytest
import rules
from django.urls import reverse

from audits import periods
from reports.services import ReportError, report_create, report_publish
from reports.targets.services import TargetError, target_create
from tests import factories, helpers

pytestmark = pytest.mark.django_db

USERS = [
    "no_role_user",
    "owner",
    "colleague",
    "moderator_user",
    "qa_lead_user",
    "administrator_user",
]
#                         no role  owner  colleague  moderator  QA lead  admin
READERS = (False, False, False, False, True, True)
WRITERS = (False, False, False, False, True, False)
PAGE_RULES = {
    "reports.view_reports": READERS,
    "reports.write_reports": WRITERS,
    "reports.view_targets": READERS,
    "reports.set_targets": WRITERS,
}


@pytest.mark.parametrize("perm", list(PAGE_RULES))
def test_page_rules(request, perm):
    users = [request.getfixturevalue(who) for who in USERS]

    assert tuple(rules.has_perm(perm, user) for user in users) == PAGE_RULES[perm]


def test_a_draft_report_is_changed_by_a_qa_lead_and_a_published_one_by_nobody(request):
    users = [request.getfixturevalue(who) for who in USERS]
    qa_lead = request.getfixturevalue("qa_lead_user")
    report = report_create(by=qa_lead, period=periods.quarter(2026, 2))

    assert tuple(rules.has_perm("reports.change_report", u, report) for u in users) == WRITERS

    report = report_publish(report=report, by=qa_lead)
    assert not any(rules.has_perm("reports.change_report", u, report) for u in users)


@pytest.mark.parametrize("who", ["owner", "moderator_user", "administrator_user"])
def test_the_services_refuse_whom_the_rules_refuse(request, who):
    user = request.getfixturevalue(who)

    with pytest.raises(ReportError, match="Only QA leads write and publish reports"):
        report_create(by=user, period=periods.quarter(2026, 2))
    with pytest.raises(TargetError, match="Only QA leads set QA targets"):
        target_create(
            by=user,
            financial_year=2026,
            name="Good or better",
            measure="good_or_better",
            direction="higher",
            target_value=80,
        )


def test_a_superuser_reads_reports_but_does_not_write_them(client):
    superuser = factories.UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)

    assert client.get(reverse("reports:list")).status_code == 200
    assert client.get(reverse("reports:new")).status_code == 403
    assert rules.has_perm("reports.view_targets", superuser)
    assert not rules.has_perm("reports.set_targets", superuser)


def test_the_menu_offers_reports_and_targets_to_their_readers(client, request):
    def offered(user):
        client.force_login(user)
        html = client.get(reverse("audits:home")).content.decode()
        nav = helpers.main_menu(html)
        return {
            name for name in ("list", "targets") if f'href="{reverse("reports:" + name)}"' in nav
        }

    for who, expected in zip(USERS, READERS):
        assert offered(request.getfixturevalue(who)) == ({"list", "targets"} if expected else set())
