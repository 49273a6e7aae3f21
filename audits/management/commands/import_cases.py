"""python manage.py import_cases FILE.csv [--by USERNAME]: the case list from the case
management system's extract."""

from audits.cases.importer import import_cases_csv
from audits.csv.command import CsvImportCommand


class Command(CsvImportCommand):
    help = (
        "Import the case list from a UTF-8 CSV file (columns: see audits/cases/contract.py). "
        "All or nothing: if any row has a problem, nothing is written and every problem is "
        "listed. Known cases are updated (holder, team …), never duplicated."
    )

    def import_file(self, stream, *, by, filename):
        return import_cases_csv(stream, by=by, filename=filename)

    def report(self, result, filename):
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported the case list from {filename}: {result.created} new case(s), "
                f"{result.updated} updated ({result.moved} moved to another holder or team), "
                f"{result.unchanged} unchanged."
            )
        )
        if result.created_people:
            self.stdout.write(
                f"Added {len(result.created_people)} case holder(s) without an account: "
                + "; ".join(result.created_people)
            )
        if result.created_teams:
            self.stdout.write(
                f"Created {len(result.created_teams)} team(s): " + "; ".join(result.created_teams)
            )
