"""A role that requires two-factor cannot reach any page before setting it up (issue 11, item 4).

Every URL the resolver knows, built with the objects of tests/test_access_every_url.py (its
table, World and arguments), is opened as a QA lead and as an administrator with two-factor on
and no app set up: each page, download and admin page sends them to the set-up page, and a POST
anywhere is refused. Once they have set up their app and entered a code, every URL answers what
that table says. Roles outside the setting, sessions signed in through single sign-on, and an
empty setting (DEBUG's default) are never asked.
"""

import pytest
from django.urls import reverse

from audits.roles import ADMINISTRATOR, QA_LEAD
from config.sso import SIGNED_IN_WITH, SSO
from tests.test_access_every_url import EXPECTED, QUERY, USERS, World, _answer, _kwargs

from .helpers import code_for, enrolled

pytestmark = pytest.mark.django_db

SETUP = reverse("two_factor:setup")
# Open before the second factor: the set-up page itself, the code page (which, with no app set
# up yet, sends on to the set-up page), signing out (POST only) and the load balancer's health
# check (open to anyone, no data) and the footer's pages (config.pages: open to anyone, no data).
BEFORE_SETTING_UP = {
    "two_factor:setup": 200,
    "two_factor:verify": SETUP,
    "logout": 405,
    "healthz": 200,
    "pages:help": 200,
    "pages:contact": 200,
    "pages:privacy": 200,
    "pages:accessibility": 200,
}
# The two-factor pages answer someone signed in with both factors differently from the table
# (where nobody has two-factor): the set-up and code pages send them on, and they have
# recovery codes to replace.
WITH_BOTH_FACTORS = {
    "two_factor:setup": 302,
    "two_factor:verify": 302,
    "two_factor:recovery_codes": 200,
}


@pytest.fixture
def world(owner, qa_lead_user):
    return World(owner, qa_lead_user)


def _url(name, world) -> str:
    return reverse(name, kwargs=_kwargs(name, world)) + QUERY.get(name, "")


def _before(response):
    """A redirect to the set-up page (remembering the page asked for) is named SETUP."""
    if response.status_code == 302 and response.url.startswith(f"{SETUP}?next="):
        return SETUP
    return response.status_code


def _sign_in_with_both_factors(client, user):
    device = user.totpdevice_set.get(confirmed=True)
    client.force_login(user)
    response = client.post(reverse("two_factor:verify"), {"code": code_for(device)})
    assert response.status_code == 302, "code accepted"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_role_that_requires_two_factor_cannot_reach_any_page_before_setting_it_up(
    client, two_factor_on, world, qa_lead_user, administrator_user, name
):
    url = _url(name, world)
    for who, user in (("qa_lead_user", qa_lead_user), ("administrator_user", administrator_user)):
        client.logout()
        client.force_login(user)

        assert _before(client.get(url)) == BEFORE_SETTING_UP.get(name, SETUP), (who, url)
        if name not in BEFORE_SETTING_UP:
            assert client.post(url, {}).status_code == 403, (who, url)

        enrolled(user)
        _sign_in_with_both_factors(client, user)
        expected = WITH_BOTH_FACTORS.get(name, EXPECTED[name][USERS.index(who)])
        assert _answer(client.get(url)) == expected, (who, url)


@pytest.mark.parametrize(
    "url", ["/admin/auth/user/", "/admin/audits/audittool/", "/admin/auth/user/add/"]
)
def test_the_admin_s_model_pages_are_closed_too(client, two_factor_on, administrator_user, url):
    client.force_login(administrator_user)

    assert _before(client.get(url)) == SETUP
    assert client.post(url, {}).status_code == 403


def _answers(client, request, url, users, *, single_sign_on=False):
    answers = []
    for who in users:
        client.logout()
        client.force_login(request.getfixturevalue(who))
        if single_sign_on:
            session = client.session
            session[SIGNED_IN_WITH] = SSO
            session.save()
        answers.append(_answer(client.get(url)))
    return answers


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_everyone_else_is_never_asked(client, request, settings, world, name):
    url = _url(name, world)
    table = dict(zip(USERS, EXPECTED[name]))
    roles_not_asked = ["owner", "colleague", "moderator_user"]  # auditors and a moderator
    roles_asked = ["qa_lead_user", "administrator_user"]

    settings.TWO_FACTOR_ROLES = (QA_LEAD, ADMINISTRATOR)
    assert _answers(client, request, url, roles_not_asked) == [table[w] for w in roles_not_asked]
    assert _answers(client, request, url, roles_asked, single_sign_on=True) == [
        table[w] for w in roles_asked
    ]

    settings.TWO_FACTOR_ROLES = ()
    assert _answers(client, request, url, roles_asked) == [table[w] for w in roles_asked]
