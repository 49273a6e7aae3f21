"""Writes for two-factor sign-in: setting up the app, checking codes, recovery codes, reset.

Every change to a user's devices runs with the user's row locked, so two requests at once (two
tabs, a double click) cannot leave two confirmed apps or two sets of recovery codes. Each
service writes its entry in the security log.
"""

import math
from dataclasses import dataclass

import django_otp
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audits.errors import DomainError
from audits.security.events import Event, record

RECOVERY_CODE_COUNT = 10
TOTP_DIGITS = 6


class TwoFactorError(DomainError):
    """A code refused, or a set-up that cannot go on; the message is for the person signing in."""


def _wrong_code() -> TwoFactorError:
    return TwoFactorError(
        _("That code is not right. Enter the code your app shows now, or a recovery code."),
        field="code",
    )


def _lock_user(user) -> None:
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


def _refuse_if_throttled(device, *, user, request) -> None:
    """django-otp waits longer after each wrong code (OTP_*_THROTTLE_FACTOR); say how long.
    Called outside a transaction, so the log's entry stays when the refusal is raised."""
    allowed, details = device.verify_is_allowed()
    if allowed:
        return
    record(
        Event.TWO_FACTOR_FAILED, request=request, user=user, obj=user, changes={"throttled": True}
    )
    locked_until = (details or {}).get("locked_until")
    seconds = (
        max(1, math.ceil((locked_until - timezone.now()).total_seconds())) if locked_until else 1
    )
    if seconds > 120:
        minutes = math.ceil(seconds / 60)
        wait = ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    else:
        wait = ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    raise TwoFactorError(
        _("Too many wrong codes. Wait %(wait)s, then try again.") % {"wait": wait}, field="code"
    )


def normalise_code(code: str) -> str:
    """What people type: spaces and hyphens between groups, capitals from a printed list."""
    return "".join(code.split()).replace("-", "").lower()


def _replace_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def totp_device_for_enrolment(*, user) -> TOTPDevice:
    """The unconfirmed app device the set-up page shows: the one left from an earlier visit
    (so a reload or a return keeps the secret already scanned), else a new one."""
    with transaction.atomic():
        _lock_user(user)
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise TwoFactorError(_("Two-factor sign-in is already set up for this account."))
        left_over = list(TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk"))
        if left_over:
            TOTPDevice.objects.filter(pk__in=[d.pk for d in left_over[1:]]).delete()
            return left_over[0]
        return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def two_factor_enrol(
    *, user, device_id: int, code: str, request=None
) -> tuple[TOTPDevice, list[str]]:
    """Confirm the user's app with a code it shows, and give them new recovery codes.

    Returns (device, recovery codes): the codes are shown once and never again. A wrong code
    raises TwoFactorError and leaves the device unconfirmed, to try again."""
    devices = TOTPDevice.objects.filter(user=user)
    device = devices.filter(pk=device_id, confirmed=False).first()
    if device is not None:
        _refuse_if_throttled(device, user=user, request=request)
    with transaction.atomic():
        _lock_user(user)
        if devices.filter(confirmed=True).exists():
            raise TwoFactorError(_("Two-factor sign-in is already set up for this account."))
        device = devices.select_for_update().filter(pk=device_id, confirmed=False).first()
        if device is None:
            raise TwoFactorError(_("This set-up has expired. Start again with the new QR code."))
        # A wrong code's count (django-otp's throttling) is saved inside verify_token.
        if device.verify_token(normalise_code(code)):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            devices.filter(confirmed=False).delete()
            codes = _replace_recovery_codes(user)
            record(Event.TWO_FACTOR_ENROLLED, request=request, user=user, obj=user)
            return device, codes
    # Outside the transaction, so the throttle's count of the failure is kept.
    raise _wrong_code()


@dataclass(frozen=True)
class Verified:
    device: Device
    # None when the code came from the app; else how many recovery codes are left.
    recovery_codes_left: int | None = None


def two_factor_verify(*, user, code: str, request=None) -> Verified:
    """Check a code from the user's app or one of their recovery codes; a recovery code is
    used up. Raises TwoFactorError for a wrong code, or while the throttle makes them wait."""
    code = normalise_code(code)
    is_app_code = len(code) == TOTP_DIGITS and code.isdigit()
    model = TOTPDevice if is_app_code else StaticDevice
    device = model.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        _refuse_if_throttled(device, user=user, request=request)
        # Locks the device while it checks, so one code is never accepted twice at once; each
        # kind of device keeps its own count of wrong codes for the throttle.
        verified = django_otp.verify_token(user, device.persistent_id, code)
        if verified is not None and is_app_code:
            return Verified(device=verified)
        if verified is not None:
            left = verified.token_set.count()
            record(
                Event.RECOVERY_CODE_USED,
                request=request,
                user=user,
                obj=user,
                changes={"recovery_codes_left": left},
            )
            return Verified(device=verified, recovery_codes_left=left)
    record(Event.TWO_FACTOR_FAILED, request=request, user=user, obj=user)
    raise _wrong_code()


def recovery_codes_replace(*, user, request=None) -> list[str]:
    """New recovery codes for a user whose app is set up; the old ones stop working."""
    with transaction.atomic():
        _lock_user(user)
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise TwoFactorError(_("Set up two-factor sign-in first."))
        codes = _replace_recovery_codes(user)
        record(Event.RECOVERY_CODES_REPLACED, request=request, user=user, obj=user)
    return codes


def two_factor_reset(*, user, by, request=None) -> int:
    """An administrator takes away a user's app and recovery codes (a lost phone): the user
    sets up again at their next page. Returns how many devices went."""
    with transaction.atomic():
        _lock_user(user)
        removed = 0
        for model in django_otp.device_classes():
            removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
        record(
            Event.TWO_FACTOR_RESET,
            request=request,
            user=by,
            obj=user,
            changes={"devices_removed": removed},
        )
    return removed
