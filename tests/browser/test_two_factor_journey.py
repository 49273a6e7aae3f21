"""A QA lead's first sign-in with two-factor on: set up the app, keep the recovery codes, go on.

Headless Chromium against the live server. The test plays the authenticator app: it reads the
key the page shows for typing and works out the current code from it (RFC 6238).
"""

from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from audits.models import SecurityEvent
from audits.roles import ADMINISTRATOR, QA_LEAD
from audits.security.events import Event
from tests import factories

# serialized_rollback: see test_audit_journey.py (the flush would wipe the migrated data).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_qa_lead_sets_up_two_factor_at_first_sign_in(page, live_server, login, settings):
    settings.TWO_FACTOR_ROLES = (QA_LEAD, ADMINISTRATOR)
    qa_lead = factories.qa_lead(username="pat.qa")

    login(page, live_server, qa_lead)

    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.get_by_role("img", name="QR code to scan with your app")).to_be_visible()
    expect(page.get_by_role("link", name="Reports")).to_have_count(0)  # no menu yet
    typed_key = page.locator("#secret-key").inner_text().replace(" ", "")
    key = b32decode(typed_key + "=" * (-len(typed_key) % 8))

    page.get_by_label("Code from your app").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Confirm and continue").click()

    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    expect(page.get_by_text("This is the only time they are shown.")).to_be_visible()
    page.get_by_role("link", name="I have kept my codes: continue").click()

    expect(page).to_have_url(f"{live_server.url}/")
    menu = page.get_by_role("navigation", name="Main")
    expect(menu.get_by_role("link", name="Reports", exact=True)).to_be_visible()
    expect(menu.get_by_role("link", name="Two-factor sign-in")).to_be_visible()
    assert SecurityEvent.objects.filter(event=Event.TWO_FACTOR_ENROLLED, actor=qa_lead).exists()
