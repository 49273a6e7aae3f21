"""The moderation workflow through its services: recording, sending back, feedback, the QA
lead's queue additions and exemplars. Data is built through the services, as users build it.
"""

import datetime
import io

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from audits import roles
from audits import services as audit_services
from audits.csv.importer import import_audits_csv
from audits.grades import Grade
from audits.models import AgreedAction, Audit, AuditTransition, Status
from audits.selectors import get_audit_for
from moderation import selectors, services
from moderation.models import DomainNote, Exemplar, Moderation, ModerationCase, SampleReason
from moderation.services import ModerationError
from tests import factories
from tests.helpers import (
    complete_content,
    draft_audit,
    moderated_audit,
    submitted_audit,
    taken_audit,
)
from tests.worker import run_tasks

TODAY = datetime.date(2026, 11, 25)

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor_moderator(db):
    """A senior practitioner who audits and moderates: never their own audits."""
    return factories.UserFactory(roles=[roles.AUDITOR, roles.MODERATOR])


def practice_audit(*, auditor=None, **kwargs):
    auditor = auditor or factories.auditor()
    content = complete_content(**kwargs)
    content.header["is_practice"] = True
    audit = audit_services.audit_save_draft(audit=None, by=auditor, content=content)
    return audit_services.audit_submit(audit=audit, by=auditor, today=TODAY)


class NoDraws:
    """An rng that fails the test if anything draws from it."""

    def random(self):
        raise AssertionError("a second sampling draw was made")


def _refuses_self(audit, call):
    status, rounds = audit.status, audit.moderations.count()
    with pytest.raises(ModerationError, match="cannot moderate your own audit"):
        call()
    audit.refresh_from_db()
    assert (audit.status, audit.moderations.count()) == (status, rounds)


# --- Self-moderation -------------------------------------------------------------------------


def test_a_moderator_cannot_take_their_own_audit(auditor_moderator):
    audit = submitted_audit(auditor=auditor_moderator)

    _refuses_self(audit, lambda: services.moderation_take(audit=audit, moderator=auditor_moderator))
    assert ModerationCase.objects.get(audit=audit).taken_by is None


def test_a_moderator_cannot_record_or_send_back_their_own_audit(auditor_moderator, moderator_user):
    # Even with the audit in hand (taken by a colleague), the auditor cannot moderate it.
    audit = taken_audit(moderator=moderator_user, auditor=auditor_moderator)

    _refuses_self(
        audit,
        lambda: services.moderation_record(
            audit=audit, moderator=auditor_moderator, grade=Grade.EXCEEDS, rationale="Mine is good."
        ),
    )
    _refuses_self(
        audit,
        lambda: services.moderation_send_back(
            audit=audit, moderator=auditor_moderator, comments="No changes."
        ),
    )


def test_the_queue_never_offers_a_moderator_their_own_audits(auditor_moderator, moderator_user):
    own = submitted_audit(auditor=auditor_moderator, case_reference="CR-OWN")
    other = submitted_audit(case_reference="CR-OTHER")

    assert list(selectors.moderation_queue(auditor_moderator)) == [other]
    assert set(selectors.moderation_queue(moderator_user)) == {own, other}


def test_the_moderate_page_sends_a_moderator_away_from_their_own_audit(client, auditor_moderator):
    audit = submitted_audit(auditor=auditor_moderator)
    client.force_login(auditor_moderator)

    response = client.get(reverse("moderation:moderate", args=[audit.pk]))

    assert response.status_code == 302
    assert response.url == audit.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "You cannot moderate your own audit. Another moderator must."
    ]


def test_someone_without_the_moderator_role_cannot_moderate(owner, qa_lead_user):
    audit = submitted_audit()

    for user in (owner, qa_lead_user):
        with pytest.raises(ModerationError, match="Only moderators"):
            services.moderation_take(audit=audit, moderator=user)
    audit.refresh_from_db()
    assert audit.status == Status.SUBMITTED


# --- Recording a decision ----------------------------------------------------------------


