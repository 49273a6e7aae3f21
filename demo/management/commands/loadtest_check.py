"""``manage.py loadtest_check SAVES.jsonl``: after `make loadtest`, does every audit the load
test saved hold exactly what it last saved? Reads the database; exits 1 naming each audit that
does not (demo.loadtest.check_saves)."""

import json

from django.core.management.base import BaseCommand, CommandError

from demo import loadtest


class Command(BaseCommand):
    help = "Check that every audit the load test saved holds what it last saved."

    def add_arguments(self, parser):
        parser.add_argument("saves", help="the load test's log of saves (JSON lines)")

    def handle(self, *args, saves, **options):
        with open(saves, encoding="utf-8") as log:
            rows = [json.loads(line) for line in log if line.strip()]
        problems = loadtest.check_saves(rows)
        checked = len(loadtest.last_saves(rows))
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(
                f"{len(problems)} of the {checked} saved audits do not hold what was last saved."
            )
        self.stdout.write(f"All {checked} saved audits hold exactly what was last saved.")
