"""Until a role of settings.TWO_FACTOR_ROLES has entered a code, it reaches only the set-up and
code pages and sign-out.

After django_otp's OTPMiddleware (request.user.is_verified()) and Django's
LoginRequiredMiddleware (anonymous people are sent to sign in first). Every other page,
download and the admin answers GET with a redirect to the set-up page (no app yet) or the code
page, remembering the page asked for; any other method gets 403, as a form posted from a page
opened before signing in must not act.
"""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from .selectors import confirmed_totp_device, two_factor_required

# URL names open before the second factor (healthz is open to anyone, and says nothing; so are
# the footer's help, contact, privacy and accessibility pages, config.pages, which someone stuck
# at the code page needs most).
OPEN_BEFORE_VERIFYING = frozenset(
    {
        "two_factor:setup",
        "two_factor:verify",
        "logout",
        "healthz",
        "pages:help",
        "pages:contact",
        "pages:privacy",
        "pages:accessibility",
    }
)
SAFE_METHODS = frozenset({"GET", "HEAD"})


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not two_factor_required(request) or request.user.is_verified():
            return None
        # base.html leaves out the menu of pages that would only send the person back here.
        request.two_factor_pending = True
        if request.resolver_match.view_name in OPEN_BEFORE_VERIFYING:
            return None
        if request.method not in SAFE_METHODS:
            raise PermissionDenied("Enter your two-factor code first.")
        if confirmed_totp_device(request.user) is None:
            target = reverse("two_factor:setup")
        else:
            target = reverse("two_factor:verify")
        return redirect_to_login(request.get_full_path(), target)
