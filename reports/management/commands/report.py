"""python manage.py report --start YYYY-MM-DD --end YYYY-MM-DD: the scrutiny report's figures.

The JSON is the contract of ``reports.contract`` (the web endpoint /reports/summary.json returns
the same). Bad arguments stop the command with the problem named and a non-zero exit status.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from reports.contract import ScopeError, scope_from_arguments, summary

TEXT_FORMATS = ("json", "html", "csv")
BINARY_FORMATS = ("pdf", "xlsx")


class Command(BaseCommand):
    help = (
        "Print the figures of a scrutiny report for a period (JSON by default), or write it as "
        "HTML or PDF; csv and xlsx give the audits behind the figures, for analysis."
    )

    def add_arguments(self, parser):
        parser.add_argument("--start", help="first day of the period, YYYY-MM-DD")
        parser.add_argument("--end", help="last day of the period, YYYY-MM-DD")
        parser.add_argument("--activity", help="only audits of this audit activity (its name)")
        # Not argparse choices: strands are a vocabulary an administrator keeps, so the check
        # (and its message) is scope_from_arguments', the same as the web endpoint's.
        parser.add_argument("--strand", help="only this strand's audits (social_care, early_help)")
        parser.add_argument("--case-type", dest="case_type", help="only this case type (its slug)")
        parser.add_argument("--format", default="json", choices=(*TEXT_FORMATS, *BINARY_FORMATS))
        parser.add_argument("--output", help="write to this file instead of standard output")

    def handle(
        self,
        *args,
        start=None,
        end=None,
        activity=None,
        strand=None,
        case_type=None,
        format="json",
        output=None,
        **options,
    ):
        if format in BINARY_FORMATS and not output:
            raise CommandError(f"--format {format} writes a binary file: give --output FILE.")
        try:
            scope = scope_from_arguments(
                start=start, end=end, activity=activity, strand=strand, case_type=case_type
            )
        except ScopeError as exc:
            raise CommandError(str(exc)) from None

        if format == "csv":
            self._write_csv(scope, output)
            return
        if format == "xlsx":
            from reports.exports import write_report_xlsx

            with self._open(output, "wb") as stream:
                count = write_report_xlsx(scope, stream)
            self.stdout.write(f"Wrote {count} audit(s) and the summary to {output}.")
            return

        figures = summary(scope)
        if format == "json":
            content = json.dumps(figures, indent=2, cls=DjangoJSONEncoder, ensure_ascii=False)
        else:
            # Imported only when asked for: the HTML and PDF path loads templates and WeasyPrint,
            # which a JSON user never needs.
            from reports.rendering.html import report_html

            content = report_html(figures=figures, report=None, for_pdf=format == "pdf")
        if format == "pdf":
            from reports.rendering.pdf import html_to_pdf

            with self._open(output, "wb") as stream:
                stream.write(html_to_pdf(content))
            self.stdout.write(f"Wrote the report to {output}.")
        elif output:
            with self._open(output, "w") as stream:
                stream.write(content + "\n")
            self.stdout.write(f"Wrote the report to {output}.")
        else:
            self.stdout.write(content)

    def _write_csv(self, scope, output):
        from reports.exports import write_report_csv

        if output:
            with self._open(output, "w") as stream:
                count = write_report_csv(scope, stream)
            self.stdout.write(f"Wrote {count} audit(s) to {output}.")
        else:
            # BaseCommand's stdout wrapper adds a newline to every write unless told otherwise.
            write_report_csv(scope, _Unending(self.stdout))

    @staticmethod
    def _open(path, mode):
        try:
            if "b" in mode:
                return open(path, mode)
            return open(path, mode, encoding="utf-8", newline="")
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror or exc}.") from None


class _Unending:
    """Hands csv.writer's lines to a command's OutputWrapper without an extra line ending."""

    def __init__(self, wrapper):
        self.wrapper = wrapper

    def write(self, value: str):
        self.wrapper.write(value, ending="")
