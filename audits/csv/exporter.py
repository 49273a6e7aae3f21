"""Write audits as CSV in the contract of ``audits.csv.contract``, so the file imports back.

One query whatever the number of audits: the related names come through joins and the twelve
domain grades through correlated subqueries, and rows are read with ``iterator()``, so a large
export streams instead of building every audit in memory.
"""

import csv
from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, QuerySet, Subquery

from audits.csv import contract
from audits.models import Audit, DomainGrade

_CHUNK_SIZE = 2000


def _grade_column(n: int) -> str:
    return f"csv_domain_{n}"


def _row_values(queryset: QuerySet[Audit]):
    username = get_user_model().USERNAME_FIELD
    grades = {
        _grade_column(n): Subquery(
            DomainGrade.objects.filter(audit=OuterRef("pk"), domain__number=n).values("grade")[:1]
        )
        for n in range(1, contract.DOMAIN_COUNT + 1)
    }
    return (
        queryset.annotate(**grades)
        .values_list(
            "case_reference",
            "audit_date",
            f"auditor__{username}",
            "activity__name",
            "strand__slug",
            "case_type__slug",
            "age_band__slug",
            "team__name",
            *grades,
            "overall_grade",
            "moderated_grade",
            f"moderated_by__{username}",
            "is_practice",
            "overall_comments",
        )
        .iterator(chunk_size=_CHUNK_SIZE)
    )


def audit_csv_rows(queryset: QuerySet[Audit]) -> Iterator[list[str]]:
    """The header, then one list of cells per audit of ``queryset``, in its order."""
    yield list(contract.COLUMNS)
    date_at = contract.COLUMNS.index("audit_date")
    practice_at = contract.COLUMNS.index("practice")
    for values in _row_values(queryset):
        cells = []
        for position, value in enumerate(values):
            if position == date_at:
                cells.append(contract.format_date(value))
            elif position == practice_at:
                cells.append(contract.format_yes_no(value))
            else:
                cells.append(contract.escape_cell((value or "").strip()))
        yield cells


class _Echo:
    """A file-like object whose write() hands back the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def iter_audits_csv(queryset: QuerySet[Audit]) -> Iterator[str]:
    """The CSV one line at a time: the body of a StreamingHttpResponse."""
    writer = csv.writer(_Echo())
    for cells in audit_csv_rows(queryset):
        yield writer.writerow(cells)


def write_audits_csv(queryset: QuerySet[Audit], stream, *, bom: bool = False) -> int:
    """Write the header and one row per audit of ``queryset`` to the text ``stream``.

    ``stream`` needs only write(str): a file opened with newline="", an HttpResponse, a
    StringIO. ``bom`` puts a UTF-8 byte order mark first, which Excel needs to read non-ASCII
    characters correctly; the importer accepts files with or without it. Returns the number of
    audits written. Runs one query however many audits there are.
    """
    if bom:
        stream.write("\ufeff")
    writer = csv.writer(stream)
    count = -1
    for count, cells in enumerate(audit_csv_rows(queryset)):  # noqa: B007 (the first row is the header)
        writer.writerow(cells)
    return count
