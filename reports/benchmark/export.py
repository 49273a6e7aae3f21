"""This council's benchmark file for a period: the report's figures (reports.selectors.
period_figures, no filters), in the national vocabulary, counts only, small counts suppressed.

The file is built from an allow-list: ``document()`` copies nothing from the figures but the
counts it names, under keys of the national list, and ``refusals()`` checks the finished file
before a byte is written (its schema, its strings, every count at or above the threshold).
``export_text()`` writes nothing unless every check passes: a file with a case reference, a
name or a small cell cannot be produced.
"""

import json
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.errors import DomainError
from audits.figures import MODERATION
from audits.grades import DOMAIN_CODES, OVERALL_CODES
from reports.contract import scope_from_arguments
from reports.selectors import ReportScope, period_figures

from .schema import DATE_PATTERN, SCHEMA, problems
from .vocabulary import CASE_TYPE, CASE_TYPES, DOMAIN_NUMBERS, OTHER, STRAND, STRANDS


class ExportRefused(DomainError):
    """The finished file failed a check: nothing is written."""


def suppress_below() -> int:
    """Counts below this are written as null (settings.BENCHMARK_SUPPRESS_BELOW, default 5)."""
    return getattr(settings, "BENCHMARK_SUPPRESS_BELOW", 5)


def cell(count: int, threshold: int) -> int | None:
    """A count as the file writes it: itself, or null when below ``threshold`` (zero too: it
    is below the threshold, and a written 0 beside a suppressed cell would tell more)."""
    return count if count >= threshold else None


@dataclass(frozen=True)
class Unmapped:
    """A council's strand or case type with audits in the period that the file counts under
    "other", for the exporting person to map (vocabulary.Vocabulary.setting) if they can."""

    vocabulary: str
    slug: str
    setting: str


def national_figures(figures: dict) -> tuple[dict, list[Unmapped]]:
    """The period's counts (``period_figures``' result) in the national vocabulary, before
    suppression: {"audits", "auditor_grades", "final_grades", "moderation", "by_strand",
    "by_case_type", "domains": {number: {grade: count}}}, and the slugs that went to "other"."""
    unmapped: list[Unmapped] = []

    def regroup(rows: dict, vocabulary, codes) -> dict:
        mapping = vocabulary.mapping()
        total = {code: _zero_split() for code in codes}
        for slug, row in rows.items():
            code = vocabulary.national(slug, mapping)
            if code == OTHER and slug != OTHER and row["audits"]:
                unmapped.append(Unmapped(vocabulary.name, slug, vocabulary.setting))
            into = total[code]
            into["audits"] += row["audits"]
            for key in ("auditor_grades", "final_grades"):
                for grade in OVERALL_CODES:
                    into[key][grade] += row[key][grade]
        return total

    domains = {n: dict.fromkeys(DOMAIN_CODES, 0) for n in DOMAIN_NUMBERS}
    for row in figures["domains"]:
        # Only the standard tool's twelve: a number beyond them is no national domain.
        if row["number"] in domains:
            domains[row["number"]] = {code: row[code] for code in DOMAIN_CODES}
    national = {
        "audits": figures["audits"],
        "auditor_grades": {g: figures["auditor_grades"][g] for g in OVERALL_CODES},
        "final_grades": {g: figures["final_grades"][g] for g in OVERALL_CODES},
        "moderation": {k: figures["moderation"][k] for k in MODERATION},
        "by_strand": regroup(figures["by_strand"], STRAND, STRANDS),
        "by_case_type": regroup(figures["by_case_type"], CASE_TYPE, CASE_TYPES),
        "domains": domains,
    }
    return national, unmapped


def _zero_split() -> dict:
    return {
        "audits": 0,
        "auditor_grades": dict.fromkeys(OVERALL_CODES, 0),
        "final_grades": dict.fromkeys(OVERALL_CODES, 0),
    }


