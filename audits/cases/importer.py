"""Import the case list from the case management system's extract (``audits.cases.contract``).

All or nothing, like the audit import: every row is checked first, against the vocabularies,
people and cases each loaded once, and every problem is listed by line and column; only a file
without problems is written, in one transaction. A case is known by its case reference
(compared as ``audits.rules.case_reference_key`` says): a newer extract updates the cases it
already knows (holder, team and the rest: cases move) and never adds a second row for one.
Cases missing from a newer extract are kept (audits and draws refer to them).

Case holders are people (``Person``) found by name, in any case and spacing; a new name becomes
a person without an account. A person's team is the team of the last row naming them.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.csv import contract as csv_contract
from audits.csv.reading import (
    RowError,
    cells_by_column,
    decode,
    ensure_teams,
    header,
    vocabulary,
    vocabulary_error,
)
from audits.models import AgeBand, Case, CaseImport, CaseType, Person, Strand, Team
from audits.periods import report_date_error
from audits.rules import CASE_REFERENCE_RE, case_reference_error, case_reference_key

from . import contract

BATCH_SIZE = 1000
# What a newer extract may change on a known case.
UPDATED_FIELDS = (
    "case_holder_id",
    "team_id",
    "strand_id",
    "case_type_id",
    "age_band_id",
    "open_date",
    "family_group",
)


@dataclass
class CaseImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Of the updated, those whose holder or team changed.
    moved: int = 0
    created_people: list[str] = field(default_factory=list)
    created_teams: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    record: CaseImport | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(slots=True)
class _Row:
    line: int
    case_reference: str
    case_holder: str
    team: str
    strand_id: int
    case_type_id: int
    age_band_id: int | None
    open_date: datetime.date
    family_group: str


def import_cases_csv(
    stream, *, by=None, filename: str = "", today: datetime.date | None = None
) -> CaseImportResult:
    """Import the case list in ``stream`` (bytes or text, e.g. a file opened "rb" or an upload).

    Returns a CaseImportResult; problems with the file or its rows come back in ``errors``
    (and then nothing has been written), never as an exception. ``by`` is recorded on the
    import's record (``CaseImport``).
    """
    result = CaseImportResult()
    text = decode(stream.read(), result.errors)
    if text is None:
        return result
    rows = _parse_rows(text, result, today or timezone.localdate())
    if result.errors:
        return result
    with transaction.atomic():
        _write(rows, result, by=by, filename=filename)
    return result


def _parse_rows(text: str, result: CaseImportResult, today: datetime.date) -> list[_Row]:
    errors = result.errors
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[_Row] = []
    columns = None
    parser = None
    next_line = 1
    try:
        for cells in reader:
            line, next_line = next_line, reader.line_num + 1
            if columns is None:
                columns = header(
                    cells,
                    errors,
                    columns=contract.COLUMNS,
                    required=contract.REQUIRED_COLUMNS,
                    unknown=_("“%(name)s” is not a column of the case list CSV."),
                )
                if columns is None:
                    return []
                parser = _RowParser(today=today)
                continue
            if not any(cell.strip() for cell in cells):
                continue  # spreadsheets often leave empty rows at the end
            row = parser.parse(line, cells_by_column(line, cells, columns, errors))
            if row is not None:
                rows.append(row)
    except csv.Error as exc:
        errors.append(
            RowError(
                next_line, "", _("This line cannot be read as CSV (%(error)s).") % {"error": exc}
            )
        )
    if columns is None and not errors:
        errors.append(
            RowError(
                1,
                "",
                _("The file is empty: the first row must be the header row naming the columns."),
            )
        )
    errors.extend(parser.errors if parser else ())
    errors.sort(key=lambda e: e.line)
    return rows


class _RowParser:
    """Checks and converts one row at a time against lookups loaded once."""

    def __init__(self, *, today: datetime.date):
        self.today = today
        self.errors: list[RowError] = []
        self.strands = vocabulary(Strand)
        self.case_types = vocabulary(CaseType)
        self.age_bands = vocabulary(AgeBand)
        self.first_line: dict[str, int] = {}
        self._name_max = Person._meta.get_field("name").max_length
        self._team_max = Team._meta.get_field("name").max_length
        self._family_max = Case._meta.get_field("family_group").max_length

    def parse(self, line: int, cells: dict[str, str]) -> _Row | None:
        errors_before = len(self.errors)

        def bad(column, reason):
            self.errors.append(RowError(line, column, reason))

        get = cells.get
        case_reference = get("case_reference", "")
        if error := case_reference_error(case_reference):
            bad("case_reference", error)
        else:
            key = case_reference_key(case_reference)
            if key in self.first_line:
                bad(
                    "case_reference",
                    _("The case %(case)s is on line %(line)s already: list each case once.")
                    % {"case": case_reference, "line": self.first_line[key]},
                )
            else:
                self.first_line[key] = line
        case_holder = " ".join(get("case_holder", "").split())
        if not case_holder:
            bad("case_holder", _("Enter the case holder's name."))
        elif len(case_holder) > self._name_max:
            bad(
                "case_holder",
                _("A case holder's name can be at most %(n)s characters.") % {"n": self._name_max},
            )
        team = get("team", "")
        if not team:
            bad("team", _("Enter the team."))
        elif len(team) > self._team_max:
            bad("team", _("A team name can be at most %(n)s characters.") % {"n": self._team_max})
        strand_id = self._choice(self.strands, get("strand", ""), "strand", bad, required=True)
        case_type_id = self._choice(
            self.case_types, get("case_type", ""), "case_type", bad, required=True
        )
        age_band_id = self._choice(self.age_bands, get("age_band", ""), "age_band", bad)
        open_date = self._date(get("open_date", ""), bad)
        family_group = get("family_group", "")
        if family_group and not CASE_REFERENCE_RE.match(family_group):
            bad(
                "family_group",
                _(
                    "The family group must be 1 to %(n)s letters, digits or hyphens "
                    "(the case management system's ID, never a name)."
                )
                % {"n": self._family_max},
            )

        if len(self.errors) > errors_before:
            return None
        return _Row(
            line,
            case_reference,
            case_holder,
            team,
            strand_id,
            case_type_id,
            age_band_id,
            open_date,
            family_group,
        )

    def _date(self, value, bad) -> datetime.date | None:
        if not value:
            bad("open_date", _("Enter the date the case was opened."))
            return None
        try:
            day = csv_contract.parse_date(value)
        except ValueError as exc:
            bad("open_date", str(exc))
            return None
        if error := report_date_error(day, _("The open date")):
            bad("open_date", error)
        elif day > self.today:
            bad("open_date", _("The open date cannot be in the future."))
        return day

    @staticmethod
    def _choice(lookup, value, column, bad, *, required=False) -> int | None:
        if not value:
            if required:
                bad(column, _("Enter the %(column)s.") % {"column": column.replace("_", " ")})
            return None
        pk = lookup["lookup"].get(value.lower())
        if pk is None:
            bad(column, vocabulary_error(lookup, value, column))
        return pk


def _write(rows: list[_Row], result: CaseImportResult, *, by, filename: str) -> None:
    record = CaseImport.objects.create(at=timezone.now(), by=by, filename=filename)
    teams, result.created_teams = ensure_teams(row.team for row in rows)
    people = _ensure_people(rows, teams, result)

    existing = {
        case_reference_key(case.case_reference): case
        for case in Case.objects.only("pk", "case_reference", *UPDATED_FIELDS).iterator(
            chunk_size=5000
        )
    }
    new, changed = [], []
    for row in rows:
        values = {
            "case_holder_id": people[Person.key_for(row.case_holder)],
            "team_id": teams[row.team.lower()],
            "strand_id": row.strand_id,
            "case_type_id": row.case_type_id,
            "age_band_id": row.age_band_id,
            "open_date": row.open_date,
            "family_group": row.family_group,
        }
        case = existing.get(case_reference_key(row.case_reference))
        if case is None:
            new.append(Case(case_reference=row.case_reference, last_import=record, **values))
            continue
        case.last_import = record
        if any(getattr(case, name) != value for name, value in values.items()):
            if (case.case_holder_id, case.team_id) != (values["case_holder_id"], values["team_id"]):
                result.moved += 1
            for name, value in values.items():
                setattr(case, name, value)
            changed.append(case)
        else:
            result.unchanged += 1
    Case.objects.bulk_create(new, batch_size=BATCH_SIZE)
    now = timezone.now()
    for case in changed:
        case.updated_at = now
    Case.objects.bulk_update(
        changed, [*UPDATED_FIELDS, "last_import", "updated_at"], batch_size=BATCH_SIZE
    )
    # Cases the extract repeats unchanged are still in it: their last import is this one.
    in_file = {case_reference_key(row.case_reference) for row in rows}
    changed_pks = {case.pk for case in changed}
    unchanged_pks = [
        case.pk for key, case in existing.items() if key in in_file and case.pk not in changed_pks
    ]
    for start in range(0, len(unchanged_pks), BATCH_SIZE):
        Case.objects.filter(pk__in=unchanged_pks[start : start + BATCH_SIZE]).update(
            last_import=record
        )

    result.created = len(new)
    result.updated = len(changed)
    record.created, record.updated, record.unchanged = (
        result.created,
        result.updated,
        result.unchanged,
    )
    record.save(update_fields=["created", "updated", "unchanged"])
    result.record = record


def _ensure_people(rows: list[_Row], teams: dict[str, int], result: CaseImportResult):
    """Person key -> pk, creating the people nobody has heard of; each person's team becomes
    the team of the last row that names them."""
    team_of: dict[str, int] = {}
    name_of: dict[str, str] = {}
    for row in rows:
        key = Person.key_for(row.case_holder)
        team_of[key] = teams[row.team.lower()]
        name_of.setdefault(key, row.case_holder)
    known = {person.name_key: person for person in Person.objects.only("pk", "name_key", "team")}
    moved = []
    for key, team_id in team_of.items():
        person = known.get(key)
        if person is None:
            person = Person.objects.create(name=name_of[key], name_key=key, team_id=team_id)
            known[key] = person
            result.created_people.append(person.name)
        elif person.team_id != team_id:
            person.team_id = team_id
            moved.append(person)
    Person.objects.bulk_update(moved, ["team"], batch_size=BATCH_SIZE)
    return {key: person.pk for key, person in known.items()}
