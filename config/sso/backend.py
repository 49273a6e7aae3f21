"""The authentication backend of the council sign-in: who the provider says signed in, and
with which roles.

At every sign-in the user's roles are set from the provider's groups claim through
OIDC_GROUP_ROLES (config.sso.mapping): roles the groups no longer give are taken away, so the
council's directory, not this app, decides who holds which role. The receivers in
audits.security log the sign-in and every change of roles.
"""

import logging

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, SuspiciousOperation, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from . import enabled
from .discovery import ProviderUnavailable, oidc_setting
from .mapping import parse_group_roles, roles_for_groups

logger = logging.getLogger(__name__)


class SignInRefused(Exception):
    """The provider vouched for someone this app will not let in; the message is for them."""


def no_role_message() -> str:
    return _(
        "Your %(council)s account is not in any group that gives a role in this app, so you "
        "cannot sign in. Ask your manager or an administrator to add you to the right group."
    ) % {"council": settings.COUNCIL_NAME}


def did_not_complete_message() -> str:
    return _(
        "The %(council)s sign-in did not complete. Try again; if it keeps failing, ask an "
        "administrator."
    ) % {"council": settings.COUNCIL_NAME}


def group_roles() -> dict[str, frozenset[str]]:
    """OIDC_GROUP_ROLES as settings hold it: parsed at start, or text (a test's override)."""
    value = settings.OIDC_GROUP_ROLES
    return parse_group_roles(value) if isinstance(value, str) else value


def groups_in(claims: dict) -> list[str]:
    value = claims.get(settings.OIDC_GROUPS_CLAIM) or []
    if isinstance(value, str):  # some providers send a single group as a string
        value = [value]
    return [str(group) for group in value]


class CouncilSignInBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, configured lazily and mapping groups to roles."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        # Django makes a backend object for every authenticate() and for every request's user.
        # The parent reads the provider's endpoints here; this one reads them (from discovery)
        # only when a sign-in through the provider uses them, so a password sign-in or an
        # ordinary request never waits on the provider.
        self.UserModel = get_user_model()

    # The parent's attributes, read when used.
    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: oidc_setting("OIDC_OP_TOKEN_ENDPOINT"))
    OIDC_OP_USER_ENDPOINT = property(lambda self: oidc_setting("OIDC_OP_USER_ENDPOINT"))
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: oidc_setting("OIDC_OP_JWKS_ENDPOINT"))
    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_RP_CLIENT_ID)
    OIDC_RP_CLIENT_SECRET = property(lambda self: settings.OIDC_RP_CLIENT_SECRET)
    OIDC_RP_SIGN_ALGO = property(lambda self: settings.OIDC_RP_SIGN_ALGO)
    OIDC_RP_IDP_SIGN_KEY = property(lambda self: getattr(settings, "OIDC_RP_IDP_SIGN_KEY", None))

    def authenticate(self, request, **kwargs):
        # Only the callback view (config.sso.views) passes a nonce; a password sign-in goes on
        # to the next backend without touching the provider.
        if request is None or not enabled() or "nonce" not in kwargs or "username" in kwargs:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except SignInRefused as refusal:
            request.sign_in_refusal = str(refusal)
        except (ProviderUnavailable, requests.RequestException, SuspiciousOperation) as error:
            # A provider that is down or misconfigured, a token that does not verify, a reused
            # code: the details go to the log, the person gets a plain message.
            logger.warning("Council sign-in failed: %s", error)
            request.sign_in_refusal = did_not_complete_message()
        # Stops the other backends and sends user_login_failed (logged as a failed sign-in).
        raise PermissionDenied(request.sign_in_refusal)

    def verify_token(self, token, **kwargs):
        """The parent checks the signature and nonce; also check whom the token is from and
        for (it does not), so a token meant for another client of the provider is refused."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if str(payload.get("iss", "")).rstrip("/") != settings.OIDC_ISSUER.rstrip("/"):
            raise SuspiciousOperation(f"ID token issuer {payload.get('iss')!r} is not OIDC_ISSUER")
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token is not for this client (aud)")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, with the user information endpoint's over them: some
        providers (Entra ID) put the groups in the ID token only."""
        if not self.OIDC_OP_USER_ENDPOINT:
            return dict(payload)
        userinfo = super().get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("User information is for a different subject (sub)")
        return {**payload, **userinfo}

    def username_from(self, claims: dict) -> str:
        username = str(claims.get(settings.OIDC_USERNAME_CLAIM) or claims.get("email") or "")
        username = self.UserModel.normalize_username(username.strip())
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            username = ""
        if not username or len(username) > 150:
            logger.warning("Council sign-in: no usable username in the claims")
            raise SignInRefused(did_not_complete_message())
        return username

    def get_or_create_user(self, access_token, id_token, payload):
        """The user the claims name, made on their first sign-in, with the roles their groups
        give; SignInRefused if the groups give none."""
        claims = self.get_userinfo(access_token, id_token, payload)
        username = self.username_from(claims)
        self.request.sign_in_username = username  # for the failed sign-in's log entry
        roles = roles_for_groups(groups_in(claims), group_roles())
        with transaction.atomic():
            found = list(self.UserModel.objects.filter(username__iexact=username)[:2])
            if len(found) > 1:
                logger.warning("Council sign-in: more than one account is named %s", username)
                raise SignInRefused(did_not_complete_message())
            user = found[0] if found else None
            if user is not None and user.is_superuser:
                # A superuser is the break-glass account for when the council sign-in is down:
                # accounts are matched by username, and the provider must not take it over
                # (nor strip its roles) because someone there has the same name.
                raise SignInRefused(
                    _(
                        "This is a local administrator account: sign in with its password, not "
                        "the %(council)s sign-in."
                    )
                    % {"council": settings.COUNCIL_NAME}
                )
            if not roles:
                if user is not None:
                    # The groups no longer give a role: nor does this app, in any session.
                    user.groups.clear()
            else:
                if user is None:
                    # No password: this account signs in only through the provider.
                    user = self.UserModel.objects.create_user(username)
                self.update_user(user, claims)
                user.groups.set(Group.objects.filter(name__in=roles))
        if not roles:
            raise SignInRefused(no_role_message())
        if not user.is_active:
            raise SignInRefused(
                _("Your account in this app is switched off. Ask an administrator.")
            )
        return user

    def update_user(self, user, claims):
        """Names and email follow the provider's at each sign-in (those it sends)."""
        sent = {"first_name": "given_name", "last_name": "family_name", "email": "email"}
        limits = {"first_name": 150, "last_name": 150, "email": 254}
        fields = {
            name: str(claims[claim] or "")[: limits[name]]
            for name, claim in sent.items()
            if claim in claims
        }
        changed = [name for name, value in fields.items() if getattr(user, name) != value]
        for name in changed:
            setattr(user, name, fields[name])
        if changed:
            user.save(update_fields=changed)
        return user
