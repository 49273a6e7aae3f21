"""The two imports a QA lead may run in the browser, each the command's own import function,
and how the page sums up what it made.

``marker()`` is read before the import runs, in the same transaction, so that ``summarise``
can tell the rows this import made from those already there (the first rows shown are the
import's own, in the order of the file).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Max
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from audits.cases import contract as cases_contract
from audits.cases.importer import import_cases_csv
from audits.csv import contract as audits_contract
from audits.csv.importer import import_audits_csv
from audits.models import Audit, Case, ImportUpload

# How many of the rows an import makes the page shows.
FIRST_ROWS = 10


@dataclass(frozen=True)
class ImportKind:
    slug: str
    title: str  # the page's heading
    noun: str  # what the file holds, in a sentence
    command: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    run: Callable  # (stream, *, by, filename) -> a result with ``errors``
    marker: Callable[[], int]
    summarise: Callable  # (result, marker) -> the summary the page shows (JSON)

    @property
    def optional(self) -> tuple[str, ...]:
        return tuple(c for c in self.columns if c not in self.required)


def _max_pk(model) -> int:
    return model.objects.aggregate(n=Max("pk"))["n"] or 0


def _day(value) -> str:
    return date_format(value, "j F Y") if value else ""


def _named(label, names) -> list:
    return [{"label": str(label), "names": list(names)}] if names else []


def _audits_summary(result, marker: int) -> dict:
    audits = (
        Audit.objects.filter(pk__gt=marker, is_imported=True)
        .select_related("auditor", "activity", "strand", "case_type", "moderated_by")
        .order_by("pk")[:FIRST_ROWS]
    )
    return {
        "counts": [
            [str(_("Audits")), result.created],
            [str(_("Duplicate rows skipped")), len(result.duplicates)],
            [str(_("New accounts")), len(result.created_users)],
            [str(_("New activities")), len(result.created_activities)],
            [str(_("New teams")), len(result.created_teams)],
        ],
        "named": [
            *_named(
                _("New accounts (they cannot sign in until an administrator sets a password)"),
                result.created_users,
            ),
            *_named(_("New activities"), result.created_activities),
            *_named(_("New teams"), result.created_teams),
        ],
        "skipped": [str(duplicate) for duplicate in result.duplicates],
        "total": result.created,
        "columns": [
            str(_("Case reference")),
            str(_("Audit date")),
            str(_("Auditor")),
            str(_("Activity")),
            str(_("Strand")),
            str(_("Case type")),
            str(_("Overall grade")),
            str(_("Moderated grade")),
        ],
        "rows": [
            [
                audit.case_reference,
                _day(audit.audit_date),
                audit.auditor.get_username(),
                audit.activity.name if audit.activity_id else "",
                audit.strand.name,
                audit.case_type.name,
                audit.get_overall_grade_display(),
                audit.get_moderated_grade_display() or "",
            ]
            for audit in audits
        ],
    }


def _cases_summary(result, marker: int) -> dict:
    cases = (
        Case.objects.filter(last_import=result.record)
        .select_related("case_holder", "team", "strand", "case_type", "age_band")
        .order_by("pk")[:FIRST_ROWS]
        if result.record is not None
        else []
    )
    return {
        "counts": [
            [str(_("New cases")), result.created],
            [str(_("Cases updated")), result.updated],
            [str(_("Cases moved to another holder or team")), result.moved],
            [str(_("Cases unchanged")), result.unchanged],
            [str(_("New case holders")), len(result.created_people)],
            [str(_("New teams")), len(result.created_teams)],
        ],
        "named": [
            *_named(_("New case holders (without an account)"), result.created_people),
            *_named(_("New teams"), result.created_teams),
        ],
        "skipped": [],
        "total": result.created + result.updated + result.unchanged,
        "columns": [
            str(_("Case reference")),
            str(_("Case holder")),
            str(_("Team")),
            str(_("Strand")),
            str(_("Case type")),
            str(_("Age band")),
            str(_("Open date")),
            str(_("On the list")),
        ],
        "rows": [
            [
                case.case_reference,
                case.case_holder.name,
                case.team.name,
                case.strand.name,
                case.case_type.name,
                case.age_band.name if case.age_band_id else "",
                _day(case.open_date),
                str(_("New")) if case.pk > marker else str(_("Already known")),
            ]
            for case in cases
        ],
    }


KINDS: dict[str, ImportKind] = {
    ImportUpload.Kind.AUDITS: ImportKind(
        slug=ImportUpload.Kind.AUDITS,
        title=_("Import historic audits"),
        noun=_("audits that happened before this system, one per row"),
        command="import_audits",
        columns=audits_contract.COLUMNS,
        required=audits_contract.REQUIRED_COLUMNS,
        run=import_audits_csv,
        marker=lambda: _max_pk(Audit),
        summarise=_audits_summary,
    ),
    ImportUpload.Kind.CASES: ImportKind(
        slug=ImportUpload.Kind.CASES,
        title=_("Import the case list"),
        noun=_("the case management system's extract of open cases, one case per row"),
        command="import_cases",
        columns=cases_contract.COLUMNS,
        required=cases_contract.REQUIRED_COLUMNS,
        run=import_cases_csv,
        marker=lambda: _max_pk(Case),
        summarise=_cases_summary,
    ),
}
