"""Moving a test client's session through time: its clocks are in the session itself
(audits.sessions.limits), so a test sets them back rather than waiting."""

from audits.sessions import limits


def age_session(client, *, idle_for: int | None = None, signed_in_for: int | None = None):
    """Make the client's session look idle for ``idle_for`` seconds and/or signed in
    ``signed_in_for`` seconds ago."""
    session = client.session
    now = limits.now()
    if idle_for is not None:
        session[limits.ACTIVE_AT] = now - idle_for
    if signed_in_for is not None:
        session[limits.SIGNED_IN_AT] = now - signed_in_for
    session.save()


def clocks(client) -> tuple[int | None, int | None]:
    """(signed in at, last active at) as the server holds them."""
    session = client.session
    return session.get(limits.SIGNED_IN_AT), session.get(limits.ACTIVE_AT)


def signed_in_as(client) -> str | None:
    from django.contrib.auth import get_user_model

    pk = client.session.get("_auth_user_id")
    return get_user_model().objects.get(pk=pk).get_username() if pk else None
