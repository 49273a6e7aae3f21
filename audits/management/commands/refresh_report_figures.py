"""python manage.py refresh_report_figures [--check]: rebuild the figures kept per month and
the links between each case's audits (audits.case_links).

The services keep them up to date; this is for after a change made outside them (a data fix
in the database shell, a restored backup). ``--check`` changes nothing: it lists the months
whose kept figures differ from a fresh count, and how many case links differ, and exits 1 if
any do.
"""

from django.core.management.base import BaseCommand, CommandError

from audits.case_links import stale_links
from audits.figures import refresh_all, stale_months


class Command(BaseCommand):
    help = "Rebuild the report figures kept per month from the audits (or --check them)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="only say which months differ; exit 1 if any do"
        )

    def handle(self, *args, check, **options):
        if check:
            stale, links = stale_months(), stale_links()
            problems = []
            if stale:
                problems.append(
                    "The kept figures differ from the audits for: "
                    + ", ".join(f"{m:%B %Y}" for m in stale)
                    + "."
                )
            if links:
                problems.append(f"{links} link(s) between a case's audits differ from the audits.")
            if problems:
                raise CommandError(" ".join([*problems, "Run refresh_report_figures to rebuild."]))
            self.stdout.write("The kept figures and case links match the audits.")
            return
        months = refresh_all()
        self.stdout.write(f"Rebuilt the figures of {months} month(s) and every case's links.")
