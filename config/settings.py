"""Settings, read from the environment.

DATABASE_URL  unset: the embedded SQLite file db.sqlite3; otherwise any URL dj-database-url reads
              (postgres://user@host:5432/name for production). SQLite runs in WAL mode with a
              20 s busy timeout and IMMEDIATE transactions, so a few users can save at once.
CONN_MAX_AGE  seconds a database connection is kept for reuse (default 60); kept connections
              are health-checked before reuse.
SECRET_KEY    required whenever DEBUG is off.
SECRET_KEY_FALLBACKS  earlier keys, comma-separated, still accepted while a new key is rolled
              out (docs/DEPLOY.md).
DEBUG         "1"/"true"/"yes" turns debug on; anything else (or unset) leaves it off.
ALLOWED_HOSTS comma-separated host names.
COUNCIL_NAME  the council named on report title pages and the council sign-in button.
SITE_URL      the app's address, for links in emails.
SMALL_SAMPLE_AUDITS  figures from fewer audits are flagged "small sample" (default 20).
MODERATION_DRIFT_WINDOW  how many of an auditor's latest moderated audits a drift alert weighs
              (default 10).
BENCHMARK_SUPPRESS_BELOW  benchmark_export writes counts below this as null (default 5).
REPORT_FULL_ACTIVITY_SECTIONS  how many audit activities a board paper gives a full section; a
              period with more lists them all in one table, with full sections for the
              largest (default 6).
BENCHMARK_STRANDS, BENCHMARK_CASE_TYPES  the council's strand and case type slugs mapped to the
              national list of benchmark files ("slug=code,..."; docs/BENCHMARK.md).
EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, EMAIL_TIMEOUT
              the mail relay (default localhost:25, no login, no STARTTLS, 30 s timeout).
DEFAULT_FROM_EMAIL  the sender of the app's emails.
LOGIN_COOL_OFF_MINUTES  how long sign-in stays refused after 5 failed attempts (default 15).
TRUSTED_PROXIES how many reverse proxies in front of the app add to X-Forwarded-For (default 0).
SECURE_SSL_REDIRECT  redirect plain HTTP to HTTPS (default on with DEBUG off). The reverse proxy
              in front must set X-Forwarded-Proto: https (and drop one sent by a client).
SECURE_HSTS_SECONDS  how long browsers keep to HTTPS once seen (Strict-Transport-Security;
              default a year with DEBUG off, 0 to send no header).
SECURE_HSTS_INCLUDE_SUBDOMAINS, SECURE_HSTS_PRELOAD  the header's two directives (both on).
SECURE_COOKIES  "0": session and CSRF cookies also over plain HTTP (on by default with DEBUG off).
LOCAL_PASSWORDS  "0"/"false"/"no"/"off": the username and password form admits administrators
              only (the Administrator role or a superuser, for when the council sign-in is
              down) and password resets are refused; everyone else uses the council sign-in.
              On by default.

Single sign-on with the council's identity provider (OpenID Connect; config.sso). It is on
when OIDC_ISSUER and OIDC_CLIENT_ID are both set; the sign-in page then offers
"Sign in with <COUNCIL_NAME> account".
OIDC_ISSUER         the provider's issuer URL; its endpoints are read from
                    <issuer>/.well-known/openid-configuration on the first sign-in through it.
OIDC_CLIENT_ID      this app's client (application) ID at the provider.
OIDC_CLIENT_SECRET  its secret (required when single sign-on is on).
OIDC_GROUP_ROLES    which of the council's groups give which roles, as Group=Role pairs
                    separated by semicolons, several roles comma-separated:
                    "CFA-QA-Leads=QA lead;CFA-Auditors=Auditor;CFA-Managers=Moderator,Auditor".
                    Required when single sign-on is on. Roles follow the groups at every
                    sign-in; someone whose groups give no role is refused.
OIDC_GROUPS_CLAIM   the claim that lists a person's groups (default "groups").
OIDC_USERNAME_CLAIM the claim that gives the username (default "preferred_username"; the
                    email claim when it is missing).
OIDC_SIGN_ALGO      the ID token's signing algorithm (default RS256, keys from the provider's
                    JWKS; HS256 signs with the client secret).
OIDC_SCOPES         the scopes asked for (default "openid email profile").
OIDC_PROVIDER_SIGN_OUT  "1": signing out of an SSO session also signs out at the provider,
                    when it offers an end_session_endpoint (off by default: for Entra ID that
                    signs the browser out of every Microsoft service).
OIDC_OP_AUTHORIZATION_ENDPOINT, OIDC_OP_TOKEN_ENDPOINT, OIDC_OP_USER_ENDPOINT,
OIDC_OP_JWKS_ENDPOINT, OIDC_OP_LOGOUT_ENDPOINT  optional: an endpoint set here is used instead
                    of the discovered one (for a provider without discovery).
TWO_FACTOR_ROLES  comma-separated role names (audits.roles: Auditor, Moderator, QA lead,
              Administrator) whose members must sign in with a code from an authenticator app
              as well as their password; empty for nobody. Default: "QA lead,Administrator"
              with DEBUG off, nobody with DEBUG on (so the local demo signs in with a password).
              Sessions signed in through single sign-on are not asked (the council's own MFA).
SESSION_IDLE_MINUTES  minutes without activity after which a signed-in session ends (default 30;
              a whole number from 5 to 480). Two minutes before, a dialog offers "Stay signed in".
SESSION_MAX_HOURS  hours after signing in at which a session ends, however active (default 10; a
              whole number from 1 to 24, and not shorter than SESSION_IDLE_MINUTES).
RETENTION_YEARS how many years audits are kept, counted from the audit date, before
              `manage.py apply_retention --apply` deletes them (a whole number from 1 to 100;
              default 7). Set it from the council's own retention schedule. The default of 7
              follows the common local-authority schedules for quality-assurance and audit
              records (the current year plus six, the six years being the limitation period
              for most claims): long enough to answer an inspection or complaint about the
              work audited, no longer. The case file itself is kept elsewhere, for longer.
IMPORT_MAX_UPLOAD_MB  the largest CSV file, in megabytes, a QA lead may upload to import in
              the browser (a whole number from 1 to 50; default 5).
SUPPORT_EMAIL, SUPPORT_PHONE, SUPPORT_HOURS, HELP_TEXT, CONTACT_TEXT, PRIVACY_TEXT,
PRIVACY_NOTICE_URL, DATA_PROTECTION_EMAIL, ACCESSIBILITY_REVIEWED  what the footer's pages (help,
              contact, privacy notice, accessibility statement; config.pages) say of the council:
              see the README's "Footer pages".
"""

