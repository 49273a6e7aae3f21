"""The admin shows the case list and the draws as records; people are kept there."""

import datetime

import pytest

from audits.cases.services import Criteria, draw_sample
from audits.models import Person
from tests import factories

from . import case, person, team

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    north = team("north")
    holder = person("Sam Okafor", north)
    drawn = case("CR-1", holder=holder)
    activity = factories.AuditActivityFactory(name="Peer audit", month=datetime.date(2026, 11, 1))
    result = draw_sample(activity=activity, seed="s", criteria=Criteria(size=1))
    return {"person": holder, "case": drawn, "draw": result.record}


def test_an_administrator_opens_every_page_and_cannot_change_the_records(
    client, administrator_user, records
):
    client.force_login(administrator_user)
    draw = records["draw"]
    for url in (
        "/admin/audits/person/",
        f"/admin/audits/person/{records['person'].pk}/change/",
        "/admin/audits/case/",
        f"/admin/audits/case/{records['case'].pk}/change/",
        "/admin/audits/caseimport/",
        "/admin/audits/sampledraw/",
        f"/admin/audits/sampledraw/{draw.pk}/change/",
        "/admin/audits/drawncase/",
    ):
        assert client.get(url).status_code == 200, url
    for url in ("/admin/audits/case/add/", "/admin/audits/sampledraw/add/"):
        assert client.get(url).status_code == 403, url
    response = client.post(f"/admin/audits/case/{records['case'].pk}/delete/", {"post": "yes"})
    assert response.status_code == 403


def test_an_administrator_links_a_person_to_an_account_and_names_stay_unique(
    client, administrator_user, records
):
    client.force_login(administrator_user)
    auditor = factories.auditor(username="ann")
    north = records["person"].team

    response = client.post(
        "/admin/audits/person/add/",
        {"name": " Ann  Auditor ", "user": auditor.pk, "team": north.pk},
    )
    assert response.status_code == 302
    ann = Person.objects.get(user=auditor)
    assert (ann.name, ann.name_key, ann.team) == ("Ann Auditor", "ann auditor", north)

    response = client.post("/admin/audits/person/add/", {"name": "SAM okafor", "team": north.pk})
    assert response.status_code == 200
    assert "Someone of that name is known already" in response.content.decode()


def test_others_do_not_get_in(client, qa_lead_user, records):
    client.force_login(qa_lead_user)
    assert client.get("/admin/audits/case/").status_code == 302
