"""Single sign-on with the council's identity provider, by OpenID Connect (mozilla-django-oidc).

It is on when OIDC_ISSUER and OIDC_CLIENT_ID are set (config/settings.py reads them from the
environment). The pieces:

- mapping: the council's groups -> the app's roles (OIDC_GROUP_ROLES), read at settings time;
- discovery: the provider's endpoints, from its /.well-known/openid-configuration, fetched on
  the first sign-in through it and kept for the life of the process;
- backend: makes or updates the user and sets their roles from the groups at every sign-in;
- views: the start and return of a sign-in, the sign-out, the refusal messages.

Nothing here runs at import or on a password sign-in: the provider is asked only when someone
chooses "Sign in with <council> account".
"""

from django.conf import settings

# The session key a sign-in through the council's provider sets, so a later check (such as a
# two-factor requirement) can tell those sessions apart: the council's provider applies its own
# multi-factor rules. Password sign-ins leave it unset.
SIGNED_IN_WITH = "signed_in_with"
SSO = "sso"


def enabled() -> bool:
    """Whether the council sign-in is offered: read each time, so settings overrides apply."""
    return bool(getattr(settings, "OIDC_ISSUER", "") and getattr(settings, "OIDC_RP_CLIENT_ID", ""))


def is_council_sign_in(request, credentials) -> bool:
    """AXES_WHITELIST_CALLABLE: a sign-in through the provider is not a password guess.

    The provider counts and locks its own password failures; the app's callback only takes a
    single-use code bound to this browser's state and nonce, so there is nothing to guess here.
    Without this, axes would count every refused council sign-in (username None) against the
    address, and five from one council network would lock everyone there out of the council
    sign-in.
    """
    from django.urls import reverse

    return not (credentials or {}).get("username") and request.path == reverse(
        "oidc_authentication_callback"
    )