import os
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from audits.roles import ADMINISTRATOR, ALL_ROLES, QA_LEAD
from config.sso.mapping import parse_group_roles

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

# Rotating the key: put the old one here (comma-separated) while the new one is SECRET_KEY, so
# sessions and password reset links signed with it stay valid until they expire.
SECRET_KEY_FALLBACKS = [
    k.strip() for k in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if k.strip()
]

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
    "crispy_forms_gds",  # the GOV.UK Design System pack (templates/gds/ overrides a few)
    "django_filters",
    "rules",  # django-rules: {% load rules %}; the project's rules are in each app's permissions
    "axes",  # django-axes: failed sign-in attempts and lockout (AXES_* below)
    "auditlog",  # django-auditlog: the change history of the records (AUDITLOG_* below)
    "mozilla_django_oidc",  # the council sign-in (OIDC_* below, config.sso)
    "csp",  # django-csp: the Content-Security-Policy header (CONTENT_SECURITY_POLICY below)
    # django-otp: two-factor sign-in (TWO_FACTOR_* and OTP_* below, audits.twofactor). Before
    # audits, whose admin module replaces the plugins' own admin registrations.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Work off the request (audits.background): Django's tasks API (the django-tasks backport)
    # and its database backend, whose table of task results the admin shows. Before audits,
    # whose admin module replaces that table's own admin registration.
    "django_tasks",
    "django_tasks_db",
    "audits",
    "moderation",
    "reports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Cache-Control: no-store for signed-in people and a Permissions-Policy (config.middleware).
    "config.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session has passed two-factor sign-in.
    "django_otp.middleware.OTPMiddleware",
    # Ends sessions idle or signed in too long, counts activity, and keeps a save that arrives
    # after the session ended so it is offered back after signing in (audits.sessions). Before
    # LoginRequiredMiddleware, which would otherwise turn such a save into a plain redirect.
    "audits.sessions.middleware.SessionLimitsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # The roles of TWO_FACTOR_ROLES reach nothing but the two-factor pages and sign-out until
    # they have entered a code. Static files never get here: WhiteNoise answers them first.
    "audits.twofactor.middleware.TwoFactorRequiredMiddleware",
    # Who and from where, for the change history and the security log (audits.security).
    "audits.security.middleware.RecordKeepingMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
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
                "config.context_processors.council",
            ],
            # The grade vocabulary and the one percentage rule, in every template.
            "builtins": ["audits.templatetags.vocabulary"],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# An empty DATABASE_URL counts as unset: the embedded SQLite file.
