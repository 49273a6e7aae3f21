"""The idle timeout and the absolute lifetime (audits.sessions.limits and its middleware), as
production runs them: DEBUG off, the real session store, every kind of sign-in."""

import re

import pytest
from django.urls import reverse

from audits.models import SecurityEvent
from audits.roles import QA_LEAD
from audits.security.events import Event
from audits.sessions import limits
from tests.audits.twofactor.helpers import code_for, enrolled

from .helpers import age_session, clocks, signed_in_as

pytestmark = pytest.mark.django_db

HOME = reverse("audits:home")
STATUS = reverse("session:status")
EXTEND = reverse("session:extend")
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def signed_in(client, owner):
    client.force_login(owner)
    return client


def sign_out_reasons(user) -> list:
    return [
        event.changes.get("reason")
        for event in SecurityEvent.objects.filter(event=Event.SIGNED_OUT, actor=user)
    ]


def test_the_defaults_are_thirty_minutes_idle_and_ten_hours_in_all(settings):
    assert settings.SESSION_IDLE_SECONDS == 30 * 60
    assert settings.SESSION_ABSOLUTE_SECONDS == 10 * 3600
    assert settings.SESSION_WARNING_SECONDS == 120


def test_signing_in_starts_both_clocks_and_the_session_expires_at_the_absolute_end(
    signed_in, settings
):
    signed_in_at, active_at = clocks(signed_in)
    assert abs(signed_in_at - limits.now()) <= 2
    assert active_at == signed_in_at
    expiry = signed_in.session.get_expiry_date().timestamp()
    assert expiry == pytest.approx(signed_in_at + settings.SESSION_ABSOLUTE_SECONDS, abs=2)


def test_a_page_is_activity(signed_in):
    age_session(signed_in, idle_for=600)

    assert signed_in.get(HOME).status_code == 200

    assert abs(clocks(signed_in)[1] - limits.now()) <= 2


def test_a_signed_in_request_holds_the_user_itself_not_a_lazy_wrapper(signed_in, owner):
    user = signed_in.get(HOME).wsgi_request.user

    assert type(user) is type(owner)
    assert user.pk == owner.pk
    assert user.is_verified() is False  # django-otp's answer, set on the user, is kept


def test_activity_is_written_at_most_once_in_a_sixtieth_of_the_timeout(signed_in, settings):
    resolution = settings.SESSION_IDLE_SECONDS // 60  # 30 s of 30 minutes
    age_session(signed_in, idle_for=resolution - 5)
    before = clocks(signed_in)[1]

    signed_in.get(HOME)

    assert clocks(signed_in)[1] == before  # not written: the session row is left alone


def test_a_session_idle_for_the_timeout_ends_and_the_next_page_asks_to_sign_in(
    signed_in, owner, settings
):
    age_session(signed_in, idle_for=settings.SESSION_IDLE_SECONDS + 1)

    response = signed_in.get(HOME)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={HOME}"
    assert signed_in_as(signed_in) is None
    assert sign_out_reasons(owner) == [limits.IDLE]


def test_a_session_just_inside_the_timeout_goes_on(signed_in, settings):
    age_session(signed_in, idle_for=settings.SESSION_IDLE_SECONDS - 5)

    assert signed_in.get(HOME).status_code == 200


def test_a_session_ends_at_its_absolute_lifetime_however_active(signed_in, owner, settings):
    age_session(signed_in, idle_for=0, signed_in_for=settings.SESSION_ABSOLUTE_SECONDS + 1)

    response = signed_in.get(HOME)

    assert response.status_code == 302
    assert signed_in_as(signed_in) is None
    assert sign_out_reasons(owner) == [limits.ABSOLUTE]


def test_the_status_check_says_how_long_is_left_and_is_not_activity(signed_in, settings):
    age_session(signed_in, idle_for=600)
    before = clocks(signed_in)[1]

    for _ in range(3):
        answer = signed_in.get(STATUS, **JSON)

    assert answer.status_code == 200
    body = answer.json()
    assert body["signed_in"] is True
    assert body["limit"] == limits.IDLE
    assert body["remaining"] == pytest.approx(settings.SESSION_IDLE_SECONDS - 600, abs=2)
    assert body["warning"] == settings.SESSION_WARNING_SECONDS
    assert clocks(signed_in)[1] == before


