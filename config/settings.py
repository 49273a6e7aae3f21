"""Settings, read from the environment.

DATABASE_URL  unset: the embedded SQLite file db.sqlite3; otherwise any URL dj-database-url reads
              (postgres://user@host:5432/name for production).
SECRET_KEY    required whenever DEBUG is off.
DEBUG         "1"/"true"/"yes" turns debug on; anything else (or unset) leaves it off.
ALLOWED_HOSTS comma-separated host names.
COUNCIL_NAME  the council named on report title pages.
SITE_URL      the app's address, for links in emails.
LOGIN_COOL_OFF_MINUTES  how long sign-in stays refused after 5 failed attempts (default 15).
RETENTION_YEARS how many years audits are kept, counted from the audit date, before
              `manage.py apply_retention --apply` deletes them (a whole number from 1 to 100;
              default 7). Set it from the council's own retention schedule. The default of 7
              follows the common local-authority schedules for quality-assurance and audit
              records (the current year plus six, the six years being the limitation period
              for most claims): long enough to answer an inspection or complaint about the
              work audited, no longer. The case file itself is kept elsewhere, for longer.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_whole_number(name: str, default: int, *, low: int, high: int) -> int:
    """A whole number from the environment, from ``low`` to ``high``; refuses anything else
    with a message naming the variable, so a typo stops the app rather than changing it."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isascii() or not value.isdigit() or not low <= int(value) <= high:
        raise ImproperlyConfigured(
            f"{name} must be a whole number from {low} to {high}; it is {value!r}."
        )
    return int(value)


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the application refuses to start without a "
            "secret key: set the SECRET_KEY environment variable to a long random string, "
            "or set DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-development-key-only-used-when-DEBUG-is-on"

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
if DEBUG and not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "config.apps.AdministratorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "rules",  # django-rules: {% load rules %}; the project's rules are in each app's permissions
    "bootstrap",  # django-bootstrap-static: Bootstrap's CSS and JS as static files
    "axes",  # django-axes: failed sign-in attempts and lockout (AXES_* below)
    "auditlog",  # django-auditlog: the change history of the records (AUDITLOG_* below)
    "audits",
    "moderation",
    "reports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Who and from where, for the change history and the security log (audits.security).
    "audits.security.middleware.RecordKeepingMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into config.lockout's page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # The grade vocabulary and the one percentage rule, in every template.
            "builtins": ["audits.templatetags.vocabulary"],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    # An empty DATABASE_URL counts as unset: the embedded SQLite file.
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# user.has_perm("audits.edit_audit", audit) asks the apps' rules (their permissions modules).
# AxesStandaloneBackend comes first so a locked-out username and address are refused before any
# password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "audits:home"
LOGOUT_REDIRECT_URL = "login"

# Login protection (django-axes): 5 failed sign-ins for one username from one address lock that
# pair out for the cool-off; an administrator unlocks sooner by deleting the attempt in the
# admin, or with `manage.py axes_reset_username <username>`.
LOGIN_COOL_OFF_MINUTES = int(os.environ.get("LOGIN_COOL_OFF_MINUTES", "15"))
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOL_OFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# A successful sign-in clears the count, so only consecutive failures lock.
AXES_RESET_ON_SUCCESS = True
# The sign-in page again, with a message that is the same whether or not the username exists.
AXES_LOCKOUT_CALLABLE = "config.lockout.lockout_response"
# axes' own admin classes use Django's model permissions; audits/admin.py registers them on the
# project's admin site for administrators instead.
AXES_ENABLE_ADMIN = False

# The change history (django-auditlog): every change to these records is kept with who, when,
# from which address and each changed field's old and new value. Read on an audit's page, the
# security log page and by `manage.py security_log`; never changed or deleted in the app.
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    # An audit's revision counts its saves (for the conflict check), not a change of its own.
    {"model": "audits.audit", "m2m_fields": {"risk_categories"}, "exclude_fields": ["revision"]},
    "audits.domaingrade",
    "audits.agreedaction",
    {"model": "audits.auditactivity", "m2m_fields": {"case_types", "auditors"}},
    "moderation.moderationcase",
    "moderation.moderation",
    "moderation.domainnote",
    "moderation.exemplar",
    {"model": "reports.report", "exclude_fields": ["frozen_pdf", "frozen_figures", "updated_at"]},
    "reports.target",
    {"model": "auth.user", "exclude_fields": ["password", "last_login"], "m2m_fields": {"groups"}},
)
# Behind a reverse proxy: how many proxies add themselves to X-Forwarded-For, so the logs record
# the client's address rather than the proxy's. 0 (the default) reads the connection's address.
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

# The retention schedule (audits.retention; the default and why: the docstring above).
RETENTION_YEARS = env_whole_number(
    "RETENTION_YEARS",
    7,
    low=1,
    high=100,  # 100: audits.retention.selectors.MAX_RETENTION_YEARS
)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "casefile-audit@localhost")

COUNCIL_NAME = os.environ.get("COUNCIL_NAME", "Example Borough Council")
# The address people use to reach the app, for links in emails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and env_flag("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint reports every rendering step at INFO; only its warnings matter here.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
