"""Drafts: saving, changing, deleting; and who may save or submit which audit."""

import datetime

import pytest

from audits import services
from audits.grades import Grade
from audits.models import (
    AgreedAction,
    Audit,
    AuditActivity,
    AuditTool,
    AuditTransition,
    DomainGrade,
    RiskCategory,
    Status,
)
from audits.schedule import services as schedule_services
from audits.services import AuditContent, AuditError, AuditSubmitError
from tests import factories
from tests.helpers import complete_content, draft_audit, submitted_audit

TODAY = datetime.date(2026, 11, 25)

pytestmark = pytest.mark.django_db


def _action(description, *, id=None, owner="Team manager", due=datetime.date(2026, 12, 1)):
    return {"id": id, "description": description, "owner": owner, "due_date": due}


def test_an_empty_draft_can_be_saved(owner):
    audit = services.audit_save_draft(audit=None, by=owner, content=AuditContent())

    audit.refresh_from_db()
    assert audit.status == Status.DRAFT
    assert audit.auditor == owner
    assert audit.tool == AuditTool.objects.get(is_current=True)
    assert audit.case_reference == ""
    assert audit.audit_date is None
    # One blank grade row per domain of the tool, ready for the form.
    assert sorted(audit.domain_grades.values_list("domain__number", "grade")) == [
        (n, "") for n in range(1, 13)
    ]
    assert not audit.actions.exists()
    assert not AuditTransition.objects.filter(audit=audit).exists()


@pytest.mark.parametrize(
    "content",
    [
        AuditContent(header={"case_reference": "CR-77"}),
        AuditContent(header={"audit_date": datetime.date(2026, 10, 1)}),
        AuditContent(domains={4: {"grade": Grade.DOES_NOT_MEET}}),
        AuditContent(domains={2: {"text": "Child seen alone twice."}}),
        AuditContent(actions=[{"id": None, "description": "Chase the health assessment"}]),
        AuditContent(header={"overall_grade": Grade.DOES_NOT_MEET}),
    ],
    ids=["reference", "date", "grade-only", "text-only", "bare-action", "overall-only"],
)
def test_any_part_filled_in_can_be_saved(owner, content):
    audit = services.audit_save_draft(audit=None, by=owner, content=content)

    audit.refresh_from_db()
    assert audit.status == Status.DRAFT
    for name, value in content.header.items():
        assert getattr(audit, name) == value
    grades = {g.domain.number: g for g in audit.domain_grades.select_related("domain")}
    for number, values in content.domains.items():
        assert grades[number].grade == values.get("grade", "")
        assert grades[number].text == values.get("text", "")
    assert list(audit.actions.values_list("description", flat=True)) == [
        a["description"] for a in content.actions
    ]


def test_saving_twice_updates_the_same_draft(owner):
    audit = services.audit_save_draft(
        audit=None,
        by=owner,
        content=AuditContent(
            header={"case_reference": "CR-1"}, domains={1: {"grade": Grade.MEETS, "text": "First."}}
        ),
    )
    first_revision = audit.revision

    again = services.audit_save_draft(
        audit=audit,
        by=owner,
        content=AuditContent(
            header={"case_reference": "CR-2"},
            domains={1: {"grade": Grade.EXCEEDS, "text": "Second."}},
        ),
    )

    assert again.pk == audit.pk
    assert Audit.objects.filter(auditor=owner).count() == 1
    assert DomainGrade.objects.filter(audit=audit).count() == 12
    again.refresh_from_db()
    assert again.case_reference == "CR-2"
    assert again.revision == first_revision + 1
    assert again.domain_grades.get(domain__number=1).grade == Grade.EXCEEDS
    assert again.domain_grades.get(domain__number=1).text == "Second."


