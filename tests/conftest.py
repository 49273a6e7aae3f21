import pytest


@pytest.fixture(autouse=True)
def _media_and_email(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _no_form_drawn_before():
    """Each test starts with no filter form remembered from another (audits.templatetags.
    filter_forms): a form drawn for the first time reads its choices once more, so a query
    count would otherwise depend on which tests ran before it in the same process."""
    from audits.templatetags import filter_forms

    filter_forms.forget_all()


# --- People for access tests (healthchecks style: an owner, a colleague and outsiders). -------
# Each call builds fresh users through the factories, so tests never share a login.


@pytest.fixture
def owner(db):
    """An auditor whose audits the test looks at."""
    from tests import factories

    return factories.auditor()


@pytest.fixture
def colleague(db):
    """Another auditor: sees nothing of the owner's work."""
    from tests import factories

    return factories.auditor()


@pytest.fixture
def moderator_user(db):
    from tests import factories

    return factories.moderator()


@pytest.fixture
def qa_lead_user(db):
    from tests import factories

    return factories.qa_lead()


@pytest.fixture
def administrator_user(db):
    """The Administrator role only: not staff, not superuser."""
    from tests import factories

    return factories.administrator()


@pytest.fixture
def case_holder_user(db):
    """The Case holder role only (audits.holders): sees the audits of their own cases, once
    linked to a person who holds cases."""
    from audits import roles
    from tests import factories

    return factories.UserFactory(roles=[roles.CASE_HOLDER])


@pytest.fixture
def no_role_user(db):
    """Signed in, but in none of the four groups."""
    from tests import factories

    return factories.UserFactory()


@pytest.fixture
def mail_server_down(settings):
    """Django's real SMTP backend, pointed at a port on this machine where nothing listens:
    every send fails the way it does when the council's mail server is down."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return port


@pytest.fixture
def mail_server(mail_server_down):
    """The mail server at mail_server_down's address, down until the test calls its
    ``start()``: then a real SMTP server (aiosmtpd) that keeps what it receives in
    ``messages``. The emails' way there is Django's real SMTP backend throughout."""
    from tests.smtp import SmtpServer

    server = SmtpServer(port=mail_server_down)
    yield server
    server.stop()


# --- Static files as production has them ----------------------------------------------------
MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.fixture(scope="module")
def production_static(tmp_path_factory):
    """Production's static settings (DEBUG off, whitenoise's manifest storage), with
    collectstatic run once per module into a throwaway STATIC_ROOT. A PDF's stylesheet is then a
    hashed name only the collected files have: the case where PDFs once came out unstyled."""
    from django.core.management import call_command
    from django.test import override_settings

    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(
        DEBUG=False,
        STATIC_ROOT=root,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": MANIFEST_STORAGE},
        },
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


# --- Single sign-on: a real OpenID Connect provider (tests/oidc_provider) -----------------------


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """The test provider, in its own process, for the whole run (of this xdist worker)."""
    from tests.oidc_provider.process import TestProvider

    provider = TestProvider(tmp_path_factory.mktemp("oidc-provider"))
    provider.start()
    yield provider
    provider.stop()


# How tests map the provider's groups to the app's roles (CFA-Finance gives none).
TEST_GROUP_ROLES = "CFA-QA-Leads=QA lead;CFA-Auditors=Auditor"


@pytest.fixture
def council_sign_in(settings, oidc_provider):
    """The app pointed at the test provider, as the OIDC_* environment variables would, for
    the test client (http://testserver). People's groups at the provider are put back after."""
    from django.urls import reverse

    from config.sso.mapping import parse_group_roles
    from tests.oidc_provider.process import CLIENT_ID, CLIENT_SECRET

    settings.OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_GROUP_ROLES = parse_group_roles(TEST_GROUP_ROLES)
    oidc_provider.allow_app(
        "http://testserver", reverse("oidc_authentication_callback"), reverse("login")
    )
    yield oidc_provider
    oidc_provider.restore_groups()
