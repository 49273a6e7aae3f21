"""The council sign-in (config.sso) against a real OpenID Connect provider: the test provider
in its own process (tests/oidc_provider), the app through the Django test client.

Roles follow the provider's groups at every sign-in; someone whose groups give no role is
refused on the sign-in page with a message; every sign-in, refusal and role change is in the
security log.
"""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from audits import roles
from audits.models import SecurityEvent
from audits.security.events import Event
from config import sso
from config.sso.backend import did_not_complete_message, no_role_message
from config.sso.discovery import forget_discovered, provider_configuration
from tests import factories
from tests.sso.flow import AtProvider

pytestmark = pytest.mark.django_db

BUTTON = "Sign in with Example Borough Council account"


def roles_of(username) -> set[str]:
    return set(User.objects.get(username=username).groups.values_list("name", flat=True))


def signed_in_as(client) -> str | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id).username if user_id else None


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def events(kind, username) -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(event=kind, username=username).order_by("pk"))


def test_first_sign_in_makes_the_user_with_the_role_of_their_group(client, council_sign_in):
    response = AtProvider().sign_in(client, "priya.sso")

    assert response.status_code == 302
    assert response.url == reverse("audits:home")
    assert signed_in_as(client) == "priya.sso"
    user = User.objects.get(username="priya.sso")
    assert (user.first_name, user.last_name, user.email) == (
        "Priya",
        "Marsh",
        "priya.sso@council.example",
    )
    assert not user.has_usable_password()  # signs in only through the council
    assert roles_of("priya.sso") == {roles.QA_LEAD}
    assert client.session[sso.SIGNED_IN_WITH] == sso.SSO
    assert len(events(Event.SIGNED_IN, "priya.sso")) == 1
    [change] = SecurityEvent.objects.filter(event=Event.ROLES_CHANGED, object__contains="priya")
    assert change.changes == {"roles": [[], [roles.QA_LEAD]]}


def test_the_page_asked_for_is_where_the_sign_in_ends(client, council_sign_in):
    response = AtProvider().sign_in(client, "tom.sso", next_page=reverse("audits:mine"))

    assert response.url == reverse("audits:mine")
    assert client.get(response.url).status_code == 200  # an auditor's page


def test_roles_follow_the_groups_at_every_sign_in(client, council_sign_in):
    provider = AtProvider()
    provider.sign_in(client, "priya.sso")
    client.logout()
    council_sign_in.set_groups("priya.sso", ["CFA-Auditors", "CFA-Finance"])

    response = provider.sign_in(client, "priya.sso")  # signed in at the provider: no password

    assert response.status_code == 302
    assert signed_in_as(client) == "priya.sso"
    assert roles_of("priya.sso") == {roles.AUDITOR}
    logged = [
        e.changes["roles"]
        for e in SecurityEvent.objects.filter(event=Event.ROLES_CHANGED).order_by("pk")
    ]
    assert logged[0] == [[], [roles.QA_LEAD]]
    assert logged[-1][1] == [roles.AUDITOR]


def test_roles_the_groups_do_not_give_are_taken_away(client, council_sign_in):
    factories.UserFactory(username="tom.sso", roles=[roles.ADMINISTRATOR, roles.MODERATOR])

    AtProvider().sign_in(client, "tom.sso")

    assert signed_in_as(client) == "tom.sso"
    assert roles_of("tom.sso") == {roles.AUDITOR}
    assert User.objects.filter(username__iexact="tom.sso").count() == 1  # the same account


def test_someone_whose_groups_give_no_role_is_refused_with_a_message(client, council_sign_in):
    response = AtProvider().sign_in(client, "una.sso")

    assert response.status_code == 302 and response.url == reverse("login")
    page = client.get(response.url)
    assert page.status_code == 200
    assert no_role_message() in messages_of(page)
    assert signed_in_as(client) is None
    assert not User.objects.filter(username="una.sso").exists()  # no account made
    [failed] = events(Event.SIGN_IN_FAILED, "una.sso")
    assert failed.changes == {"reason": no_role_message()}


def test_an_account_whose_groups_no_longer_give_a_role_loses_its_roles(client, council_sign_in):
    factories.UserFactory(username="una.sso", roles=[roles.QA_LEAD])

    response = AtProvider().sign_in(client, "una.sso")

    assert no_role_message() in messages_of(client.get(response.url))
    assert signed_in_as(client) is None
    assert roles_of("una.sso") == set()
    change = SecurityEvent.objects.filter(event=Event.ROLES_CHANGED).latest("pk")
    assert change.changes == {"roles": [[roles.QA_LEAD], []]}


def test_a_switched_off_account_is_refused(client, council_sign_in):
    factories.UserFactory(username="tom.sso", is_active=False)

    response = AtProvider().sign_in(client, "tom.sso")

    page = client.get(response.url)
    assert "Your account in this app is switched off" in " ".join(messages_of(page))
    assert signed_in_as(client) is None


