"""Hostile request headers: what the app reads from them (the client's address behind a proxy,
the session and CSRF cookies, the host) or hands on to its logs (the user agent, the path).
REMOTE_ADDR is not a header but the WSGI server's record of the connection: only what a server
puts there is sent.

Signing in (which records the attempt in two logs) and opening an audit (which records the
viewing) are sent hostile headers, behind one and two trusted proxies. Each answer is clear and
nothing but the logs is written.
"""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as settings_
from hypothesis import strategies as st

from tests.helpers import submitted_audit

from .answers import assert_clear_answer, assert_unchanged, snapshot
from .hostile import SETTINGS, URLENCODED, encode, examples, to_bytes, values

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's

# A WSGI server hands headers on as text decoded from Latin-1, whatever bytes came.
header_values = values.map(lambda value: to_bytes(value).decode("latin-1"))
addresses = st.one_of(
    header_values,
    st.ip_addresses().map(str),
    st.tuples(st.ip_addresses(v=4), st.integers(0, 99999)).map(lambda p: f"{p[0]}:{p[1]}"),
    st.tuples(st.ip_addresses(v=6), st.integers(0, 99999)).map(lambda p: f"[{p[0]}]:{p[1]}"),
)
HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "HTTP_X_FORWARDED_FOR": st.lists(addresses, max_size=3).map(", ".join),
        # The WSGI server's, from the connection: an address, or nothing on a Unix socket.
        "REMOTE_ADDR": st.one_of(st.ip_addresses().map(str), st.just("")),
        "HTTP_USER_AGENT": header_values,
        "HTTP_REFERER": header_values,
        "HTTP_ACCEPT_LANGUAGE": header_values,
        "HTTP_COOKIE": header_values,
        "HTTP_HOST": st.sampled_from(["testserver", "evil.example", "", "testserver:99999"]),
    },
)


@pytest.mark.parametrize("proxies", [1, 2])
def test_hostile_headers_on_signing_in_and_opening_an_audit(settings, owner, proxies):
    settings.TRUSTED_PROXIES = proxies
    audit = submitted_audit(auditor=owner)
    client = Client()

    @settings_(max_examples=examples(50), **SETTINGS)
    @given(headers=HEADERS, sign_in=st.booleans(), password=st.sampled_from([PASSWORD, "wrong"]))
    def run(headers, sign_in, password):
        with transaction.atomic():
            client.cookies.clear()
            before = snapshot(leave_out=frozenset({"auth.User"}))  # last_login
            if sign_in:
                body = encode([("username", owner.username), ("password", password)])
                response = client.generic(
                    "POST", reverse("login"), body, content_type=URLENCODED, **headers
                )
            else:
                client.force_login(owner)
                response = client.get(reverse("audits:detail", args=[audit.pk]), **headers)
            assert_clear_answer(response, f"headers {headers!r}")
            assert_unchanged(before, snapshot(leave_out=frozenset({"auth.User"})), "headers")
            transaction.set_rollback(True)

    run()
