"""python manage.py benchmark_export --start YYYY-MM-DD --end YYYY-MM-DD [--output FILE]

Writes this council's benchmark file for the period (reports.benchmark.export; the layout is
docs/BENCHMARK.md and docs/benchmark-schema.json): to FILE, or to standard output. Bad
arguments, or a file that fails its checks, stop the command with the problem named, a
non-zero exit status and nothing written.
"""

from django.core.management.base import BaseCommand, CommandError

from reports.benchmark.export import ExportRefused, export_for, unmapped_note
from reports.contract import ScopeError


class Command(BaseCommand):
    help = (
        "Write this council's anonymised figures for a period as a benchmark file (JSON) to "
        "share with other councils: counts only, small counts suppressed, national categories."
    )

    def add_arguments(self, parser):
        parser.add_argument("--start", help="first day of the period, YYYY-MM-DD")
        parser.add_argument("--end", help="last day of the period, YYYY-MM-DD")
        parser.add_argument("--output", help="write to this file instead of standard output")

    def handle(self, *args, start=None, end=None, output=None, **options):
        try:
            made = export_for(start=start, end=end)
        except (ScopeError, ExportRefused) as exc:
            raise CommandError(str(exc)) from None
        for item in made.unmapped:
            self.stderr.write(unmapped_note(item))
        if not output:
            self.stdout.write(made.text, ending="")
            return
        try:
            with open(output, "w", encoding="utf-8") as stream:
                stream.write(made.text)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror or exc}.") from None
        self.stdout.write(f"Wrote the benchmark file for {start} to {end} to {output}.")
