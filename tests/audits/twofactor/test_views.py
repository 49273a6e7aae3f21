"""The two-factor pages through the test client: sign in, set up, enter a code, recovery codes.

Sign-in is a real POST to the sign-in page (django-axes sees it), and the codes are worked out
from the secret the set-up page shows, as an authenticator app does.
"""

import re
from base64 import b32decode

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audits.models import SecurityEvent
from audits.security.events import Event
from config.sso import SIGNED_IN_WITH, SSO
from tests import factories
from tests.test_forms_rendering import assert_error_summary, assert_rendered_by_crispy

from .helpers import PASSWORD, code_for, enrolled, wait_out_throttle, wrong_code_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("two_factor_on")]

SETUP = reverse("two_factor:setup")
VERIFY = reverse("two_factor:verify")
RECOVERY = reverse("two_factor:recovery_codes")
HOME = reverse("audits:home")
REPORTS = reverse("reports:list")


def sign_in(client, user, next_url=None):
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post(url, data, REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 302, "signed in"
    return response


def secret_on(html: str) -> bytes:
    """The key the set-up page shows for typing, as an app reads it."""
    shown = re.search(r'<code id="secret-key"[^>]*>([A-Z2-7 ]+)</code>', html).group(1)
    text = shown.replace(" ", "")
    return b32decode(text + "=" * (-len(text) % 8))


def codes_on(html: str) -> list[str]:
    listed = html[html.index('id="recovery-codes"') :]
    listed = listed[: listed.index("</ol>")]
    return re.findall(r"<code>([a-z2-7]+)</code>", listed)


def logged(user, event):
    return SecurityEvent.objects.filter(event=event, object__startswith=f"user {user.pk} ")


@pytest.fixture
def qa_lead():
    return factories.qa_lead()


# --- Setting up -------------------------------------------------------------------------------


def test_setting_up_from_sign_in_to_the_page_first_asked_for(client, qa_lead):
    sign_in(client, qa_lead, next_url=REPORTS)
    response = client.get(REPORTS)
    assert response.status_code == 302
    assert response.url == f"{SETUP}?next={REPORTS}"

    page = client.get(response.url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Set up two-factor sign-in" in html
    assert '<svg role="img" aria-labelledby="qr-code-title"' in html
    assert_rendered_by_crispy(html)
    key = secret_on(html)
    device = TOTPDevice.objects.get(user=qa_lead)
    assert key == device.bin_key and not device.confirmed

    # A wrong code: the field's error, and nothing confirmed.
    wrong = client.post(SETUP, {"code": wrong_code_for(device), "next": REPORTS})
    wrong_html = wrong.content.decode()
    assert wrong.status_code == 400
    assert "That code is not right." in wrong_html
    assert_error_summary(wrong_html, assert_rendered_by_crispy(wrong_html))
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    assert secret_on(wrong_html) == key  # the same secret, already in the app
    wait_out_throttle(device)

    # The right code, as the app shows it from the key on the page.
    right = client.post(SETUP, {"code": f"{totp(key):06d}", "next": REPORTS})
    right_html = right.content.decode()
    assert right.status_code == 200
    assert "Two-factor sign-in is set up." in right_html
    assert "This is the only time they are shown." in right_html
    shown = codes_on(right_html)
    assert len(shown) == 10
    assert sorted(shown) == sorted(
        StaticToken.objects.filter(device__user=qa_lead).values_list("token", flat=True)
    )
    assert f'href="{REPORTS}"' in right_html
    assert right["Cache-Control"].startswith("max-age=0")
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert logged(qa_lead, Event.TWO_FACTOR_ENROLLED).count() == 1

    # Signed in with both factors now; the codes are never shown again.
    assert client.get(REPORTS).status_code == 200
    again = client.get(RECOVERY).content.decode()
    assert "10</strong> recovery codes left" in again
    assert not set(shown) & set(re.findall(r"[a-z2-7]{8}", again))
    assert client.get(SETUP).status_code == 302


def test_the_set_up_form_says_what_a_code_looks_like(client, qa_lead):
    client.force_login(qa_lead)

    response = client.post(SETUP, {"code": "12 34"})

    assert response.status_code == 400
    assert "Enter the 6 digits your app shows, like 123456." in response.content.decode()
    assert TOTPDevice.objects.get(user=qa_lead).throttling_failure_count == 0


def test_a_reload_of_the_set_up_page_keeps_the_same_secret(client, qa_lead):
    client.force_login(qa_lead)

    first = secret_on(client.get(SETUP).content.decode())
    second = secret_on(client.get(SETUP).content.decode())

    assert first == second
    assert TOTPDevice.objects.filter(user=qa_lead).count() == 1


def test_someone_not_asked_for_two_factor_has_nothing_to_set_up(client):
    auditor = factories.auditor()
    client.force_login(auditor)

    response = client.get(SETUP, follow=True)

    assert response.redirect_chain == [(HOME, 302)]
    assert "does not need two-factor sign-in" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=auditor).exists()


# --- Entering a code ----------------------------------------------------------------------------


def test_signing_in_again_asks_for_the_code_then_goes_on(client, qa_lead):
    device, _ = enrolled(qa_lead)
    sign_in(client, qa_lead, next_url=REPORTS)

    asked = client.get(REPORTS)
    assert asked.url == f"{VERIFY}?next={REPORTS}"
    page = client.get(asked.url)
    assert page.status_code == 200
    assert "Enter your code" in page.content.decode()
    assert_rendered_by_crispy(page.content.decode())

    wrong = client.post(VERIFY, {"code": wrong_code_for(device), "next": REPORTS})
    wrong_html = wrong.content.decode()
    assert wrong.status_code == 400
    assert_error_summary(wrong_html, assert_rendered_by_crispy(wrong_html))
    assert logged(qa_lead, Event.TWO_FACTOR_FAILED).count() == 1
    assert client.get(REPORTS).status_code == 302
    wait_out_throttle(device)

    session_before = client.session.session_key
    right = client.post(VERIFY, {"code": code_for(device), "next": REPORTS})

    assert right.status_code == 302 and right.url == REPORTS
    assert client.session.session_key != session_before
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(REPORTS).status_code == 200


def test_the_throttle_is_explained_on_the_page(client, qa_lead):
    device, _ = enrolled(qa_lead)
    client.force_login(qa_lead)
    client.post(VERIFY, {"code": wrong_code_for(device)})

    response = client.post(VERIFY, {"code": code_for(device)})

    assert response.status_code == 400
    assert "Too many wrong codes. Wait 1 second, then try again." in response.content.decode()
    assert client.get(HOME).status_code == 302


def test_a_recovery_code_signs_in_once(client, qa_lead):
    _, codes = enrolled(qa_lead)
    sign_in(client, qa_lead)

    response = client.post(VERIFY, {"code": codes[0]}, follow=True)

    assert response.redirect_chain == [(HOME, 302)]
    assert "Recovery codes left: 9" in response.content.decode()
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    assert logged(qa_lead, Event.RECOVERY_CODE_USED).count() == 1

    client.post(reverse("logout"))
    sign_in(client, qa_lead)
    again = client.post(VERIFY, {"code": codes[0]})
    assert again.status_code == 400
    assert "That code is not right." in again.content.decode()
    assert client.get(HOME).status_code == 302


@pytest.mark.parametrize(
    "next_url",
    [
        "https://elsewhere.example/phish",
        "//elsewhere.example/",
        "javascript:alert(1)",
        # Not a path: Django's redirect() took these for names of views (a 500).
        "0",
        "audits:home",
        "reports",
    ],
)
def test_only_a_page_of_this_site_is_gone_on_to(client, qa_lead, next_url):
    device, _ = enrolled(qa_lead)
    client.force_login(qa_lead)

    response = client.post(VERIFY, {"code": code_for(device), "next": next_url})

    assert response.status_code == 302
    assert response.url == HOME


def test_a_session_signed_in_through_single_sign_on_is_not_asked(client, qa_lead):
    enrolled(qa_lead)
    client.force_login(qa_lead)
    session = client.session
    session[SIGNED_IN_WITH] = SSO
    session.save()

    assert client.get(REPORTS).status_code == 200


def test_the_menu_is_left_out_until_the_code_is_entered(client, qa_lead):
    device, _ = enrolled(qa_lead)
    client.force_login(qa_lead)

    before = client.get(VERIFY).content.decode()
    client.post(VERIFY, {"code": code_for(device)})
    after = client.get(HOME).content.decode()

    assert 'href="/reports/"' not in before and "Sign out" in before
    assert 'href="/reports/"' in after
    assert f'href="{RECOVERY}"' in after


# --- New recovery codes --------------------------------------------------------------------------


def test_new_recovery_codes_replace_the_old_and_are_shown_once(client, qa_lead):
    device, old = enrolled(qa_lead)
    client.force_login(qa_lead)
    client.post(VERIFY, {"code": code_for(device)})

    response = client.post(RECOVERY)

    new = codes_on(response.content.decode())
    assert response.status_code == 200 and len(new) == 10
    assert "Your earlier recovery codes no longer work." in response.content.decode()
    assert not StaticToken.objects.filter(token__in=old).exists()
    assert StaticToken.objects.filter(token__in=new).count() == 10
    assert logged(qa_lead, Event.RECOVERY_CODES_REPLACED).count() == 1


def test_new_recovery_codes_need_the_code_first(client, qa_lead):
    _, old = enrolled(qa_lead)
    client.force_login(qa_lead)

    response = client.post(RECOVERY)

    assert response.status_code == 403
    assert StaticToken.objects.filter(token__in=old).count() == 10


def test_without_the_app_there_are_no_recovery_codes_to_make(client):
    client.force_login(factories.auditor())

    response = client.post(RECOVERY)

    assert response.status_code == 302 and response.url == HOME
    assert not StaticToken.objects.exists()


# --- An administrator's reset --------------------------------------------------------------------


def test_after_a_reset_the_person_sets_up_again_at_their_next_page(client, qa_lead):
    from audits.twofactor import services

    device, _ = enrolled(qa_lead)
    client.force_login(qa_lead)
    client.post(VERIFY, {"code": code_for(device)})
    assert client.get(HOME).status_code == 200

    services.two_factor_reset(user=qa_lead, by=factories.administrator())

    response = client.get(HOME)
    assert response.status_code == 302 and response.url.startswith(SETUP)
