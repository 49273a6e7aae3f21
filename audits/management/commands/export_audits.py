"""python manage.py export_audits FILE.csv: every audit past draft, in the import's columns."""

from django.core.management.base import BaseCommand, CommandError

from audits.csv.exporter import write_audits_csv
from audits.models import Audit, Status


class Command(BaseCommand):
    help = (
        "Export every audit past draft to a UTF-8 CSV file in the columns import_audits reads "
        "(audits/csv_contract.py), oldest first."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file to write (overwritten)")
        parser.add_argument(
            "--bom", action="store_true", help="start the file with a byte order mark, for Excel"
        )

    def handle(self, *args, file, bom=False, **options):
        # Drafts are left out: they are unfinished and would not pass the import's checks.
        audits = Audit.objects.exclude(status=Status.DRAFT).order_by(
            "audit_date", "case_reference", "pk"
        )
        try:
            with open(file, "w", encoding="utf-8", newline="") as stream:
                count = write_audits_csv(audits, stream, bom=bom)
        except OSError as exc:
            raise CommandError(f"Cannot write {file}: {exc.strerror or exc}.") from None
        self.stdout.write(self.style.SUCCESS(f"Exported {count} audit(s) to {file}."))
