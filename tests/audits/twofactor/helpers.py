"""Real TOTP maths for the two-factor tests: the code an authenticator app would show now."""

from datetime import timedelta

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from audits.twofactor import services

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's


def code_for(device: TOTPDevice) -> str:
    """The code the app shows now, or, when that one was just used (a code is accepted once),
    the next one, which the device's tolerance of one step accepts."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    ahead = max(0, device.last_t + 1 - totp.t())
    assert ahead <= device.tolerance, "no code is accepted until the next step"
    totp.drift += ahead
    return f"{totp.token():0{device.digits}d}"


def wrong_code_for(device: TOTPDevice) -> str:
    """A 6-digit code the device refuses (any of its tolerated steps' codes is right)."""
    device.refresh_from_db()
    right = set()
    for offset in range(-device.tolerance, device.tolerance + 2):
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift + offset)
        right.add(f"{totp.token():06d}")
    return next(c for c in (f"{n:06d}" for n in range(1000)) if c not in right)


def wait_out_throttle(device) -> None:
    """As if the wait after the last wrong code had passed (django-otp's throttle counts from
    the time of the last failure)."""
    device.refresh_from_db()
    if device.throttling_failure_timestamp is not None:
        device.throttling_failure_timestamp -= timedelta(hours=1)
        device.save(update_fields=["throttling_failure_timestamp"])


def enrolled(user):
    """Set the user's app up through the services, as the set-up page does. Returns (app
    device, recovery codes)."""
    device = services.totp_device_for_enrolment(user=user)
    return services.two_factor_enrol(user=user, device_id=device.pk, code=code_for(device))
