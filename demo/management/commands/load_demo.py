"""``manage.py load_demo``: a year of synthetic audits, their moderation, actions, schedule and
QA targets, and a login for every role.

Safe to run on every ``make run``: once the demo audits are there it only reports so. It refuses
to run without DEBUG, because it makes accounts (a superuser among them) with a published
password.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from demo import loader as demo
from demo import people


class Command(BaseCommand):
    help = (
        "Load synthetic demo data: users for every role and a year of audits, moderation, "
        "actions, schedule and targets (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Load even though DEBUG is off. The demo accounts share a published password: "
            "never use this on a server people can reach.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_without_debug"]:
            raise CommandError(
                "Refusing to load demo data with DEBUG off: the demo accounts, a superuser among "
                "them, share a published password. Use DEBUG=1 (as `make run` does)."
            )
        started = time.monotonic()
        # With DEBUG on, Django logs every query, and on SQLite it runs a second query to
        # format each one for the log: that doubled the time of the load's ten thousand queries
        # for a log nobody reads. The demo's own checks do not depend on DEBUG.
        # The moderation services queue an email to the auditor on commit: hundreds of messages
        # to the demo accounts' made-up addresses, which the worker of `make run` would print.
        # Django's dummy task backend keeps them in memory, and they go with the command.
        with override_settings(
            DEBUG=False,
            TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}},
        ):
            result = demo.load_demo()
        elapsed = time.monotonic() - started

        counts = result.counts
        if result.loaded:
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {elapsed:.1f}s."))
        else:
            self.stdout.write("Demo data already loaded; nothing added.")
            if result.users_created:
                made = ", ".join(result.users_created)
                self.stdout.write(f"Missing demo users made again: {made}.")
        self.stdout.write(
            f"  Users {counts['users']}, teams {counts['teams']}, audit activities "
            f"{counts['activities']} ({counts['activities_ahead']} scheduled ahead, "
            f"{counts['activities_late']} late).\n"
            f"  Audits past draft {counts['audits_past_draft']} "
            f"({counts['cases_reaudited']} cases audited more than once, "
            f"{counts['practice']} practice), drafts {counts['drafts']}.\n"
            "  Overall grades: "
            + ", ".join(f"{label} {n}" for label, n in result.grades.items())
            + ".\n"
            f"  Moderation: {counts['moderated']} moderated ({counts['outcome_agreed']} agreed, "
            f"{counts['outcome_lowered']} lowered, {counts['outcome_raised']} raised), "
            f"{counts['outcome_returned']} sent back; {counts['waiting']} waiting in the queue "
            f"({counts['in_moderation']} being moderated), {counts['returned']} with their "
            f"auditor, {counts['unmoderated']} completed without moderation; "
            f"{counts['exemplars']} exemplars, {counts['unacknowledged']} feedback unread.\n"
            f"  Agreed actions: {counts['open']} open ({counts['overdue']} overdue), "
            f"{counts['done']} done ({counts['done_late']} late), {counts['not_needed']} no "
            f"longer needed.\n"
            f"  QA targets {counts['year']}: {counts['targets']} (year to date: "
            f"{counts['targets_green']} green, {counts['targets_amber']} amber, "
            f"{counts['targets_red']} red, {counts['targets_grey']} no data).\n"
            f"  Example audit tools {counts['tools']} (a neglect thematic audit, a practice "
            f"observation, a LADO dip sample): {counts['tool_activities']} activities, "
            f"{counts['tool_audits']} audits ({counts['tool_moderated']} moderated)."
        )
        self.stdout.write("")
        self.stdout.write(f"Demo logins (every password: {people.DEMO_PASSWORD}; demo only):")
        width = max(len(name) for name in people.DEMO_USERNAMES) + 2
        name_width = max(len(" ".join(n)) for n in people.DEMO_NAMES.values()) + 2
        self.stdout.write(f"  {'username'.ljust(width)}{'name'.ljust(name_width)}roles")
        for username, role_names, superuser in people.DEMO_USERS:
            name = " ".join(people.DEMO_NAMES[username])
            shown = ", ".join(role_names) + (" (superuser)" if superuser else "")
            self.stdout.write(f"  {username.ljust(width)}{name.ljust(name_width)}{shown}")
        if not result.users_created and not result.loaded:
            self.stdout.write("  (Accounts that already existed keep the password they have.)")
