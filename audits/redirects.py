"""Where to send the browser after a form that says where it came from (a ``next`` field): the
one check that an address is a path on this site (sign-in, two-factor, sessions)."""

from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def local_url(request, target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None. Always a path: Django's redirect()
    would take a bare word such as ``0`` for the name of a view and fail on it, and a URL of
    another site is refused."""
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return None


def next_url(request, default: str) -> str:
    """The ``next`` posted (or in the query string) when it is a path on this site, else
    ``default`` (a URL or a URL name)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return local_url(request, target) or resolve_url(default)
