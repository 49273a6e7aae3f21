"""Import historic audits from a CSV file; the columns are in ``audits.csv.contract``.

All or nothing: every row is checked in Python first, against vocabularies, users, activities
and existing audits each loaded once (no query per row), and only when no row has a problem is
anything written, in batches (``bulk_create`` for the audits, plain rows for their domain grades,
and their transitions through ``audits.workflow.transitions_bulk``, which checks every move
against the one transition table) inside one transaction, so a database error half-way writes
nothing either.
docs/PERFORMANCE.md has the figures.

Imported audits carry no domain text and no actions, so they are exempt from the submit rules
that need those; every other rule applies (see ``_RowParser``).
"""

import csv
import datetime
import io
from dataclasses import dataclass, field
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audits import bulk
from audits.case_links import relink_cases
from audits.csv import contract
from audits.csv.reading import (
    RowError,
    cells_by_column,
    decode,
    ensure_teams,
    header,
    vocabulary,
    vocabulary_error,
)
from audits.figures import refresh_months
from audits.grades import Grade
from audits.models import (
    AgeBand,
    Audit,
    AuditActivity,
    AuditTool,
    CaseType,
    DomainGrade,
    Status,
    Strand,
    Team,
)
from audits.periods import month_start
from audits.rules import (
    audit_date_error,
    case_reference_error,
    case_reference_key,
    parse_grade,
)
from audits.security.events import record_bulk_creation
from audits.services import current_tool
from audits.workflow import AuditError, Move, transitions_bulk

# SQLite caps it lower (999 parameters per statement); Django works that out per model.
BATCH_SIZE = 1000


class Duplicate(NamedTuple):
    line: int
    reason: str

    def __str__(self):
        return _("Line %(n)s: %(reason)s") % {"n": self.line, "reason": self.reason}


@dataclass
class ImportResult:
    created: int = 0
    duplicates: list[Duplicate] = field(default_factory=list)
    created_users: list[str] = field(default_factory=list)
    created_activities: list[str] = field(default_factory=list)
    created_teams: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(slots=True)
class _Row:
    line: int
    case_reference: str
    audit_date: datetime.date
    auditor: str
    activity: str
    strand_id: int
    case_type_id: int
    age_band_id: int | None
    team: str
    grades: list[str]
    overall_grade: str
    moderated_grade: str
    moderator: str
    is_practice: bool
    comments: str

    @property
    def key(self) -> tuple:
        return _key(self.case_reference, self.audit_date, self.auditor)


def _key(case_reference, audit_date, auditor) -> tuple:
    # Case references are matched without regard to case, as the earlier-audits lookup does.
    return (case_reference_key(case_reference), audit_date, auditor)


def import_audits_csv(
    stream, *, by=None, filename: str = "", today: datetime.date | None = None
) -> ImportResult:
    """Import the audits in ``stream`` (bytes or text, e.g. a file opened "rb" or an upload).

    Returns an ImportResult; problems with the file or its rows come back in ``errors`` (and
    then nothing has been written), never as an exception. Rows that repeat an existing audit
    (same case reference, audit date and auditor) or an earlier row are skipped as duplicates.
    Unknown auditors and moderators become accounts with an unusable password; unknown
    activities and teams are created. ``by`` is recorded on the transitions and new activities.
    """
    result = ImportResult()
    text = decode(stream.read(), result.errors)
    if text is None:
        return result
    today = today or timezone.localdate()
    with transaction.atomic():
        try:
            tool = current_tool()
        except AuditError as exc:
            result.errors.append(RowError(0, "", str(exc)))
            return result
        # Two imports at once would each miss the other's rows in the duplicate check; the
        # lock on the current tool's row makes the second wait (a no-op on SQLite, which
        # allows one writer anyway).
        tool = AuditTool.objects.select_for_update().get(pk=tool.pk)
        domain_ids = _domain_ids(tool, result)
        if domain_ids is None:
            return result
        rows = _parse_rows(text, result, today)
        if result.errors:
            return result
        _write(
            rows,
            result,
            tool=tool,
            domain_ids=domain_ids,
            by=by,
            comment=_("Imported from %(file)s") % {"file": filename or _("a CSV file")},
        )
    return result


def _domain_ids(tool: AuditTool, result: ImportResult) -> list[int] | None:
    by_number = dict(tool.domains.values_list("number", "pk"))
    if sorted(by_number) != list(range(1, contract.DOMAIN_COUNT + 1)):
        result.errors.append(
            RowError(
                0,
                "",
                _(
                    "The current audit tool does not have exactly the domains 1 to %(n)s that the CSV "
                    "carries, so historic audits cannot be imported into it."
                )
                % {"n": contract.DOMAIN_COUNT},
            )
        )
        return None
    return [by_number[n] for n in range(1, contract.DOMAIN_COUNT + 1)]


