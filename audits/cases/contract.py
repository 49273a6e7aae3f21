"""The case list's CSV contract: the columns of the case management system's extract.

One header row, UTF-8 (a byte order mark is accepted), one case per row:

    case_reference, case_holder (the person's name), team (name or slug), strand (slug or
    name), case_type (slug or name), age_band (slug or name; may be blank), open_date
    (YYYY-MM-DD), family_group (optional column: the family's ID in the case management system)

Codes are read as the audit import reads them (``audits.csv.reading``); cells are read through
the same un-escaping of spreadsheet formulas (``audits.csv.contract``).
"""

COLUMNS = (
    "case_reference",
    "case_holder",
    "team",
    "strand",
    "case_type",
    "age_band",
    "open_date",
    "family_group",
)
OPTIONAL_COLUMNS = frozenset({"family_group"})
REQUIRED_COLUMNS = tuple(c for c in COLUMNS if c not in OPTIONAL_COLUMNS)
