"""python manage.py benchmark_merge FILE... [--format json]

Merges several councils' benchmark files (benchmark_export's) into a regional comparison
(reports.benchmark.merge): each council's figures, the region's, and where this council
(COUNCIL_NAME) stands, with 95% Wilson intervals. A readable table by default; with --format
json, {"schema", "councils", "region", "standing"}. A file that cannot be read, is of another
schema version or fails the schema, or a second file from one council for one period, stops the
command with each problem named by its file and a non-zero exit status.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.benchmark.merge import MergeRefused, as_json, as_text, compare


class Command(BaseCommand):
    help = "Merge councils' benchmark files into a regional comparison."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="benchmark files (JSON)")
        parser.add_argument("--format", default="text", choices=("text", "json"))

    def handle(self, *args, files=(), format="text", **options):
        read, problems = [], []
        for name in files:
            try:
                read.append((name, Path(name).read_bytes()))
            except OSError as exc:
                problems.append(f"{name}: cannot be read ({exc.strerror or exc}).")
        if problems:
            raise CommandError(" ".join(problems))
        try:
            comparison = compare(read)
        except MergeRefused as exc:
            raise CommandError("\n".join(exc.problems)) from None
        if format == "json":
            self.stdout.write(json.dumps(as_json(comparison), indent=2, ensure_ascii=False))
        else:
            self.stdout.write(as_text(comparison), ending="")
