"""The audits behind a report, for analysis: as CSV, and as an XLSX workbook with the summary.

Both list exactly the audits the report counts (``reportable_audits``), in the columns of the
CSV import contract (``audits.csv.contract``), so a file exported here imports back. Both run a
fixed number of queries whatever the number of audits: the rows come from one streamed query
(``audits.csv.exporter``) and the summary from ``report_figures``.
"""

import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font

from audits import grades
from audits.csv import contract
from audits.csv.exporter import audit_csv_rows, write_audits_csv
from audits.grades import DOMAIN_CODES, OVERALL_CODES
from audits.models import Audit, CaseType, Strand

from .figures import report_figures
from .selectors import ReportScope, reportable_audits

# Fixed names, not translated: analysis scripts open the sheets by name.
AUDITS_SHEET = "Audits"
SUMMARY_SHEET = "Summary"
PERCENT = "0.0%"
DATE = "yyyy-mm-dd"
_BOLD = Font(bold=True)


def report_audits(scope: ReportScope) -> QuerySet[Audit]:
    """The audits a report over ``scope`` counts, oldest first."""
    return reportable_audits(scope).order_by("audit_date", "case_reference", "pk")


def write_report_csv(scope: ReportScope, stream, *, bom: bool = False) -> int:
    """Write the audits behind the report as CSV to the text ``stream``; one query.

    Returns the number of audits written. ``bom`` as for ``audits.csv.exporter.write_audits_csv``.
    """
    return write_audits_csv(report_audits(scope), stream, bom=bom)


def write_report_xlsx(
    scope: ReportScope, stream, *, today: datetime.date | None = None, figures: dict | None = None
) -> int:
    """Write an XLSX workbook to the binary ``stream``: sheet "Audits" (the CSV's columns) and
    sheet "Summary" (the report's tables). Returns the number of audits.

    ``figures`` may be passed when the caller already has ``report_figures(scope)``; otherwise
    they are counted here. A fixed number of queries: the figures', one for the audits and two
    for the strand and case type names.
    """
    if figures is None:
        figures = report_figures(scope, today=today or timezone.localdate())
    # Write-only mode streams rows to the file, so a large export does not hold every cell.
    workbook = Workbook(write_only=True)
    count = _audits_sheet(workbook.create_sheet(AUDITS_SHEET), scope)
    _summary_sheet(workbook.create_sheet(SUMMARY_SHEET), figures)
    workbook.save(stream)
    return count


def _audits_sheet(sheet, scope: ReportScope) -> int:
    rows = audit_csv_rows(report_audits(scope))
    header = next(rows)
    sheet.freeze_panes = "A2"
    sheet.append([_bold(sheet, name) for name in header])
    date_at = header.index("audit_date")
    count = 0
    for cells in rows:
        # The cells are the CSV's, formula-like text already escaped by the contract; only the
        # date becomes a real date, so a spreadsheet can sort and filter by it.
        day = cells[date_at]
        cells[date_at] = _cell(sheet, datetime.date.fromisoformat(day) if day else None, DATE)
        sheet.append(cells)
        count += 1
    return count


def _summary_sheet(sheet, figures: dict) -> None:
    strand_names = dict(Strand.objects.values_list("slug", "name"))
    case_type_names = dict(CaseType.objects.values_list("slug", "name"))
    filters = figures.get("filters") or {}
    total = figures["audits"]

    def title(*cells):
        sheet.append([_bold(sheet, cell) for cell in cells])

    def line(*cells):
        sheet.append([cell if isinstance(cell, Cell) else _cell(sheet, cell) for cell in cells])

    def blank():
        sheet.append([])

    title(_("Scrutiny report"), figures.get("period_label", ""))
    line(_("Start"), _cell(sheet, datetime.date.fromisoformat(figures["start"]), DATE))
    line(_("End"), _cell(sheet, datetime.date.fromisoformat(figures["end"]), DATE))
    line(_("Audit activity"), filters.get("activity") or _("All"))
    line(_("Strand"), strand_names.get(filters.get("strand"), _("All")))
    line(_("Case type"), case_type_names.get(filters.get("case_type"), _("All")))
    line(_("Audits counted"), total)
    blank()

    title(_("Overall grade"), _("Auditor"), _("%"), _("After moderation"), _("%"))
    for grade in OVERALL_CODES:
        auditor, final = figures["auditor_grades"][grade], figures["final_grades"][grade]
        line(
            grades.label(grade),
            auditor,
            _share(sheet, auditor, total),
            final,
            _share(sheet, final, total),
        )
    line(_("Total"), total, _share(sheet, total, total), total, _share(sheet, total, total))
    blank()

    moderation = figures["moderation"]
    moderated = moderation["moderated"]
    title(_("Moderation"), _("Audits"), _("%"))
    line(_("Moderated (% of audits counted)"), moderated, _share(sheet, moderated, total))
    for key, label in (
        ("agreed", _("Moderator agreed (% of moderated)")),
        ("raised", _("Grade raised (% of moderated)")),
        ("lowered", _("Grade lowered (% of moderated)")),
    ):
        line(label, moderation[key], _share(sheet, moderation[key], moderated))
    blank()

    auditor_heads = [_("Auditor: %(grade)s") % {"grade": grades.label(g)} for g in OVERALL_CODES]
    final_heads = [
        _("After moderation: %(grade)s") % {"grade": grades.label(g)} for g in OVERALL_CODES
    ]
    title(_("By strand"), _("Audits"), *auditor_heads, *final_heads)
    for slug, row in figures["by_strand"].items():
        line(
            strand_names.get(slug, slug),
            row["audits"],
            *[row["auditor_grades"][g] for g in OVERALL_CODES],
            *[row["final_grades"][g] for g in OVERALL_CODES],
        )
    blank()

    title(_("By case type"), _("Audits"), *final_heads)
    for slug, row in figures["by_case_type"].items():
        line(
            case_type_names.get(slug, slug),
            row["audits"],
            *[row["final_grades"][g] for g in OVERALL_CODES],
        )
    blank()

    title(
        _("Domain"),
        _("Title"),
        *[grades.label(g) for g in DOMAIN_CODES],
        _("Applicable"),
        _("% applicable graded at least Meets good"),
    )
    for domain in figures["domains"]:
        applicable = sum(domain[g] for g in OVERALL_CODES)
        line(
            domain["number"],
            domain["title"],
            *[domain[g] for g in DOMAIN_CODES],
            applicable,
            _share(sheet, sum(domain[g] for g in grades.GOOD), applicable),
        )
    blank()
    line(
        _("Audits graded Does not meet good in every applicable domain"),
        figures["not_met_in_all_applicable_domains"],
    )


def _cell(sheet, value, number_format: str | None = None) -> Cell:
    if isinstance(value, str):
        # Text from the database (titles, names) is escaped as the CSV's is, so no cell is
        # ever read as a formula.
        value = contract.escape_cell(value)
    cell = WriteOnlyCell(sheet, value=value)
    if number_format:
        cell.number_format = number_format
    return cell


def _bold(sheet, value) -> Cell:
    cell = _cell(sheet, str(value))
    cell.font = _BOLD
    return cell


def _share(sheet, part: int, whole: int) -> Cell:
    """``part`` as a fraction of ``whole`` shown as a percentage; blank when ``whole`` is 0."""
    return _cell(sheet, part / whole if whole else None, PERCENT)
