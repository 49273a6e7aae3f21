"""Reading a CSV file against a column contract: the pieces every import shares.

The audit import (``audits.csv.importer``) and the case list import (``audits.cases.importer``)
read their files the same way: UTF-8 (a byte order mark accepted), one header row checked
against the contract's columns, cells stripped and un-escaped (``contract.unescape_cell``), a
null character a row error, and every problem a ``RowError`` naming its line and column. Codes
for strands, case types and age bands are resolved by ``vocabulary``; teams by ``ensure_teams``,
which creates those nobody has heard of.
"""

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from django.utils.text import slugify
from django.utils.translation import gettext as _

from audits.csv import contract
from audits.models import Team
from audits.rules import null_character_error


class RowError(NamedTuple):
    """One problem: ``line`` is where the row starts in the file (1 is the header row, 0 the
    file as a whole), ``column`` the contract's column name or "" for the whole row."""

    line: int
    column: str
    reason: str

    def __str__(self):
        where = [_("Line %(n)s") % {"n": self.line}] if self.line else []
        if self.column:
            where.append(self.column)
        return f"{', '.join(where)}: {self.reason}" if where else self.reason


def decode(data, errors: list[RowError]) -> str | None:
    """The file's text, or None with the problem added to ``errors``."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        errors.append(
            RowError(
                line,
                "",
                _(
                    "The file is not UTF-8 text (the first character that is not is on line "
                    "%(line)s). Save it from the spreadsheet as “CSV UTF-8” and import it again."
                )
                % {"line": line},
            )
        )
        return None


def header(
    cells: list[str],
    errors: list[RowError],
    *,
    columns: Sequence[str],
    required: Iterable[str],
    unknown: str,
) -> list[str] | None:
    """The header row's column names, or None with every problem added to ``errors``.

    ``unknown`` words a name that is not a column; it is formatted with ``name``.
    """
    names = [contract.normalise_header(cell) for cell in cells]
    while names and not names[-1]:
        names.pop()  # empty cells after the last column, as spreadsheets sometimes save
    problems = []
    seen = set()
    for position, name in enumerate(names, start=1):
        if error := null_character_error(name, _("The header cell")):
            problems.append(RowError(1, _("column %(n)s") % {"n": position}, error))
        elif not name:
            problems.append(
                RowError(
                    1,
                    _("column %(n)s") % {"n": position},
                    _("This column has no name in the header row."),
                )
            )
        elif name not in columns:
            problems.append(RowError(1, name, unknown % {"name": name}))
        elif name in seen:
            problems.append(RowError(1, name, _("The column is in the header twice.")))
        seen.add(name)
    if problems:
        problems.append(
            RowError(1, "", _("The columns are: %(columns)s.") % {"columns": ", ".join(columns)})
        )
    for name in required:
        if name not in seen:
            problems.append(
                RowError(
                    1,
                    name,
                    _("The required column “%(name)s” is missing from the header row.")
                    % {"name": name},
                )
            )
    errors.extend(problems)
    return None if problems else names


def cells_by_column(line, cells, columns, errors: list[RowError]) -> dict[str, str]:
    """One row's cells by column name: stripped, un-escaped, a null character an error."""
    if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
        errors.append(
            RowError(
                line,
                "",
                _("The row has %(cells)s cells but the header names only %(columns)s columns.")
                % {"cells": len(cells), "columns": len(columns)},
            )
        )
    # A short row is read as blanks at the end: some tools drop trailing empty cells.
    unescape = contract.unescape_cell
    values = {name: unescape(cell.strip()) for name, cell in zip(columns, cells)}
    # PostgreSQL cannot store a null character (psycopg2 raises on one), so it is a row error
    # here as in every form; every other character is kept as typed.
    for name, value in values.items():
        if error := null_character_error(value, _("The cell")):
            errors.append(RowError(line, name, error))
            # Checked without it, so the row's other problems are listed too.
            values[name] = value.replace("\x00", "")
    return values


def vocabulary(model) -> dict:
    """Slug or name, in any case -> pk. Retired entries count: files carry history."""
    lookup, slugs = {}, []
    for pk, slug, name in model.objects.order_by("order", "name").values_list("pk", "slug", "name"):
        lookup.setdefault(name.lower(), pk)
        lookup[slug.lower()] = pk
        slugs.append(slug)
    return {"lookup": lookup, "allowed": ", ".join(slugs)}


def vocabulary_error(vocabulary: dict, value: str, column: str) -> str:
    """The message for a code ``vocabulary`` does not know."""
    return _("“%(value)s” is not a known %(column)s (use one of: %(allowed)s).") % {
        "value": value,
        "column": column.replace("_", " "),
        "allowed": vocabulary["allowed"],
    }


def ensure_teams(names: Iterable[str]) -> tuple[dict[str, int], list[str]]:
    """Team name or slug, lower-cased -> pk, after creating the teams of ``names`` nobody has
    heard of; and the names of those created, in the order met."""
    known = {}
    slugs = set()
    created = []
    for pk, slug, name in Team.objects.values_list("pk", "slug", "name"):
        known.setdefault(name.lower(), pk)
        known[slug.lower()] = pk
        slugs.add(slug)
    for name in names:
        if name and name.lower() not in known:
            team = Team.objects.create(name=name, slug=_unique_slug(name, slugs))
            slugs.add(team.slug)
            known[name.lower()] = team.pk
            created.append(team.name)
    return known, created


def _unique_slug(name: str, taken: set[str]) -> str:
    max_length = Team._meta.get_field("slug").max_length
    base = slugify(name)[:max_length].strip("-") or "team"
    slug, n = base, 1
    while slug in taken:
        n += 1
        suffix = f"-{n}"
        slug = base[: max_length - len(suffix)] + suffix
    return slug
