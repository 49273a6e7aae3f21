"""Moderated audits in bulk, through the CSV import (a bulk service): who audited, which team,
which moderator, the two grades and the date. A test keeps the rows beside the audits and
counts from them itself."""

import datetime
import io
from dataclasses import dataclass

from audits.csv.importer import import_audits_csv

TODAY = datetime.date(2026, 11, 25)
HEADER = (
    "case_reference,audit_date,auditor,activity,strand,case_type,team,"
    + ",".join(f"domain_{n}" for n in range(1, 13))
    + ",overall_grade,moderated_grade,moderator,practice"
)


@dataclass(frozen=True)
class Row:
    auditor: str
    overall: str
    moderated: str = ""  # "" for an audit not moderated
    moderator: str = ""
    team: str = ""
    audit_date: datetime.date = datetime.date(2026, 10, 1)
    practice: bool = False
    activity: str = "Quarterly audit"


def import_rows(rows, *, prefix="CR-D", start=1) -> list[str]:
    """Import ``rows`` as completed audits; their case references, in order."""
    references = [f"{prefix}{n:05}" for n in range(start, start + len(rows))]
    lines = [HEADER]
    for reference, row in zip(references, rows):
        lines.append(
            ",".join(
                [
                    reference,
                    row.audit_date.isoformat(),
                    row.auditor,
                    row.activity,
                    "social_care",
                    "child_in_need",
                    row.team,
                    *(["meets"] * 12),
                    row.overall,
                    row.moderated,
                    row.moderator if row.moderated else "",
                    "yes" if row.practice else "no",
                ]
            )
        )
    result = import_audits_csv(io.StringIO("\n".join(lines) + "\n"), today=TODAY)
    assert result.ok, result.errors
    assert result.created == len(rows)
    return references
