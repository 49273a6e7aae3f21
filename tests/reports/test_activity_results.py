"""Activities with a built tool in the period report (page, PDF, JSON) and on their results page;
the standard tool's contract keys stay byte-for-byte what they were."""

import datetime
import json

import pytest
from django.urls import reverse

from audits import periods
from audits.models import AuditActivity, SecurityEvent, Status
from audits.tools.kinds import ActivityKind
from moderation import services as moderation
from reports.contract import summary
from reports.rendering.html import report_html
from reports.rendering.pdf import html_to_pdf
from reports.selectors import ReportScope
from reports.services import report_create, report_current_figures
from tests import factories
from tests.moderation.built_tools import (
    CHOICE,
    GOOD,
    GRADED,
    INADEQUATE,
    NUMBER,
    RI,
    TEXT,
    YES_NO,
    built_activity,
    built_audit,
    every_kind_tool,
)
from tests.reports import TODAY, D, E, M, build_through_services, spec
from tests.reports.rendering.test_pdf import pdf_text

pytestmark = pytest.mark.django_db

QUARTER = periods.quarter(2026, 2)  # July to September 2026
DAY = datetime.date(2026, 8, 10)


def standard_cohort():
    build_through_services(
        [
            spec(DAY, overall=M, moderated=D, status=Status.COMPLETED),
            spec(DAY, overall=E, strand="early_help", case_type="early_help"),
            spec(DAY, overall=D),
            spec(datetime.date(2026, 7, 3), overall=M, activity="July audit"),
        ]
    )


def neglect_audits(*, kind=ActivityKind.THEMATIC, name="Neglect audit"):
    """Three audits of a built tool in August (one moderated down), one in October (outside the
    quarter), one practice audit and one draft: three count."""
    tool = every_kind_tool(name=f"{name} tool")
    activity = built_activity(
        tool, name=name, month=datetime.date(2026, 8, 1), rate=100, kind=kind, planned_audits=4
    )
    moderator = factories.moderator()
    answers = [
        {GRADED: GOOD, YES_NO: "yes", CHOICE: "None", NUMBER: "10", TEXT: "Early help worked."},
        {GRADED: RI, YES_NO: "no", NUMBER: "20", TEXT: "The plan drifted."},
        {GRADED: RI, YES_NO: "yes", CHOICE: "None"},
    ]
    for n, given in enumerate(answers):
        if kind == ActivityKind.DIP_SAMPLE:
            given = {
                k: {"text" if k == TEXT else "value": v, "items_checked": 5}
                for k, v in given.items()
                if k != NUMBER
            }
        audit = built_audit(
            activity,
            overall=GOOD if n == 0 else RI,
            answers=given,
            audit_date=DAY,
            case_reference=f"CR-N{n}",
        )
        if n == 1:
            moderation.moderation_take(audit=audit, moderator=moderator)
            moderation.moderation_record(
                audit=audit, moderator=moderator, grade=INADEQUATE, rationale="No plan."
            )
    built_audit(activity, overall=GOOD, audit_date=datetime.date(2026, 10, 2), case_reference="X")
    built_audit(activity, overall=GOOD, audit_date=DAY, practice=True, case_reference="P")
    built_audit(activity, overall=GOOD, audit_date=DAY, submit=False, case_reference="D")
    return activity


def test_adding_built_tool_audits_leaves_every_standard_key_byte_for_byte_the_same():
    standard_cohort()
    scope = ReportScope(QUARTER)
    before = json.loads(json.dumps(summary(scope, today=TODAY)))
    assert before["audits"] == 4 and before["activity_results"] == []

    activity = neglect_audits()
    after = json.loads(json.dumps(summary(scope, today=TODAY)))

    for key in before:
        if key != "activity_results":
            assert json.dumps(after[key], sort_keys=True) == json.dumps(
                before[key], sort_keys=True
            ), key
    assert list(after) == list(before)
    [result] = after["activity_results"]
    assert (result["activity"], result["activity_id"], result["audits"]) == (
        activity.name,
        activity.pk,
        3,
    )
    graded = result["sections"][0]["questions"][0]
    assert [(r["value"], r["count"]) for r in graded["answers"]] == [
        (GOOD, 1),
        (RI, 2),
        (INADEQUATE, 0),
    ]
    assert result["overall"]["auditor_grades"] == {GOOD: 1, RI: 2, INADEQUATE: 0}
    assert result["overall"]["final_grades"] == {GOOD: 1, RI: 1, INADEQUATE: 1}
    assert result["overall"]["moderation"] == {
        "moderated": 1,
        "agreed": 0,
        "raised": 0,
        "lowered": 1,
    }
    numbers = result["sections"][1]["questions"][0]["numbers"]
    assert numbers == {"count": 2, "min": "10", "max": "20", "mean": "15"}
    texts = result["sections"][1]["questions"][2]["texts"]
    assert [(t["case_reference"], t["text"]) for t in texts] == [
        ("CR-N0", "Early help worked."),
        ("CR-N1", "The plan drifted."),
    ]