def _parse_rows(text: str, result: ImportResult, today: datetime.date) -> list[_Row]:
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
                    result.errors,
                    columns=contract.COLUMNS,
                    required=contract.REQUIRED_COLUMNS,
                    unknown=_("“%(name)s” is not a column of the audit CSV."),
                )
                if columns is None:
                    return []
                parser = _RowParser(today=today)
                continue
            if not any(cell.strip() for cell in cells):
                continue  # spreadsheets often leave empty rows at the end
            row = parser.parse(line, cells_by_column(line, cells, columns, result.errors))
            if row is not None:
                rows.append(row)
    except csv.Error as exc:
        result.errors.append(
            RowError(
                next_line, "", _("This line cannot be read as CSV (%(error)s).") % {"error": exc}
            )
        )
    if columns is None and not result.errors:
        result.errors.append(
            RowError(
                1,
                "",
                _("The file is empty: the first row must be the header row naming the columns."),
            )
        )
    result.errors.extend(parser.errors if parser else ())
    result.errors.sort(key=lambda e: e.line)
    return rows


class _RowParser:
    """Checks and converts one row at a time against lookups loaded once."""

    def __init__(self, *, today: datetime.date):
        self.today = today
        self.errors: list[RowError] = []
        self.strands = vocabulary(Strand)
        self.case_types = vocabulary(CaseType)
        self.age_bands = vocabulary(AgeBand)
        self.username_validator = get_user_model().username_validator
        self.username_max = (
            get_user_model()._meta.get_field(get_user_model().USERNAME_FIELD).max_length
        )
        self._checked_usernames: dict[str, str | None] = {}
        # Worded once, not once per cell: a large file has hundreds of thousands of cells.
        self._domain_required = [
            _("Grade domain %(n)s, or mark it not_applicable.") % {"n": n}
            for n in range(1, contract.DOMAIN_COUNT + 1)
        ]
        self._overall_required = _("Enter the overall grade.")
        self._activity_max = AuditActivity._meta.get_field("name").max_length
        self._team_max = Team._meta.get_field("name").max_length

    def parse(self, line: int, cells: dict[str, str]) -> _Row | None:
        errors_before = len(self.errors)

        def bad(column, reason):
            self.errors.append(RowError(line, column, reason))

        get = cells.get
        case_reference = get("case_reference", "")
        if error := case_reference_error(case_reference):
            bad("case_reference", error)
        audit_date = self._date(get("audit_date", ""), bad)
        auditor = self._username(get("auditor", ""), "auditor", bad, required=True)
        activity = get("activity", "")
        if not activity:
            bad("activity", _("Enter the name of the audit activity."))
        elif len(activity) > self._activity_max:
            bad(
                "activity",
                _("An activity name can be at most %(n)s characters.") % {"n": self._activity_max},
            )
        strand_id = self._choice(self.strands, get("strand", ""), "strand", bad, required=True)
        case_type_id = self._choice(
            self.case_types, get("case_type", ""), "case_type", bad, required=True
        )
        age_band_id = self._choice(self.age_bands, get("age_band", ""), "age_band", bad)
        team = get("team", "")
        if len(team) > self._team_max:
            bad("team", _("A team name can be at most %(n)s characters.") % {"n": self._team_max})

        grades = []
        for column, required in zip(contract.DOMAIN_COLUMNS, self._domain_required):
            grades.append(self._grade(get(column, ""), column, bad, required=required))
        overall = self._grade(
            get("overall_grade", ""),
            "overall_grade",
            bad,
            required=self._overall_required,
            allow_na=False,
        )
        moderated = self._grade(get("moderated_grade", ""), "moderated_grade", bad, allow_na=False)
        moderator = self._username(get("moderator", ""), "moderator", bad)
        if get("moderated_grade") and not get("moderator"):
            bad("moderator", _("Enter the moderator's username: a moderated grade needs one."))
        if get("moderator") and not get("moderated_grade"):
            bad("moderated_grade", _("Enter the moderated grade, or leave the moderator blank."))
        try:
            is_practice = contract.parse_yes_no(get("practice", ""))
        except ValueError as exc:
            bad("practice", str(exc))
            is_practice = False

        if len(self.errors) > errors_before:
            return None
        return _Row(
            line,
            case_reference,
            audit_date,
            auditor,
            activity,
            strand_id,
            case_type_id,
            age_band_id,
            team,
            grades,
            overall,
            moderated,
            moderator,
            is_practice,
            get("comments", ""),
        )

    def _date(self, value, bad) -> datetime.date | None:
        if not value:
            bad("audit_date", _("Enter the audit date."))
            return None
        try:
            audit_date = contract.parse_date(value)
        except ValueError as exc:
            bad("audit_date", str(exc))
            return None
        if error := audit_date_error(audit_date, today=self.today):
            bad("audit_date", error)
        return audit_date

    def _username(self, value, column, bad, *, required=False) -> str:
        if not value:
            if required:
                bad(column, _("Enter the %(column)s's username.") % {"column": column})
            return ""
        if value not in self._checked_usernames:
            error = None
            if len(value) > self.username_max:
                error = _("A username can be at most %(n)s characters.") % {"n": self.username_max}
            else:
                try:
                    self.username_validator(value)
                except ValidationError as exc:
                    error = " ".join(exc.messages)
            self._checked_usernames[value] = error
        if error := self._checked_usernames[value]:
            bad(column, error)
        return value

    def _grade(self, value, column, bad, *, required="", allow_na=True) -> str:
        if not value:
            if required:
                bad(column, required)
            return ""
        try:
            code = parse_grade(value)
        except ValueError as exc:
            bad(column, str(exc))
            return ""
        if code == Grade.NOT_APPLICABLE and not allow_na:
            bad(
                column,
                _("The %(column)s cannot be Not applicable.")
                % {"column": column.replace("_", " ")},
            )
            return ""
        return code

    @staticmethod
    def _choice(vocabulary, value, column, bad, *, required=False) -> int | None:
        if not value:
            if required:
                bad(column, _("Enter the %(column)s.") % {"column": column.replace("_", " ")})
            return None
        pk = vocabulary["lookup"].get(value.lower())
        if pk is None:
            bad(column, vocabulary_error(vocabulary, value, column))
        return pk


