"""Test settings: the same as production except a throwaway key and a fast password hasher.

DATABASE_URL still chooses the database, so the suite runs on SQLite and on PostgreSQL alike.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("SECURE_COOKIES", "0")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

# With DEBUG off, config.settings asks QA leads and administrators for a second factor. The
# suite signs them in with a password only, as almost every test is about something else; the
# two-factor tests (tests/audits/twofactor/) turn it on with the `settings` fixture. A
# TWO_FACTOR_ROLES given in the environment still wins, to run the suite with it on.
if "TWO_FACTOR_ROLES" not in os.environ:
    TWO_FACTOR_ROLES = ()

# The test client and the browser tests' live server speak plain HTTP (http://testserver,
# http://localhost:<port>), so the redirect to HTTPS and Strict-Transport-Security are off here
# unless the environment sets them; tests/test_settings.py checks the production
# settings (check --deploy) in a process of their own, and tests/test_security_headers.py turns
# them on with the `settings` fixture.
if "SECURE_SSL_REDIRECT" not in os.environ:
    SECURE_SSL_REDIRECT = False
if "SECURE_HSTS_SECONDS" not in os.environ:
    SECURE_HSTS_SECONDS = 0

# pytest-django keeps the suite's SQLite database in memory only when it recognises Django's own
# engine by name; config.sqlite_backend (config.settings) is that engine with a writers' queue,
# so the suite says so itself.
if DATABASES["default"]["ENGINE"] == "config.sqlite_backend":  # noqa: F405
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", ":memory:")  # noqa: F405
