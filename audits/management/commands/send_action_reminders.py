"""python manage.py send_action_reminders [--today YYYY-MM-DD]: for a daily scheduler.

Emails each owner of open actions that are overdue or due within REMINDER_DAYS, one email per
owner listing all of them, at most once a day. Running it again the same day sends nothing new.
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, F, OuterRef, When
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from audits.models import ActionReminder, AgreedAction, Status

REMINDER_DAYS = 7


def due_actions(today: datetime.date):
    """Open actions on audits past draft, due on or before today + REMINDER_DAYS, not yet
    reminded today, each with its owner's username, email and whether active (worked out by
    the database).

    Practice audits are included: an action agreed on a practice audit is still about a real
    child's case, so it still has to be done.
    """

    def owner(field):
        # The assignee's field where there is an assignee, else the auditor's.
        return Case(
            When(assignee__isnull=False, then=F(f"assignee__{field}")),
            default=F(f"audit__auditor__{field}"),
        )

    return (
        AgreedAction.objects.filter(
            state=AgreedAction.State.OPEN,
            due_date__lte=today + datetime.timedelta(days=REMINDER_DAYS),
        )
        .exclude(audit__status=Status.DRAFT)
        .exclude(Exists(ActionReminder.objects.filter(action=OuterRef("pk"), sent_on=today)))
        .annotate(
            owner_username=owner("username"),
            owner_email=owner("email"),
            owner_active=owner("is_active"),
        )
        .select_related("audit")
        .order_by("due_date", "pk")
    )


def _when(action, today: datetime.date) -> str:
    days = (action.due_date - today).days
    if days < 0:
        return f"overdue by {-days} day{'s' if days != -1 else ''}"
    if days == 0:
        return "due today"
    return f"due in {days} day{'s' if days != 1 else ''}"


def _body(names: list[str], actions, today: datetime.date) -> str:
    site = settings.SITE_URL.rstrip("/")
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
            f"  {site}{reverse('audits:action_detail', args=[action.pk])}",
            "",
        ]
    lines.append("When an action is done, open it and mark it done with a note of what was done.")
    return "\n".join(lines) + "\n"


def _subject(actions, today: datetime.date) -> str:
    overdue = sum(1 for a in actions if a.due_date < today)
    subject = f"Agreed actions: {len(actions)} due soon or overdue"
    return subject + (f" ({overdue} overdue)" if overdue else "")


class Command(BaseCommand):
    help = (
        "Email each owner of open agreed actions that are overdue or due within "
        f"{REMINDER_DAYS} days (one email per owner, at most once a day). Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the date to act as today, YYYY-MM-DD (default: today)")

    def handle(self, *args, today=None, **options):
        if today:
            try:
                today = datetime.date.fromisoformat(today)
            except ValueError:
                raise CommandError(
                    f"--today must be a date as YYYY-MM-DD, not {today!r}."
                ) from None
        else:
            today = timezone.localdate()

        by_recipient = defaultdict(list)
        skipped = defaultdict(int)  # owner username -> actions not sent (no email, inactive)
        for action in due_actions(today):
            if not action.owner_email or not action.owner_active:
                skipped[action.owner_username] += 1
                continue
            # Grouped by address: two accounts sharing one address get one email.
            by_recipient[action.owner_email].append(action)

        # "Once a day at most" is per owner too: someone already emailed today (an action
        # that became due after the first run, say) hears about the rest tomorrow.
        already = set(
            ActionReminder.objects.filter(sent_on=today).values_list("recipient", flat=True)
        )
        sent = covered = 0
        failed = []
        connection = get_connection()
        for email, actions in by_recipient.items():
            if email in already:
                continue
            names = sorted({a.owner_username for a in actions})
            try:
                claimed = self._claim_and_send(email, names, actions, today, connection)
            except Exception as exc:  # one owner's mail failing must not stop the others
                failed.append(f"{email}: {exc}")
                continue
            if claimed:
                sent += 1
                covered += len(claimed)

        self.stdout.write(
            f"Reminders for {today.isoformat()}: sent {sent} email(s) covering {covered} action(s)."
        )
        if skipped:
            names = ", ".join(f"{name} ({n})" for name, n in sorted(skipped.items()))
            self.stdout.write(
                f"Skipped {sum(skipped.values())} action(s) whose owner has no "
                f"email address or is inactive: {names}."
            )
        if failed:
            raise CommandError(
                "Could not send to " + "; ".join(failed) + ". Run the command again to retry them."
            )

    @staticmethod
    def _claim_and_send(email, names, actions, today, connection) -> list:
        """Record today's reminder for each action, then send one email listing those recorded.

        Why this cannot send twice, even with two runs at once: each reminder row is inserted
        before the email goes, and the unique (action, sent_on) constraint lets only one run
        insert it. A second run's insert waits for the first run's transaction and then fails,
        so that action is left out of the second run's email (and with no action left, no
        email is sent). Both runs take actions in the same order (due date, pk), so they cannot
        deadlock. The email is sent inside the transaction: if sending fails the rows are
        rolled back and a later run retries; only a failure to commit after a successful send
        could repeat an email, which is the lesser harm than a reminder silently lost.
        """
        claimed = []
        with transaction.atomic():
            for action in actions:
                try:
                    with transaction.atomic():  # a savepoint, so one clash keeps the others
                        ActionReminder.objects.create(action=action, sent_on=today, recipient=email)
                except IntegrityError:
                    continue
                claimed.append(action)
            if claimed:
                EmailMessage(
                    _subject(claimed, today),
                    _body(names, claimed, today),
                    settings.DEFAULT_FROM_EMAIL,
                    [email],
                    connection=connection,
                ).send()
        return claimed