# What the change history keeps of an imported audit (its domain grades are in the file, and
# in the audit's domain grade rows).
IMPORTED_FIELDS = (
    "status",
    "case_reference",
    "audit_date",
    "activity_id",
    "strand_id",
    "case_type_id",
    "age_band_id",
    "team_id",
    "overall_grade",
    "overall_comments",
    "moderated_grade",
    "moderated_by_id",
    "is_practice",
)


def _write(rows, result: ImportResult, *, tool, domain_ids, by, comment) -> None:
    rows = _drop_duplicates(rows, result)
    if not rows:
        return
    now = timezone.now()
    users = _ensure_users(rows, result)
    teams, created_teams = ensure_teams(row.team for row in rows)
    result.created_teams.extend(created_teams)
    activity_for = _ensure_activities(rows, result, by=by)

    paths = _import_paths(comment)
    audits = [
        Audit(
            tool_id=tool.pk,
            auditor_id=users[row.auditor],
            status=paths[bool(row.moderated_grade)][-1][1],
            case_reference=row.case_reference,
            audit_date=row.audit_date,
            activity_id=activity_for(row),
            strand_id=row.strand_id,
            case_type_id=row.case_type_id,
            age_band_id=row.age_band_id,
            team_id=teams[row.team.lower()] if row.team else None,
            overall_grade=row.overall_grade,
            overall_comments=row.comments,
            moderated_grade=row.moderated_grade,
            moderated_by_id=users[row.moderator] if row.moderator else None,
            is_practice=row.is_practice,
            is_imported=True,
            submitted_at=now,
        )
        for row in rows
    ]
    Audit.objects.bulk_create(audits, batch_size=BATCH_SIZE)
    if any(audit.pk is None for audit in audits):
        # Only a database that cannot return ids from a bulk insert (SQLite before 3.35)
        # gets here; refuse rather than write grades to the wrong audits.
        raise RuntimeError("The database did not return the ids of the imported audits.")

    bulk.insert_rows(
        DomainGrade,
        ("audit", "domain", "grade", "text"),
        (
            (audit.pk, domain_id, grade, "")
            for audit, row in zip(audits, rows)
            for domain_id, grade in zip(domain_ids, row.grades)
        ),
    )
    # The moves each audit made before this system recorded it, checked against the one
    # transition table like every other status change.
    transitions_bulk(
        (
            Move(audit, from_status, to, move_comment)
            for audit, row in zip(audits, rows)
            for from_status, to, move_comment in paths[bool(row.moderated_grade)]
        ),
        by=by,
        at=now,
    )
    refresh_months({audit.audit_date for audit in audits})
    relink_cases(audit.case_reference for audit in audits)
    record_bulk_creation(audits, fields=IMPORTED_FIELDS, by=by)
    result.created = len(audits)


