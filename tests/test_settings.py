"""config.settings reads the environment; with DEBUG off it refuses to start without SECRET_KEY.

The production settings module is loaded in a fresh interpreter, because this test process has
already loaded the test settings (which set a throwaway SECRET_KEY in os.environ).
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings import env_flag

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY_MESSAGE = "SECRET_KEY is not set"


# Set by config.settings_test in this process's environment (or by whoever runs the suite);
# the production settings are checked without them.
TEST_ONLY_ENV = {"SECRET_KEY", "DEBUG", "TWO_FACTOR_ROLES", "SECURE_COOKIES"}
TEST_ONLY_ENV |= {"SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"}


def _run(*args, **env):
    unset = TEST_ONLY_ENV | {"CONN_MAX_AGE"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    clean.update({"DJANGO_SETTINGS_MODULE": "config.settings", **env})
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("debug", [None, "0", "false", "no", ""])
def test_without_a_secret_key_and_debug_off_it_refuses_to_start(debug):
    env = {} if debug is None else {"DEBUG": debug}

    result = _run("-c", "import django; django.setup(); print('started')", **env)

    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert SECRET_KEY_MESSAGE in result.stderr


def test_manage_py_check_refuses_to_start_without_a_secret_key():
    result = _run("manage.py", "check")

    assert result.returncode != 0
    assert SECRET_KEY_MESSAGE in result.stderr


def test_with_debug_on_it_starts_without_a_secret_key():
    result = _run("manage.py", "check", DEBUG="1")

    assert result.returncode == 0, result.stderr
    assert SECRET_KEY_MESSAGE not in result.stderr


def test_with_debug_on_the_development_key_and_local_hosts_are_used():
    result = _run(
        "-c",
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DEBUG, settings.SECRET_KEY.startswith('insecure-'), "
        "settings.ALLOWED_HOSTS)",
        DEBUG="1",
        ALLOWED_HOSTS="",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[0] == "True True ['127.0.0.1', 'localhost', '[::1]']"


def test_with_a_secret_key_it_starts_with_debug_off_and_secure_cookies():
    result = _run(
        "-c",
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE, "
        "settings.ALLOWED_HOSTS)",
        SECRET_KEY="a-long-random-string-for-this-test-only",
        SECURE_COOKIES="1",
        ALLOWED_HOSTS="audit.example.test, ,www.example.test",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[0] == ("False True ['audit.example.test', 'www.example.test']")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("true", True),
        ("YES", True),
        (" on ", True),
        ("0", False),
        ("false", False),
        ("no", False),
        ("", False),
        ("debug", False),
    ],
)
def test_env_flag(monkeypatch, value, expected):
    monkeypatch.setenv("SOME_FLAG", value)
    assert env_flag("SOME_FLAG") is expected


def test_env_flag_unset_uses_the_default(monkeypatch):
    monkeypatch.delenv("SOME_FLAG", raising=False)
    assert env_flag("SOME_FLAG") is False
    assert env_flag("SOME_FLAG", default=True) is True


def test_an_empty_database_url_means_the_embedded_sqlite_file():
    """`DATABASE_URL=` (set but empty) must not leave Django without a database engine."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env.update(DATABASE_URL="", DEBUG="1", DJANGO_SETTINGS_MODULE="config.settings")
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    engine, name = result.stdout.split()
    # Django's SQLite backend, with writers queued by the kernel (config.sqlite_backend).
    assert engine == "config.sqlite_backend"
    assert name.endswith("db.sqlite3")


# --- TWO_FACTOR_ROLES ----------------------------------------------------------------------------

PRINT_TWO_FACTOR_ROLES = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.TWO_FACTOR_ROLES)"
)
A_KEY = "a-long-random-string-for-this-test-only"


def _two_factor_roles(**env):
    return _run("-c", PRINT_TWO_FACTOR_ROLES, **env)


def test_two_factor_is_asked_of_qa_leads_and_administrators_with_debug_off():
    result = _two_factor_roles(SECRET_KEY=A_KEY)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[0] == "('QA lead', 'Administrator')"


def test_two_factor_is_asked_of_nobody_with_debug_on_so_the_demo_signs_in_with_a_password():
    result = _two_factor_roles(DEBUG="1")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[0] == "()"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Administrator", "('Administrator',)"),
        (" qa lead , MODERATOR,QA lead", "('QA lead', 'Moderator')"),
        ("", "()"),
    ],
)
def test_two_factor_roles_from_the_environment(value, expected):
    result = _two_factor_roles(SECRET_KEY=A_KEY, TWO_FACTOR_ROLES=value)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[0] == expected


def test_an_unknown_two_factor_role_stops_the_start_with_a_message_naming_the_variable():
    result = _two_factor_roles(SECRET_KEY=A_KEY, TWO_FACTOR_ROLES="QA lead,Managers")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "TWO_FACTOR_ROLES names 'Managers', which is not a role." in result.stderr
    assert "Auditor, Moderator, QA lead, Administrator" in result.stderr


def test_the_test_settings_ask_nobody_unless_told():
    from django.conf import settings

    if "TWO_FACTOR_ROLES" not in os.environ:
        assert settings.TWO_FACTOR_ROLES == ()


@pytest.mark.parametrize("value", ["seven", "0", "-1", "7.5", "101", "٧"])
def test_a_retention_period_that_is_not_a_whole_number_stops_the_app(value):
    result = _run("manage.py", "check", DEBUG="1", RETENTION_YEARS=value)

    assert result.returncode != 0
    assert "RETENTION_YEARS must be a whole number from 1 to 100" in result.stderr


