"""python manage.py refresh_report_figures [--check]: rebuild the figures kept per month.

The services keep them up to date; this is for after a change made outside them (a data fix
in the database shell, a restored backup). ``--check`` changes nothing: it lists the months
whose kept figures differ from a fresh count and exits 1 if there are any.
"""

from django.core.management.base import BaseCommand, CommandError

from audits.figures import refresh_all, stale_months


class Command(BaseCommand):
    help = "Rebuild the report figures kept per month from the audits (or --check them)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="only say which months differ; exit 1 if any do"
        )

    def handle(self, *args, check, **options):
        if check:
            stale = stale_months()
            if stale:
                raise CommandError(
                    "The kept figures differ from the audits for: "
                    + ", ".join(f"{m:%B %Y}" for m in stale)
                    + ". Run refresh_report_figures to rebuild them."
                )
            self.stdout.write("The kept figures match the audits.")
            return
        months = refresh_all()
        self.stdout.write(f"Rebuilt the figures of {months} month(s).")
