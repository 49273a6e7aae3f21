"""Reads for two-factor sign-in: who must use it, their devices, and what the set-up page shows."""

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audits.roles import role_names
from config.sso import SIGNED_IN_WITH, SSO


def two_factor_required(request) -> bool:
    """Whether this request's user must pass two-factor sign-in in this session: they hold a
    role of settings.TWO_FACTOR_ROLES and did not sign in through single sign-on.

    The cheap answers come first, so that with the setting empty (the tests, the demo) no
    request pays a query for it."""
    required_roles = settings.TWO_FACTOR_ROLES
    if not required_roles or not request.user.is_authenticated:
        return False
    # A council sign-in (config.sso marks its session): the council's identity provider has
    # asked for its own second factor, so this app does not ask again.
    if request.session.get(SIGNED_IN_WITH) == SSO:
        return False
    return bool(role_names(request.user) & set(required_roles))


def confirmed_totp_device(user) -> TOTPDevice | None:
    """The user's authenticator app, once set up (services keep at most one confirmed)."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def secret_for_typing(device: TOTPDevice) -> str:
    """The secret as an authenticator app takes it typed in: base32, in groups of four."""
    text = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_code_svg(device: TOTPDevice) -> SafeString:
    """The device's otpauth:// address as a QR code, an <svg> element to put in the page.

    qrcode draws it from the address alone (no user input reaches the markup), so it is safe
    to mark safe. The page's text names it for screen readers."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    svg = image.to_string(encoding="unicode")
    svg = svg.replace("<svg ", '<svg role="img" aria-labelledby="qr-code-title" ', 1)
    svg = svg.replace(">", '><title id="qr-code-title">QR code to scan with your app</title>', 1)
    return mark_safe(svg)  # noqa: S308 - generated markup, see above
