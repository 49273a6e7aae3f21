"""Drift alerts on the pages: the QA lead's home page, the moderation statistics and the page of
each alert. QA leads and administrators see them; an auditor (the flagged one included) and a
moderator never do."""

import pytest
from django.urls import reverse

from audits import roles
from moderation import drift
from tests import factories

from .test_drift import lowered_eight_of_ten, others_lowered_one_in_ten

pytestmark = pytest.mark.django_db


@pytest.fixture
def tess(db):
    """An auditor (with a role, so she can sign in) whose grades moderation lowered 8 of 10."""
    auditor = factories.auditor(username="tess", first_name="Tess", last_name="Ward")
    others_lowered_one_in_ten()
    rows, references = lowered_eight_of_ten()
    auditor.references = references
    return auditor


def _home(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("audits:home")).content.decode()


def test_a_qa_lead_sees_the_alert_on_their_home_page(client, tess, qa_lead_user):
    html = _home(client, qa_lead_user)

    panel = html[html.index('id="home-drift"') :].split("</section>")[0]
    assert "Tess Ward" in panel
    assert "Lowered 8 of 10" in panel
    assert "Lowered 2 of 20: 10% (3–30%); about 1.0 of 10 expected" in panel
    assert reverse("moderation:drift", args=[tess.pk]) in panel


def test_an_administrator_sees_the_alert_too(client, tess, administrator_user):
    html = _home(client, administrator_user)
    assert 'id="home-drift"' in html and "Tess Ward" in html


@pytest.mark.parametrize("who", ["tess", "moderator", "other_auditor", "auditor_moderator"])
def test_auditors_and_moderators_never_see_an_alert(client, tess, who):
    user = {
        "tess": lambda: tess,
        "moderator": factories.moderator,
        "other_auditor": factories.auditor,
        "auditor_moderator": lambda: factories.UserFactory(roles=[roles.AUDITOR, roles.MODERATOR]),
    }[who]()

    html = _home(client, user)
    assert 'id="home-drift"' not in html
    assert "drift" not in html.lower()

    stats = client.get(reverse("moderation:dashboard"))
    if stats.status_code == 200:
        assert 'id="drift-alerts"' not in stats.content.decode()
        assert stats.context["drift_alerts"] == []
    assert client.get(reverse("moderation:drift", args=[tess.pk])).status_code == 403


def test_with_no_alert_the_qa_lead_reads_that_none_is_flagged(client, qa_lead_user):
    others_lowered_one_in_ten()
    html = _home(client, qa_lead_user)
    panel = html[html.index('id="home-drift"') :].split("</section>")[0]
    assert 'id="no-drift-alerts"' in panel
    assert "latest 10 moderated audits" in panel


def test_the_statistics_page_lists_the_alerts_for_a_qa_lead(client, tess, qa_lead_user):
    client.force_login(qa_lead_user)
    response = client.get(reverse("moderation:dashboard"))

    assert [a.name for a in response.context["drift_alerts"]] == ["Tess Ward"]
    table = response.content.decode().split('id="drift-alerts"')[1].split("</table>")[0]
    assert "Tess Ward" in table and "Lowered 8 of 10" in table


def test_the_alert_page_shows_the_evidence(client, tess, qa_lead_user):
    client.force_login(qa_lead_user)
    response = client.get(reverse("moderation:drift", args=[tess.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Flagged" in html
    check = response.context["check"]
    assert check == drift.drift_for(tess)[0]
    figures = html[html.index('id="drift-lowered"') :].split("</dd>")[0]
    assert "Moderation lowered 8 of their last 10 moderated audits: 80% (49–94%)." in figures
    assert "it lowered 2 of 20: 10% (3–30%)" in figures
    assert "about 1.0 of 10 would be expected" in figures
    table = html[html.index('id="drift-evidence"') :].split("</table>")[0]
    rows = table.split("<tbody")[1].split("</tr>")[:-1]
    # Newest first: her last import row first, each with its case, date and both grades.
    assert [r.split("</a>")[0].rsplit(">", 1)[1] for r in rows] == tess.references[::-1]
    assert "13 February 2026" in rows[0]  # 5 January + 39 days
    assert "Meets good" in rows[0] and "Does not meet good" in rows[0]
    assert sum('data-change="lowered"' in r for r in rows) == 8
    assert sum("Grade lowered" in r for r in rows) == 8


def test_the_alert_page_of_an_auditor_in_line(client, qa_lead_user):
    others_lowered_one_in_ten()
    client.force_login(qa_lead_user)
    response = client.get(reverse("moderation:drift", args=[factories.auditor().pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Not checked" in html
    assert "None of their audits has been moderated yet." in html


def test_the_alert_page_of_nobody_is_not_found(client, qa_lead_user):
    client.force_login(qa_lead_user)
    assert client.get(reverse("moderation:drift", args=[999999])).status_code == 404
