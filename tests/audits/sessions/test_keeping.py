"""Nothing lost: a save that arrives after the session ended, or with a CSRF token another tab
replaced, is kept on the server and offered back after signing in, to its owner only
(audits.sessions.keeping). Run as production runs: DEBUG off, real CSRF checks where they
matter, the real sign-in page."""

import datetime
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit, KeptSave, SecurityEvent
from audits.security.events import Event
from audits.sessions.keeping import OWNER_COOKIE
from tests.audits.test_views_form import post_data
from tests.helpers import draft_audit

from .helpers import age_session, signed_in_as

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
TYPED = "Typed after the timeout: the plan has started to help."
JSON = {"HTTP_ACCEPT": "application/json"}
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def draft(owner):
    return draft_audit(auditor=owner, case_reference="CR-7001")


def edit_url(audit) -> str:
    """The audit's page where the overall comments are typed (save_draft)."""
    return reverse("audits:section", args=[audit.pk, "overall"])


def offer_url(page: str) -> str:
    return f"{reverse('session:kept')}?next={page.replace('/', '%2F')}"


def sign_in_then(url: str) -> str:
    """Where a redirect to the sign-in page goes after signing in (its next=)."""
    parts = urlsplit(url)
    assert parts.path == reverse("login")
    return parse_qs(parts.query)["next"][0]


def save_draft(audit, text=TYPED) -> dict:
    """The audit form as the browser posts "Save draft" with the overall comments typed."""
    return post_data(
        header={"case_reference": audit.case_reference, "overall_comments": text}, action="save"
    )


def sign_in(client, user, next_url=""):
    """The real sign-in page (django-axes refuses client.login)."""
    page = client.get(reverse("login"))
    data = {"username": user.get_username(), "password": PASSWORD, "next": next_url}
    token = TOKEN.search(page.content.decode())
    if token:
        data["csrfmiddlewaretoken"] = token.group(1)
    return client.post(reverse("login"), data)


def signed_in_on_the_form(client, user, audit):
    """Signed in, with the draft's form open: the browser now holds the owner cookie."""
    client.force_login(user)
    page = client.get(edit_url(audit))
    assert page.status_code == 200
    assert OWNER_COOKIE in client.cookies
    return page


def restore_data(kept: KeptSave, client) -> dict:
    """What the offer page's "Save it now" form posts: the kept fields, a fresh token and
    which kept save it is."""
    page = client.get(reverse("session:kept")).content.decode()
    data: dict[str, list[str]] = {}
    for name, value in kept.fields:
        data.setdefault(name, []).append(value)
    data["_kept_save"] = [str(kept.pk)]
    data["csrfmiddlewaretoken"] = [TOKEN.search(page).group(1)]
    return data


def events(kind) -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(event=kind).order_by("pk"))


def no_case_content_in_the_log():
    for event in SecurityEvent.objects.all():
        assert TYPED not in f"{event.object} {event.path} {event.changes}"


# --- An expired session ----------------------------------------------------------------------


def test_a_save_after_the_idle_timeout_is_kept_and_after_signing_in_saved(
    client, owner, draft, settings
):
    signed_in_on_the_form(client, owner, draft)
    age_session(client, idle_for=settings.SESSION_IDLE_SECONDS + 1)

    response = client.post(edit_url(draft), save_draft(draft))

    offer = offer_url(edit_url(draft))
    assert response.status_code == 302
    assert sign_in_then(response.url) == offer
    assert signed_in_as(client) is None
    draft.refresh_from_db()
    assert draft.overall_comments != TYPED  # not saved yet: kept
    [kept] = KeptSave.objects.all()
    assert (kept.owner, kept.path, kept.reason) == (owner, edit_url(draft), "signed_out")
    assert ["overall_comments", TYPED] in kept.fields
    assert not any(name == "csrfmiddlewaretoken" for name, _ in kept.fields)
    [logged] = events(Event.SAVE_KEPT)
    assert logged.actor == owner and logged.changes["reason"] == "signed_out"

    # Signing in again goes to the offer, which shows what was kept.
    assert sign_in(client, owner, next_url=offer).url == offer
    page = client.get(offer)
    html = page.content.decode()
    assert "You were signed out before this was saved" in html
    assert TYPED in html
    assert f'action="{edit_url(draft)}"' in html

    # "Save it now" posts it to the form's own address, which saves it as ever.
    saved = client.post(edit_url(draft), restore_data(kept, client))
    assert saved.status_code == 302 and saved.url == edit_url(draft)
    draft.refresh_from_db()
    assert draft.overall_comments == TYPED
    assert not KeptSave.objects.exists()
    assert len(events(Event.SAVE_RESTORED)) == 1
    no_case_content_in_the_log()


def test_a_session_deleted_on_the_server_keeps_the_save_for_the_person_the_browser_names(
    client, owner, draft
):
    signed_in_on_the_form(client, owner, draft)
    Session.objects.all().delete()

    response = client.post(edit_url(draft), save_draft(draft))

    assert response.status_code == 302
    assert sign_in_then(response.url) == offer_url(edit_url(draft))
    assert KeptSave.objects.get().owner == owner