_database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
_is_sqlite = _database_url.startswith("sqlite:")
DATABASES = {
    "default": dj_database_url.parse(
        _database_url,
        # A connection is kept for a minute rather than opened for each request. On SQLite
        # too: a new connection reads the schema again on its first query and registers
        # Django's SQL functions, 1.3 ms of CPU per request measured on the load test's
        # database (the list's own work is about 8).
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        # A kept connection the server has dropped is replaced, not handed to a request.
        conn_health_checks=True,
    )
}
if _is_sqlite:
    # A small team on the embedded database: WAL lets readers go on while one writer writes;
    # a writer waits up to 20 s for the lock instead of failing with "database is locked";
    # and IMMEDIATE takes the write lock when a transaction begins, so two transactions that
    # both read then write cannot deadlock halfway (SQLite would fail one at once, whatever
    # the timeout). synchronous=NORMAL is safe in WAL mode and saves a sync per commit.
    # An in-memory database (the test suite's) answers journal_mode=memory, without error.
    # Writers queue for the lock in the kernel rather than by SQLite's sleeps
    # (config.sqlite_backend): a save waits for the one before it, not 50-100 ms more.
    DATABASES["default"]["ENGINE"] = "config.sqlite_backend"
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    # No JIT compilation on PostgreSQL: it starts once a plan's estimated cost passes
    # jit_above_cost, and the report's correlated subqueries (reports.reaudits) are estimated
    # at millions of cost units for a few thousand audits, so LLVM spent 1.5-2.5 s compiling
    # queries that run in tens of milliseconds. No query of the app scans enough rows for the
    # compiled code to win that back.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# user.has_perm("audits.edit_audit", audit) asks the apps' rules (their permissions modules).
# AxesStandaloneBackend comes first so a locked-out username and address are refused before any
# password is checked; it lets the council sign-in through (AXES_WHITELIST_CALLABLE below).
# The council sign-in's backend is listed even while single sign-on is off: it does nothing
# then, and sessions it started stay readable.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "config.sso.backend.CouncilSignInBackend",
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
# A council sign-in is neither counted nor refused by axes (config.sso.is_council_sign_in says
# why); password sign-ins always are.
AXES_WHITELIST_CALLABLE = "config.sso.is_council_sign_in"

# The username and password form for everyone (on), or for administrators only (off).
LOCAL_PASSWORDS = env_flag("LOCAL_PASSWORDS", True)