def test_agreeing_completes_the_audit_with_the_auditors_grade(moderator_user):
    audit = taken_audit(moderator=moderator_user, overall=Grade.MEETS)

    moderation = services.moderation_record(
        audit=audit,
        moderator=moderator_user,
        grade=Grade.MEETS,
        feedback="Clear and well evidenced.",
    )

    audit.refresh_from_db()
    assert audit.status == Status.COMPLETED
    assert audit.moderated_grade == audit.overall_grade == Grade.MEETS
    assert audit.moderated_by == moderator_user
    assert audit.final_grade == Grade.MEETS
    assert (
        moderation.round,
        moderation.outcome,
        moderation.auditor_grade,
        moderation.moderated_grade,
        moderation.feedback,
    ) == (1, Moderation.Outcome.AGREED, Grade.MEETS, Grade.MEETS, "Clear and well evidenced.")
    last = AuditTransition.objects.filter(audit=audit).last()
    assert (last.from_status, last.to_status, last.by) == (
        Status.IN_MODERATION,
        Status.COMPLETED,
        moderator_user,
    )
    # The audit is no longer in anyone's queue.
    assert audit not in selectors.moderation_queue(factories.moderator())


@pytest.mark.parametrize(
    ("overall", "moderated", "outcome"),
    [
        (Grade.EXCEEDS, Grade.MEETS, Moderation.Outcome.LOWERED),
        (Grade.EXCEEDS, Grade.DOES_NOT_MEET, Moderation.Outcome.LOWERED),
        (Grade.MEETS, Grade.DOES_NOT_MEET, Moderation.Outcome.LOWERED),
        (Grade.MEETS, Grade.EXCEEDS, Moderation.Outcome.RAISED),
        (Grade.DOES_NOT_MEET, Grade.MEETS, Moderation.Outcome.RAISED),
        (Grade.DOES_NOT_MEET, Grade.EXCEEDS, Moderation.Outcome.RAISED),
        (Grade.EXCEEDS, Grade.EXCEEDS, Moderation.Outcome.AGREED),
        (Grade.DOES_NOT_MEET, Grade.DOES_NOT_MEET, Moderation.Outcome.AGREED),
    ],
)
def test_a_changed_grade_is_raised_or_lowered(moderator_user, overall, moderated, outcome):
    audit = taken_audit(moderator=moderator_user, overall=overall)

    moderation = services.moderation_record(
        audit=audit, moderator=moderator_user, grade=moderated, rationale="  Evidence in domain 4. "
    )

    audit.refresh_from_db()
    assert moderation.outcome == outcome
    assert (audit.status, audit.overall_grade, audit.moderated_grade, audit.final_grade) == (
        Status.COMPLETED,
        overall,
        moderated,
        moderated,
    )
    assert moderation.rationale == "Evidence in domain 4."


@pytest.mark.parametrize("rationale", ["", "   \n "])
def test_a_changed_grade_needs_a_rationale(moderator_user, rationale):
    audit = taken_audit(moderator=moderator_user, overall=Grade.MEETS)

    with pytest.raises(ModerationError) as error:
        services.moderation_record(
            audit=audit, moderator=moderator_user, grade=Grade.DOES_NOT_MEET, rationale=rationale
        )

    assert error.value.field == "rationale"
    audit.refresh_from_db()
    assert audit.status == Status.IN_MODERATION
    assert audit.moderated_grade == ""
    assert not audit.moderations.exists()


def test_a_moderated_grade_must_be_one_of_the_overall_grades(moderator_user):
    audit = taken_audit(moderator=moderator_user)

    for bad in ("", Grade.NOT_APPLICABLE, "excellent"):
        with pytest.raises(ModerationError) as error:
            services.moderation_record(
                audit=audit, moderator=moderator_user, grade=bad, rationale="Because."
            )
        assert error.value.field == "grade"
    assert not audit.moderations.exists()


