"""The CSV data contract for audits (issue 2, item 8): the columns and how each cell is written
and read.

The importer (``audits.csv.importer``) and the exporter (``audits.csv.exporter``) both go through this
module, so a file the exporter writes imports back unchanged. One header row, UTF-8 (a byte order
mark is accepted on import), one audit per row:

    case_reference, audit_date (YYYY-MM-DD), auditor (username), activity (name), strand (slug),
    case_type (slug), age_band (optional), team (optional), domain_1 … domain_12 (grade codes),
    overall_grade, moderated_grade (optional), moderator (username, with moderated_grade),
    practice (optional yes|no), comments (optional)

Each row is an audit that already happened, so it is imported completed: moderated when it has
a moderated grade, else completed without moderation (the README's "Data contract" section).

Spreadsheet formula injection: a text cell that a spreadsheet would run as a formula (starting
with = + - @, a tab or a carriage return) is written with a leading apostrophe, and the importer
takes that apostrophe off again. The rule is reversible for every string, so round trips stay
exact (see ``escape_cell``).
"""

import datetime
import re

from django.utils.translation import gettext as _

DOMAIN_COUNT = 12
DOMAIN_COLUMNS = tuple(f"domain_{n}" for n in range(1, DOMAIN_COUNT + 1))

COLUMNS = (
    "case_reference",
    "audit_date",
    "auditor",
    "activity",
    "strand",
    "case_type",
    "age_band",
    "team",
    *DOMAIN_COLUMNS,
    "overall_grade",
    "moderated_grade",
    "moderator",
    "practice",
    "comments",
)
# Columns a file may leave out altogether; every other column must be in the header.
OPTIONAL_COLUMNS = frozenset(
    {"age_band", "team", "moderated_grade", "moderator", "practice", "comments"}
)
REQUIRED_COLUMNS = tuple(c for c in COLUMNS if c not in OPTIONAL_COLUMNS)

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A cell a spreadsheet would treat as a formula, possibly already behind our apostrophes.
_FORMULA_RE = re.compile(r"^'*[=+\-@\t\r]")
_ESCAPED_RE = re.compile(r"^'+[=+\-@\t\r]")

YES, NO = "yes", "no"


def normalise_header(name: str) -> str:
    """A header cell as the contract spells it: surrounding space dropped, lower case."""
    return name.strip().lower()


def escape_cell(value: str) -> str:
    """``value`` safe to open in a spreadsheet: one apostrophe before a formula-like start.

    Values that already start with apostrophes before such a character get one more, so
    ``unescape_cell`` can always take exactly one off again.
    """
    if value and _FORMULA_RE.match(value):
        return "'" + value
    return value


def unescape_cell(value: str) -> str:
    """The inverse of ``escape_cell``."""
    if value[:1] == "'" and _ESCAPED_RE.match(value):
        return value[1:]
    return value


def format_date(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def parse_date(value: str) -> datetime.date:
    """A date written YYYY-MM-DD; raises ValueError with a message a user can read."""
    # date.fromisoformat alone also takes forms such as 20261125 or 2026-W48-3.
    if not _DATE_RE.match(value):
        raise ValueError(_("“%(value)s” is not a date written YYYY-MM-DD.") % {"value": value})
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValueError(_("“%(value)s” is not a real date.") % {"value": value}) from None


def format_yes_no(value: bool) -> str:
    return YES if value else NO


def parse_yes_no(value: str) -> bool:
    """yes or no in any case; blank means no. Raises ValueError otherwise."""
    lowered = value.strip().lower()
    if lowered in ("", NO):
        return False
    if lowered == YES:
        return True
    raise ValueError(_("“%(value)s” is not yes or no.") % {"value": value})