def test_header_fields_not_sent_are_left_alone(owner):
    audit = services.audit_save_draft(
        audit=None,
        by=owner,
        content=AuditContent(header={"case_reference": "CR-1", "overall_comments": "Kept."}),
    )
    services.audit_save_draft(
        audit=audit, by=owner, content=AuditContent(header={"case_reference": "CR-9"})
    )
    audit.refresh_from_db()
    assert (audit.case_reference, audit.overall_comments) == ("CR-9", "Kept.")


def test_action_rows_are_updated_added_and_removed(owner):
    audit = services.audit_save_draft(
        audit=None,
        by=owner,
        content=AuditContent(actions=[_action("Update the chronology"), _action("Hold a review")]),
    )
    kept, dropped = audit.actions.order_by("pk")

    services.audit_save_draft(
        audit=audit,
        by=owner,
        content=AuditContent(
            actions=[
                _action("Update the chronology this week", id=kept.pk, owner="Social worker"),
                _action("Seek the child's views"),
            ],
            removed_action_ids=[dropped.pk],
        ),
    )

    rows = list(audit.actions.order_by("pk").values_list("pk", "description", "owner"))
    assert rows[0] == (kept.pk, "Update the chronology this week", "Social worker")
    assert rows[1][1] == "Seek the child's views"
    assert len(rows) == 2
    assert not AgreedAction.objects.filter(pk=dropped.pk).exists()


def test_an_action_the_save_does_not_list_is_kept(owner):
    # A page that did not show an action (added in another tab) must not delete it by saving.
    audit = services.audit_save_draft(
        audit=None, by=owner, content=AuditContent(actions=[_action("Added in another tab")])
    )

    services.audit_save_draft(audit=audit, by=owner, content=AuditContent())

    assert list(audit.actions.values_list("description", flat=True)) == ["Added in another tab"]


def test_removing_every_action_leaves_the_moderators(owner):
    audit = services.audit_save_draft(
        audit=None, by=owner, content=AuditContent(actions=[_action("Mine")])
    )
    mine = audit.actions.get()
    theirs = AgreedAction.objects.create(
        audit=audit, description="Moderator's", source=AgreedAction.Source.MODERATOR
    )

    services.audit_save_draft(
        audit=audit, by=owner, content=AuditContent(removed_action_ids=[mine.pk, theirs.pk])
    )

    assert list(audit.actions.all()) == [theirs]


def test_an_action_id_from_another_audit_is_not_touched(owner, colleague):
    other = services.audit_save_draft(
        audit=None, by=colleague, content=AuditContent(actions=[_action("Theirs")])
    )
    their_action = other.actions.get()

    audit = services.audit_save_draft(
        audit=None,
        by=owner,
        content=AuditContent(actions=[_action("Hijacked", id=their_action.pk)]),
    )

    their_action.refresh_from_db()
    assert their_action.description == "Theirs"
    assert their_action.audit_id == other.pk
    assert list(audit.actions.values_list("description", flat=True)) == ["Hijacked"]


def test_risk_categories_from_another_tool_version_are_ignored(owner):
    v1 = AuditTool.objects.get(is_current=True)
    v2 = services.tool_copy_as_new_version(source=v1)
    v1_neglect = RiskCategory.objects.get(domain__tool=v1, slug="neglect")
    v2_neglect = RiskCategory.objects.get(domain__tool=v2, slug="neglect")
    v1_abuse = RiskCategory.objects.get(domain__tool=v1, slug="domestic_abuse")

    audit = services.audit_save_draft(
        audit=None,
        by=owner,
        content=AuditContent(
            risk_category_ids=[v1_neglect.pk, v2_neglect.pk, v1_abuse.pk, 999_999]
        ),
    )

    assert set(audit.risk_categories.all()) == {v1_neglect, v1_abuse}

    services.audit_save_draft(
        audit=audit, by=owner, content=AuditContent(risk_category_ids=[v1_abuse.pk])
    )
    assert list(audit.risk_categories.all()) == [v1_abuse]


