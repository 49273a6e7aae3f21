"""python manage.py send_action_reminders [--today YYYY-MM-DD]: for a daily scheduler.

Emails each owner of open actions that are overdue or due within REMINDER_DAYS, one email per
owner listing all of them, at most once a day. Running it again the same day sends nothing new.
The work is the service ``action_reminders_send``; this command reads the date and reports.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audits.actions.selectors import REMINDER_DAYS
from audits.actions.services import action_reminders_send


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

        run = action_reminders_send(today=today)

        self.stdout.write(
            f"Reminders for {today.isoformat()}: sent {run.sent} email(s) "
            f"covering {run.covered} action(s)."
        )
        if run.skipped:
            names = ", ".join(f"{name} ({n})" for name, n in sorted(run.skipped.items()))
            self.stdout.write(
                f"Skipped {sum(run.skipped.values())} action(s) whose owner has no "
                f"email address or is inactive: {names}."
            )
        if run.failed:
            raise CommandError(
                "Could not send to "
                + "; ".join(f"{email}: {why}" for email, why in run.failed.items())
                + ". Run the command again to retry them."
            )