def test_additional_actions_are_added_as_the_moderators(moderator_user):
    audit = taken_audit(moderator=moderator_user)
    auditors_actions = list(audit.actions.values_list("description", "source"))

    services.moderation_record(
        audit=audit,
        moderator=moderator_user,
        grade=Grade.MEETS,
        actions=[
            {
                "description": " Convene a strategy discussion ",
                "owner": "Team manager",
                "due_date": datetime.date(2026, 12, 1),
            },
            {"description": "   ", "owner": "ignored", "due_date": None},  # a blank row is skipped
            {"description": "Update the plan", "owner": "", "due_date": None},
        ],
    )

    assert auditors_actions == [("Update the chronology", AgreedAction.Source.AUDITOR)]
    assert list(
        audit.actions.order_by("pk").values_list("description", "owner", "due_date", "source")
    ) == [
        ("Update the chronology", "Team manager", datetime.date(2026, 11, 12), "auditor"),
        ("Convene a strategy discussion", "Team manager", datetime.date(2026, 12, 1), "moderator"),
        ("Update the plan", "", None, "moderator"),
    ]


def test_domain_notes_are_kept_with_the_round(moderator_user):
    audit = taken_audit(moderator=moderator_user)

    moderation = services.moderation_record(
        audit=audit,
        moderator=moderator_user,
        grade=Grade.MEETS,
        domain_notes={3: " The plan is not SMART. ", 7: "", 9: "   ", 5: "Voice of the child."},
    )

    assert list(
        DomainNote.objects.filter(moderation=moderation).values_list("domain__number", "note")
    ) == [(3, "The plan is not SMART."), (5, "Voice of the child.")]
    assert all(n.domain.tool_id == audit.tool_id for n in moderation.notes.all())


def test_the_auditor_is_emailed_the_outcome(moderator_user, django_capture_on_commit_callbacks):
    auditor = factories.auditor(username="asha", email="asha@example.test")
    audit = taken_audit(moderator=moderator_user, auditor=auditor, case_reference="CR-4471")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.moderation_record(
            audit=audit,
            moderator=moderator_user,
            grade=Grade.EXCEEDS,
            rationale="Outstanding analysis.",
            feedback="Your analysis of risk was excellent.",
        )

    assert len(callbacks) == 1
    assert mail.outbox == []  # queued for the worker, which sends it
    assert run_tasks() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["asha@example.test"]
    assert "CR-4471" in message.subject
    assert "Grade raised" in message.body
    assert "Your analysis of risk was excellent." in message.body
    assert reverse("audits:detail", args=[audit.pk]) in message.body


def test_the_auditor_is_emailed_when_the_audit_is_sent_back(
    moderator_user, django_capture_on_commit_callbacks
):
    audit = taken_audit(moderator=moderator_user, case_reference="CR-4472")

    with django_capture_on_commit_callbacks(execute=True):
        services.moderation_send_back(
            audit=audit, moderator=moderator_user, comments="Add the child's own words to domain 2."
        )
    run_tasks()

    assert [m.to for m in mail.outbox] == [[audit.auditor.email]]
    assert "CR-4472" in mail.outbox[0].subject
    assert "Add the child's own words to domain 2." in mail.outbox[0].body


def test_no_email_is_sent_when_the_moderation_is_refused(
    moderator_user, django_capture_on_commit_callbacks
):
    audit = taken_audit(moderator=moderator_user, overall=Grade.MEETS)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ModerationError):
            services.moderation_record(audit=audit, moderator=moderator_user, grade=Grade.EXCEEDS)

    assert callbacks == []
    assert mail.outbox == []


def test_an_auditor_without_an_email_address_gets_no_email(
    moderator_user, django_capture_on_commit_callbacks
):
    audit = taken_audit(moderator=moderator_user, auditor=factories.auditor(email=""))

    with django_capture_on_commit_callbacks(execute=True):
        services.moderation_record(audit=audit, moderator=moderator_user, grade=Grade.MEETS)
    run_tasks()

    assert mail.outbox == []


# --- Sending back and resubmitting ---------------------------------------------------------