def test_a_superuser_of_the_same_name_is_never_taken_over(client, council_sign_in):
    local = factories.UserFactory(username="priya.sso", is_superuser=True)

    response = AtProvider().sign_in(client, "priya.sso")

    page = client.get(response.url)
    assert "This is a local administrator account" in " ".join(messages_of(page))
    assert signed_in_as(client) is None
    local.refresh_from_db()
    assert local.is_superuser and local.has_usable_password()


def test_a_return_link_used_again_or_elsewhere_is_refused_with_a_message(client, council_sign_in):
    provider = AtProvider()
    provider.sign_in(client, "tom.sso")
    spent = provider.last_return  # its state and code are used up

    again = client.get(spent)
    elsewhere = Client()
    stolen = elsewhere.get(spent)  # a browser that never started this sign-in

    for response, browser in ((again, client), (stolen, elsewhere)):
        assert response.status_code == 302 and response.url == reverse("login")
        assert did_not_complete_message() in messages_of(browser.get(response.url))
    assert signed_in_as(elsewhere) is None


def test_refused_council_sign_ins_never_lock_anyone_out(client, council_sign_in, settings):
    provider = AtProvider()
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        provider.sign_in(client, "una.sso")

    provider.sign_in(client, "una.sso")
    client.logout()
    response = AtProvider().sign_in(client, "priya.sso")

    assert response.url == reverse("audits:home")
    assert signed_in_as(client) == "priya.sso"
    assert not AccessAttempt.objects.exists()


def test_the_sign_in_page_offers_the_council_sign_in_only_when_it_is_configured(
    client, council_sign_in, settings
):
    assert BUTTON in client.get(reverse("login")).content.decode()

    settings.OIDC_ISSUER = ""

    assert BUTTON not in client.get(reverse("login")).content.decode()
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback")).status_code == 404


def test_discovery_is_fetched_once_and_kept(client, council_sign_in):
    forget_discovered()
    AtProvider().sign_in(client, "tom.sso")
    kept = provider_configuration(council_sign_in.issuer)

    client.logout()
    AtProvider().sign_in(client, "tom.sso")

    assert provider_configuration(council_sign_in.issuer) is kept
    assert kept["token_endpoint"].startswith(council_sign_in.issuer)


@pytest.fixture
def provider_down(council_sign_in, settings):
    """OIDC_ISSUER at an address where nothing answers."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.OIDC_ISSUER = f"http://127.0.0.1:{port}/o"


def test_a_provider_that_is_down_gets_a_message_not_an_error(client, provider_down):
    response = client.get(reverse("oidc_authentication_init"))

    assert response.status_code == 302 and response.url == reverse("login")
    assert "sign-in is not available just now" in " ".join(messages_of(client.get(response.url)))


def test_password_sign_in_never_waits_on_the_provider(client, provider_down):
    user = factories.auditor()

    response = client.post(
        reverse("login"), {"username": user.username, "password": "correct-horse-battery"}
    )

    assert response.status_code == 302
    assert signed_in_as(client) == user.username
    assert client.get(reverse("audits:home")).status_code == 200


def test_signing_out_ends_the_app_session_and_can_end_the_providers(
    client, council_sign_in, settings
):
    provider = AtProvider()
    provider.sign_in(client, "tom.sso")

    response = client.post(reverse("oidc_logout"))

    assert response.status_code == 302
    assert response.url == "http://testserver" + reverse("login")  # the provider's session stays
    assert signed_in_as(client) is None
    assert len(events(Event.SIGNED_OUT, "tom.sso")) == 1

    settings.OIDC_PROVIDER_SIGN_OUT = True
    provider.sign_in(client, "tom.sso")  # no password asked: still signed in there
    response = client.post(reverse("oidc_logout"))

    assert response.url.startswith(council_sign_in.issuer + "/logout/")
    back = provider.follow_from_app(response, client)
    assert back.status_code == 200  # the app's sign-in page, after the provider's sign-out
    assert signed_in_as(client) is None
    start = client.get(reverse("oidc_authentication_init"))
    page = provider.follow_from_app(start, client)
    assert "Test council sign-in" in page.text  # the provider asks for the password again


@pytest.mark.parametrize("who", ["anonymous", "owner", "qa_lead_user", "administrator_user"])
def test_with_sign_on_on_its_pages_answer_everyone_alike(client, council_sign_in, request, who):
    # tests/test_access_every_url.py covers them with the council sign-in off (404).
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))

    start = client.get(reverse("oidc_authentication_init"))
    back_without_a_code = client.get(reverse("oidc_authentication_callback"))

    assert start.status_code == 302
    assert start.url.startswith(council_sign_in.issuer + "/authorize/?")
    assert back_without_a_code.status_code == 302
    assert back_without_a_code.url == reverse("login")
