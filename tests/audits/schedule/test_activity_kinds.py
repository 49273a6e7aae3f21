"""An activity's kind, the tool its audits use and, for a multi-agency audit, its agencies:
planned on the activity form, shown on the schedule, and the tool fixed once there are audits."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audits import services
from audits.models import AuditActivity
from audits.schedule import services as schedule_services
from audits.tools import services as tools
from audits.tools.kinds import ActivityKind
from audits.workflow import AuditError
from tests.factories import auditor, qa_lead
from tests.helpers import date_parts

pytestmark = pytest.mark.django_db

NEW = reverse("audits:activity_new")


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def thematic_tool(name="Neglect thematic audit"):
    tool = tools.tool_create(
        name=name, by=qa_lead(), grades=[("Good", True), ("Inadequate", False)]
    )
    section = tools.section_add(tool=tool, title="Neglect")
    tools.question_add(section=section, text="Was neglect recognised?", kind="yes_no")
    return tool


def plan(name, **extra) -> dict:
    return {
        "name": name,
        **date_parts("month", this_month()),
        "moderation_rate": "100",
        **extra,
    }


@pytest.fixture
def qa_client(client, qa_lead_user):
    client.force_login(qa_lead_user)
    return client


def test_the_form_offers_the_kinds_and_the_tools_with_questions(qa_client):
    tool = thematic_tool()
    empty = tools.tool_create(name="Not built yet", by=qa_lead(), has_overall_grade=False)

    html = qa_client.get(NEW).content.decode()

    for label in ActivityKind.labels:
        assert str(label) in html
    assert "The standard tool (12 domains)" in html
    assert f"{tool.name}, version 1 (current)" in html
    assert empty.name not in html
    # A new activity is a case file audit on the standard tool unless the QA lead says not.
    checked = re.findall(r'<input[^>]*name="kind"[^>]*>', html)
    assert [i for i in checked if "checked" in i] == [
        i for i in checked if 'value="case_file"' in i
    ]


def test_a_thematic_activity_on_a_built_tool(qa_client):
    tool = thematic_tool()

    response = qa_client.post(
        NEW, plan("Neglect in CIN", kind="thematic", tool=str(tool.pk)), follow=True
    )

    activity = AuditActivity.objects.get(name="Neglect in CIN")
    assert (activity.kind, activity.tool, activity.agencies) == ("thematic", tool, [])
    html = response.content.decode()
    assert "Thematic audit: Neglect thematic audit (version 1)" in html

    # Its audits are made with the tool.
    audit = services.audit_create(auditor=auditor(), activity=activity)
    assert audit.tool == tool and audit.answers.count() == 1


def test_posting_no_kind_keeps_a_case_file_audit_on_the_standard_tool(qa_client):
    qa_client.post(NEW, plan("Plain"))
    activity = AuditActivity.objects.get(name="Plain")
    assert (activity.kind, activity.tool) == (ActivityKind.CASE_FILE, None)


def test_a_multi_agency_audit_lists_its_agencies_one_per_line(qa_client):
    qa_client.post(
        NEW,
        plan(
            "MASH audit",
            kind="multi_agency",
            agencies="Police\r\n\r\n  Health  \r\nEducation\r\n",
        ),
    )
    activity = AuditActivity.objects.get(name="MASH audit")
    assert activity.agencies == ["Police", "Health", "Education"]

    edit = qa_client.get(reverse("audits:activity_edit", args=[activity.pk])).content.decode()
    assert "Police\nHealth\nEducation" in edit


@pytest.mark.parametrize(
    "extra, field, message",
    [
        ({"kind": "multi_agency"}, "agencies", "List the agencies"),
        ({"kind": "thematic", "agencies": "Police"}, "agencies", "Only a multi-agency audit"),
        ({"kind": "multi_agency", "agencies": "Police\npolice"}, "agencies", "listed twice"),
        ({"kind": "nonsense"}, "kind", "nonsense"),
        ({"tool": "999999"}, "tool", "Select a valid choice"),
    ],
)
def test_bad_kinds_and_agencies_are_refused_at_their_field(qa_client, extra, field, message):
    response = qa_client.post(NEW, plan("Refused", **extra))

    html = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in html and message in html
    assert f'href="#id_{field}' in html
    assert not AuditActivity.objects.filter(name="Refused").exists()


def test_a_tool_without_questions_is_refused_by_the_service():
    empty = tools.tool_create(name="Empty", by=qa_lead(), has_overall_grade=False)
    with pytest.raises(AuditError, match="no questions"):
        schedule_services.activity_create(name="Empty use", month=this_month(), tool=empty)


def test_the_tool_cannot_change_once_the_activity_has_audits(qa_client):
    tool = thematic_tool()
    other = thematic_tool("Domestic abuse thematic audit")
    activity = schedule_services.activity_create(
        name="Neglect", month=this_month(), kind="thematic", tool=tool
    )
    services.audit_create(auditor=auditor(), activity=activity)
    url = reverse("audits:activity_edit", args=[activity.pk])

    page = qa_client.get(url).content.decode()
    assert "already has audits made with Neglect thematic audit (version 1)" in page
    assert "its tool cannot change" in page

    # The disabled field takes nothing posted: the activity saves with its own tool.
    response = qa_client.post(
        url, plan("Neglect", kind="thematic", tool=str(other.pk), revision="1")
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.tool == tool

    # And the service says so to anyone who asks it directly.
    with pytest.raises(AuditError, match="its tool cannot") as refused:
        schedule_services.activity_update(
            activity=activity, by=qa_lead(), name="Neglect", month=this_month(), tool=other
        )
    assert refused.value.field == "tool"


def test_the_tool_can_change_while_the_activity_has_no_audits(qa_client):
    tool = thematic_tool()
    activity = schedule_services.activity_create(name="Early", month=this_month())

    qa_client.post(
        reverse("audits:activity_edit", args=[activity.pk]),
        plan("Early", kind="thematic", tool=str(tool.pk), revision="1"),
    )

    activity.refresh_from_db()
    assert activity.tool == tool and activity.kind == "thematic"


def test_an_older_version_stays_offered_to_the_activity_that_uses_it(qa_client):
    tool = thematic_tool()
    activity = schedule_services.activity_create(name="Old", month=this_month(), tool=tool)
    copy = services.tool_copy_as_new_version(source=tool)
    services.tool_make_current(tool=copy)

    html = qa_client.get(reverse("audits:activity_edit", args=[activity.pk])).content.decode()

    assert "Neglect thematic audit, version 2 (current)" in html
    assert "Neglect thematic audit, version 1" in html
    assert html.index("version 2 (current)") < html.index("version 1<")