def test_a_domain_outside_the_tool_is_refused(owner):
    audit = services.audit_save_draft(audit=None, by=owner, content=AuditContent())
    with pytest.raises(AuditError, match="Domain 13 is not part"):
        services.audit_save_draft(
            audit=audit, by=owner, content=AuditContent(domains={13: {"grade": Grade.MEETS}})
        )


def test_a_colleague_cannot_save_someone_elses_draft(owner, colleague):
    audit = draft_audit(auditor=owner, case_reference="CR-5")

    with pytest.raises(AuditError, match="Only the auditor who started this audit"):
        services.audit_save_draft(
            audit=audit, by=colleague, content=AuditContent(header={"case_reference": "CR-6"})
        )

    audit.refresh_from_db()
    assert audit.case_reference == "CR-5"
    assert audit.auditor == owner


def test_a_colleague_cannot_submit_someone_elses_draft(owner, colleague):
    audit = draft_audit(auditor=owner)

    with pytest.raises(AuditError, match="Only the auditor") as refused:
        services.audit_submit(audit=audit, by=colleague, today=TODAY)

    assert not isinstance(refused.value, AuditSubmitError)
    audit.refresh_from_db()
    assert audit.status == Status.DRAFT
    assert not audit.transitions.exists()


@pytest.mark.parametrize("who", ["owner", "moderator_user"])
def test_a_submitted_audit_cannot_be_saved_again(request, owner, who):
    audit = submitted_audit(auditor=owner)
    by = request.getfixturevalue(who)

    with pytest.raises(AuditError):
        services.audit_save_draft(
            audit=audit, by=by, content=AuditContent(header={"case_reference": "CR-X"})
        )

    audit.refresh_from_db()
    assert audit.case_reference == "CR-1001"


def test_a_submitted_audit_cannot_be_submitted_again(owner):
    audit = submitted_audit(auditor=owner)

    with pytest.raises(AuditError, match="can no longer be changed"):
        services.audit_submit(audit=audit, by=owner, today=TODAY)

    assert audit.transitions.count() == 1


def _read_for_submit(monkeypatch, *, then=None) -> list:
    """Counts submit's reads of the audit and its parts; ``then`` runs after the first (as a
    save from another tab landing between that read and the submit's lock)."""
    read, reads = services._with_submit_parts, []

    def reading(pk):
        found = read(pk)
        reads.append(pk)
        if then is not None and len(reads) == 1:
            then()
        return found

    monkeypatch.setattr(services, "_with_submit_parts", reading)
    return reads


def test_a_submit_checks_again_under_the_lock_an_audit_saved_since_it_was_read(owner, monkeypatch):
    """The submit rules run before the write lock is taken; a save in between (another tab
    clearing a grade) changes the revision, so the rules run again under the lock and refuse."""
    audit = draft_audit(auditor=owner)

    def another_tab_clears_a_grade():
        services.audit_save_draft(
            audit=audit,
            by=owner,
            content=AuditContent(domains={3: {"grade": "", "text": ""}}, risk_category_ids=None),
        )

    reads = _read_for_submit(monkeypatch, then=another_tab_clears_a_grade)

    with pytest.raises(AuditSubmitError) as refused:
        services.audit_submit(audit=audit, by=owner, today=TODAY)

    assert len(reads) == 2
    assert ("domain", "grade", 3) in [(p.part, p.field, p.index) for p in refused.value.problems]
    audit.refresh_from_db()
    assert audit.status == Status.DRAFT
    assert not audit.transitions.exists()


def test_a_submit_reads_the_audit_once_when_nobody_saved_it_since(owner, monkeypatch):
    audit = draft_audit(auditor=owner)
    reads = _read_for_submit(monkeypatch)

    services.audit_submit(audit=audit, by=owner, today=TODAY)

    assert len(reads) == 1
    audit.refresh_from_db()
    assert audit.status in (Status.SUBMITTED, Status.COMPLETED)