def test_status_checks_alone_let_the_session_run_out(signed_in, settings):
    # A few seconds' margin: the clocks count whole seconds, and a slow machine may cross one
    # or two between ageing the session and asking.
    age_session(signed_in, idle_for=settings.SESSION_IDLE_SECONDS - 5)
    before = clocks(signed_in)[1]
    assert 0 < signed_in.get(STATUS, **JSON).json()["remaining"] <= 5
    assert clocks(signed_in)[1] == before

    age_session(signed_in, idle_for=settings.SESSION_IDLE_SECONDS)
    answer = signed_in.get(STATUS, **JSON)

    assert answer.status_code == 401
    assert answer.json()["error"] == "signed_out"
    assert signed_in_as(signed_in) is None


def test_stay_signed_in_starts_the_idle_clock_again(signed_in, settings):
    age_session(signed_in, idle_for=settings.SESSION_IDLE_SECONDS - 60)

    answer = signed_in.post(EXTEND, **JSON)

    assert answer.status_code == 200
    assert answer.json()["remaining"] == pytest.approx(settings.SESSION_IDLE_SECONDS, abs=2)
    assert signed_in.get(HOME).status_code == 200


def test_near_the_absolute_end_the_status_says_so_and_staying_does_not_extend_it(
    signed_in, settings
):
    age_session(signed_in, idle_for=0, signed_in_for=settings.SESSION_ABSOLUTE_SECONDS - 90)

    answer = signed_in.post(EXTEND, **JSON).json()

    assert answer["limit"] == limits.ABSOLUTE
    assert answer["remaining"] == pytest.approx(90, abs=2)


def test_a_page_carries_its_timings_for_the_warning_dialog(signed_in, settings):
    html = signed_in.get(HOME).content.decode()

    assert 'id="session-timeout"' in html
    assert f'data-warning="{settings.SESSION_WARNING_SECONDS}"' in html
    assert 'data-limit="idle"' in html
    # The page may take a second or two to render on a loaded machine.
    remaining = int(re.search(r'data-remaining="(\d+)"', html).group(1))
    assert settings.SESSION_IDLE_SECONDS - 5 <= remaining <= settings.SESSION_IDLE_SECONDS
    assert "js/session_timeout.js" in html


def test_pages_for_the_signed_out_have_no_dialog(client):
    html = client.get(reverse("login")).content.decode()

    assert "session-timeout" not in html


def test_the_signed_out_page_offers_signing_in_again_back_to_the_page(client, settings):
    page = reverse("audits:mine")

    response = client.get(reverse("session:signed_out"), {"next": page})

    html = response.content.decode()
    assert response.status_code == 200
    assert "You have been signed out" in html
    assert f"not done anything for {settings.SESSION_IDLE_SECONDS // 60} minutes" in html
    assert f'href="{reverse("login")}?next=/audits/mine/"' in html


def test_the_signed_out_page_never_sends_anyone_to_another_site(client):
    response = client.get(reverse("session:signed_out"), {"next": "https://elsewhere.example/"})

    assert "elsewhere" not in response.content.decode()


def test_a_two_factor_session_ends_the_same_way(client, settings, qa_lead_user):
    settings.TWO_FACTOR_ROLES = (QA_LEAD,)
    device, _ = enrolled(qa_lead_user)
    client.force_login(qa_lead_user)
    assert client.post(reverse("two_factor:verify"), {"code": code_for(device)}).status_code == 302
    assert client.get(HOME).status_code == 200

    age_session(client, idle_for=settings.SESSION_IDLE_SECONDS + 1)

    assert client.get(HOME).status_code == 302
    assert signed_in_as(client) is None


def test_a_council_sign_in_session_ends_the_same_way(client, council_sign_in, settings):
    from tests.sso.flow import AtProvider

    AtProvider().sign_in(client, "priya.sso")
    assert signed_in_as(client) == "priya.sso"
    assert clocks(client)[0] is not None

    age_session(client, idle_for=0, signed_in_for=settings.SESSION_ABSOLUTE_SECONDS + 1)

    assert client.get(HOME).status_code == 302
    assert signed_in_as(client) is None
