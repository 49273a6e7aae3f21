"""python manage.py import_audits FILE.csv [--by USERNAME]: historic audits from a CSV file."""

from audits.csv.command import CsvImportCommand
from audits.csv.importer import import_audits_csv


class Command(CsvImportCommand):
    help = (
        "Import audits from a UTF-8 CSV file (columns: see audits/csv/contract.py). All or "
        "nothing: if any row has a problem, nothing is written and every problem is listed."
    )

    def import_file(self, stream, *, by, filename):
        return import_audits_csv(stream, by=by, filename=filename)

    def report(self, result, filename):
        self.stdout.write(
            self.style.SUCCESS(f"Imported {result.created} audit(s) from {filename}.")
        )
        if result.duplicates:
            self.stdout.write(f"Skipped {len(result.duplicates)} duplicate row(s):")
            for duplicate in result.duplicates:
                self.stdout.write(f"  {duplicate}")
        if result.created_users:
            self.stdout.write(
                f"Created {len(result.created_users)} account(s) that cannot log in until an "
                f"administrator sets a password: {', '.join(result.created_users)}"
            )
        if result.created_activities:
            self.stdout.write(
                f"Created {len(result.created_activities)} activity(ies): "
                + "; ".join(result.created_activities)
            )
        if result.created_teams:
            self.stdout.write(
                f"Created {len(result.created_teams)} team(s): " + "; ".join(result.created_teams)
            )
