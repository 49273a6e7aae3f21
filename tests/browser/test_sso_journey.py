"""Issue 11 item 5: a council member of staff signs in with their council account, through a
real OpenID Connect provider (tests/oidc_provider, in its own process), in Chromium.

Their role here is the one their council group gives, at every sign-in; someone whose groups
give no role is turned away on the sign-in page with a message.
"""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import expect

from audits import roles
from audits.models import SecurityEvent
from audits.security.events import Event
from config.sso.backend import no_role_message
from tests.oidc_provider.process import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BUTTON = "Sign in with Example Borough Council account"


@pytest.fixture
def provider(council_sign_in, live_server):
    """The app (on the live server) pointed at the test provider."""
    council_sign_in.allow_app(
        live_server.url, reverse("oidc_authentication_callback"), reverse("login")
    )
    return council_sign_in


def sign_in_with_council_account(page, username=None):
    """From the app's sign-in page, through the provider's (if it asks for a password)."""
    page.goto("/accounts/login/")
    page.get_by_role("link", name=BUTTON).click()
    if username is not None:
        expect(page.get_by_role("heading", name="Test council sign-in")).to_be_visible()
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in to the council").click()


def roles_of(username) -> set[str]:
    return set(User.objects.get(username=username).groups.values_list("name", flat=True))


def test_a_qa_lead_signs_in_with_their_council_account_and_their_role_follows_their_group(
    page, provider
):
    nav = page.get_by_role("navigation", name="Main")

    sign_in_with_council_account(page, "priya.sso")

    expect(page.locator(".app-signed-in")).to_have_text("Signed in as Priya Marsh")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Priya Marsh")
    expect(nav.get_by_role("link", name="Reports")).to_be_visible()
    expect(nav.get_by_role("link", name="Start an audit")).to_have_count(0)
    page.goto(reverse("reports:new"))  # QA leads only
    expect(page.get_by_role("heading", level=1)).to_have_text("New scrutiny report")
    assert roles_of("priya.sso") == {roles.QA_LEAD}
    assert SecurityEvent.objects.filter(event=Event.SIGNED_IN, username="priya.sso").count() == 1

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.locator(".app-signed-in")).to_have_count(0)

    # Moved to the auditors' group at the council: the next sign-in (no password asked, the
    # provider's session is still open) brings the auditor's role and drops the QA lead's.
    provider.set_groups("priya.sso", ["CFA-Auditors"])
    sign_in_with_council_account(page)

    expect(page.locator(".app-signed-in")).to_have_text("Signed in as Priya Marsh")
    expect(nav.get_by_role("link", name="Start an audit")).to_be_visible()
    expect(nav.get_by_role("link", name="Reports")).to_have_count(0)
    assert roles_of("priya.sso") == {roles.AUDITOR}
    changes = SecurityEvent.objects.filter(event=Event.ROLES_CHANGED).order_by("pk")
    assert changes.first().changes == {"roles": [[], [roles.QA_LEAD]]}
    assert changes.last().changes["roles"][1] == [roles.AUDITOR]


def test_someone_whose_groups_give_no_role_is_turned_away_with_a_message(page, provider):
    sign_in_with_council_account(page, "una.sso")

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("alert")).to_contain_text(no_role_message())
    expect(page.locator(".app-signed-in")).to_have_count(0)
    assert not User.objects.filter(username="una.sso").exists()
