"""An administrator resets a person's two-factor sign-in from the admin's user list."""

import pytest
from django.contrib import admin
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from audits.models import SecurityEvent
from audits.security.events import Event
from tests import factories

from .helpers import code_for, enrolled

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("two_factor_on")]

USERS = reverse("admin:auth_user_changelist")


def signed_in_with_both_factors(client, user):
    device, _ = enrolled(user)
    client.force_login(user)
    response = client.post(reverse("two_factor:verify"), {"code": code_for(device)})
    assert response.status_code == 302
    return client


def reset(client, *users):
    return client.post(
        USERS, {"action": "reset_two_factor", "_selected_action": [u.pk for u in users]}
    )


def test_an_administrator_resets_a_person_s_two_factor(client):
    administrator = factories.administrator()
    person = factories.qa_lead()
    enrolled(person)
    signed_in_with_both_factors(client, administrator)
    listing = client.get(USERS).content.decode()
    assert "Two-factor sign-in" in listing

    response = reset(client, person)

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert not StaticDevice.objects.filter(user=person).exists()
    assert TOTPDevice.objects.filter(user=administrator, confirmed=True).exists()
    entry = SecurityEvent.objects.get(event=Event.TWO_FACTOR_RESET)
    assert entry.actor == administrator
    assert entry.object == f"user {person.pk} ({person.username})"
    assert "Two-factor sign-in reset for 1 user" in client.get(USERS).content.decode()


@pytest.mark.parametrize("who", [factories.qa_lead, factories.moderator, factories.auditor])
def test_nobody_else_can_reset(client, who):
    person = factories.qa_lead()
    enrolled(person)
    someone = who()
    if someone.groups.filter(name="QA lead").exists():
        signed_in_with_both_factors(client, someone)
    else:
        client.force_login(someone)

    response = reset(client, person)

    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    assert TOTPDevice.objects.filter(user=person, confirmed=True).exists()
    assert not SecurityEvent.objects.filter(event=Event.TWO_FACTOR_RESET).exists()


def test_the_devices_and_their_secrets_are_not_in_the_admin():
    assert not admin.site.is_registered(TOTPDevice)
    assert not admin.site.is_registered(StaticDevice)
