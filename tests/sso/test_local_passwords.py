"""LOCAL_PASSWORDS off: the username and password form admits administrators only (the way in
when the council sign-in is down) and password resets are refused."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from audits.forms import local_passwords_off_message
from audits.models import SecurityEvent
from audits.security.events import Event
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's


@pytest.fixture
def passwords_off(settings):
    settings.LOCAL_PASSWORDS = False


def sign_in(client, user, password=PASSWORD):
    return client.post(reverse("login"), {"username": user.username, "password": password})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("make", [factories.auditor, factories.qa_lead, factories.UserFactory])
def test_everyone_but_administrators_is_sent_to_the_council_sign_in(client, passwords_off, make):
    user = make()

    response = sign_in(client, user)

    assert response.status_code == 200
    assert local_passwords_off_message() in response.content.decode()
    assert "Sign in with Example Borough Council account" in local_passwords_off_message()
    assert not signed_in(client)
    [refused] = SecurityEvent.objects.filter(event=Event.SIGN_IN_FAILED, username=user.username)
    assert refused.changes == {"reason": "local passwords are off"}


def test_a_wrong_password_still_gets_the_usual_message(client, passwords_off):
    response = sign_in(client, factories.auditor(), password="wrong-password-123")

    assert "did not match" in response.content.decode()
    assert local_passwords_off_message() not in response.content.decode()


@pytest.mark.parametrize(
    "make",
    [factories.administrator, lambda: factories.UserFactory(is_superuser=True)],
    ids=["administrator role", "superuser"],
)
def test_administrators_still_sign_in_with_a_password(client, passwords_off, make):
    response = sign_in(client, make())

    assert response.status_code == 302
    assert signed_in(client)


def test_the_sign_in_page_says_the_form_is_for_administrators(
    client, passwords_off, council_sign_in
):
    page = client.get(reverse("login")).content.decode()

    assert "Sign in with Example Borough Council account" in page
    assert "only administrators can sign in here" in page


def _reset_urls():
    someone = factories.UserFactory()
    link = {
        "uidb64": urlsafe_base64_encode(force_bytes(someone.pk)),
        "token": default_token_generator.make_token(someone),
    }
    return [
        reverse("password_reset"),
        reverse("password_reset_done"),
        reverse("password_reset_confirm", kwargs=link),
        reverse("password_reset_complete"),
    ]


def test_password_resets_are_refused(client, passwords_off, mailoutbox):
    for url in _reset_urls():
        assert client.get(url).status_code == 404, url
    someone = factories.auditor()
    assert client.post(reverse("password_reset"), {"email": someone.email}).status_code == 404
    assert mailoutbox == []


def test_with_local_passwords_on_resets_work(client, mailoutbox):
    someone = factories.auditor()

    response = client.post(reverse("password_reset"), {"email": someone.email})

    assert response.status_code == 302
    assert len(mailoutbox) == 1
