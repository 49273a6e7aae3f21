"""IMPORT_MAX_UPLOAD_MB: the upload limit, read from the environment like the other settings."""

import pytest

from tests.test_settings import _run

SHOW = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.IMPORT_MAX_UPLOAD_MB, settings.IMPORT_MAX_UPLOAD_BYTES)"
)


def test_the_limit_is_5_mb_unless_the_environment_says_otherwise():
    assert _run("-c", SHOW, DEBUG="1").stdout.split() == ["5", str(5 * 1024 * 1024)]
    result = _run("-c", SHOW, DEBUG="1", IMPORT_MAX_UPLOAD_MB="12")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["12", str(12 * 1024 * 1024)]


@pytest.mark.parametrize("value", ["0", "51", "5MB", "-1"])
def test_a_limit_out_of_range_stops_the_app_naming_the_variable(value):
    result = _run("-c", SHOW, DEBUG="1", IMPORT_MAX_UPLOAD_MB=value)
    assert result.returncode != 0
    assert "IMPORT_MAX_UPLOAD_MB must be a whole number from 1 to 50" in result.stderr