def test_the_retention_period_is_read_from_the_environment():
    result = _run(
        "-c",
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.RETENTION_YEARS)",
        DEBUG="1",
        RETENTION_YEARS="10",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "10"


# --- SECRET_KEY_FALLBACKS ------------------------------------------------------------------------

ROTATION = (
    "import django; django.setup(); from django.core import signing; "
    "from django.test.utils import override_settings; "
    "old = signing.dumps('session', key='the-old-key-being-retired-0123456789'); "
    "from django.conf import settings; print(settings.SECRET_KEY_FALLBACKS); "
    "print(signing.loads(old))"
)


def test_a_value_signed_with_the_old_key_still_reads_while_it_is_a_fallback():
    result = _run(
        "-c",
        ROTATION,
        SECRET_KEY="the-new-key-just-rolled-out-0123456789",
        SECRET_KEY_FALLBACKS=" the-old-key-being-retired-0123456789 ,",
    )

    assert result.returncode == 0, result.stderr
    lines = result.stdout.split("\n")
    assert lines[0] == "['the-old-key-being-retired-0123456789']"
    assert lines[1] == "session"


PRINT_CONNECTION_AGE = (
    "import django; django.setup(); from django.conf import settings; "
    "db = settings.DATABASES['default']; print(db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS'])"
)


@pytest.mark.parametrize(
    "url, conn_max_age, expected",
    [
        ("postgres://postgres@127.0.0.1:5432/app", None, "60 True"),
        ("postgres://postgres@127.0.0.1:5432/app", "5", "5 True"),
        ("sqlite:////tmp/app.sqlite3", None, "60 True"),
        ("", None, "60 True"),
        ("", "0", "0 True"),
    ],
)
def test_connections_are_kept_a_minute_unless_conn_max_age_says(url, conn_max_age, expected):
    env = {"DEBUG": "1", "DATABASE_URL": url}
    if conn_max_age is not None:
        env["CONN_MAX_AGE"] = conn_max_age

    result = _run("-c", PRINT_CONNECTION_AGE, **env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_the_production_settings_pass_check_deploy_without_a_warning():
    result = _run(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="example.org",
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr
    assert "WARNING" not in result.stderr


def test_the_production_settings_redirect_to_https_behind_a_proxy_and_send_hsts():
    result = _run(
        "-c",
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER, s.SECURE_HSTS_SECONDS, "
        "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="example.org",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        "True ('HTTP_X_FORWARDED_PROTO', 'https') 31536000 True True True"
    )


def test_with_the_council_sign_in_on_forms_may_also_lead_on_to_the_provider():
    # Signing out of an SSO session posts a form that the app may redirect to the provider's
    # sign-out page; browsers refuse that redirect unless form-action names the provider.
    result = _run(
        "-c",
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])",
        DEBUG="1",
        OIDC_ISSUER="https://login.example.test/tenant/v2.0",
        OIDC_CLIENT_ID="casefile",
        OIDC_CLIENT_SECRET="not-a-real-secret",
        OIDC_GROUP_ROLES="CFA-QA-Leads=QA lead",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "[\"'self'\", 'https://login.example.test']"


# --- Session time limits (audits.sessions) -------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SESSION_IDLE_MINUTES": "half an hour"}, "SESSION_IDLE_MINUTES must be a whole number"),
        ({"SESSION_IDLE_MINUTES": "4"}, "SESSION_IDLE_MINUTES must be a whole number from 5"),
        ({"SESSION_MAX_HOURS": "25"}, "SESSION_MAX_HOURS must be a whole number from 1 to 24"),
        (
            {"SESSION_IDLE_MINUTES": "120", "SESSION_MAX_HOURS": "1"},
            "SESSION_IDLE_MINUTES (120) is longer than SESSION_MAX_HOURS",
        ),
    ],
)
def test_a_session_limit_that_makes_no_sense_stops_the_app(env, message):
    result = _run("manage.py", "check", DEBUG="1", **env)

    assert result.returncode != 0
    assert message in result.stderr


def test_the_session_limits_are_read_from_the_environment():
    result = _run(
        "-c",
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SESSION_IDLE_SECONDS, settings.SESSION_ABSOLUTE_SECONDS)",
        DEBUG="1",
        SESSION_IDLE_MINUTES="15",
        SESSION_MAX_HOURS="8",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["900", "28800"]


def test_postgresql_connections_run_without_jit_compilation():
    """PostgreSQL's JIT spent seconds compiling the report's re-audit queries, whose correlated
    subqueries it estimates far dearer than they are (config.settings)."""
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DATABASES['default'].get('OPTIONS', {}).get('options', ''))"
    )
    result = _run("-c", script, DEBUG="1", DATABASE_URL="postgres://postgres@127.0.0.1:5432/app")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "-c jit=off"
    sqlite = _run("-c", script, DEBUG="1", DATABASE_URL="sqlite:////tmp/app.sqlite3")
    assert sqlite.stdout.strip() == ""


@pytest.mark.django_db
def test_the_database_runs_without_jit():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_translation_is_off_and_dates_and_numbers_still_read_the_british_way():
    """USE_I18N is off (English only); the formats still come from LANGUAGE_CODE's module."""
    import datetime

    from django.conf import settings
    from django.utils import formats

    assert settings.USE_I18N is False
    assert formats.date_format(datetime.date(2026, 7, 1)) == "1 July 2026"
    assert formats.date_format(datetime.date(2026, 7, 1), "SHORT_DATE_FORMAT") == "1 July 2026"
    assert formats.get_format("DATE_INPUT_FORMATS")[0] == "%d/%m/%Y"  # Django's en_GB's
    assert formats.get_format("FIRST_DAY_OF_WEEK") == 1  # Monday, not the default Sunday
