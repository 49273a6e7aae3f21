"""The provider's endpoints, found by OpenID Connect discovery and kept for the process.

mozilla-django-oidc wants each endpoint as a setting (OIDC_OP_*). Here an explicit setting
(from the environment, for a provider without discovery) wins; otherwise the endpoint comes
from ``<OIDC_ISSUER>/.well-known/openid-configuration``, fetched the first time a sign-in
needs it. A failed fetch is not kept, so the next sign-in tries again.
"""

import logging
import threading

import requests
from django.conf import settings
from mozilla_django_oidc.utils import import_from_settings

logger = logging.getLogger(__name__)

# mozilla-django-oidc's setting -> the discovery document's key.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
}
# What a sign-in cannot do without (the user information endpoint is optional in the
# specification: without it, the ID token's claims are all there is).
REQUIRED = ("authorization_endpoint", "token_endpoint", "jwks_uri")

_documents: dict[str, dict] = {}
_lock = threading.Lock()


class ProviderUnavailable(Exception):
    """The provider's discovery document could not be had or is unusable; the message says why
    (for the log, not for the person signing in)."""


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def provider_configuration(issuer: str) -> dict:
    """The discovery document of ``issuer``, fetched once per process."""
    with _lock:
        if issuer in _documents:
            return _documents[issuer]
    url = discovery_url(issuer)
    try:
        response = requests.get(
            url,
            timeout=import_from_settings("OIDC_TIMEOUT", 10),
            verify=import_from_settings("OIDC_VERIFY_SSL", True),
            proxies=import_from_settings("OIDC_PROXY", None),
        )
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(f"OpenID discovery at {url} failed: {error}") from error
    if not isinstance(document, dict):
        raise ProviderUnavailable(f"OpenID discovery at {url} did not return a JSON object")
    # The specification requires the document to name the issuer it was asked for; a mismatch
    # means OIDC_ISSUER is wrong (or something answers in the provider's place).
    if str(document.get("issuer", "")).rstrip("/") != issuer.rstrip("/"):
        raise ProviderUnavailable(
            f"OpenID discovery at {url} names the issuer {document.get('issuer')!r}, "
            f"not OIDC_ISSUER {issuer!r}"
        )
    missing = [key for key in REQUIRED if not document.get(key)]
    if missing:
        raise ProviderUnavailable(f"OpenID discovery at {url} lacks {', '.join(missing)}")
    with _lock:
        _documents[issuer] = document
    logger.info("OpenID discovery: read the endpoints of %s", issuer)
    return document


def forget_discovered() -> None:
    """Drop what was fetched (the next sign-in fetches again): for tests and key rotation."""
    with _lock:
        _documents.clear()


def oidc_setting(attr: str, *default):
    """A mozilla-django-oidc setting, with the provider's endpoints from discovery.

    Used as the ``get_settings`` of the backend and views (config.sso.backend, .views). An
    endpoint the document does not have is "" (only the optional ones can be missing).
    """
    if attr in DISCOVERED:
        explicit = getattr(settings, attr, "")
        if explicit:
            return explicit
        return provider_configuration(settings.OIDC_ISSUER).get(DISCOVERED[attr]) or ""
    return import_from_settings(attr, *default)
