"""python manage.py apply_retention [--apply] [--by USERNAME]: the retention schedule.

Without --apply it changes nothing: it says how many audits are past the retention period
(settings.RETENTION_YEARS, counted from the audit date) and lists them. With --apply it
deletes them, with their moderation, actions and change history, in one transaction, keeping
the months' report figures; audits.retention says what goes and what stays. Meant to run
monthly (from cron, say): an audit goes at the first run after the end of the month in which
its retention period ends.

Who ran it goes into the security log: --by names an administrator's account; without it, the
operating-system user running the command. Bad input stops the command with a message and a
non-zero exit status, before anything is deleted.
"""

import getpass

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone

from audits.retention.selectors import RetentionError, removal_boundary, retention_years
from audits.retention.services import check_runner, removal_list, retention_apply


class Command(BaseCommand):
    help = (
        "List the audits past the retention period (RETENTION_YEARS); with --apply, delete "
        "them and their history, keeping the report figures."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--apply", action="store_true", help="delete them (without it, only list them)"
        )
        parser.add_argument(
            "--by", metavar="USERNAME", help="the administrator running it, for the security log"
        )

    def handle(self, *args, apply=False, by=None, **options):
        try:
            years = retention_years()
            runner = self._runner(by)
            check_runner(runner)
        except RetentionError as error:
            raise CommandError(error.message) from None
        before = removal_boundary(today=timezone.localdate(), years=years)
        period = (
            f"dated before {before:%-d %B %Y} (RETENTION_YEARS={years}), and undated drafts "
            f"last changed before then"
        )
        if not apply:
            audits = removal_list(before=before)
            self._table(audits)
            self.stdout.write(
                f"{len(audits)} audit(s) {period} would be deleted. Nothing has been changed: "
                f"run again with --apply to delete them."
            )
            return
        try:
            removed = retention_apply(
                before=before, years=years, by=runner, os_user=self._os_user()
            )
        except RetentionError as error:
            raise CommandError(error.message) from None
        except (IntegrityError, ProtectedError, RestrictedError) as error:
            # Something outside the audits' own records still refers to one of them. The
            # one transaction has rolled back: say so, and what the database said.
            raise CommandError(
                f"Nothing was deleted: another record still refers to an audit past the "
                f"retention period, and the database refused its deletion ({error})."
            ) from None
        self._table(removed)
        self.stdout.write(
            f"Deleted {len(removed)} audit(s) {period}, with their history; the report "
            f"figures of their months are kept."
        )

    def _runner(self, username):
        if username is None:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise RetentionError(f"--by: there is no account with the username “{username}”.")
        return user

    def _os_user(self) -> str:
        try:
            return getpass.getuser()
        except (KeyError, OSError):  # no name for the process's user id (a bare container)
            return "unknown operating-system user"

    def _table(self, audits) -> None:
        if not audits:
            return
        self.stdout.write(f"{'Case reference':<32}  {'Audit date':<10}  Status")
        for audit in audits:
            day = audit.audit_date.isoformat() if audit.audit_date else "(none)"
            self.stdout.write(
                f"{audit.case_reference or '(none)':<32}  {day:<10}  {audit.status_label}"
            )
