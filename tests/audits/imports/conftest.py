"""Files to upload: an audit CSV and a case list, valid or with problems, as bytes."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from audits.cases import contract as cases_contract
from audits.csv import contract as audits_contract


def audit_row(**cells) -> dict:
    day = timezone.localdate() - datetime.timedelta(days=20)
    values = {
        "case_reference": "CR-2001",
        "audit_date": day.isoformat(),
        "auditor": "historic-auditor",
        "activity": "Neglect thematic audit",
        "strand": "social_care",
        "case_type": "child_in_need",
        "age_band": "5-9",
        "team": "North assessment",
        **{column: "meets" for column in audits_contract.DOMAIN_COLUMNS},
        "overall_grade": "meets",
        "moderated_grade": "",
        "moderator": "",
        "practice": "no",
        "comments": "",
    }
    values.update(cells)
    return values


def case_row(**cells) -> dict:
    values = {
        "case_reference": "CR-3001",
        "case_holder": "Sam Okafor",
        "team": "North assessment",
        "strand": "social_care",
        "case_type": "child_in_need",
        "age_band": "5-9",
        "open_date": "2025-03-14",
        "family_group": "FG-77",
    }
    values.update(cells)
    return values


def csv_bytes(*rows: dict, columns) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(columns)
    for values in rows:
        writer.writerow([values.get(column, "") for column in columns])
    return out.getvalue().encode("utf-8")


def audits_csv(*rows) -> bytes:
    return csv_bytes(*rows, columns=audits_contract.COLUMNS)


def cases_csv(*rows) -> bytes:
    return csv_bytes(*rows, columns=cases_contract.COLUMNS)


@pytest.fixture
def good_audits():
    return audits_csv(
        audit_row(),
        audit_row(case_reference="CR-2002", moderated_grade="exceeds", moderator="mod-a"),
        audit_row(case_reference="CR-2003", overall_grade="does_not_meet"),
    )


@pytest.fixture
def bad_audits():
    """Three problems on two lines: lines 3 and 4."""
    return audits_csv(
        audit_row(),
        audit_row(case_reference="CR-2002", overall_grade="brilliant", strand="nowhere"),
        audit_row(case_reference="", auditor="historic-auditor"),
    )


@pytest.fixture
def good_cases():
    return cases_csv(
        case_row(),
        case_row(case_reference="CR-3002", case_holder="Jo Reid", team="South"),
        case_row(case_reference="CR-3003"),
    )


@pytest.fixture
def bad_cases():
    return cases_csv(
        case_row(),
        case_row(case_reference="CR-3002", open_date="14/03/2025"),
        case_row(case_reference="CR-3001"),
    )
