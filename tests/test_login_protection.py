"""Login protection (issue 11, item 4): django-axes locks a username from one address after 5
failed sign-ins, for the cool-off or until an administrator unlocks; passwords are 12+ characters.

Every sign-in here is a real POST to the sign-in page, so axes sees the request and its address.
"""

import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from config.lockout import LOCKOUT_STATUS, lockout_message
from tests import factories
from tests.audits.test_bad_input import field_errors

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
WRONG = "wrong-password-123"
FAILED_LOGIN = "Your username and password did not match."
ADDRESS = "192.0.2.10"
OTHER_ADDRESS = "198.51.100.20"


def sign_in(client, username, password, address=ADDRESS):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def signed_in(client):
    return "_auth_user_id" in client.session


def fail_five_times(client, username, address=ADDRESS):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, username, WRONG, address)


def assert_refused(response):
    assert response.status_code == LOCKOUT_STATUS
    assert [t.name for t in response.templates][0] == "registration/login.html"
    assert lockout_message() in response.content.decode()
    assert f"refused for {settings.LOGIN_COOL_OFF_MINUTES} minute" in lockout_message()


@pytest.fixture
def person(db):
    return factories.auditor()


def test_settings_lock_a_username_and_address_after_five_failures_for_the_cool_off():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_COOLOFF_TIME.total_seconds() == settings.LOGIN_COOL_OFF_MINUTES * 60
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


def test_a_wrong_password_gets_the_usual_message(client, person):
    response = sign_in(client, person.username, WRONG)

    assert response.status_code == 200
    assert FAILED_LOGIN in response.content.decode()
    assert lockout_message() not in response.content.decode()
    assert not signed_in(client)


def test_the_right_password_is_refused_after_five_wrong_ones(client, person):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, person.username, WRONG).status_code == 200
    assert_refused(sign_in(client, person.username, WRONG))

    response = sign_in(client, person.username, PASSWORD)

    assert_refused(response)
    assert not signed_in(client)


def test_the_same_username_from_another_address_is_not_locked(client, person):
    fail_five_times(client, person.username)

    response = sign_in(client, person.username, PASSWORD, address=OTHER_ADDRESS)

    assert response.status_code == 302
    assert signed_in(client)


def test_another_username_from_the_locked_address_is_not_locked(client, person):
    fail_five_times(client, person.username)
    other = factories.auditor()

    sign_in(client, other.username, PASSWORD)

    assert signed_in(client)


def test_a_username_that_does_not_exist_gets_the_same_lockout_page(client, person):
    fail_five_times(client, person.username)
    fail_five_times(client, "nobody-by-this-name")

    real = sign_in(client, person.username, WRONG)
    unknown = sign_in(client, "nobody-by-this-name", WRONG)

    assert_refused(real)
    assert_refused(unknown)
    # The same page but for the username typed back into its box (and the CSRF token).
    assert page_text(real, person.username) == page_text(unknown, "nobody-by-this-name")


def page_text(response, username):
    html = response.content.decode().replace(username, "USERNAME")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_the_right_password_works_once_the_cool_off_has_passed(client, person):
    fail_five_times(client, person.username)
    assert_refused(sign_in(client, person.username, PASSWORD))

    attempt = AccessAttempt.objects.get(username=person.username, ip_address=ADDRESS)
    attempt.attempt_time -= settings.AXES_COOLOFF_TIME
    attempt.save(update_fields=["attempt_time"])
    sign_in(client, person.username, PASSWORD)

    assert signed_in(client)


def test_the_lockout_still_holds_just_before_the_cool_off_ends(client, person):
    fail_five_times(client, person.username)

    attempt = AccessAttempt.objects.get(username=person.username, ip_address=ADDRESS)
    attempt.attempt_time -= settings.AXES_COOLOFF_TIME * 0.9
    attempt.save(update_fields=["attempt_time"])

    assert_refused(sign_in(client, person.username, PASSWORD))
    assert not signed_in(client)


def test_an_administrator_unlocks_in_the_admin(client, person):
    fail_five_times(client, person.username)
    attempt = AccessAttempt.objects.get(username=person.username, ip_address=ADDRESS)
    admin_client = type(client)()
    admin_client.force_login(factories.administrator())

    listing = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200
    assert person.username in listing.content.decode()
    confirm = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert admin_client.post(confirm, {"post": "yes"}).status_code == 302

    assert not AccessAttempt.objects.filter(pk=attempt.pk).exists()
    sign_in(client, person.username, PASSWORD)
    assert signed_in(client)


def test_only_administrators_see_the_sign_in_attempts_in_the_admin(client, person):
    fail_five_times(client, person.username)
    client.force_login(factories.qa_lead())

    response = client.get(reverse("admin:axes_accessattempt_changelist"))

    assert response.status_code == 302  # to the admin's sign-in page
    assert AccessAttempt.objects.filter(username=person.username).exists()


def test_an_administrator_unlocks_with_the_management_command(client, person):
    fail_five_times(client, person.username)

    call_command("axes_reset_username", person.username, stdout=open("/dev/null", "w"))
    sign_in(client, person.username, PASSWORD)

    assert signed_in(client)


def test_a_successful_sign_in_clears_the_count(client, person):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, person.username, WRONG)
    sign_in(client, person.username, PASSWORD)
    client.logout()

    sign_in(client, person.username, WRONG)
    sign_in(client, person.username, PASSWORD)

    assert signed_in(client)


def test_a_password_of_eleven_characters_is_refused(db):
    with pytest.raises(ValidationError) as refused:
        validate_password("kq8#vXm2!pL")

    assert "at least 12 characters" in " ".join(refused.value.messages)


def test_a_password_of_twelve_characters_is_accepted(db):
    validate_password("kq8#vXm2!pLw")


@pytest.mark.django_db
def test_a_username_longer_than_any_account_s_is_refused_beside_the_field_and_not_counted(client):
    """AuthenticationForm gives the username its length only in the browser; a longer one went
    on to authenticate() and into the lockout's record, whose column holds 255 (a 500 on
    PostgreSQL)."""
    response = sign_in(client, "x" * 1000, WRONG)

    assert response.status_code == 200
    assert field_errors(response, "username") == [
        "Ensure this value has at most 150 characters (it has 1000)."
    ]
    assert not AccessAttempt.objects.exists()
    assert not signed_in(client)