# The council sign-in (OpenID Connect, mozilla-django-oidc; config.sso). Nothing is fetched
# here: the provider's endpoints are discovered on the first sign-in through it.
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").strip().rstrip("/")
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "").strip()
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "").strip() or "groups"
OIDC_USERNAME_CLAIM = os.environ.get("OIDC_USERNAME_CLAIM", "").strip() or "preferred_username"
OIDC_GROUP_ROLES = parse_group_roles(os.environ.get("OIDC_GROUP_ROLES", ""))
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_SIGN_ALGO", "").strip() or "RS256"
OIDC_RP_SCOPES = os.environ.get("OIDC_SCOPES", "").strip() or "openid email profile"
OIDC_PROVIDER_SIGN_OUT = env_flag("OIDC_PROVIDER_SIGN_OUT")
# Empty: from discovery (config.sso.discovery).
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "").strip()
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "").strip()
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "").strip()
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "").strip()
OIDC_OP_LOGOUT_ENDPOINT = os.environ.get("OIDC_OP_LOGOUT_ENDPOINT", "").strip()
if OIDC_ISSUER and OIDC_RP_CLIENT_ID:
    if not OIDC_RP_CLIENT_SECRET:
        raise ImproperlyConfigured(
            "OIDC_CLIENT_SECRET is not set. With OIDC_ISSUER and OIDC_CLIENT_ID set the council "
            "sign-in is on, and it needs the client secret the provider issued for this app."
        )
    if not OIDC_GROUP_ROLES:
        raise ImproperlyConfigured(
            "OIDC_GROUP_ROLES is not set. With the council sign-in on, it says which of the "
            'council\'s groups give which roles, e.g. "CFA-QA-Leads=QA lead;CFA-Auditors=Auditor"; '
            "without it nobody could sign in."
        )
OIDC_AUTHENTICATE_CLASS = "config.sso.views.CouncilSignInStart"
OIDC_CALLBACK_CLASS = "config.sso.views.CouncilSignInReturn"
OIDC_OP_LOGOUT_URL_METHOD = "config.sso.views.provider_sign_out_url"
LOGIN_REDIRECT_URL_FAILURE = "login"
# PKCE as well as the client secret; the ID token is kept for the provider's sign-out.
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True
OIDC_TIMEOUT = 10  # seconds; mozilla-django-oidc would otherwise wait on the provider forever


def _two_factor_roles() -> tuple[str, ...]:
    raw = os.environ.get("TWO_FACTOR_ROLES")
    if raw is None:
        return () if DEBUG else (QA_LEAD, ADMINISTRATOR)
    by_lower_name = {role.lower(): role for role in ALL_ROLES}
    given = [name.strip() for name in raw.split(",") if name.strip()]
    unknown = [name for name in given if name.lower() not in by_lower_name]
    if unknown:
        raise ImproperlyConfigured(
            f"TWO_FACTOR_ROLES names {', '.join(repr(n) for n in unknown)}, which is not a role. "
            f"Give a comma-separated list of roles from: {', '.join(ALL_ROLES)}; or set it "
            "empty to ask nobody for a second factor."
        )
    return tuple(dict.fromkeys(by_lower_name[name.lower()] for name in given))


