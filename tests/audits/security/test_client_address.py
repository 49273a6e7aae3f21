"""The address the logs record behind a reverse proxy (TRUSTED_PROXIES): read from
X-Forwarded-For, counted from the right. What a proxy writes there is not always a bare address
(Azure's Application Gateway adds the port); whatever it is, the request is answered and the
logs hold an address or nothing, never text PostgreSQL's inet column refuses (a 500 on every
request that records something, sign-in included)."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from audits.models import Audit, SecurityEvent
from audits.security.events import Event
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXIES = 1


def _failed_sign_in(client, forwarded):
    return client.post(
        reverse("login"),
        {"username": "nobody-here", "password": "wrong-password-123"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@pytest.mark.parametrize(
    ("forwarded", "recorded"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("198.51.100.1, 203.0.113.7", "203.0.113.7"),
        ("203.0.113.7:51234", "203.0.113.7"),
        ("2001:db8::7", "2001:db8::7"),
        ("[2001:db8::7]:443", "2001:db8::7"),
        ("[2001:db8::7]", "2001:db8::7"),
    ],
)
def test_the_address_a_proxy_forwards_is_recorded_without_its_port(
    client, behind_one_proxy, forwarded, recorded
):
    response = _failed_sign_in(client, forwarded)

    assert response.status_code == 200
    assert SecurityEvent.objects.get(event=Event.SIGN_IN_FAILED).address == recorded


@pytest.mark.parametrize(
    "forwarded", ["unknown", "999.1.1.1", "not-an-ip", "203.0.113.7\x00", "::1::2", "1.2.3.4:x"]
)
def test_a_forwarded_value_that_is_no_address_is_recorded_as_no_address(
    client, behind_one_proxy, forwarded
):
    response = _failed_sign_in(client, forwarded)

    assert response.status_code == 200
    assert SecurityEvent.objects.get(event=Event.SIGN_IN_FAILED).address is None


def test_a_change_behind_a_proxy_that_forwards_no_address_is_still_saved(client, behind_one_proxy):
    person = factories.auditor()
    client.force_login(person)

    response = client.post(
        reverse("audits:new"),
        {
            "case_reference": "CR-6001",
            "action": "save",
            "actions-TOTAL_FORMS": "0",
            "actions-INITIAL_FORMS": "0",
        },
        HTTP_X_FORWARDED_FOR="unknown",
    )

    assert response.status_code == 302
    audit = Audit.objects.get(case_reference="CR-6001")
    created = LogEntry.objects.get_for_object(audit).get(action=LogEntry.Action.CREATE)
    assert created.remote_addr is None
