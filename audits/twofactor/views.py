"""The two-factor pages: set up the app, enter a code, make new recovery codes.

Thin views over audits.twofactor.services; TwoFactorRequiredMiddleware sends people here.
"""

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .. import redirects
from . import selectors, services
from .forms import SetUpCodeForm, VerifyCodeForm


def _mark_verified(request, device) -> None:
    django_otp.login(request, device)
    # A session that has just gained the second factor gets a new key, as at sign-in.
    request.session.cycle_key()


def _codes_page(request, codes, *, next_url, just_set_up):
    context = {"codes": codes, "next": next_url, "just_set_up": just_set_up}
    return render(request, "twofactor/recovery_codes_new.html", context)


@never_cache
def setup(request):
    next_url = redirects.next_url(request, settings.LOGIN_REDIRECT_URL)
    if not selectors.two_factor_required(request):
        messages.info(request, _("Your account does not need two-factor sign-in."))
        return redirect(next_url)
    try:
        device = services.totp_device_for_enrolment(user=request.user)
    except services.TwoFactorError:  # set up already, perhaps in another tab
        return redirect_to_login(next_url, reverse("two_factor:verify"))
    form = SetUpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.two_factor_enrol(
                user=request.user,
                device_id=device.pk,
                code=form.cleaned_data["code"],
                request=request,
            )
        except services.TwoFactorError as error:
            form.add_error("code", error.message)
        else:
            _mark_verified(request, device)
            return _codes_page(request, codes, next_url=next_url, just_set_up=True)
    context = {
        "form": form,
        "next": next_url,
        "qr_code": selectors.qr_code_svg(device),
        "secret": selectors.secret_for_typing(device),
    }
    return render(request, "twofactor/setup.html", context, status=400 if form.errors else 200)


@never_cache
def verify(request):
    next_url = redirects.next_url(request, settings.LOGIN_REDIRECT_URL)
    if request.user.is_verified():
        return redirect(next_url)
    if selectors.confirmed_totp_device(request.user) is None:
        if selectors.two_factor_required(request):
            return redirect_to_login(next_url, reverse("two_factor:setup"))
        return redirect(next_url)
    form = VerifyCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            verified = services.two_factor_verify(
                user=request.user, code=form.cleaned_data["code"], request=request
            )
        except services.TwoFactorError as error:
            form.add_error("code", error.message)
        else:
            _mark_verified(request, verified.device)
            if verified.recovery_codes_left is not None:
                messages.warning(request, _recovery_code_used(verified.recovery_codes_left))
            return redirect(next_url)
    context = {"form": form, "next": next_url}
    return render(request, "twofactor/verify.html", context, status=400 if form.errors else 200)


def _recovery_code_used(left: int) -> str:
    return _(
        "You signed in with a recovery code, which now no longer works. Recovery codes left: "
        "%(n)d. Make new ones from Two-factor sign-in at the top of the page."
    ) % {"n": left}


@never_cache
def recovery_codes(request):
    """How many recovery codes are left, and a button to replace them all."""
    if selectors.confirmed_totp_device(request.user) is None:
        messages.info(request, _("Two-factor sign-in is not set up for your account."))
        return redirect(settings.LOGIN_REDIRECT_URL)
    if not request.user.is_verified():
        return redirect_to_login(request.get_full_path(), reverse("two_factor:verify"))
    if request.method == "POST":
        try:
            codes = services.recovery_codes_replace(user=request.user, request=request)
        except services.TwoFactorError as error:  # reset by an administrator meanwhile
            messages.error(request, error.message)
            return redirect(settings.LOGIN_REDIRECT_URL)
        return _codes_page(
            request, codes, next_url=resolve_url(settings.LOGIN_REDIRECT_URL), just_set_up=False
        )
    left = selectors.recovery_codes_left(request.user)
    return render(request, "twofactor/recovery_codes.html", {"left": left})
