"""Every kind of record that carries case data keeps its changes: who, when, from where, and
each changed field's old and new value (django-auditlog, audits.security)."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from audits import periods, roles, services
from audits.actions import services as action_services
from audits.grades import Grade
from audits.models import Audit, SecurityEvent
from audits.schedule import services as schedule_services
from audits.security.history import audit_record, word_diff
from moderation.models import Moderation
from reports import services as report_services
from reports.targets.services import target_create, target_update
from tests import factories
from tests.audits.test_views_form import post_data
from tests.helpers import complete_content, draft_audit, moderated_audit, submitted_audit

pytestmark = pytest.mark.django_db


def entries_for(obj):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_pk=str(obj.pk)
    ).order_by("timestamp", "pk")


def last_change(obj, field):
    """The newest entry of ``obj`` that changed ``field``, as [old, new]."""
    for entry in reversed(list(entries_for(obj))):
        if field in (entry.changes or {}):
            return entry.changes[field]
    raise AssertionError(f"no change of {field} recorded for {obj!r}")


def test_a_change_to_an_audit_keeps_the_old_and_new_value(owner):
    audit = draft_audit(auditor=owner, case_reference="CR-2001")
    content = complete_content(case_reference="CR-2001")
    content.header["overall_comments"] = "Rewritten after supervision."
    services.audit_save_draft(audit=audit, by=owner, content=content)

    assert last_change(audit, "overall_comments") == [
        "Overall the work is purposeful.",
        "Rewritten after supervision.",
    ]
    entry = entries_for(audit).last()
    assert entry.additional_data["case_reference"] == "CR-2001"


def test_a_domain_grade_change_keeps_grade_and_text(owner):
    audit = draft_audit(auditor=owner)
    untouched = audit.domain_grades.get(domain__number=4)
    entries_before = entries_for(untouched).count()
    content = complete_content()
    content.domains[3] = {"grade": Grade.EXCEEDS, "text": "Much better evidence of the voice."}
    services.audit_save_draft(audit=audit, by=owner, content=content)

    grade = audit.domain_grades.get(domain__number=3)
    assert last_change(grade, "grade") == [Grade.MEETS, Grade.EXCEEDS]
    assert last_change(grade, "text") == [
        "Evaluation of domain 3.",
        "Much better evidence of the voice.",
    ]
    # The unchanged domains wrote nothing new.
    assert entries_for(untouched).count() == entries_before


def test_an_agreed_action_change_is_kept(owner):
    audit = submitted_audit(auditor=owner)
    action = audit.actions.get()
    action_services.action_mark_done(
        action=action, by=owner, note="Chronology updated.", completed_on=audit.audit_date
    )
    assert last_change(action, "state") == ["open", "done"]
    assert last_change(action, "state_note") == ["", "Chronology updated."]


def test_moderation_rounds_and_decisions_are_kept():
    moderator = factories.moderator()
    audit = moderated_audit(moderator=moderator, grade=Grade.DOES_NOT_MEET)
    moderation = Moderation.objects.get(audit=audit)
    created = entries_for(moderation).first()
    assert created.action == LogEntry.Action.CREATE
    assert created.changes["moderated_grade"][1] == Grade.DOES_NOT_MEET
    assert last_change(audit, "moderated_grade") == ["", Grade.DOES_NOT_MEET]
    assert last_change(audit.moderation_case, "taken_by")[1] in (moderator.pk, str(moderator.pk))


def test_an_audit_activity_change_is_kept(qa_lead_user):
    activity = schedule_services.activity_create(
        name="Neglect", month=datetime.date(2026, 10, 1), by=qa_lead_user
    )
    schedule_services.activity_update(
        activity=activity,
        by=qa_lead_user,
        name="Neglect and home conditions",
        month=datetime.date(2026, 10, 1),
    )
    assert last_change(activity, "name") == ["Neglect", "Neglect and home conditions"]


def test_a_qa_target_change_is_kept(qa_lead_user):
    values = dict(measure="manual", direction="at_least", amber_tolerance=0)
    target = target_create(
        by=qa_lead_user, financial_year=2026, name="Visits", target_value="90", **values
    )
    target_update(target=target, by=qa_lead_user, name="Visits", target_value="95", **values)
    old, new = last_change(target, "target_value")
    assert (float(old), float(new)) == (90, 95)


def test_a_report_narrative_change_is_kept(qa_lead_user):
    report = report_services.report_create(
        by=qa_lead_user,
        period=periods.quarter(2026, 2),
    )
    report_services.report_update_narrative(
        report=report,
        by=qa_lead_user,
        title=report.title,
        summary="A steady quarter.",
        findings="",
        recommendations="",
    )
    assert last_change(report, "summary") == ["", "A steady quarter."]


def test_role_changes_and_user_changes_are_kept(administrator_user):
    person = factories.auditor()
    person.groups.add(Group.objects.get(name=roles.QA_LEAD))
    person.email = "new.address@example.org"
    person.save()

    assert last_change(person, "email")[1] == "new.address@example.org"
    groups = last_change(person, "groups")
    assert groups["operation"] == "add" and roles.QA_LEAD in groups["objects"]
    event = SecurityEvent.objects.filter(event="roles_changed").latest("at")
    assert event.changes["roles"] == [[roles.AUDITOR], sorted([roles.AUDITOR, roles.QA_LEAD])]
    # Passwords are never copied into the history.
    person.set_password("another-long-passphrase")
    person.save()
    assert all("password" not in (e.changes or {}) for e in entries_for(person))


def test_a_change_through_a_page_names_who_and_from_which_address(client, owner):
    client.force_login(owner)
    client.post(reverse("audits:new"), post_data(header={"case_reference": "CR-2002"}))
    audit = Audit.objects.get(case_reference="CR-2002")
    client.post(
        reverse("audits:section", args=[audit.pk, "domain-5"]),
        post_data(
            header={"case_reference": "CR-2002"},
            domains={5: {"grade": Grade.MEETS, "text": "Plan reviewed monthly."}},
        ),
        REMOTE_ADDR="10.20.30.40",
    )
    grade = audit.domain_grades.get(domain__number=5)
    entry = [e for e in entries_for(grade) if "text" in (e.changes or {})][-1]
    assert entry.changes["text"] == ["", "Plan reviewed monthly."]
    assert entry.actor == owner
    assert entry.remote_addr == "10.20.30.40"
    assert entry.additional_data["case_reference"] == "CR-2002"


def test_the_audit_record_lists_each_changed_field_with_a_readable_text_diff(owner):
    audit = draft_audit(auditor=owner)
    content = complete_content()
    before = "The plan names who does what by when, and the child's views are recorded each visit."
    after = "The plan names who does what by when, and the child's wishes are recorded each visit."
    content.domains[2] = {"grade": Grade.MEETS, "text": before}
    services.audit_save_draft(audit=audit, by=owner, content=content)
    content.domains[2] = {"grade": Grade.EXCEEDS, "text": after}
    services.audit_save_draft(audit=audit, by=owner, content=content)

    changes = audit_record(audit)["changes"]
    grade_rows = [c for c in changes if c.field == "grade" and c.new == "Exceeds good"]
    assert grade_rows and grade_rows[-1].old == "Meets good"
    text_row = [c for c in changes if c.field == "text" and c.new == after][-1]
    assert "<del>views</del>" in text_row.diff and "<ins>wishes</ins>" in text_row.diff


def test_a_word_diff_escapes_what_was_typed():
    diff = word_diff("<b>old</b> words here", "<script>new</script> words here")
    assert "<script>" not in diff and "&lt;script&gt;" in diff


def test_imported_audits_each_have_a_created_entry_naming_the_importer(administrator_user):
    from tests.audits.csv.test_importer import row, run_import

    result = run_import(
        row(case_reference="CR-2101"), row(case_reference="CR-2102"), by=administrator_user
    )
    assert result.created == 2
    for reference in ("CR-2101", "CR-2102"):
        audit = Audit.objects.get(case_reference=reference)
        (entry,) = entries_for(audit)
        assert entry.action == LogEntry.Action.CREATE
        assert entry.actor == administrator_user
        assert entry.changes["case_reference"] == [None, reference]
        assert entry.changes["overall_grade"] == [None, Grade.MEETS]
        assert entry.additional_data["case_reference"] == reference
