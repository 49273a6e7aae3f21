"""The session pages: the warning dialog's status and "Stay signed in", the GOV.UK "You have
been signed out" page, the offer of kept saves, and the CSRF failure view."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.http import require_GET, require_POST

from ..models import KeptSave
from ..redirects import local_url
from . import answers, limits
from .keeping import kept_save_discard, kept_save_keep, remembered_owner, same_origin, wants_json
from .middleware import passive
from .selectors import kept_save_for, kept_saves_for, shown_fields


def _timing(request) -> JsonResponse:
    left = limits.remaining(request.session, limits.now())
    return JsonResponse(
        {
            "signed_in": True,
            "remaining": left.seconds,
            "limit": left.limit,
            "warning": settings.SESSION_WARNING_SECONDS,
        }
    )


@passive
@require_GET
def status(request):
    """How long this session has left. Not activity: the dialog's script asks it in the
    background. Someone signed out gets the middleware's 401 answer instead."""
    return _timing(request)


@require_POST
def extend(request):
    """ "Stay signed in": the request itself is the activity (the middleware counted it)."""
    return _timing(request)


@login_not_required
@require_GET
def signed_out(request):
    """Where the warning's script goes when the time has run out (GOV.UK's pattern): a plain
    page that says so and offers signing in again, back to the page they were on."""
    next_url = local_url(request, request.GET.get("next"))
    if request.user.is_authenticated:
        # Still signed in (active in another tab): nothing ended; carry on.
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    context = {
        "next": next_url or "",
        "idle_minutes": settings.SESSION_IDLE_SECONDS // 60,
        "absolute_hours": settings.SESSION_ABSOLUTE_SECONDS // 3600,
        "absolute": request.GET.get("limit") == limits.ABSOLUTE,
        # The dialog's script saved the page's form first, and said so.
        "saved": request.GET.get("saved") == "1",
    }
    return render(request, "sessions/signed_out.html", context)


def kept(request):
    """ "You were signed out before this was saved": the person's kept saves, each with a
    button that posts it again to where it first went (with a fresh CSRF token) so that page
    and its own checks deal with it. None waiting: on to the page they were on."""
    next_url = local_url(request, request.GET.get("next"))
    saves = list(kept_saves_for(request.user))
    if not saves:
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    context = {
        "saves": [(save, *shown_fields(save)) for save in saves],
        "next": next_url or "",
    }
    return render(request, "sessions/kept.html", context)


@require_POST
def discard(request, pk):
    save = kept_save_for(request.user, pk)
    if save is None:
        raise Http404
    kept_save_discard(kept=save, request=request)
    next_url = local_url(request, request.POST.get("next"))
    return redirect(answers.offer_url(next_url) if next_url else "session:kept")


@login_not_required
def csrf_failure(request, reason=""):
    """settings.CSRF_FAILURE_VIEW. A post from this site's own page whose token is out of date
    (another tab signed in again, or signed out) is kept for its owner, who goes straight to
    it (still signed in) or signs in first; a script gets a 403 JSON answer saying so.
    Anything else, a cross-site forgery included, gets Django's refusal and nothing kept."""
    if request.method == "POST" and same_origin(request):
        if request.path == resolve_url("login"):
            # The sign-in page itself had gone stale (signed in or out in another tab): show
            # it again, fresh. The password typed is not kept, by design.
            messages.info(request, _("The sign-in page had expired. Please sign in again."))
            return redirect(answers.login_url(local_url(request, request.POST.get("next")) or "/"))
        signed_in = request.user.is_authenticated
        owner = request.user if signed_in else remembered_owner(request)
        kept_save = kept_save_keep(request=request, owner=owner, reason=KeptSave.Reason.CSRF)
        if wants_json(request):
            return answers.csrf_json(request, kept_save)
        if kept_save is not None:
            if signed_in:
                return answers.straight_back(request, kept_save)
            return answers.to_sign_in(request, kept_save)
    return django_csrf_failure(request, reason=reason)
