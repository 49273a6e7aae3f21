"""Sign-in starts the session's clocks (connected in AuditsConfig.ready)."""

from django.contrib.auth import user_logged_in
from django.dispatch import receiver

from . import limits
from .keeping import kept_saves_discard_expired


@receiver(user_logged_in, dispatch_uid="session_limits_signed_in")
def _signed_in(sender, request, user, **kwargs):
    if request is None:
        return
    limits.start(request.session, limits.now())
    # The middleware names the person in this browser's owner cookie on the way out.
    request.signed_in_now = True
    # Sign-ins happen every day: a good moment to let go of saves nobody came back for.
    kept_saves_discard_expired()
