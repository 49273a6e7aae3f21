"""python manage.py send_action_reminders [--today YYYY-MM-DD]: for a daily scheduler (cron).

Queues an email to each owner of open actions that are overdue or due within REMINDER_DAYS,
one email per owner listing all of them, at most once a day; the worker (`manage.py db_worker`)
sends them, and tries again later when the mail server fails. Running it again the same day
queues nothing for those already reminded, and again those whose email has not gone. The work
is the service ``action_reminders_queue``; this command reads the date and reports.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audits.actions.selectors import REMINDER_DAYS
from audits.actions.services import action_reminders_queue


class Command(BaseCommand):
    help = (
        "Queue an email to each owner of open agreed actions that are overdue or due within "
        f"{REMINDER_DAYS} days (one email per owner, at most once a day), for the worker to "
        "send. Safe to run twice."
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

        run = action_reminders_queue(today=today)

        self.stdout.write(
            f"Reminders for {today.isoformat()}: queued {run.queued} email(s) "
            f"covering {run.covered} action(s), for the worker to send."
        )
        if run.skipped:
            names = ", ".join(f"{name} ({n})" for name, n in sorted(run.skipped.items()))
            self.stdout.write(
                f"Skipped {sum(run.skipped.values())} action(s) whose owner has no "
                f"email address or is inactive: {names}."
            )
