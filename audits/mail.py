"""Sending an email about a change that is already saved, from a task (audits.background).

The apps' notifications modules build each email; this only sends it. A mail server that is
down or refuses the message raises MailNotSent, naming the email and the object it concerns
(its id and case reference, nothing of the case's content), so the task fails with that for
the administrator to read and is tried again later. The change itself was committed before
the task was queued, so nothing the mail server does can undo it.
"""

from django.conf import settings
from django.core.mail import EmailMessage


class MailNotSent(Exception):
    """The mail server did not take an email; the message names which, never its content."""


def send_email(*, kind: str, about: str, subject: str, body: str, to: list[str]) -> None:
    """Send one email, or raise MailNotSent saying ``kind`` (which email) and ``about`` (the
    object it concerns, by id and case reference)."""
    try:
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to).send()
    except Exception as error:  # smtplib and socket errors, or anything a mail backend raises
        raise MailNotSent(
            f"Could not send the {kind} email about {about}: {type(error).__name__}: {error}"
        ) from error