def test_send_back_then_resubmit_then_agree_keeps_both_rounds(moderator_user):
    auditor = factories.auditor()
    audit = taken_audit(moderator=moderator_user, auditor=auditor, overall=Grade.MEETS)
    case_before = (
        ModerationCase.objects.filter(audit=audit)
        .values("sampled", "reason", "rate", "draw", "decided_at")
        .get()
    )

    services.moderation_send_back(
        audit=audit, moderator=moderator_user, comments="  Evidence the child was seen alone. "
    )
    audit.refresh_from_db()
    assert audit.status == Status.RETURNED
    assert ModerationCase.objects.get(audit=audit).taken_by is None
    assert audit not in selectors.moderation_queue(moderator_user)

    # The auditor amends the returned audit and submits it again.
    content = complete_content(overall=Grade.EXCEEDS, activity=audit.activity)
    content.header["overall_comments"] = "Child seen alone on two visits."
    audit_services.audit_save_draft(audit=audit, by=auditor, content=content)
    audit_services.audit_submit(audit=audit, by=auditor, today=TODAY, rng=NoDraws())
    audit.refresh_from_db()
    assert audit.status == Status.SUBMITTED
    assert audit.overall_grade == Grade.EXCEEDS
    assert audit in selectors.moderation_queue(moderator_user)
    assert ModerationCase.objects.filter(audit=audit).count() == 1
    assert (
        ModerationCase.objects.filter(audit=audit)
        .values("sampled", "reason", "rate", "draw", "decided_at")
        .get()
        == case_before
    )

    # Any moderator may pick it up again; this one agrees.
    second = factories.moderator()
    services.moderation_take(audit=audit, moderator=second)
    services.moderation_record(audit=audit, moderator=second, grade=Grade.EXCEEDS)
    audit.refresh_from_db()
    assert (audit.status, audit.moderated_grade, audit.moderated_by) == (
        Status.COMPLETED,
        Grade.EXCEEDS,
        second,
    )

    history = selectors.moderation_history(audit, second)
    assert [
        (m.round, m.outcome, m.moderator, m.auditor_grade, m.moderated_grade) for m in history
    ] == [
        (1, Moderation.Outcome.RETURNED, moderator_user, Grade.MEETS, ""),
        (2, Moderation.Outcome.AGREED, second, Grade.EXCEEDS, Grade.EXCEEDS),
    ]
    assert history[0].feedback == "Evidence the child was seen alone."
    assert list(
        AuditTransition.objects.filter(audit=audit).values_list("from_status", "to_status")
    ) == [
        (Status.DRAFT, Status.SUBMITTED),
        (Status.SUBMITTED, Status.IN_MODERATION),
        (Status.IN_MODERATION, Status.RETURNED),
        (Status.RETURNED, Status.SUBMITTED),
        (Status.SUBMITTED, Status.IN_MODERATION),
        (Status.IN_MODERATION, Status.COMPLETED),
    ]


def test_sending_back_needs_comments(moderator_user):
    audit = taken_audit(moderator=moderator_user)

    with pytest.raises(ModerationError) as error:
        services.moderation_send_back(audit=audit, moderator=moderator_user, comments="  ")

    assert error.value.field == "feedback"
    audit.refresh_from_db()
    assert audit.status == Status.IN_MODERATION


def test_release_puts_the_audit_back_for_anyone(moderator_user):
    audit = taken_audit(moderator=moderator_user)

    services.moderation_release(audit=audit, moderator=moderator_user)

    audit.refresh_from_db()
    assert audit.status == Status.SUBMITTED
    case = ModerationCase.objects.get(audit=audit)
    assert (case.taken_by, case.taken_at) == (None, None)
    other = factories.moderator()
    services.moderation_take(audit=audit, moderator=other)
    assert ModerationCase.objects.get(audit=audit).taken_by == other


# --- Feedback --------------------------------------------------------------------------------