def _import_paths(comment: str) -> dict[bool, tuple[tuple[str, str, str], ...]]:
    """Moderated or not -> the (from, to, comment) moves of an imported audit, from the draft
    it once was to the status it is imported in. The first move names the file.

    A historic import records audits that already happened, so every one is completed: a row
    with a moderated grade was moderated, a row without one was not and is not waiting for a
    decision (a QA lead can still add it to the moderation queue).
    """
    submitted = (Status.DRAFT, Status.SUBMITTED, comment)
    return {
        False: (
            submitted,
            (
                Status.SUBMITTED,
                Status.COMPLETED,
                _("Not moderated before this system (imported)."),
            ),
        ),
        True: (
            submitted,
            (
                Status.SUBMITTED,
                Status.IN_MODERATION,
                _("Taken for moderation before this system (imported)."),
            ),
            (
                Status.IN_MODERATION,
                Status.COMPLETED,
                _("Moderated before this system (imported)."),
            ),
        ),
    }


def _drop_duplicates(rows: list[_Row], result: ImportResult) -> list[_Row]:
    if not rows:
        return rows
    dates = [row.audit_date for row in rows]
    existing = {
        _key(*values)
        for values in Audit.objects.filter(audit_date__range=(min(dates), max(dates)))
        .values_list("case_reference", "audit_date", f"auditor__{get_user_model().USERNAME_FIELD}")
        .iterator(chunk_size=5000)
    }
    first_line: dict[tuple, int] = {}
    kept = []
    for row in rows:
        key = row.key
        if key in existing:
            result.duplicates.append(
                Duplicate(
                    row.line,
                    _(
                        "an audit of %(case)s on %(date)s by %(auditor)s is already in the database; "
                        "row skipped."
                    )
                    % {"case": row.case_reference, "date": row.audit_date, "auditor": row.auditor},
                )
            )
        elif key in first_line:
            result.duplicates.append(
                Duplicate(
                    row.line,
                    _(
                        "repeats line %(line)s (same case reference, audit date and auditor); "
                        "row skipped."
                    )
                    % {"line": first_line[key]},
                )
            )
        else:
            first_line[key] = row.line
            kept.append(row)
    return kept


def _ensure_users(rows: list[_Row], result: ImportResult) -> dict[str, int]:
    user_model = get_user_model()
    wanted = dict.fromkeys(name for row in rows for name in (row.auditor, row.moderator) if name)
    # All of them in one query: a council has thousands of users at most, and an IN list of
    # every username in a large file would pass SQLite's limit on parameters.
    known = dict(user_model.objects.values_list(user_model.USERNAME_FIELD, "pk"))
    for username in wanted:
        if username not in known:
            # Historic auditors get an account so their audits have an owner, but no way in
            # until an administrator gives them a password and roles.
            user = user_model(**{user_model.USERNAME_FIELD: username})
            user.set_unusable_password()
            user.save()
            known[username] = user.pk
            result.created_users.append(username)
    return known


def _ensure_activities(rows: list[_Row], result: ImportResult, *, by):
    """The function row -> activity pk, after creating the activities that do not exist yet.

    An existing name is matched as the contract says: the only activity of that name; else the
    one in the audit date's month; else the latest one not after the audit date; else the
    earliest. A new name becomes one activity, in the month of its earliest audit in the file,
    so the result does not depend on the order of the rows.
    """
    by_name: dict[str, list[tuple[datetime.date, int]]] = {}
    for pk, name, month in AuditActivity.objects.order_by("month").values_list(
        "pk", "name", "month"
    ):
        by_name.setdefault(name, []).append((month, pk))

    new_months: dict[str, datetime.date] = {}
    for row in rows:
        if row.activity not in by_name:
            month = month_start(row.audit_date)
            new_months[row.activity] = min(month, new_months.get(row.activity, month))
    for name, month in new_months.items():
        activity = AuditActivity.objects.create(name=name, month=month, created_by=by)
        by_name[name] = [(month, activity.pk)]
        result.created_activities.append(str(activity))

    def activity_for(row: _Row) -> int:
        options = by_name[row.activity]
        if len(options) == 1:
            return options[0][1]
        for option_month, pk in options:
            if (option_month.year, option_month.month) == (
                row.audit_date.year,
                row.audit_date.month,
            ):
                return pk
        not_after = [pk for option_month, pk in options if option_month <= row.audit_date]
        return not_after[-1] if not_after else options[0][1]

    return activity_for