# Two-factor sign-in (django-otp, audits.twofactor): who must use an authenticator app.
TWO_FACTOR_ROLES = _two_factor_roles()
# Each wrong code doubles the wait before the next is checked (1 s, 2 s, 4 s, ...), per device:
# django-otp's throttling, kept on explicitly (0 would turn it off).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# The name the authenticator app shows beside the code.
OTP_TOTP_ISSUER = "Case file audits"
# The devices' secrets stay out of the admin (audits/admin.py does not register them anyway).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# The change history (django-auditlog): every change to these records is kept with who, when,
# from which address and each changed field's old and new value. Read on an audit's page, the
# security log page and by `manage.py security_log`; never changed or deleted in the app.
AUDITLOG_STORE_JSON_CHANGES = True
# audits.revisions.Revised.REVISION_FIELDS (models cannot be imported here); a test keeps them equal.
REVISION_FIELDS = ["revision", "revised_by", "revised_at", "revised_page"]
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    # The revision fields (audits.revisions) count saves for the conflict check and name the
    # last saver: the entry itself says who and when, so they are not changes of their own.
    # Its link to its case's other audits (audits.case_links) is kept by the app, not a change
    # anyone made, and reading it would cost each save a query.
    {
        "model": "audits.audit",
        "m2m_fields": {"risk_categories"},
        "exclude_fields": [*REVISION_FIELDS, "case_link"],
    },
    "audits.domaingrade",
    "audits.answer",
    "audits.agencycontribution",
    "audits.agreedaction",
    # Built audit tools (audits.tools): who changed a tool's questions, before it had audits.
    "audits.audittool",
    "audits.toolsection",
    "audits.question",
    "audits.toolgrade",
    # The case holder's answer to an audit and to each of its actions (audits.holders).
    {"model": "audits.caseholderresponse", "exclude_fields": REVISION_FIELDS},
    "audits.actionconfirmation",
    {
        "model": "audits.auditactivity",
        "m2m_fields": {"case_types", "auditors"},
        "exclude_fields": REVISION_FIELDS,
    },
    # A moderation in progress (its autosaved draft) is recorded once decided (moderation.moderation).
    {"model": "moderation.moderationcase", "exclude_fields": ["draft", "draft_saved_at"]},
    "moderation.moderation",
    "moderation.domainnote",
    "moderation.exemplar",
    {
        "model": "reports.report",
        "exclude_fields": [
            "frozen_pdf",
            "frozen_html",
            "frozen_figures",
            "updated_at",
            *REVISION_FIELDS,
        ],
    },
    {"model": "reports.target", "exclude_fields": REVISION_FIELDS},
    # The improvement plan (reports.plan): its items, their status changes and progress notes.
    {"model": "reports.planitem", "exclude_fields": REVISION_FIELDS},
    "reports.planitemtransition",
    "reports.plannote",
    {"model": "auth.user", "exclude_fields": ["password", "last_login"], "m2m_fields": {"groups"}},
)
# Behind a reverse proxy: how many proxies add themselves to X-Forwarded-For, so the logs record
# the client's address rather than the proxy's. 0 (the default) reads the connection's address.
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

# How long a signed-in session lasts (audits.sessions): it ends after SESSION_IDLE_MINUTES
# without activity (a page, a save; not the warning's background status check) and
# SESSION_MAX_HOURS after signing in, whether by password, two-factor or the council sign-in.
# The warning dialog opens SESSION_WARNING_SECONDS before the end (GOV.UK's two minutes).
SESSION_IDLE_SECONDS = 60 * env_whole_number("SESSION_IDLE_MINUTES", 30, low=5, high=8 * 60)
SESSION_ABSOLUTE_SECONDS = 3600 * env_whole_number("SESSION_MAX_HOURS", 10, low=1, high=24)
if SESSION_IDLE_SECONDS > SESSION_ABSOLUTE_SECONDS:
    raise ImproperlyConfigured(
        f"SESSION_IDLE_MINUTES ({SESSION_IDLE_SECONDS // 60}) is longer than SESSION_MAX_HOURS "
        f"({SESSION_ABSOLUTE_SECONDS // 3600} hours): a session would always end before it "
        "could be idle that long. Shorten SESSION_IDLE_MINUTES or lengthen SESSION_MAX_HOURS."
    )
SESSION_WARNING_SECONDS = 120
# The session cookie and row never outlive the longest session (each sign-in sets its own
# expiry to its absolute end; this covers anything stored before signing in).
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
# A POST refused for a stale CSRF token (signed in again in another tab) is kept and offered
# back rather than lost (audits.sessions.views.csrf_failure).
CSRF_FAILURE_VIEW = "audits.sessions.views.csrf_failure"

# The retention schedule (audits.retention; the default and why: the docstring above).
RETENTION_YEARS = env_whole_number(
    "RETENTION_YEARS",
    7,
    low=1,
    high=100,  # 100: audits.retention.selectors.MAX_RETENTION_YEARS
)

