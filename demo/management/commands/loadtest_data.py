"""``manage.py loadtest_data PLAN.json``: fill an empty scratch database for `make loadtest`.

Writes the plan the simulated users follow (demo.loadtest.prepare) to PLAN.json. Refuses a
database that holds audits: the load test makes its own and drops it afterwards.
"""

import json
import time

from django.core.management.base import BaseCommand, CommandError

from demo import loadtest


class Command(BaseCommand):
    help = "Prepare a scratch database for the load test and write its plan (JSON)."

    def add_arguments(self, parser):
        parser.add_argument("plan", help="where to write the plan (JSON)")
        parser.add_argument("--audits", type=int, default=20000)
        parser.add_argument("--drafts", type=int, default=25, help="drafts for each auditor")
        parser.add_argument("--queued", type=int, default=30, help="audits for each moderator")

    def handle(self, *args, plan, audits, drafts, queued, **options):
        started = time.monotonic()
        try:
            made = loadtest.prepare(audits=audits, drafts=drafts, queued=queued)
        except ValueError as error:
            raise CommandError(str(error)) from None
        with open(plan, "w", encoding="utf-8") as out:
            json.dump(made, out)
        self.stdout.write(
            f"{made['audits']} audits, {len(made['auditors'])} auditors with {drafts} drafts "
            f"each, {len(made['moderators'])} moderators with {queued} queued audits each, in "
            f"{time.monotonic() - started:.0f} s"
        )
