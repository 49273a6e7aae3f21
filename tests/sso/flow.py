"""Signing in through the council sign-in with the Django test client, the browser's part at
the provider played by a requests session against the real test provider (tests/oidc_provider).
"""

import re
from urllib.parse import urljoin

import requests
from django.urls import reverse

from tests.oidc_provider.process import PASSWORD

APP = "http://testserver"
PROVIDER_LOGIN_PAGE = "Test council sign-in"


class AtProvider:
    """One browser's cookies at the provider, signed in there after the first sign-in."""

    def __init__(self):
        self.session = requests.Session()
        self.last_return = ""  # the provider's last redirect back to the app

    def _walk(self, url: str, client, response=None):
        """Follow redirects from ``url`` (or ``response``) until the browser is back at the
        app (the app's answer there) or on a provider page (that page)."""
        if response is None:
            response = self.session.get(url, allow_redirects=False, timeout=10)
        while response.is_redirect:
            location = urljoin(response.url, response.headers["Location"])
            if location.startswith(APP + "/"):
                self.last_return = location.removeprefix(APP)
                return client.get(self.last_return)
            response = self.session.get(location, allow_redirects=False, timeout=10)
        return response

    def sign_in(self, client, username, password=PASSWORD, next_page=""):
        """Press "Sign in with ... account" and sign in at the provider if it asks; the app's
        answer to the provider's redirect back."""
        start = client.get(
            reverse("oidc_authentication_init") + (f"?next={next_page}" if next_page else "")
        )
        assert start.status_code == 302, start
        page = self._walk(start.url, client)
        if not isinstance(page, requests.Response):
            return page  # signed in at the provider already: straight back
        assert PROVIDER_LOGIN_PAGE in page.text, page.text[:500]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        answer = self.session.post(
            page.url,
            data={"csrfmiddlewaretoken": token, "username": username, "password": password},
            allow_redirects=False,
            timeout=10,
        )
        back = self._walk("", client, answer)
        assert not isinstance(back, requests.Response), back.text[:500]
        return back

    def follow_from_app(self, response, client):
        """The app sent the browser to the provider (``response``): where it ends up."""
        assert response.status_code == 302, response
        return self._walk(response.url, client)