# The largest CSV file a QA lead may upload to import in the browser (audits.imports). The file
# is held in memory and then in the database, never on disk; the commands have no limit.
IMPORT_MAX_UPLOAD_MB = env_whole_number("IMPORT_MAX_UPLOAD_MB", 5, low=1, high=50)
IMPORT_MAX_UPLOAD_BYTES = IMPORT_MAX_UPLOAD_MB * 1024 * 1024

LANGUAGE_CODE = "en-gb"
# "1 July 2026" wherever a date prints without a format of its own (config/formats/en_GB).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Europe/London"
# English only: no catalogue of the app's own, and Django's British English one differs from
# its source text only in strings marked with a context, which read the same without it. Off,
# a translated string costs nothing to look up; on, each looked through five catalogues (about
# 12 microseconds each, fifty on a list page). Dates and numbers still follow LANGUAGE_CODE's
# formats (FORMAT_MODULE_PATH).
USE_I18N = False
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

# Django's form renderer, drawing a <select>'s options in one pass (config/renderers.py).
FORM_RENDERER = "config.renderers.FormRenderer"

CRISPY_ALLOWED_TEMPLATE_PACKS = "gds"
CRISPY_TEMPLATE_PACK = "gds"

# Emails and published reports' PDFs are made by tasks (audits.background), kept in the database
# like everything else and run by `manage.py db_worker` beside the web server (`make run`,
# `make serve`; docs/DEPLOY.md). Any number of workers may share the database.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "casefile-audit@localhost")
# The council's mail relay, for the SMTP backend. The worker sends every email, so a relay that
# is slow or down delays an email (and is retried), never a page.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_whole_number("EMAIL_PORT", 25, low=1, high=65535)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS")
EMAIL_TIMEOUT = env_whole_number("EMAIL_TIMEOUT", 30, low=1, high=600)

COUNCIL_NAME = os.environ.get("COUNCIL_NAME", "Example Borough Council")

# The board paper's statistics (audits.uncertainty): a figure counted from fewer audits than
# SMALL_SAMPLE_AUDITS is flagged "small sample"; a moderation drift alert looks at each auditor's
# last MODERATION_DRIFT_WINDOW moderated audits; benchmark_export writes every count below
# BENCHMARK_SUPPRESS_BELOW as null, so that no small group of cases can be picked out.
SMALL_SAMPLE_AUDITS = env_whole_number("SMALL_SAMPLE_AUDITS", 20, low=1, high=1000)
MODERATION_DRIFT_WINDOW = env_whole_number("MODERATION_DRIFT_WINDOW", 10, low=3, high=1000)
BENCHMARK_SUPPRESS_BELOW = env_whole_number("BENCHMARK_SUPPRESS_BELOW", 5, low=1, high=1000)
# A board paper gives each audit activity of its period a full section (about two pages) up to
# this many; a period with more (a year of monthly activities) lists every activity in one
# table and gives full sections to the largest (reports.rendering.activity_sections).
REPORT_FULL_ACTIVITY_SECTIONS = env_whole_number(
    "REPORT_FULL_ACTIVITY_SECTIONS", 6, low=1, high=10_000
)
# benchmark_export writes strands and case types in a fixed national list
# (reports/benchmark/vocabulary.py): a council slug that is a national code needs nothing; any
# other is counted under "other" unless mapped here, as "council_slug=national_code" pairs
# separated by commas (for example BENCHMARK_CASE_TYPES="cin=child_in_need,cp=child_protection").
BENCHMARK_STRANDS = os.environ.get("BENCHMARK_STRANDS", "")
BENCHMARK_CASE_TYPES = os.environ.get("BENCHMARK_CASE_TYPES", "")

