"""Sending an email about a change that is already saved.

The change stands whether or not the email goes: a mail server that is down or refuses the
message is logged for the administrator, never raised into the page of the person who made
the change. The apps' notifications modules build each email; this only sends it.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage

logger = logging.getLogger(__name__)


def send_after_change(*, kind: str, about: str, subject: str, body: str, to: list[str]) -> bool:
    """Send one email; True if the mail server took it.

    ``kind`` names the email and ``about`` the object it concerns (its id and case reference,
    nothing of the case's content), for the log line written when the send fails.
    """
    try:
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to).send()
    except Exception:  # smtplib and socket errors, or anything else a mail backend raises
        logger.exception("Could not send the %s email about %s.", kind, about)
        return False
    return True
