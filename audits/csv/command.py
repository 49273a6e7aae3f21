"""What the CSV import commands (import_audits, import_cases) share: ``FILE.csv [--by
USERNAME]``, reading the file, all-or-nothing, and every problem listed by line and column on
standard error with exit 1. A command names its import function and says what it made."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError


class CsvImportCommand(BaseCommand):
    def import_file(self, stream, *, by, filename):
        """Run the import (a service taking the open file): its result, with ``errors``."""
        raise NotImplementedError

    def report(self, result, filename: str) -> None:
        """Say what the import made."""
        raise NotImplementedError

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
                result = self.import_file(stream, by=importer, filename=path.name)
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
        self.report(result, path.name)