def test_a_later_save_from_the_same_page_replaces_the_one_kept_before(client, owner, draft):
    # Autosave was refused first, then the Save button: only the later, fuller one is offered.
    signed_in_on_the_form(client, owner, draft)
    Session.objects.all().delete()
    referer = {"HTTP_REFERER": f"http://testserver{edit_url(draft)}"}
    client.post(
        reverse("audits:autosave", args=[draft.pk, "overall"]),
        save_draft(draft, text="Typed so far"),
        **JSON,
        **referer,
    )

    client.post(edit_url(draft), save_draft(draft, text="Typed so far, and more"), **referer)

    kept = KeptSave.objects.get()
    assert kept.owner == owner
    assert ["overall_comments", "Typed so far, and more"] in kept.fields


def test_a_script_is_told_in_json_that_its_save_was_kept(client, owner, draft, settings):
    signed_in_on_the_form(client, owner, draft)
    age_session(client, idle_for=settings.SESSION_IDLE_SECONDS + 1)

    response = client.post(edit_url(draft), save_draft(draft), **JSON)

    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "signed_out" and body["kept"] is True
    assert sign_in_then(body["login_url"]) == offer_url(edit_url(draft))
    kept = KeptSave.objects.get()
    assert kept.from_script
    sign_in(client, owner)
    assert "data-kept-save-script" in client.get(reverse("session:kept")).content.decode()


def test_with_nobody_named_by_the_browser_nothing_is_kept_and_sign_in_is_asked(client, draft):
    response = client.post(edit_url(draft), save_draft(draft))

    assert response.status_code == 302
    assert sign_in_then(response.url) == edit_url(draft)
    assert not KeptSave.objects.exists()


def test_a_made_up_owner_cookie_is_ignored(client, owner, draft):
    client.cookies[OWNER_COOKIE] = str(owner.pk)  # not signed by the server

    client.post(edit_url(draft), save_draft(draft))

    assert not KeptSave.objects.exists()


def test_a_post_with_nothing_typed_is_not_kept(client, owner, draft):
    signed_in_on_the_form(client, owner, draft)
    Session.objects.all().delete()  # signed out; the browser still names its owner

    client.post(reverse("audits:delete", args=[draft.pk]), {})

    assert not KeptSave.objects.exists()


# --- Whose it is ------------------------------------------------------------------------------


def kept_for(client, owner, draft, settings):
    signed_in_on_the_form(client, owner, draft)
    age_session(client, idle_for=settings.SESSION_IDLE_SECONDS + 1)
    client.post(edit_url(draft), save_draft(draft))
    return KeptSave.objects.get()


def test_another_person_on_the_same_computer_never_sees_it_nor_uses_it(
    client, owner, colleague, draft, settings
):
    kept = kept_for(client, owner, draft, settings)

    sign_in(client, colleague)
    offer = client.get(reverse("session:kept"))
    home = client.get(reverse("audits:home")).content.decode()
    # Posting its number along with a save of one's own does not use it up.
    client.post(reverse("audits:new"), {**save_draft(draft, text="Mine"), "_kept_save": kept.pk})
    discard = client.post(reverse("session:discard", args=[kept.pk]))

    assert offer.status_code == 302  # nothing to offer: on to the home page
    assert TYPED not in home and "kept from when you were signed out" not in home
    assert discard.status_code == 404
    assert KeptSave.objects.filter(pk=kept.pk).exists()

    client.logout()
    sign_in(client, owner)
    assert TYPED in client.get(reverse("session:kept")).content.decode()
    assert (
        "1 save kept from when you were signed out"
        in client.get(reverse("audits:home")).content.decode()
    )


def test_its_owner_can_discard_it(client, owner, draft, settings):
    kept = kept_for(client, owner, draft, settings)
    sign_in(client, owner)

    response = client.post(reverse("session:discard", args=[kept.pk]), {"next": edit_url(draft)})

    assert response.status_code == 302
    assert not KeptSave.objects.exists()
    [discarded] = events(Event.SAVE_DISCARDED)
    assert discarded.actor == owner and discarded.changes == {"reason": "by its owner"}
    no_case_content_in_the_log()


def test_after_a_day_it_is_no_longer_offered_and_the_next_sign_in_discards_it(
    client, owner, colleague, draft, settings
):
    kept = kept_for(client, owner, draft, settings)
    KeptSave.objects.filter(pk=kept.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=1, minutes=1)
    )
    other = Client()

    sign_in(other, colleague)  # anyone's sign-in lets go of saves nobody came back for

    assert not KeptSave.objects.exists()
    [discarded] = events(Event.SAVE_DISCARDED)
    assert discarded.actor == owner and discarded.changes == {"reason": "older than a day"}
    sign_in(client, owner)
    assert client.get(reverse("session:kept")).status_code == 302


# --- Never a password ---------------------------------------------------------------------------


