"""Plain-row INSERTs for the bulk paths (the CSV import's domain grades and the transitions of
``audits.workflow.transitions_bulk``), without building model instances.

bulk_create spends most of a large import's time building and compiling instances (260,000 of
them for 20,000 audits) whose values are ids, codes and one timestamp; docs/PERFORMANCE.md has
the figures. Nothing here checks a rule: callers check theirs first.
"""

import io
from collections.abc import Iterable
from itertools import islice

from django.db import connection

# Rows per multi-row INSERT where neither executemany (SQLite) nor COPY (psycopg2) is used.
BATCH_SIZE = 1000


def insert_rows(model, field_names: tuple[str, ...], rows: Iterable[tuple]) -> None:
    """INSERT ``rows`` (tuples of values already in the database's form, in ``field_names``
    order) into ``model``'s table. Nothing fills in defaults: every column must be listed."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in field_names)
    insert = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "
    placeholders = "(" + ", ".join(["%s"] * len(field_names)) + ")"
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # sqlite3 runs executemany as one prepared statement, in C.
            cursor.executemany(insert + placeholders, rows)
            return
        if hasattr(cursor.cursor, "copy_expert"):  # psycopg2
            # COPY takes the least work on both sides of the connection.
            data = io.StringIO("".join("\t".join(map(_copy_text, row)) + "\n" for row in rows))
            cursor.cursor.copy_expert(
                f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN", data
            )
            return
        # Elsewhere executemany is a round trip per row; multi-row VALUES is one per batch.
        rows = iter(rows)
        while batch := list(islice(rows, BATCH_SIZE)):
            cursor.execute(
                insert + ", ".join([placeholders] * len(batch)),
                [value for row in batch for value in row],
            )


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    return str(value).translate(_COPY_ESCAPES)