# The footer's pages (config.pages): help, contact, privacy notice, accessibility statement.
# What a council says there is set with the deployment, like its name: short addresses and
# paragraphs, the same on every server, never typed by users and never case data. Empty means
# the page's general wording ("your council's IT service desk"). The *_TEXT variables take
# paragraphs separated by a blank line (a real one, or "\n\n" written out).
SUPPORT_EMAIL = os.environ.get("SUPPORT_EMAIL", "").strip()
SUPPORT_PHONE = os.environ.get("SUPPORT_PHONE", "").strip()
SUPPORT_HOURS = os.environ.get("SUPPORT_HOURS", "Monday to Friday, 9am to 5pm").strip()
HELP_TEXT = os.environ.get("HELP_TEXT", "").replace("\\n", "\n").strip()
CONTACT_TEXT = os.environ.get("CONTACT_TEXT", "").replace("\\n", "\n").strip()
PRIVACY_TEXT = os.environ.get("PRIVACY_TEXT", "").replace("\\n", "\n").strip()
PRIVACY_NOTICE_URL = os.environ.get("PRIVACY_NOTICE_URL", "").strip()
if PRIVACY_NOTICE_URL and urlsplit(PRIVACY_NOTICE_URL).scheme not in ("https", "http"):
    raise ImproperlyConfigured(
        f"PRIVACY_NOTICE_URL must be a web address (https://...); it is {PRIVACY_NOTICE_URL!r}."
    )
DATA_PROTECTION_EMAIL = os.environ.get("DATA_PROTECTION_EMAIL", "").strip()
# The day the council last reviewed the accessibility statement (YYYY-MM-DD); the statement
# shows it beside the day the statement was prepared (config.pages.STATEMENT_PREPARED).
ACCESSIBILITY_REVIEWED = os.environ.get("ACCESSIBILITY_REVIEWED", "").strip()
if ACCESSIBILITY_REVIEWED:
    try:
        ACCESSIBILITY_REVIEWED = date.fromisoformat(ACCESSIBILITY_REVIEWED)
    except ValueError:
        raise ImproperlyConfigured(
            f"ACCESSIBILITY_REVIEWED must be a date written YYYY-MM-DD; it is "
            f"{ACCESSIBILITY_REVIEWED!r}."
        ) from None
else:
    ACCESSIBILITY_REVIEWED = None
# The address people use to reach the app, for links in emails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and env_flag("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

# HTTPS (Django's SecurityMiddleware). The app runs behind a reverse proxy that ends TLS and
# tells the app so with X-Forwarded-Proto: https. The proxy must set that header itself and
# drop any a client sent, or a client could claim a plain-HTTP request was secure.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Plain HTTP is redirected to HTTPS, except /healthz: a load balancer often checks over HTTP.
SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Browsers that have seen the app over HTTPS refuse plain HTTP to it for this long (a year by
# default; 0 turns the header off, for a first trial of HTTPS). Subdomains and the preload
# directive: check --deploy asks for both; they cover only this host's own subdomains, and
# preload does nothing unless someone submits the domain to the browsers' preload list.
SECURE_HSTS_SECONDS = env_whole_number(
    "SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600, low=0, high=2 * 365 * 24 * 3600
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_flag("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True  # X-Content-Type-Options: nosniff (Django's default)
# Links out of the app never carry its addresses (which name audits) to another site.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


# The Content Security Policy (django-csp): scripts, styles and images from the app's own static
# files only, nothing inline (no <script> or <style> in a page, no style="" or onclick=""), so
# text someone typed into an audit can never run as script even if it escaped the templates.
# data: images are Bootstrap's (its form controls draw their arrows and ticks with them). Forms
# post to the app itself; signing out of the council sign-in may also take the browser on to
# the provider's sign-out page, and browsers hold that redirect to form-action too.
_FORM_ACTION = [SELF] + sorted({_origin(OIDC_ISSUER), _origin(OIDC_OP_LOGOUT_ENDPOINT)} - {""})
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "frame-ancestors": [NONE],
        "form-action": _FORM_ACTION,
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

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
