"""The emails to a case holder and their team manager when an audit of the case is submitted:
who gets each, its subject and its body.

Built from ids alone, so that a task (audits.holders.tasks) sends it after the submission has
committed; raises MailNotSent (audits.mail) when the mail server does not take it, so the task
is tried again later. The email names the case by its reference and says who audited it and
when; the audit itself (grades, evaluations) is read in the app, never sent by email.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import roles
from ..mail import send_email
from ..models import Audit, Person
from .selectors import email_of


def audit_submitted(*, audit_id: int, person_id: int, as_manager: bool) -> None:
    """Tell the person ``person_id`` that the audit ``audit_id`` of their case (``as_manager``:
    of a case in the team they manage) was submitted. Nothing when they have no address."""
    audit = Audit.objects.select_related("auditor").get(pk=audit_id)
    person = Person.objects.select_related("user").get(pk=person_id)
    email = email_of(person)
    if not email:
        return
    values = {
        "ref": audit.case_reference,
        "auditor": roles.display_name(audit.auditor),
        "date": f"{audit.audit_date:%-d %B %Y}" if audit.audit_date else _("an undated day"),
    }
    if as_manager:
        subject = _("An audit of case %(ref)s in your team has been submitted") % values
        opening = _(
            "%(auditor)s has audited case %(ref)s, a case in the team you manage, on %(date)s "
            "and submitted the audit."
        )
    else:
        subject = _("An audit of your case %(ref)s has been submitted") % values
        opening = _(
            "%(auditor)s has audited your case %(ref)s on %(date)s and submitted the audit."
        )
    user = person.user
    if user is not None and user.is_active and roles.is_case_holder(user):
        link = settings.SITE_URL.rstrip("/") + reverse("audits:detail", args=[audit.pk])
        closing = _(
            "Read the audit, record your response to it and say whether you agree with its "
            "agreed actions: %(link)s"
        ) % {"link": link}
    else:
        closing = (
            _(
                "You do not have access to the audit in the case file audit service yet: ask "
                "%(auditor)s to go through it with you, or ask an administrator for access so that "
                "you can record your response."
            )
            % values
        )
    send_email(
        kind="audit submitted to the case holder",
        about=f"audit {audit.pk} (case {audit.case_reference})",
        subject=subject,
        body=f"{opening % values}\n\n{closing}\n",
        to=[email],
    )
