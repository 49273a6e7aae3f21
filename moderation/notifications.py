"""The emails to an auditor about the moderation of their audit: who gets each, its subject and
its body.

Each function takes the Moderation's id only and reads what it needs itself, so that a task
(moderation.tasks) runs it after the moderation has committed. Each raises MailNotSent
(audits.mail) when the mail server does not take the email, so the task is tried again later;
the moderation is saved whatever the mail server does.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from audits.mail import send_email

from .models import Moderation


def _tell_auditor(*, kind: str, moderation: Moderation, subject: str, body: str) -> None:
    audit = moderation.audit
    email = audit.auditor.email
    if not email:
        return
    link = settings.SITE_URL.rstrip("/") + reverse("audits:detail", args=[audit.pk])
    send_email(
        kind=kind,
        about=f"moderation {moderation.pk} (case {audit.case_reference})",
        subject=subject,
        body=_("%(body)s\n\nOpen the audit: %(link)s\n") % {"body": body, "link": link},
        to=[email],
    )


def _moderation(moderation_id: int) -> Moderation:
    return Moderation.objects.select_related("audit__auditor").get(pk=moderation_id)


def moderation_recorded(*, moderation_id: int) -> None:
    """Tell the auditor the outcome of the moderation ``moderation_id`` and its feedback."""
    moderation = _moderation(moderation_id)
    _tell_auditor(
        kind="moderation outcome",
        moderation=moderation,
        subject=_("Your audit of case %(ref)s has been moderated")
        % {"ref": moderation.audit.case_reference},
        body=_("Outcome: %(outcome)s.\n\n%(feedback)s")
        % {"outcome": moderation.get_outcome_display(), "feedback": moderation.feedback},
    )


def moderation_sent_back(*, moderation_id: int) -> None:
    """Tell the auditor their audit was sent back by ``moderation_id``, and what to change."""
    moderation = _moderation(moderation_id)
    _tell_auditor(
        kind="moderation sent back",
        moderation=moderation,
        subject=_("Your audit of case %(ref)s needs changes")
        % {"ref": moderation.audit.case_reference},
        body=moderation.feedback,
    )
