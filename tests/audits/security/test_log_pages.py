"""The pages that show the record: an audit's changes and viewers (QA leads, administrators)
and the security log (administrators), with its CSV export."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from audits import services
from audits.grades import Grade
from audits.models import SecurityEvent
from audits.security.events import Event
from tests.audits.test_views_form import post_data
from tests.helpers import complete_content, date_parts, draft_audit, submitted_audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit(owner):
    return submitted_audit(auditor=owner, case_reference="CR-6200")


def test_a_qa_lead_sees_the_audit_s_changes_and_who_opened_it(client, audit, qa_lead_user):
    client.force_login(qa_lead_user)
    client.get(reverse("audits:detail", args=[audit.pk]))
    page = client.get(reverse("audits:detail", args=[audit.pk])).content.decode()

    assert 'id="audit-changes"' in page
    assert "Evaluation of domain 2." in page  # the text as first written
    assert 'id="audit-viewers"' in page and qa_lead_user.username in page


@pytest.mark.parametrize("who", ["owner", "moderator_user"])
def test_auditors_and_moderators_do_not_see_the_record(request, client, audit, who):
    client.force_login(request.getfixturevalue(who))
    page = client.get(reverse("audits:detail", args=[audit.pk])).content.decode()
    assert 'id="audit-changes"' not in page and 'id="audit-viewers"' not in page


def test_the_administrator_asks_who_looked_at_a_case(
    client, audit, qa_lead_user, moderator_user, administrator_user
):
    for person in (qa_lead_user, moderator_user):
        client.force_login(person)
        client.get(reverse("audits:detail", args=[audit.pk]))
    other = submitted_audit(auditor=audit.auditor, case_reference="CR-6201")
    client.get(reverse("audits:detail", args=[other.pk]))

    client.force_login(administrator_user)
    response = client.get(reverse("audits:security_log"), {"case_reference": "CR-6200"})
    assert response.status_code == 200
    rows = response.context["events"]
    viewed = {r["actor"] for r in rows if r["event"] == Event.VIEWED_AUDIT}
    assert viewed == {qa_lead_user.username, moderator_user.username}
    assert {r["case_reference"] for r in rows} == {"CR-6200"}
    assert response.context["total"] == len(rows)


def test_the_administrator_asks_what_a_user_saw_and_changed_between_dates(
    client, owner, administrator_user
):
    client.force_login(owner)
    client.post(reverse("audits:new"), post_data(header={"case_reference": "CR-6202"}))
    client.force_login(administrator_user)
    response = client.get(
        reverse("audits:security_log"),
        {
            "user": owner.username,
            **date_parts("since", datetime.date(2000, 1, 1)),
            **date_parts("until", datetime.date(2100, 12, 31)),
        },
    )
    rows = response.context["events"]
    assert rows and {r["actor"] for r in rows} == {owner.username}
    assert any(r["event"] == "created_audit" for r in rows)
    earlier = client.get(
        reverse("audits:security_log"),
        {
            "user": owner.username,
            **date_parts("since", datetime.date(2000, 1, 1)),
            **date_parts("until", datetime.date(2000, 1, 31)),
        },
    )
    assert earlier.context["events"] == [] and earlier.context["total"] == 0


def test_the_export_has_every_event_and_is_itself_logged(client, audit, administrator_user):
    client.force_login(administrator_user)
    response = client.get(reverse("audits:security_log_csv"), {"case_reference": "CR-6200"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows and {r["case_reference"] for r in rows} == {"CR-6200"}
    assert {"at", "actor", "event", "object", "changes"} <= set(rows[0])
    assert any('"status": ["draft", "submitted"]' in r["changes"] for r in rows)
    exported = SecurityEvent.objects.get(event=Event.EXPORTED_LOG)
    assert exported.username == administrator_user.username


def test_a_date_range_the_wrong_way_round_is_a_clear_error(client, administrator_user):
    client.force_login(administrator_user)
    response = client.get(
        reverse("audits:security_log"),
        {
            **date_parts("since", datetime.date(2026, 11, 2)),
            **date_parts("until", datetime.date(2026, 11, 1)),
        },
    )
    assert response.status_code == 400
    assert "The end date must be on or after the start date." in response.content.decode()


def test_a_qa_lead_may_not_read_the_whole_log(client, qa_lead_user):
    client.force_login(qa_lead_user)
    assert client.get(reverse("audits:security_log")).status_code == 403
    assert client.get(reverse("audits:security_log_csv")).status_code == 403


def test_a_domain_text_change_shows_as_a_word_diff_on_the_audit_page(client, owner, qa_lead_user):
    audit = draft_audit(auditor=owner, case_reference="CR-6203")
    first = "The assessment was updated after each home visit and shared with the family promptly."
    second = "The assessment was updated after each home visit and shared with the school promptly."
    for text in (first, second):
        content = complete_content(case_reference="CR-6203")
        content.domains[2] = {"grade": Grade.MEETS, "text": text}
        services.audit_save_draft(audit=audit, by=owner, content=content)
    services.audit_submit(audit=audit, by=owner, today=datetime.date(2026, 11, 25))

    client.force_login(qa_lead_user)
    page = client.get(reverse("audits:detail", args=[audit.pk])).content.decode()
    assert "<del>family</del>" in page and "<ins>school</ins>" in page


def test_the_log_page_names_each_person_beside_their_username(
    client, audit, qa_lead_user, administrator_user
):
    qa_lead_user.first_name, qa_lead_user.last_name = "Grace", "Okafor"
    qa_lead_user.save(update_fields=["first_name", "last_name"])
    client.force_login(qa_lead_user)
    client.get(reverse("audits:detail", args=[audit.pk]))

    client.force_login(administrator_user)
    response = client.get(reverse("audits:security_log"), {"case_reference": "CR-6200"})

    html = response.content.decode()
    assert f'Grace Okafor <span class="govuk-body-s">({qa_lead_user.username})</span>' in html
    # The export keeps the username alone, as the SIEM contract says.
    export = client.get(reverse("audits:security_log_csv"), {"case_reference": "CR-6200"})
    body = b"".join(export.streaming_content).decode()
    assert "Grace Okafor" not in body and qa_lead_user.username in body