def test_only_the_auditor_can_acknowledge_feedback(moderator_user, colleague, qa_lead_user):
    audit = moderated_audit(moderator=moderator_user)
    moderation = audit.moderations.get()

    for someone_else in (moderator_user, colleague, qa_lead_user):
        with pytest.raises(ModerationError, match="Only the auditor"):
            services.feedback_acknowledge(moderation=moderation, by=someone_else)
    moderation.refresh_from_db()
    assert moderation.acknowledged_at is None

    services.feedback_acknowledge(moderation=moderation, by=audit.auditor)
    moderation.refresh_from_db()
    first = moderation.acknowledged_at
    assert first is not None
    # Acknowledging twice keeps the first time.
    services.feedback_acknowledge(moderation=moderation, by=audit.auditor)
    moderation.refresh_from_db()
    assert moderation.acknowledged_at == first


def test_unacknowledged_feedback_is_counted_per_auditor(moderator_user, owner, colleague):
    returned = taken_audit(moderator=moderator_user, auditor=owner, case_reference="CR-1")
    services.moderation_send_back(audit=returned, moderator=moderator_user, comments="Add a plan.")
    decided = moderated_audit(moderator=moderator_user, auditor=owner, case_reference="CR-2")
    moderated_audit(moderator=moderator_user, auditor=colleague)

    assert selectors.unacknowledged_feedback_count(owner) == 2
    assert selectors.unacknowledged_feedback_count(colleague) == 1
    assert selectors.unacknowledged_feedback_count(moderator_user) == 0

    services.feedback_acknowledge(moderation=decided.moderations.get(), by=owner)
    assert selectors.unacknowledged_feedback_count(owner) == 1
    assert [m.audit.case_reference for m in selectors.feedback_for(owner)] == ["CR-2", "CR-1"]


# --- A QA lead adds an audit to the queue ----------------------------------------------------


@pytest.fixture
def unsampled_audit(db):
    activity = factories.AuditActivityFactory(moderation_rate=0, always_moderate_not_met=False)
    audit = submitted_audit(activity=activity)
    assert audit.status == Status.COMPLETED
    return audit


def test_a_qa_lead_adds_a_completed_unmoderated_audit_to_the_queue(
    unsampled_audit, qa_lead_user, moderator_user
):
    audit = unsampled_audit
    decision = (
        ModerationCase.objects.filter(audit=audit)
        .values("sampled", "reason", "rate", "draw", "decided_at")
        .get()
    )
    assert (decision["sampled"], decision["reason"], decision["rate"]) == (
        False,
        SampleReason.NOT_SELECTED,
        0,
    )

    case = services.moderation_add_to_queue(audit=audit, by=qa_lead_user)

    audit.refresh_from_db()
    assert audit.status == Status.SUBMITTED
    assert case.added_by == qa_lead_user and case.added_at is not None
    assert case.selected and case.why() == "Chosen by a QA lead"
    # The original sampling decision is kept as it was made.
    assert (
        ModerationCase.objects.filter(audit=audit)
        .values("sampled", "reason", "rate", "draw", "decided_at")
        .get()
        == decision
    )
    last = AuditTransition.objects.filter(audit=audit).last()
    assert (last.from_status, last.to_status, last.by) == (
        Status.COMPLETED,
        Status.SUBMITTED,
        qa_lead_user,
    )
    assert audit in selectors.moderation_queue(moderator_user)

    # And it is moderated like any other.
    services.moderation_take(audit=audit, moderator=moderator_user)
    services.moderation_record(audit=audit, moderator=moderator_user, grade=Grade.MEETS)
    audit.refresh_from_db()
    assert (audit.status, audit.moderated_grade) == (Status.COMPLETED, Grade.MEETS)


@pytest.mark.parametrize(
    "who", ["its auditor", "colleague", "moderator_user", "administrator_user"]
)
def test_only_a_qa_lead_can_add_to_the_queue(request, unsampled_audit, who):
    user = unsampled_audit.auditor if who == "its auditor" else request.getfixturevalue(who)

    with pytest.raises(ModerationError, match="Only QA leads"):
        services.moderation_add_to_queue(audit=unsampled_audit, by=user)

    unsampled_audit.refresh_from_db()
    assert unsampled_audit.status == Status.COMPLETED
    assert ModerationCase.objects.get(audit=unsampled_audit).added_by is None


