"""``{% session_timeout_dialog %}``: the timeout warning (audits.sessions) for a signed-in page.

The server gives the script its timings in data- attributes: how long this session has left
(read after this request counted as activity), which limit ends it, and when to warn.
"""

from django import template
from django.conf import settings
from django.urls import reverse

from config.sso import SIGNED_IN_WITH, SSO

from ..sessions import limits

register = template.Library()


@register.inclusion_tag("sessions/_timeout_dialog.html", takes_context=True)
def session_timeout_dialog(context):
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {}
    left = limits.remaining(request.session, limits.now())
    # The same sign-out as the menu's: through the council sign-in for its sessions.
    sso = request.session.get(SIGNED_IN_WITH) == SSO
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "remaining": left.seconds,
        "limit": left.limit,
        "warning": settings.SESSION_WARNING_SECONDS,
        "idle_minutes": settings.SESSION_IDLE_SECONDS // 60,
        "absolute_hours": settings.SESSION_ABSOLUTE_SECONDS // 3600,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "sign_out_url": reverse("oidc_logout" if sso else "logout"),
    }