def test_the_report_filtered_by_a_standard_activity_has_no_built_results():
    standard_cohort()
    neglect_audits()
    july = AuditActivity.objects.get(name="July audit")
    figures = summary(ReportScope(QUARTER, activity=july), today=TODAY)
    assert figures["activity_results"] == [] and figures["audits"] == 1


def test_the_json_over_the_web_has_the_activity_results(client):
    neglect_audits()
    client.force_login(factories.qa_lead())
    response = client.get(
        reverse("reports:summary_json"), {"start": "2026-07-01", "end": "2026-09-30"}
    )
    assert response.status_code == 200
    [result] = response.json()["activity_results"]
    assert result["audits"] == 3 and result["kind"] == ActivityKind.THEMATIC


def test_the_report_page_has_a_section_per_built_tool_activity(client):
    standard_cohort()
    activity = neglect_audits()
    qa_lead = factories.qa_lead()
    report = report_create(by=qa_lead, period=QUARTER)
    client.force_login(qa_lead)

    response = client.get(report.get_absolute_url())

    page = response.content.decode()
    assert response.status_code == 200
    assert f'id="r-activity-{activity.pk}"' in page
    assert "Thematic audit: Neglect audit (August 2026)" in page
    section = page[page.index(f'id="r-activity-{activity.pk}"') :]
    # Graded: 1 Good of 3 answered (33.3%), 2 Requires improvement (66.7%).
    assert "33.3%" in section and "66.7%" in section
    # The final grades: one lowered to Inadequate.
    assert (
        "Moderators agreed with the auditor's grade in 0, raised it in 0 and lowered it in 1"
        in (section)
    )
    assert "CR-N1" in section and "The plan drifted." in section
    assert reverse("reports:activity_results", args=[activity.pk]) in section
    # The standard figures above are still those of the four standard audits.
    assert "Overall grades of the 4 cases audited" in page


def test_the_pdf_has_the_activity_section_read_back():
    standard_cohort()
    neglect_audits(kind=ActivityKind.DIP_SAMPLE, name="LADO dip sample")
    qa_lead = factories.qa_lead()
    report = report_create(by=qa_lead, period=QUARTER)
    figures = report_current_figures(report, today=TODAY)

    text = pdf_text(html_to_pdf(report_html(figures=figures, report=report, for_pdf=True)))

    assert "Dip sample: LADO dip sample (August 2026)" in text
    assert "1.1 Was neglect recognised early?" in text
    assert "Items checked: 15" in text  # three audits, five items each
    assert "Requires improvement" in text and "Inadequate" in text
    assert "The plan drifted." in text


# --- The results page -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make_user, status",
    [
        (factories.qa_lead, 200),
        (factories.moderator, 200),
        (factories.administrator, 200),
        (factories.auditor, 403),
    ],
)
def test_who_sees_an_activitys_results(client, make_user, status):
    activity = neglect_audits()
    client.force_login(make_user())
    response = client.get(reverse("reports:activity_results", args=[activity.pk]))
    assert response.status_code == status


def test_the_results_page_counts_every_date_and_records_who_read_it(client):
    activity = neglect_audits()
    qa_lead = factories.qa_lead()
    client.force_login(qa_lead)

    response = client.get(reverse("reports:activity_results", args=[activity.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    # Four audits: the three of August and the one of October; never the practice or draft.
    assert response.context["result"]["audits"] == 4
    assert 'id="audits-counted">4 of 4 planned' in page
    assert "Was a chronology kept?" in page and "The plan drifted." in page
    assert SecurityEvent.objects.filter(actor=qa_lead, event="viewed_report").exists()


def test_the_results_page_of_a_standard_activity_shows_the_standard_figures(client):
    standard_cohort()
    activity = AuditActivity.objects.get(name="July audit")
    client.force_login(factories.moderator())

    response = client.get(reverse("reports:activity_results", args=[activity.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="grades-table"' in page and 'id="domains-table"' in page
    assert "Overall grades of the 1 case audited" in page
    assert "Scrutiny reports" not in page  # a moderator does not see reports


def test_an_activity_with_no_audits_says_so(client):
    activity = built_activity(every_kind_tool(), name="Empty")
    client.force_login(factories.qa_lead())
    response = client.get(reverse("reports:activity_results", args=[activity.pk]))
    assert 'id="no-audits"' in response.content.decode()
    assert client.get(reverse("reports:activity_results", args=[999999])).status_code == 404