def test_an_incomplete_audit_is_refused_before_the_write_lock(owner, monkeypatch):
    """A submit the rules refuse takes no lock: the audit is never read for update."""
    audit = services.audit_save_draft(
        audit=None, by=owner, content=AuditContent(header={"case_reference": "CR-7"})
    )
    locked = []
    select_for_update = Audit.objects.select_for_update
    monkeypatch.setattr(
        type(Audit.objects),
        "select_for_update",
        lambda self, *a, **k: locked.append(1) or select_for_update(*a, **k),
        raising=False,
    )

    with pytest.raises(AuditSubmitError):
        services.audit_submit(audit=audit, by=owner, today=TODAY)

    assert locked == []


def test_a_returned_audit_can_be_amended_and_resubmitted(owner):
    audit = submitted_audit(auditor=owner)
    # Moderation (another app) returns audits; here the state is set directly.
    Audit.objects.filter(pk=audit.pk).update(status=Status.RETURNED)

    services.audit_save_draft(
        audit=audit, by=owner, content=AuditContent(header={"overall_comments": "Amended."})
    )
    services.audit_submit(audit=audit, by=owner, today=TODAY)

    audit.refresh_from_db()
    assert audit.status == Status.SUBMITTED
    assert audit.overall_comments == "Amended."
    assert list(audit.transitions.values_list("from_status", "to_status")) == [
        (Status.DRAFT, Status.SUBMITTED),
        (Status.RETURNED, Status.SUBMITTED),
    ]


def test_an_auditor_can_delete_their_own_draft(owner):
    audit = draft_audit(auditor=owner)

    services.audit_delete_draft(audit=audit, by=owner)

    assert not Audit.objects.filter(pk=audit.pk).exists()
    assert not DomainGrade.objects.filter(audit_id=audit.pk).exists()
    assert not AgreedAction.objects.filter(audit_id=audit.pk).exists()


@pytest.mark.parametrize("who", ["colleague", "moderator_user", "administrator_user"])
def test_nobody_else_can_delete_a_draft(request, owner, who):
    audit = draft_audit(auditor=owner)

    with pytest.raises(AuditError, match="Only your own drafts"):
        services.audit_delete_draft(audit=audit, by=request.getfixturevalue(who))

    assert Audit.objects.filter(pk=audit.pk, status=Status.DRAFT).exists()


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.RETURNED, Status.COMPLETED])
def test_an_audit_past_draft_is_never_deleted(owner, status):
    audit = submitted_audit(auditor=owner)
    Audit.objects.filter(pk=audit.pk).update(status=status)

    with pytest.raises(AuditError, match="Only your own drafts"):
        services.audit_delete_draft(audit=audit, by=owner)

    assert Audit.objects.filter(pk=audit.pk).exists()


def test_without_a_current_tool_no_audit_can_be_started(owner):
    AuditTool.objects.update(is_current=False)
    with pytest.raises(AuditError, match="No audit tool is in use"):
        services.audit_save_draft(audit=None, by=owner, content=complete_content())
    assert not Audit.objects.exists()


def test_activity_create_starts_the_month_on_its_first_day_and_refuses_a_duplicate():
    activity = schedule_services.activity_create(
        name="Neglect",
        month=datetime.date(2026, 12, 17),
        strand=factories.strand(),
        case_types=[factories.case_type("child_protection")],
    )

    assert activity.month == datetime.date(2026, 12, 1)
    assert [c.slug for c in activity.case_types.all()] == ["child_protection"]
    with pytest.raises(AuditError, match="already an activity called"):
        schedule_services.activity_create(name="Neglect", month=datetime.date(2026, 12, 3))
    assert AuditActivity.objects.filter(name="Neglect").count() == 1


# --- The practice flag, fixed once submitted ---------------------------------------------------


