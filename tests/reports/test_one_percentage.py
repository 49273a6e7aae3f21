"""One percentage, one rounding rule: 5 of 16 is 31.3% in the report tables and chart, the QA
targets table and the moderation dashboard alike (31.25 rounded half up; binary floats would
show 31.2 in some of them)."""

import datetime

import pytest
from django.urls import reverse

from audits import periods
from audits.grades import Grade
from reports.figures import report_figures
from reports.rendering.html import report_html
from reports.selectors import ReportScope
from reports.targets.measures import targets_table
from reports.targets.services import target_create
from tests import factories
from tests.helpers import moderated_audit

pytestmark = pytest.mark.django_db

QUARTER = periods.quarter(2026, 3)  # October to December 2026
TODAY = datetime.date(2027, 1, 10)


@pytest.fixture
def five_of_sixteen():
    """16 audits graded Meets good by their auditors and all moderated: 5 agreed, 11 raised to
    Exceeds good. So 5 of 16 are Meets good after moderation, and agreement is 5 of 16."""
    moderator = factories.moderator()
    for i in range(16):
        moderated_audit(
            moderator=moderator,
            grade=Grade.MEETS if i < 5 else Grade.EXCEEDS,
            overall=Grade.MEETS,
            case_reference=f"CR-{2000 + i}",
            audit_date=datetime.date(2026, 10, 15),
        )
    return moderator


def test_the_report_shows_31_3(five_of_sixteen):
    figures = report_figures(ReportScope(QUARTER), today=TODAY)
    assert figures["final_grades"]["meets"] == 5 and figures["audits"] == 16
    html = report_html(figures=figures, for_pdf=False)
    assert "31.3%" in html
    assert "31.2%" not in html


def test_the_targets_table_shows_31_3(five_of_sixteen):
    lead = factories.qa_lead()
    target_create(
        by=lead,
        financial_year=2026,
        name="Moderators agree",
        measure="agreement",
        direction="at_least",
        target_value="50",
        amber_tolerance=0,
    )
    [row] = targets_table(ReportScope(QUARTER), financial_year=2026)
    assert row["actual_text"] == "31.3%"


def test_the_moderation_dashboard_shows_31_3(client, five_of_sixteen):
    client.force_login(five_of_sixteen)
    html = client.get(reverse("moderation:dashboard")).content.decode()
    assert "31.3%" in html
    assert "31.2%" not in html
