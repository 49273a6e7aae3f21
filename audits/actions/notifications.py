"""The emails about agreed actions: who gets each, its subject and its body.

Each function takes ids and plain values only and reads what it needs itself, so that a task
(audits.actions.tasks) runs it after the change has committed. Each raises MailNotSent
(audits.mail) when the mail server does not take the email, so the task is tried again later;
the change is saved whatever the mail server does. The daily reminder's caller records the
reminder in the same transaction as it sends, and rolls that back when sending fails, so the
retry (or a later run) sends it again.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audits.actions.selectors import REMINDER_DAYS, owner_of
from audits.mail import send_email
from audits.models import ActionEvent, AgreedAction
from audits.roles import display_name

State = AgreedAction.State


def _action_link(action_id: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("audits:action_detail", args=[action_id])


def _reference(action: AgreedAction) -> str:
    return action.audit.case_reference or _("(no reference)")


def _event(event_id: int) -> ActionEvent:
    return ActionEvent.objects.select_related("action__audit", "by").get(pk=event_id)


def _tell_owner(*, kind: str, event: ActionEvent, owner_id: int, subject: str, opening: str):
    """Email the owner ``owner_id`` about ``event``, a change of their action, unless they
    made it themselves."""
    if event.by_id == owner_id:
        return  # nobody is told what they did themselves
    owner = get_user_model().objects.get(pk=owner_id)
    if not owner.email:
        return
    action = event.action
    reference = _reference(action)
    due = date_format(action.due_date, "j F Y") if action.due_date else _("no date set")
    body = _("%(opening)s\n\nCase %(ref)s: %(text)s\nBy: %(due)s\n\nOpen it: %(link)s\n") % {
        "opening": opening,
        "ref": reference,
        "text": action.description.strip(),
        "due": due,
        "link": _action_link(action.pk),
    }
    send_email(
        kind=kind,
        about=f"action {action.pk} (case {reference})",
        subject=f"{subject} (case {reference})",
        body=body,
        to=[owner.email],
    )


def action_moved(*, event_id: int, owner_id: int) -> None:
    """Tell the owner that someone else marked their action done or no longer needed, or
    reopened it. ``event_id`` is the ActionEvent of the move; ``owner_id`` the user who owned
    the action when it moved."""
    event = _event(event_id)
    state = {
        State.DONE: _("marked done"),
        State.NOT_NEEDED: _("closed"),
        State.OPEN: _("reopened"),
    }[event.to_state]
    opening = {
        State.DONE: _("%(name)s marked your action done: %(note)s"),
        State.NOT_NEEDED: _("%(name)s marked your action no longer needed: %(note)s"),
        State.OPEN: _("%(name)s reopened your action: %(note)s"),
    }[event.to_state] % {"name": display_name(event.by), "note": event.note}
    _tell_owner(
        kind="action closed or reopened",
        event=event,
        owner_id=owner_id,
        subject=_("Your agreed action was %(state)s") % {"state": state},
        opening=opening,
    )


def action_assigned(*, event_id: int, owner_id: int) -> None:
    """Tell ``owner_id`` that an action is now theirs; ``event_id`` is the ActionEvent of the
    change of owner."""
    _tell_owner(
        kind="action now yours",
        event=_event(event_id),
        owner_id=owner_id,
        subject=_("An agreed action is now yours"),
        opening=_("An agreed action from a case file audit is now yours to answer for."),
    )


# --- the daily reminder ------------------------------------------------------------------------


def _when(action: AgreedAction, today: datetime.date) -> str:
    days = (action.due_date - today).days
    if days < 0:
        return f"overdue by {-days} day{'s' if days != -1 else ''}"
    if days == 0:
        return "due today"
    return f"due in {days} day{'s' if days != 1 else ''}"


def _reminder_body(names: list[str], actions: list[AgreedAction], today: datetime.date) -> str:
    lines = [
        f"Hello {' and '.join(names)},",
        "",
        "These agreed actions from case file audits are yours, and are overdue or due within "
        f"{REMINDER_DAYS} days:",
        "",
    ]
    for action in actions:
        practice = " (practice audit)" if action.audit.is_practice else ""
        lines += [
            f"- Case {action.audit.case_reference or '(no reference)'}{practice}: "
            f"{action.description.strip()}",
            f"  By {date_format(action.due_date, 'j F Y')}: {_when(action, today)}",
            # The action's own page: the owner can always open it (an assignee may not be
            # able to open the audit), it links to the audit, and it is where they mark it done.
            f"  {_action_link(action.pk)}",
            "",
        ]
    lines.append("When an action is done, open it and mark it done with a note of what was done.")
    return "\n".join(lines) + "\n"


def _reminder_subject(actions: list[AgreedAction], today: datetime.date) -> str:
    overdue = sum(1 for a in actions if a.due_date < today)
    subject = f"Agreed actions: {len(actions)} due soon or overdue"
    return subject + (f" ({overdue} overdue)" if overdue else "")


def action_reminder_send(*, recipient: str, action_ids: list[int], today: datetime.date) -> None:
    """Send ``recipient`` one email listing the open actions ``action_ids`` (theirs, overdue or
    due within REMINDER_DAYS of ``today``), greeting each owner sharing the address by name.

    Raises MailNotSent, naming the actions and their case references: see the module's
    docstring.
    """
    actions = list(
        AgreedAction.objects.filter(pk__in=action_ids)
        .select_related("audit__auditor", "assignee")
        .order_by("due_date", "pk")
    )
    names = sorted({owner_of(action).get_username() for action in actions})
    references = sorted({_reference(action) for action in actions})
    send_email(
        kind="action reminder",
        about=f"actions {', '.join(str(a.pk) for a in actions)} (cases {', '.join(references)})",
        subject=_reminder_subject(actions, today),
        body=_reminder_body(names, actions, today),
        to=[recipient],
    )
