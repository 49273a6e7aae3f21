"""The council sign-in's views: mozilla-django-oidc's, made to fit the app.

- They are open to people not signed in (the app's LoginRequiredMiddleware would otherwise
  send them to sign in before they can sign in), and 404 while the council sign-in is off.
- The provider's endpoints come from discovery (config.sso.discovery).
- A sign-in that fails or is refused ends on the sign-in page with a message saying why,
  never on an error page.
- A successful one marks the session (config.sso.SIGNED_IN_WITH).
"""

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import redirect, resolve_url
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from . import SIGNED_IN_WITH, SSO, enabled
from .backend import did_not_complete_message
from .discovery import ProviderUnavailable, oidc_setting

logger = logging.getLogger(__name__)


def unavailable_message() -> str:
    return _(
        "The %(council)s sign-in is not available just now. Try again later, or ask an "
        "administrator."
    ) % {"council": settings.COUNCIL_NAME}


@method_decorator(login_not_required, name="dispatch")
class CouncilSignInStart(OIDCAuthenticationRequestView):
    """Sends the browser to the provider's sign-in page (settings.OIDC_AUTHENTICATE_CLASS)."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, **kwargs):
        # The parent reads the endpoint when the view is made; here, only once it is asked.
        View.__init__(self, **kwargs)

    def get(self, request):
        if not enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except ProviderUnavailable as error:
            logger.warning("Council sign-in unavailable: %s", error)
            messages.error(request, unavailable_message())
            return redirect("login")
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


@method_decorator(login_not_required, name="dispatch")
class CouncilSignInReturn(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back (settings.OIDC_CALLBACK_CLASS)."""

    get_settings = staticmethod(oidc_setting)

    def get(self, request):
        if not enabled():
            raise Http404
        try:
            return super().get(request)
        except SuspiciousOperation as error:
            # A state this browser never started (an old tab, a second use of the link).
            logger.warning("Council sign-in callback refused: %s", error)
            return self.login_failure()

    def login_failure(self):
        request = self.request
        message = getattr(request, "sign_in_refusal", None)
        if message is None and request.GET.get("error"):
            # The provider said no, or the person cancelled there.
            logger.info("Council sign-in: the provider answered %s", request.GET["error"])
        messages.error(request, message or did_not_complete_message())
        return redirect("login")

    def login_success(self):
        response = super().login_success()
        self.request.session[SIGNED_IN_WITH] = SSO
        return response


def provider_sign_out_url(request) -> str:
    """OIDC_OP_LOGOUT_URL_METHOD: where the app's sign-out (oidc_logout) sends the browser.

    With OIDC_PROVIDER_SIGN_OUT on and the provider offering an end_session_endpoint, an SSO
    session is ended at the provider too (which, for Entra ID, signs the browser out of every
    Microsoft service: hence off unless asked for). Otherwise the app's own sign-out page.
    """
    after = request.build_absolute_uri(resolve_url(settings.LOGOUT_REDIRECT_URL))
    if not settings.OIDC_PROVIDER_SIGN_OUT or request.session.get(SIGNED_IN_WITH) != SSO:
        return after
    try:
        end_session = oidc_setting("OIDC_OP_LOGOUT_ENDPOINT")
    except ProviderUnavailable as error:
        logger.warning("Council sign-out at the provider skipped: %s", error)
        return after
    if not end_session:
        return after
    params = {"client_id": settings.OIDC_RP_CLIENT_ID, "post_logout_redirect_uri": after}
    if id_token := request.session.get("oidc_id_token"):
        params["id_token_hint"] = id_token
    return f"{end_session}?{urlencode(params)}"
