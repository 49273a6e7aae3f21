"""Manager compliance as a section of the period report's page: each month of the report's
period, counted now, outside the report's frozen figures (its JSON and PDF are unchanged)."""

import datetime

import pytest
from django.urls import reverse

from audits import periods
from audits.cases.services import Criteria, draw_sample
from reports.services import report_create
from tests import factories

from ..cases import case, person, team

pytestmark = pytest.mark.django_db


def test_the_report_page_shows_each_month_of_its_period_with_each_managers_figures(client):
    lead = factories.qa_lead()
    report = report_create(by=lead, period=periods.quarter(2026, 2))  # July to September 2026
    case("CR-1", holder=person("Holder", team("north")))
    ann = factories.auditor(username="ann", first_name="Ann", last_name="Able")
    activity = factories.AuditActivityFactory(name="August", month=datetime.date(2026, 8, 1))
    activity.auditors.add(ann)
    draw_sample(activity=activity, seed="s", criteria=Criteria(size=1))

    client.force_login(lead)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    section = page.split('id="manager-compliance"', 1)[1].split("</section>", 1)[0]
    for month in ("July 2026", "August 2026", "September 2026"):
        assert f"Manager compliance in {month}" in section
    assert "June 2026" not in section and "October 2026" not in section
    august = section.split("August 2026:", 1)[1].split("</table>", 1)[0]
    row = august.split("Ann Able", 1)[1].split("</tr>", 1)[0]
    cells = [c.split("<")[0] for c in row.split('govuk-table__cell--numeric">')[1:]]
    assert cells == ["1", "0", "0", "1"]  # the activity's month has ended: overdue
    assert "not part of the report's published figures" in section


def test_the_report_pdf_html_has_no_compliance_section():
    from reports.rendering.html import report_html
    from reports.services import report_current_figures

    lead = factories.qa_lead()
    report = report_create(by=lead, period=periods.quarter(2026, 2))
    html = report_html(figures=report_current_figures(report), report=report, for_pdf=True)
    assert "manager-compliance" not in html