def test_sign_in_and_account_forms_are_never_kept(client, owner, draft):
    signed_in_on_the_form(client, owner, draft)
    Session.objects.all().delete()

    client.post(reverse("login"), {"username": owner.username, "password": "typed-secret-1"})
    client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "x" * 14, "new_password2": "x" * 14},
    )
    client.post(reverse("admin:login"), {"username": owner.username, "password": PASSWORD})
    client.post(reverse("two_factor:verify"), {"code": "123456"})

    assert not KeptSave.objects.exists()


def test_a_form_with_a_password_field_is_never_kept_wherever_it_posts(client, owner, draft):
    signed_in_on_the_form(client, owner, draft)
    Session.objects.all().delete()

    client.post(edit_url(draft), {**save_draft(draft), "password": "typed-secret-1"})

    assert not KeptSave.objects.exists()


# --- A CSRF token replaced by signing in again in another tab -----------------------------------


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def test_a_save_from_a_tab_whose_token_was_replaced_is_kept_and_offered_at_once(
    csrf_client, owner, draft
):
    client = csrf_client
    sign_in(client, owner)
    first_tab = client.get(edit_url(draft)).content.decode()
    old_token = TOKEN.search(first_tab).group(1)
    sign_in(client, owner)  # the second tab signs in again: a new token

    response = client.post(
        edit_url(draft),
        {**save_draft(draft), "csrfmiddlewaretoken": old_token},
        HTTP_ORIGIN="http://testserver",
        HTTP_REFERER=f"http://testserver{edit_url(draft)}",
    )

    assert response.status_code == 302
    assert response.url == offer_url(edit_url(draft))
    kept = KeptSave.objects.get()
    assert (kept.owner, kept.reason) == (owner, "csrf")
    saved = client.post(edit_url(draft), restore_data(kept, client))
    assert saved.status_code == 302
    draft.refresh_from_db()
    assert draft.overall_comments == TYPED
    assert not KeptSave.objects.exists()


def test_a_script_whose_token_was_replaced_gets_json(csrf_client, owner, draft):
    client = csrf_client
    sign_in(client, owner)
    old_token = TOKEN.search(client.get(edit_url(draft)).content.decode()).group(1)
    sign_in(client, owner)

    response = client.post(
        edit_url(draft),
        {**save_draft(draft), "csrfmiddlewaretoken": old_token},
        HTTP_ORIGIN="http://testserver",
        **JSON,
    )

    assert response.status_code == 403
    body = response.json()
    assert body == {"error": "csrf", "kept": True, "reload_url": offer_url(edit_url(draft))}


def test_signed_out_in_another_tab_the_save_is_kept_until_signing_in(csrf_client, owner, draft):
    client = csrf_client
    sign_in(client, owner)
    token = TOKEN.search(client.get(edit_url(draft)).content.decode()).group(1)
    client.post(reverse("logout"), {"csrfmiddlewaretoken": token})

    response = client.post(
        edit_url(draft),
        {**save_draft(draft), "csrfmiddlewaretoken": token},
        HTTP_ORIGIN="http://testserver",
        **JSON,
    )

    # Signing out leaves the CSRF token as it was: this is a signed-out save, not a CSRF one.
    assert response.status_code == 401
    assert response.json()["kept"] is True
    assert sign_in_then(response.json()["login_url"]) == offer_url(edit_url(draft))
    assert KeptSave.objects.get().owner == owner


def test_a_cross_site_post_is_refused_and_nothing_kept(csrf_client, owner, draft):
    client = csrf_client
    sign_in(client, owner)

    response = client.post(
        edit_url(draft), save_draft(draft), HTTP_ORIGIN="https://elsewhere.example"
    )

    assert response.status_code == 403
    assert not KeptSave.objects.exists()
    assert Audit.objects.get(pk=draft.pk).overall_comments != TYPED


def test_a_stale_sign_in_page_shows_the_sign_in_page_again_and_keeps_no_password(
    csrf_client, owner
):
    client = csrf_client
    stale = TOKEN.search(client.get(reverse("login")).content.decode()).group(1)
    sign_in(client, owner)
    client.logout()

    response = client.post(
        reverse("login"),
        {"username": owner.username, "password": PASSWORD, "csrfmiddlewaretoken": stale + "x"},
        HTTP_ORIGIN="http://testserver",
    )

    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not KeptSave.objects.exists()


def test_with_the_token_replaced_and_the_session_gone_it_is_kept_until_signing_in(
    csrf_client, owner, draft
):
    client = csrf_client
    sign_in(client, owner)
    old_token = TOKEN.search(client.get(edit_url(draft)).content.decode()).group(1)
    sign_in(client, owner)  # a new token ...
    Session.objects.all().delete()  # ... and then the session ended

    response = client.post(
        edit_url(draft),
        {**save_draft(draft), "csrfmiddlewaretoken": old_token},
        HTTP_ORIGIN="http://testserver",
    )

    assert sign_in_then(response.url) == offer_url(edit_url(draft))
    assert (KeptSave.objects.get().owner, KeptSave.objects.get().reason) == (owner, "csrf")