def document(*, national: dict, council: str, start: str, end: str, threshold: int) -> dict:
    """The file: the allow-listed counts of ``national`` with small ones suppressed. Nothing
    else of the figures is copied, so nothing else can reach the file."""

    def grades(counts: dict) -> dict:
        return {g: cell(counts[g], threshold) for g in OVERALL_CODES}

    def split(row: dict) -> dict:
        return {
            "audits": cell(row["audits"], threshold),
            "auditor_grades": grades(row["auditor_grades"]),
            "final_grades": grades(row["final_grades"]),
        }

    return {
        "schema": SCHEMA,
        "council": council,
        "start": start,
        "end": end,
        "audits": cell(national["audits"], threshold),
        "auditor_grades": grades(national["auditor_grades"]),
        "final_grades": grades(national["final_grades"]),
        "moderation": {k: cell(national["moderation"][k], threshold) for k in MODERATION},
        "by_strand": {code: split(national["by_strand"][code]) for code in STRANDS},
        "by_case_type": {code: split(national["by_case_type"][code]) for code in CASE_TYPES},
        "domains": [
            {
                "number": number,
                **{g: cell(national["domains"][number][g], threshold) for g in DOMAIN_CODES},
            }
            for number in DOMAIN_NUMBERS
        ],
    }


def refusals(doc, *, council: str, threshold: int) -> list[str]:
    """Why ``doc`` must not be written: it does not follow the schema; a string other than the
    schema, this council's name and the two dates; or a count below ``threshold``."""
    found = list(problems(doc))
    if found:
        return found
    if doc["council"] != council:
        found.append(_("council: is not this council's name (COUNCIL_NAME)"))
    for key in ("start", "end"):
        if not re.match(DATE_PATTERN, doc[key]):
            found.append(f"{key}: is not a date")
    for path, value in _values(doc):
        if path in ("schema", "council", "start", "end"):
            continue
        if path.endswith(".number"):
            continue
        if isinstance(value, str):
            found.append(_("%(path)s: holds text, and the file holds counts only") % {"path": path})
        elif value is not None and value < threshold:
            found.append(
                _("%(path)s: %(n)s is below the suppression threshold %(t)s")
                % {"path": path, "n": value, "t": threshold}
            )
    return found


def _values(value, path: str = ""):
    """Every leaf of a parsed JSON value, with its path."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _values(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _values(item, f"{path}[{index}]")
    else:
        yield path, value


@dataclass(frozen=True)
class Export:
    document: dict
    text: str
    unmapped: list[Unmapped]


def build_document(scope: ReportScope) -> tuple[dict, list[Unmapped]]:
    """The file's content for ``scope``'s period (its filters are not used: the file is the
    whole council's), and the slugs counted under "other"."""
    figures = period_figures(ReportScope(scope.period), today=timezone.localdate())
    try:
        national, unmapped = national_figures(figures)
    except ImproperlyConfigured as error:  # a mapping setting names no national code
        raise ExportRefused(
            _("The benchmark file was not written: %(problem)s") % {"problem": error}
        ) from None
    doc = document(
        national=national,
        council=settings.COUNCIL_NAME,
        start=figures["start"],
        end=figures["end"],
        threshold=suppress_below(),
    )
    return doc, unmapped


def export(scope: ReportScope) -> Export:
    """The checked file for ``scope``'s period, or ExportRefused naming what failed."""
    doc, unmapped = build_document(scope)
    if found := refusals(doc, council=settings.COUNCIL_NAME, threshold=suppress_below()):
        raise ExportRefused(
            _("The benchmark file was not written: %(problems)s.") % {"problems": "; ".join(found)}
        )
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    return Export(doc, text, unmapped)


def export_for(*, start: str | None, end: str | None) -> Export:
    """``export`` from text arguments (command line or query string); ScopeError names a bad
    argument, ExportRefused a failed check."""
    return export(scope_from_arguments(start=start, end=end))


def file_name(doc: dict) -> str:
    return f"benchmark-{doc['start']}-{doc['end']}.json"


def unmapped_note(item: Unmapped) -> str:
    return _(
        "%(vocabulary)s “%(slug)s” is not on the national list: its audits are counted under "
        "“other” (map it with the setting %(setting)s)."
    ) % {"vocabulary": item.vocabulary.capitalize(), "slug": item.slug, "setting": item.setting}