def test_an_exemplar_is_not_added_to_the_queue_until_a_moderator_unmarks_it(
    unsampled_audit, qa_lead_user, moderator_user
):
    # Marked before exemplars had to be moderated: exemplar_mark refuses an unmoderated audit
    # now, but such an exemplar may still be in the database.
    Exemplar.objects.create(
        audit=unsampled_audit, marked_by=moderator_user, marked_at=timezone.now(), note="Plan."
    )

    with pytest.raises(ModerationError, match="remove it from the exemplars"):
        services.moderation_add_to_queue(audit=unsampled_audit, by=qa_lead_user)
    unsampled_audit.refresh_from_db()
    assert unsampled_audit.status == Status.COMPLETED
    assert ModerationCase.objects.get(audit=unsampled_audit).added_by is None

    services.exemplar_unmark(audit=unsampled_audit, by=moderator_user)
    services.moderation_add_to_queue(audit=unsampled_audit, by=qa_lead_user)
    unsampled_audit.refresh_from_db()
    assert unsampled_audit.status == Status.SUBMITTED


def test_a_qa_lead_adds_an_imported_unmoderated_audit(qa_lead_user, moderator_user):
    factories.auditor(username="imported-auditor")
    grades = ",".join(["meets"] * 12)
    csv = (
        "case_reference,audit_date,auditor,activity,strand,case_type,"
        + ",".join(f"domain_{n}" for n in range(1, 13))
        + ",overall_grade\n"
        + f"CR-IMP-1,2026-09-10,imported-auditor,Historic audit,social_care,child_in_need,"
        f"{grades},meets\n"
    )
    result = import_audits_csv(io.StringIO(csv), today=TODAY)
    assert result.ok and result.created == 1, result.errors
    audit = Audit.objects.get(auditor__username="imported-auditor")
    # Completed without moderation, as the CSV contract says: not waiting in any queue.
    assert audit.status == Status.COMPLETED and not hasattr(audit, "moderation_case")
    assert audit not in selectors.moderation_queue(moderator_user)

    case = services.moderation_add_to_queue(audit=audit, by=qa_lead_user)

    audit.refresh_from_db()
    assert audit.status == Status.SUBMITTED
    assert (case.sampled, case.added_by) == (False, qa_lead_user)
    assert audit in selectors.moderation_queue(moderator_user)


# --- Exemplars -----------------------------------------------------------------------------


def test_a_moderator_marks_and_unmarks_an_exemplar(moderator_user):
    audit = moderated_audit()

    exemplar = services.exemplar_mark(audit=audit, by=moderator_user, note=" Clear analysis. ")

    assert (exemplar.audit, exemplar.marked_by, exemplar.note) == (
        audit,
        moderator_user,
        "Clear analysis.",
    )
    assert list(selectors.exemplars()) == [exemplar]
    # Marking again keeps the one exemplar.
    assert services.exemplar_mark(audit=audit, by=factories.moderator()) == exemplar
    assert Exemplar.objects.count() == 1

    services.exemplar_unmark(audit=audit, by=moderator_user)
    assert not Exemplar.objects.exists()


@pytest.mark.parametrize("who", ["its auditor", "colleague", "qa_lead_user", "administrator_user"])
def test_only_moderators_mark_or_unmark_exemplars(request, who):
    audit = moderated_audit()
    user = audit.auditor if who == "its auditor" else request.getfixturevalue(who)

    with pytest.raises(ModerationError, match="Only moderators"):
        services.exemplar_mark(audit=audit, by=user)
    assert not Exemplar.objects.exists()

    services.exemplar_mark(audit=audit, by=factories.moderator())
    with pytest.raises(ModerationError, match="Only moderators"):
        services.exemplar_unmark(audit=audit, by=user)
    assert Exemplar.objects.count() == 1


