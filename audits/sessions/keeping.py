"""Keeping a save that arrived from someone no longer signed in, and offering it back.

What is kept: a POST to one of the app's own pages (never to /accounts/, /admin/ or the council
sign-in, so never a password or a code), with something typed in it and no file. Whose it is:
the person whose session just ended, the person still signed in (a CSRF failure), or else the
person named by the signed cookie set at their sign-in in this browser. Nobody else is ever
shown it, so another person later signing in on the same computer does not see it. A save
whose owner cannot be told is not kept.

The services here are the only writers of KeptSave; each step goes to the security log with
the address and the number of fields, never their content.
"""

import re
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ..models import KeptSave
from ..security.events import Event, record

# How long a kept save waits for its owner.
KEEP_FOR = timedelta(days=1)

# The signed cookie naming who last signed in with this browser: a user id, nothing else.
OWNER_COOKIE = "signed_in_as"
OWNER_SALT = "audits.sessions.owner"

# Never kept: sign-in, sign-out, password, two-factor and session pages, and the admin.
NEVER_KEPT_PREFIXES = ("/accounts/", "/admin/", "/oidc/")
# Nor any form with a field that may hold a secret, wherever it posts.
SECRET_FIELD = re.compile(r"pass|secret|otp|token", re.IGNORECASE)
# Not kept as content: the CSRF token (a fresh one is sent on restoring) and the marker that
# says which kept save a restore came from.
CSRF_FIELD = "csrfmiddlewaretoken"
RESTORE_FIELD = "_kept_save"
NOT_CONTENT = {CSRF_FIELD, RESTORE_FIELD}


def wants_json(request) -> bool:
    """A request from a script (autosave sends Accept: application/json)."""
    return "application/json" in request.headers.get("Accept", "")


def page_of(request) -> str:
    """The page the person was on: the Referer when it is this site's, else the address."""
    referer = urlsplit(request.headers.get("Referer", ""))
    if referer.netloc == request.get_host() and referer.path.startswith("/"):
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return request.get_full_path()


def same_origin(request) -> bool:
    """The request came from one of this site's own pages (a forged cross-site post does not:
    browsers send its origin). Asked before keeping a post whose CSRF check failed."""
    origin = request.headers.get("Origin")
    if origin:
        return origin == f"{request.scheme}://{request.get_host()}"
    return request.headers.get("Sec-Fetch-Site") == "same-origin"


def keepable_fields(request) -> list[list[str]] | None:
    """The fields worth keeping, or None when this post must not be kept."""
    if request.method != "POST" or request.path_info.startswith(NEVER_KEPT_PREFIXES):
        return None
    if request.FILES:  # an upload (a CSV import) cannot be kept; the file is still theirs
        return None
    fields = [
        [name, value]
        for name, values in request.POST.lists()
        if name not in NOT_CONTENT
        for value in values
    ]
    if any(SECRET_FIELD.search(name) for name, _ in fields):
        return None
    if not any(value.strip() for _, value in fields):
        return None  # nothing typed: a button press is simply made again
    return fields


# --- Who it belongs to ---------------------------------------------------------------------


def remember_owner(response, user) -> None:
    """At sign-in: name the person in a signed cookie that outlives their session (for long
    enough to keep what they post after it ends), so a save that arrives once the session is
    gone can be kept for them and for nobody else."""
    response.set_signed_cookie(
        OWNER_COOKIE,
        str(user.pk),
        salt=OWNER_SALT,
        max_age=settings.SESSION_ABSOLUTE_SECONDS + int(KEEP_FOR.total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def remembered_owner_id(request) -> str | None:
    return request.get_signed_cookie(
        OWNER_COOKIE,
        default=None,
        salt=OWNER_SALT,
        max_age=settings.SESSION_ABSOLUTE_SECONDS + int(KEEP_FOR.total_seconds()),
    )


def remembered_owner(request):
    """The person who last signed in with this browser, if the cookie names a live account."""
    owner_id = remembered_owner_id(request)
    if not owner_id or not owner_id.isdigit():
        return None
    return get_user_model().objects.filter(pk=owner_id, is_active=True).first()


# --- Services ------------------------------------------------------------------------------


def kept_save_keep(*, request, owner, reason: str) -> KeptSave | None:
    """Keep this request's post for ``owner``; None when it must not be kept."""
    fields = keepable_fields(request)
    if owner is None or fields is None:
        return None
    # A later save from the same page (the Save button after an autosave) holds the same form,
    # typed further: it replaces the earlier one, so only the latest is offered back.
    KeptSave.objects.filter(owner=owner, page=page_of(request)[:500]).delete()
    kept = KeptSave.objects.create(
        owner=owner,
        path=request.get_full_path()[:500],
        page=page_of(request)[:500],
        fields=fields,
        reason=reason,
        from_script=wants_json(request),
        created_at=timezone.now(),
    )
    record(
        Event.SAVE_KEPT,
        request=request,
        user=owner,
        object_label=str(kept),
        changes={"reason": reason, "fields": len(fields)},
    )
    return kept


def kept_save_restored(*, kept: KeptSave, request) -> None:
    """Its owner has posted it again, to where it first went: it is used up."""
    with transaction.atomic():
        record(Event.SAVE_RESTORED, request=request, object_label=str(kept))
        kept.delete()


def kept_save_discard(*, kept: KeptSave, request=None, why: str = "by its owner") -> None:
    """Its owner chose not to use it, or it waited longer than KEEP_FOR."""
    with transaction.atomic():
        record(
            Event.SAVE_DISCARDED,
            request=request,
            user=kept.owner,
            object_label=str(kept),
            changes={"reason": why},
        )
        kept.delete()


def kept_saves_discard_expired() -> int:
    """Discard every kept save older than KEEP_FOR (run at each sign-in); how many."""
    expired = KeptSave.objects.filter(created_at__lt=timezone.now() - KEEP_FOR)
    count = 0
    for kept in expired.select_related("owner"):
        kept_save_discard(kept=kept, why="older than a day")
        count += 1
    return count
