"""python manage.py import_cases FILE.csv [--by USERNAME]: the case list from the case
management system's extract."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from audits.cases.importer import import_cases_csv


class Command(BaseCommand):
    help = (
        "Import the case list from a UTF-8 CSV file (columns: see audits/cases/contract.py). "
        "All or nothing: if any row has a problem, nothing is written and every problem is "
        "listed. Known cases are updated (holder, team …), never duplicated."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file to import")
        parser.add_argument(
            "--by",
            metavar="USERNAME",
            help="the user recorded as doing the import (default: nobody)",
        )

    def handle(self, *args, file, by=None, **options):
        importer = None
        if by:
            user_model = get_user_model()
            try:
                importer = user_model.objects.get(**{user_model.USERNAME_FIELD: by})
            except user_model.DoesNotExist:
                raise CommandError(f"There is no user “{by}”.") from None
        path = Path(file)
        try:
            with path.open("rb") as stream:
                result = import_cases_csv(stream, by=importer, filename=path.name)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}.") from None
        except DatabaseError as exc:
            raise CommandError(
                f"Nothing was imported: the database refused the import ({exc})."
            ) from None

        if result.errors:
            lines = {error.line for error in result.errors if error.line}
            raise CommandError(
                "\n".join(
                    [
                        f"Nothing was imported from {path.name}: {len(result.errors)} problem(s)"
                        + (f" in {len(lines)} row(s)." if lines else "."),
                        *(f"  {error}" for error in result.errors),
                    ]
                )
            )

        self.stdout.write(
            self.style.SUCCESS(
                f"Imported the case list from {path.name}: {result.created} new case(s), "
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
