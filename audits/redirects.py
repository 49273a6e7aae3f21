"""Where to send the browser after a form that says where it came from (a ``next`` field)."""

from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def next_url(request, default: str) -> str:
    """The ``next`` posted (or in the query string) when it is a path on this site, else
    ``default`` (a URL or a URL name). Always a path: Django's redirect() would take a bare word
    such as ``0`` for the name of a view and fail on it, and a URL of another site is refused."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(default)
