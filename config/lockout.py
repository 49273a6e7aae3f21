"""The page a locked-out sign-in gets (AXES_LOCKOUT_CALLABLE): the sign-in page again, refused.

The message is the same whether or not the username exists, so a lockout tells nobody which
usernames are real.
"""

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import ngettext

from audits.forms import LoginForm

from .signin import sign_in_options

# 429 Too Many Requests: the attempts, not the person, are refused.
LOCKOUT_STATUS = 429


def lockout_message() -> str:
    minutes = settings.LOGIN_COOL_OFF_MINUTES
    return ngettext(
        "Too many failed sign-in attempts. Sign-in is refused for %(minutes)d minute: "
        "try again later, or ask an administrator to unlock it.",
        "Too many failed sign-in attempts. Sign-in is refused for %(minutes)d minutes: "
        "try again later, or ask an administrator to unlock it.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = LoginForm(request, initial={"username": username})
    context = {
        "form": form,
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "lockout_summary": [(None, lockout_message())],
        **sign_in_options(),
    }
    return render(request, "registration/login.html", context, status=LOCKOUT_STATUS)
