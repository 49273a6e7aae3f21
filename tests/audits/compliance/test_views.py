"""The manager compliance page: for QA leads and administrators; a bad month is a 400 with the
error summary, never a 500."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.cases.services import Criteria, draw_sample
from audits.periods import add_months
from tests import factories

from ..cases import case, person, team

pytestmark = pytest.mark.django_db

URL = reverse("audits:compliance")


@pytest.mark.parametrize(
    "who, status",
    [
        ("UserFactory", 403),
        ("auditor", 403),
        ("moderator", 403),
        ("qa_lead", 200),
        ("administrator", 200),
    ],
)
def test_only_qa_leads_and_administrators_see_it(client, who, status):
    client.force_login(getattr(factories, who)())
    assert client.get(URL).status_code == status


def test_it_shows_this_month_and_the_two_before_with_each_managers_figures(client):
    today = timezone.localdate()
    this_month = today.replace(day=1)
    north = team("north")
    case("CR-1", holder=person("Holder", north))
    ann = factories.auditor(username="ann", first_name="Ann", last_name="Able")
    factories.auditor(username="ida", first_name="Ida", last_name="Idle")
    activity = factories.AuditActivityFactory(
        name="Now", month=this_month, due_date=today - datetime.timedelta(days=1)
    )
    activity.auditors.add(ann)
    draw_sample(activity=activity, seed="s", criteria=Criteria(size=1))
    client.force_login(factories.qa_lead())
    page = client.get(URL).content.decode()
    for month in (this_month, add_months(this_month, -1), add_months(this_month, -2)):
        assert f'id="compliance-{month:%Y-%m}"' in page
    table = page.split(f'id="compliance-table-{this_month:%Y-%m}"')[1].split("</table>")[0]
    ann_row = table.split("Ann Able", 1)[1].split("</tr>", 1)[0]
    cells = [c.split("<")[0] for c in ann_row.split('govuk-table__cell--numeric">')[1:]]
    assert cells[:3] == ["1", "0", "0"]
    if activity.due_date < today:  # yesterday is in this month unless today is the 1st
        assert "1 overdue" in ann_row
    summary = page.split(f'id="done-none-{this_month:%Y-%m}"')[1].split("</div>")[0]
    assert "Ann Able" in summary and "Ida Idle" in summary


@pytest.mark.parametrize("month", ["2001-01", "nonsense", "2026-13", "2026\x00-01"])
def test_a_month_not_offered_is_refused_on_the_form(client, month):
    client.force_login(factories.qa_lead())
    response = client.get(URL, {"month": month})
    assert response.status_code == 400
    assert 'class="govuk-error-summary"' in response.content.decode()


def test_a_month_offered_is_shown(client):
    client.force_login(factories.qa_lead())
    last = add_months(timezone.localdate(), -5)
    response = client.get(URL, {"month": f"{last:%Y-%m}"})
    assert response.status_code == 200
    assert f'id="compliance-{last:%Y-%m}"' in response.content.decode()
    assert f'id="compliance-{add_months(last, 1):%Y-%m}"' not in response.content.decode()
