"""The two time limits of a signed-in session, read and written in the session itself.

Times are whole seconds since the epoch (the session is JSON). ``signed_in_at`` is set at each
sign-in (password, two-factor or the council sign-in all call auth.login); ``active_at`` at
each request that counts as activity.
"""

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings

SIGNED_IN_AT = "limits_signed_in_at"
ACTIVE_AT = "limits_active_at"

IDLE = "idle"
ABSOLUTE = "absolute"


@dataclass(frozen=True)
class Remaining:
    seconds: int  # until the session ends, never below 0
    limit: str  # which limit ends it first: IDLE or ABSOLUTE


def now() -> int:
    return int(time.time())


def start(session, at: int) -> None:
    """A new sign-in: both clocks start, and the session (row and cookie) expires at the
    absolute end even if nothing else ends it."""
    session[SIGNED_IN_AT] = at
    session[ACTIVE_AT] = at
    session.set_expiry(datetime.fromtimestamp(at + settings.SESSION_ABSOLUTE_SECONDS, tz=UTC))


def remaining(session, at: int) -> Remaining:
    # A session signed in before these limits existed starts its clocks now.
    signed_in = session.get(SIGNED_IN_AT)
    if signed_in is None:
        start(session, at)
        signed_in = at
    idle_end = session.get(ACTIVE_AT, at) + settings.SESSION_IDLE_SECONDS
    absolute_end = signed_in + settings.SESSION_ABSOLUTE_SECONDS
    if idle_end < absolute_end:
        return Remaining(max(0, idle_end - at), IDLE)
    return Remaining(max(0, absolute_end - at), ABSOLUTE)


def ended(session, at: int) -> str | None:
    """IDLE or ABSOLUTE when the session is past that limit, else None."""
    left = remaining(session, at)
    return left.limit if left.seconds <= 0 else None


def touch(session, at: int) -> None:
    """Activity. Written at most once per 1/60 of the idle timeout (30 s of 30 minutes), so a
    busy person does not write their session on every request; the session may therefore end
    up to that much early, and the warning's countdown (read from the session) says so."""
    if at - session.get(ACTIVE_AT, 0) >= settings.SESSION_IDLE_SECONDS // 60:
        session[ACTIVE_AT] = at