def _returned(owner, *, practice=False):
    """The owner's audit, submitted (as a practice audit if asked) and returned to amend."""
    content = complete_content()
    content.header["is_practice"] = practice
    audit = services.audit_save_draft(audit=None, by=owner, content=content)
    services.audit_submit(audit=audit, by=owner, today=TODAY)
    # Moderation (another app) returns audits; here the state is set directly.
    Audit.objects.filter(pk=audit.pk).update(status=Status.RETURNED)
    audit.refresh_from_db()
    return audit


@pytest.mark.parametrize("practice", [False, True])
def test_amending_a_returned_audit_cannot_change_whether_it_is_a_practice_one(owner, practice):
    audit = _returned(owner, practice=practice)
    header = {"is_practice": not practice, "overall_comments": "Amended."}

    with pytest.raises(AuditError, match="fixed once the audit has been submitted") as error:
        services.audit_save_draft(audit=audit, by=owner, content=AuditContent(header=header))

    assert error.value.field == "is_practice"
    audit.refresh_from_db()
    assert audit.is_practice is practice
    assert audit.overall_comments == "Overall the work is purposeful."
    # Its sampling reason still matches what it is.
    assert (audit.moderation_case.reason == "practice") is practice


def test_amending_a_returned_audit_may_repeat_its_practice_flag(owner):
    audit = _returned(owner, practice=True)

    services.audit_save_draft(
        audit=audit,
        by=owner,
        content=AuditContent(header={"is_practice": True, "overall_comments": "Amended."}),
    )

    audit.refresh_from_db()
    assert (audit.is_practice, audit.overall_comments) == (True, "Amended.")


def test_a_draft_may_still_become_a_practice_audit_and_back(owner):
    audit = draft_audit(auditor=owner)

    for practice in (True, False):
        services.audit_save_draft(
            audit=audit, by=owner, content=AuditContent(header={"is_practice": practice})
        )
        audit.refresh_from_db()
        assert audit.is_practice is practice


# --- One section page's save (audits.sections) -------------------------------------------------


def _seen(audit, slug):
    from audits import sections

    section = sections.find_section(audit.tool, slug)
    return section, sections.fingerprint(Audit.objects.get(pk=audit.pk), section)


def test_a_stale_section_save_goes_through_when_only_other_sections_changed(owner):
    from audits.revisions import RevisionConflict

    audit = draft_audit(auditor=owner)
    opened_at = audit.revision
    overall, seen = _seen(audit, "overall")
    services.audit_save_draft(
        audit=audit, by=owner, content=AuditContent(domains={2: {"grade": "", "text": "Other."}})
    )

    saved = services.audit_save_section(
        audit=audit,
        by=owner,
        section=overall,
        content=AuditContent(header={"overall_comments": "Mine."}, risk_category_ids=None),
        expected_revision=opened_at,
        page="a-page",
        seen=seen,
    )

    assert saved.overall_comments == "Mine."
    assert saved.domain_grades.get(domain__number=2).text == "Other."
    assert saved.revision == opened_at + 2

    # Without the fingerprint, or with one the section no longer has, the stale save is refused.
    for fingerprint in ("", seen):
        with pytest.raises(RevisionConflict):
            services.audit_save_section(
                audit=audit,
                by=owner,
                section=overall,
                content=AuditContent(header={"overall_comments": "Late."}, risk_category_ids=None),
                expected_revision=opened_at,
                page="another-page",
                seen=fingerprint,
            )
    assert Audit.objects.get(pk=audit.pk).overall_comments == "Mine."


def test_a_section_save_leaves_the_risks_when_its_page_does_not_show_them(owner):
    audit = draft_audit(auditor=owner)
    neglect = RiskCategory.objects.get(slug="neglect", domain__tool__is_current=True)
    audit.risk_categories.set([neglect])
    overall, seen = _seen(audit, "overall")

    services.audit_save_section(
        audit=audit,
        by=owner,
        section=overall,
        content=AuditContent(header={"overall_comments": "Mine."}, risk_category_ids=None),
        expected_revision=audit.revision,
        seen=seen,
    )

    assert list(audit.risk_categories.all()) == [neglect]
