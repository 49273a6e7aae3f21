"""audits.twofactor.services against the real devices and real TOTP codes."""

import pytest
from django.conf import settings
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audits.models import SecurityEvent
from audits.security.events import Event
from audits.twofactor import selectors, services
from audits.twofactor.services import TwoFactorError
from tests import factories

from .helpers import code_for, enrolled, wait_out_throttle, wrong_code_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return factories.qa_lead()


def events(user, event):
    return SecurityEvent.objects.filter(event=event, object__startswith=f"user {user.pk} ")


def test_throttling_is_on():
    assert settings.OTP_TOTP_THROTTLE_FACTOR > 0
    assert settings.OTP_STATIC_THROTTLE_FACTOR > 0


def test_the_set_up_page_s_device_is_kept_until_confirmed(person):
    first = services.totp_device_for_enrolment(user=person)
    again = services.totp_device_for_enrolment(user=person)

    assert again.pk == first.pk and again.key == first.key
    assert not again.confirmed
    assert TOTPDevice.objects.filter(user=person).count() == 1


def test_extra_left_over_devices_are_removed(person):
    TOTPDevice.objects.create(user=person, name="old", confirmed=False)
    newest = TOTPDevice.objects.create(user=person, name="newer", confirmed=False)

    assert services.totp_device_for_enrolment(user=person).pk == newest.pk
    assert list(TOTPDevice.objects.filter(user=person)) == [newest]


def test_a_wrong_code_confirms_nothing(person):
    device = services.totp_device_for_enrolment(user=person)

    with pytest.raises(TwoFactorError, match="not right"):
        services.two_factor_enrol(user=person, device_id=device.pk, code=wrong_code_for(device))

    device.refresh_from_db()
    assert not device.confirmed
    assert device.throttling_failure_count == 1  # kept although the service raised
    assert not StaticDevice.objects.filter(user=person).exists()
    assert not events(person, Event.TWO_FACTOR_ENROLLED).exists()


def test_the_right_code_confirms_the_app_and_makes_ten_recovery_codes(person):
    device = services.totp_device_for_enrolment(user=person)

    confirmed, codes = services.two_factor_enrol(
        user=person, device_id=device.pk, code=code_for(device)
    )

    assert confirmed.pk == device.pk
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert len(codes) == 10 == len(set(codes))
    stored = StaticToken.objects.filter(device__user=person, device__confirmed=True)
    assert sorted(stored.values_list("token", flat=True)) == sorted(codes)
    assert events(person, Event.TWO_FACTOR_ENROLLED).count() == 1


def test_a_second_set_up_is_refused_so_there_is_never_a_second_app(person):
    device, _ = enrolled(person)
    other = TOTPDevice.objects.create(user=person, name="sneaked in", confirmed=False)

    with pytest.raises(TwoFactorError, match="already set up"):
        services.totp_device_for_enrolment(user=person)
    with pytest.raises(TwoFactorError, match="already set up"):
        services.two_factor_enrol(user=person, device_id=other.pk, code=code_for(other))

    assert list(TOTPDevice.objects.filter(user=person, confirmed=True)) == [device]


def test_the_app_s_code_verifies(person):
    device, _ = enrolled(person)

    verified = services.two_factor_verify(user=person, code=code_for(device))

    assert verified.device == device
    assert verified.recovery_codes_left is None


def test_a_code_is_accepted_once(person):
    device, _ = enrolled(person)
    code = code_for(device)
    services.two_factor_verify(user=person, code=code)
    wait_out_throttle(device)

    with pytest.raises(TwoFactorError, match="not right"):
        services.two_factor_verify(user=person, code=code)


def test_a_wrong_code_is_refused_and_logged(person):
    device, _ = enrolled(person)

    with pytest.raises(TwoFactorError, match="not right"):
        services.two_factor_verify(user=person, code=wrong_code_for(device))

    assert events(person, Event.TWO_FACTOR_FAILED).count() == 1


def test_after_a_wrong_code_the_throttle_makes_them_wait_even_for_the_right_one(person):
    device, _ = enrolled(person)
    with pytest.raises(TwoFactorError):
        services.two_factor_verify(user=person, code=wrong_code_for(device))

    with pytest.raises(TwoFactorError, match=r"Too many wrong codes. Wait 1 second, then"):
        services.two_factor_verify(user=person, code=code_for(device))

    wait_out_throttle(device)
    assert services.two_factor_verify(user=person, code=code_for(device)).device == device
    assert events(person, Event.TWO_FACTOR_FAILED).count() == 2  # the wrong one, the early one


def test_the_wait_doubles_with_each_wrong_code(person):
    device, _ = enrolled(person)
    for _attempt in range(4):
        wait_out_throttle(device)
        with pytest.raises(TwoFactorError, match="not right"):
            services.two_factor_verify(user=person, code=wrong_code_for(device))

    with pytest.raises(TwoFactorError, match="Wait 8 seconds"):
        services.two_factor_verify(user=person, code=code_for(device))


def test_a_recovery_code_works_once(person):
    _, codes = enrolled(person)

    verified = services.two_factor_verify(user=person, code=codes[3])

    assert isinstance(verified.device, StaticDevice)
    assert verified.recovery_codes_left == 9
    assert not StaticToken.objects.filter(token=codes[3]).exists()
    assert events(person, Event.RECOVERY_CODE_USED).get().changes == {"recovery_codes_left": 9}
    wait_out_throttle(verified.device)
    with pytest.raises(TwoFactorError, match="not right"):
        services.two_factor_verify(user=person, code=codes[3])


def test_a_recovery_code_is_read_as_people_type_it(person):
    _, codes = enrolled(person)
    typed = f" {codes[0][:4].upper()}-{codes[0][4:].upper()} "

    assert services.two_factor_verify(user=person, code=typed).recovery_codes_left == 9


def test_someone_else_s_recovery_code_does_not_work(person):
    _, codes = enrolled(person)
    other = factories.administrator()
    enrolled(other)

    with pytest.raises(TwoFactorError):
        services.two_factor_verify(user=other, code=codes[0])
    assert StaticToken.objects.filter(token=codes[0]).exists()


def test_new_recovery_codes_replace_the_old(person):
    _, old = enrolled(person)

    new = services.recovery_codes_replace(user=person)

    assert len(new) == 10 and not set(new) & set(old)
    assert StaticDevice.objects.filter(user=person).count() == 1
    assert selectors.recovery_codes_left(person) == 10
    with pytest.raises(TwoFactorError):
        services.two_factor_verify(user=person, code=old[0])
    assert events(person, Event.RECOVERY_CODES_REPLACED).count() == 1


def test_recovery_codes_need_the_app_set_up_first(person):
    with pytest.raises(TwoFactorError, match="Set up two-factor sign-in first"):
        services.recovery_codes_replace(user=person)
    assert not StaticDevice.objects.filter(user=person).exists()


def test_a_reset_takes_away_the_app_and_the_recovery_codes(person):
    enrolled(person)
    administrator = factories.administrator()

    removed = services.two_factor_reset(user=person, by=administrator)

    assert removed == 2
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert not StaticDevice.objects.filter(user=person).exists()
    entry = events(person, Event.TWO_FACTOR_RESET).get()
    assert entry.actor == administrator
    assert entry.changes == {"devices_removed": 2}
