"""The sign-in page: the council sign-in (config.sso) when it is on, and the username and
password form, which LOCAL_PASSWORDS off keeps for administrators only (audits.forms.LoginForm).
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import LoginView
from django.http import Http404

from audits.forms import LoginForm

from . import sso


def sign_in_options() -> dict:
    """What the sign-in template (registration/login.html) offers."""
    return {
        "council_sign_in": sso.enabled(),
        "council_name": settings.COUNCIL_NAME,
        "local_passwords": settings.LOCAL_PASSWORDS,
    }


class SignInView(LoginView):
    form_class = LoginForm

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **sign_in_options()}


def local_passwords_only(view):
    """404 while LOCAL_PASSWORDS is off: a forgotten password is the council's to reset, and an
    administrator's is reset with `manage.py changepassword`."""

    @wraps(view)  # keeps Django's login_not_required mark on the view
    def wrapped(request, *args, **kwargs):
        if not settings.LOCAL_PASSWORDS:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped
