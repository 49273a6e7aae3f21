"""Where someone goes when their save could not be made: the way back, for a page and for a
script. One place, so the middleware (signed out) and the CSRF failure view say the same."""

from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.http import urlencode

from ..models import KeptSave
from .keeping import page_of


def offer_url(page: str) -> str:
    """The page that offers kept saves back, then returns to ``page``."""
    return f"{reverse('session:kept')}?{urlencode({'next': page})}"


def login_url(next_url: str) -> str:
    return f"{resolve_url('login')}?{urlencode({'next': next_url})}"


def _return_to(request, kept: KeptSave | None) -> str:
    page = page_of(request)
    return offer_url(page) if kept is not None else page


def to_sign_in(request, kept: KeptSave | None):
    """Signed out: sign in, then see what was kept (or the page they were on)."""
    return redirect_to_login(_return_to(request, kept), resolve_url("login"))


def straight_back(request, kept: KeptSave):
    """Still signed in (a CSRF failure): what was kept, at once."""
    return redirect(_return_to(request, kept))


def signed_out_json(request, kept: KeptSave | None):
    return JsonResponse(
        {
            "error": "signed_out",
            "login_url": login_url(_return_to(request, kept)),
            "kept": kept is not None,
        },
        status=401,
    )


def csrf_json(request, kept: KeptSave | None):
    body = {"error": "csrf", "kept": kept is not None}
    if request.user.is_authenticated:
        body["reload_url"] = _return_to(request, kept)
    else:
        body["login_url"] = login_url(_return_to(request, kept))
    return JsonResponse(body, status=403)
