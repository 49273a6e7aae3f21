"""Session time limits and keeping saves, for every request.

Placed after django_otp's OTPMiddleware (request.user is known) and before Django's
LoginRequiredMiddleware. In the request phase it ends a session that is past a limit, before
any view (or CSRF check) sees it. In the view phase it counts activity, and turns a post from
someone no longer signed in into a kept save and a way back: the sign-in page (or, for a
script, a 401 JSON answer saying what happened). CSRF failures arrive at views.csrf_failure.
"""

from django.contrib.auth import logout
from django.core.exceptions import SuspiciousOperation
from django.http import UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.functional import LazyObject, empty

from ..models import KeptSave
from . import answers, limits
from .keeping import (
    RESTORE_FIELD,
    kept_save_keep,
    kept_save_restored,
    remember_owner,
    remembered_owner,
    remembered_owner_id,
    wants_json,
)
from .selectors import kept_save_for


def unwrapped(user):
    """The user behind request.user's lazy wrappers (Django's, and django-otp's around it),
    once read. Every attribute read through a wrapper costs a failed lookup and a call, twice
    over, and a signed-in page reads the user some hundreds of times (its menu's rules, the
    templates)."""
    while isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user


def passive(view):
    """Marks a view whose requests are not activity (the warning's status check)."""
    view.session_passive = True
    return view


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            request.user = user = unwrapped(user)
            reason = limits.ended(request.session, limits.now())
            if reason:
                request.session_ended_for = user  # whose save may still arrive now
                request.sign_out_reason = reason  # for the security log
                logout(request)
        response = self.get_response(request)
        self._after(request, response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.user.is_authenticated:
            if not getattr(view_func, "session_passive", False):
                limits.touch(request.session, limits.now())
            return None
        if not getattr(view_func, "login_required", True):
            return None  # open to anyone: nothing to keep or refuse
        kept = None
        if request.method == "POST":
            owner = getattr(request, "session_ended_for", None) or remembered_owner(request)
            kept = kept_save_keep(request=request, owner=owner, reason=KeptSave.Reason.SIGNED_OUT)
        if wants_json(request):
            return answers.signed_out_json(request, kept)
        if kept is not None:
            return answers.to_sign_in(request, kept)
        return None  # LoginRequiredMiddleware sends them to sign in

    def _after(self, request, response):
        user = request.user
        if not user.is_authenticated:
            return
        # At sign-in (and for a session from before the cookie existed): who this browser is.
        if getattr(request, "signed_in_now", False) or remembered_owner_id(request) != str(user.pk):
            remember_owner(response, user)
        # A kept save posted back by its owner is used up, unless the server failed on it.
        if request.method == "POST" and response.status_code < 500:
            try:
                pk = request.POST.get(RESTORE_FIELD)
            except (MultiPartParserError, SuspiciousOperation, UnreadablePostError):
                return  # a body that is no form, which the view did not read: no kept save
            if pk and (kept := kept_save_for(user, pk)) is not None:
                kept_save_restored(kept=kept, request=request)