def test_only_a_completed_audit_that_is_not_practice_can_be_an_exemplar(moderator_user):
    candidates = [draft_audit(), submitted_audit(), taken_audit(moderator=factories.moderator())]
    # A practice audit is always moderated; once moderated it is completed, and still refused.
    practice = practice_audit()
    other = factories.moderator()
    services.moderation_take(audit=practice, moderator=other)
    services.moderation_record(audit=practice, moderator=other, grade=Grade.MEETS)
    practice.refresh_from_db()
    assert practice.status == Status.COMPLETED and practice.is_practice
    candidates.append(practice)

    for audit in candidates:
        with pytest.raises(ModerationError, match="Only a completed audit"):
            services.exemplar_mark(audit=audit, by=moderator_user)
    assert not Exemplar.objects.exists()


def test_an_auditor_can_read_a_colleagues_exemplar_but_no_other_audit(
    owner, colleague, moderator_user
):
    exemplar = moderated_audit(auditor=colleague, case_reference="CR-GOOD")
    ordinary = moderated_audit(auditor=colleague, case_reference="CR-PLAIN")
    services.exemplar_mark(audit=exemplar, by=moderator_user)

    assert get_audit_for(owner, exemplar.pk) == exemplar
    with pytest.raises(Http404):
        get_audit_for(owner, ordinary.pk)

    services.exemplar_unmark(audit=exemplar, by=moderator_user)
    with pytest.raises(Http404):
        get_audit_for(owner, exemplar.pk)


# --- An exemplar is a moderated audit, marked by someone other than its auditor -----------------


def test_an_audit_completed_without_moderation_cannot_be_an_exemplar(
    unsampled_audit, moderator_user
):
    assert not unsampled_audit.moderated_grade

    with pytest.raises(ModerationError, match="Only a moderated audit can be an exemplar"):
        services.exemplar_mark(audit=unsampled_audit, by=moderator_user)

    assert not Exemplar.objects.exists()


def test_a_moderator_cannot_mark_their_own_audit_an_exemplar(auditor_moderator):
    audit = moderated_audit(auditor=auditor_moderator, grade=Grade.EXCEEDS)

    with pytest.raises(ModerationError, match="cannot mark your own audit"):
        services.exemplar_mark(audit=audit, by=auditor_moderator)
    assert not Exemplar.objects.exists()

    # Another moderator may; and the auditor may not mark it again over theirs.
    other = factories.moderator()
    services.exemplar_mark(audit=audit, by=other, note="Clear plan.")
    with pytest.raises(ModerationError, match="cannot mark your own audit"):
        services.exemplar_mark(audit=audit, by=auditor_moderator)
    assert Exemplar.objects.get(audit=audit).marked_by == other


def test_the_moderator_who_moderated_an_audit_may_mark_it(moderator_user):
    audit = moderated_audit(moderator=moderator_user)

    exemplar = services.exemplar_mark(audit=audit, by=moderator_user)

    assert (exemplar.audit, exemplar.marked_by) == (audit, moderator_user)


def test_an_audit_moderated_before_this_system_may_be_an_exemplar(moderator_user):
    factories.auditor(username="imported-auditor")
    factories.moderator(username="imported-moderator")
    grades = ",".join(["meets"] * 12)
    csv = (
        "case_reference,audit_date,auditor,activity,strand,case_type,"
        + ",".join(f"domain_{n}" for n in range(1, 13))
        + ",overall_grade,moderated_grade,moderator\n"
        + f"CR-IMP-2,2026-09-10,imported-auditor,Historic audit,social_care,child_in_need,"
        f"{grades},meets,exceeds,imported-moderator\n"
    )
    result = import_audits_csv(io.StringIO(csv), today=TODAY)
    assert result.ok and result.created == 1, result.errors
    audit = Audit.objects.get(case_reference="CR-IMP-2")
    assert audit.status == Status.COMPLETED and audit.moderated_grade == Grade.EXCEEDS

    services.exemplar_mark(audit=audit, by=moderator_user)

    assert Exemplar.objects.filter(audit=audit).exists()
