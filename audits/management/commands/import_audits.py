"""python manage.py import_audits FILE.csv [--by USERNAME]: historic audits from a CSV file."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from audits.csv.importer import import_audits_csv


class Command(BaseCommand):
    help = (
        "Import audits from a UTF-8 CSV file (columns: see audits/csv/contract.py). All or "
        "nothing: if any row has a problem, nothing is written and every problem is listed."
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
                result = import_audits_csv(stream, by=importer, filename=path.name)
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
            self.style.SUCCESS(f"Imported {result.created} audit(s) from {path.name}.")
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
