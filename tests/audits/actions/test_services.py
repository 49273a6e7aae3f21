"""Closing and reopening agreed actions: each move, each refusal, the history, who may."""

import datetime

import pytest
from django.utils import timezone

from audits.actions import services as action_services
from audits.actions.services import ActionError
from audits.models import ActionEvent, AgreedAction, Status
from audits.workflow import AuditError
from tests.helpers import draft_audit, submitted_audit, taken_audit
from tests.worker import run_tasks

pytestmark = pytest.mark.django_db

AUDIT_DATE = datetime.date(2026, 10, 15)  # the helpers' audit date


@pytest.fixture
def action(owner):
    """The one action (auditor's, unassigned, so owned by ``owner``) of a submitted audit."""
    audit = submitted_audit(auditor=owner)
    return audit.actions.get()


def _done(action, by, note="Chronology brought up to date.", **kwargs):
    return action_services.action_mark_done(action=action, by=by, note=note, **kwargs)


# --- each move -------------------------------------------------------------------------------


def test_the_owner_marks_an_action_done_with_a_note_dated_today_by_default(action, owner):
    _done(action, owner, note="  Chronology brought up to date.  ")

    action.refresh_from_db()
    assert action.state == AgreedAction.State.DONE
    assert action.completed_on == timezone.localdate()
    assert action.state_note == "Chronology brought up to date."
    event = action.events.get()
    assert (event.from_state, event.to_state, event.by, event.note) == (
        "open",
        "done",
        owner,
        "Chronology brought up to date.",
    )
    assert event.at is not None


def test_the_date_it_was_done_may_be_any_day_from_the_audit_date_to_today(action, owner):
    _done(action, owner, completed_on=AUDIT_DATE)

    action.refresh_from_db()
    assert action.completed_on == AUDIT_DATE


def test_the_owner_marks_an_action_no_longer_needed_with_a_reason(action, owner):
    action_services.action_mark_not_needed(
        action=action, by=owner, reason="The child moved out of the area."
    )

    action.refresh_from_db()
    assert action.state == AgreedAction.State.NOT_NEEDED
    assert action.completed_on is None
    assert action.state_note == "The child moved out of the area."
    assert action.events.get().to_state == "not_needed"


@pytest.mark.parametrize("close", ["done", "not_needed"])
def test_a_manager_reopens_a_closed_action_and_the_history_keeps_every_move(
    action, owner, qa_lead_user, close
):
    if close == "done":
        _done(action, owner)
    else:
        action_services.action_mark_not_needed(action=action, by=owner, reason="Not needed.")

    action_services.action_reopen(
        action=action, by=qa_lead_user, note="The evidence on file does not show it was done."
    )

    action.refresh_from_db()
    assert action.state == AgreedAction.State.OPEN
    assert action.completed_on is None
    assert action.state_note == ""
    moves = list(action.events.values_list("from_state", "to_state", "by"))
    assert moves == [("open", close, owner.pk), (close, "open", qa_lead_user.pk)]
    assert action.events.last().note == "The evidence on file does not show it was done."


def test_a_reopened_action_can_be_done_again(action, owner, moderator_user):
    _done(action, owner)
    action_services.action_reopen(action=action, by=moderator_user, note="Not evidenced.")
    _done(action, owner, note="Chronology now on file.")

    action.refresh_from_db()
    assert action.state == AgreedAction.State.DONE
    assert action.state_note == "Chronology now on file."
    assert action.events.count() == 3


def test_a_moderators_action_is_closed_by_the_auditor_who_owns_it(owner, moderator_user):
    from moderation import services as moderation_services

    audit = taken_audit(moderator=moderator_user, auditor=owner)
    moderation_services.moderation_record(
        audit=audit,
        moderator=moderator_user,
        grade=audit.overall_grade,
        actions=[
            {
                "description": "Supervision within a week",
                "owner": "Team manager",
                "due_date": AUDIT_DATE,
            }
        ],
    )
    extra = audit.actions.get(source=AgreedAction.Source.MODERATOR)

    _done(extra, owner)

    extra.refresh_from_db()
    assert extra.state == AgreedAction.State.DONE


# --- refusals --------------------------------------------------------------------------------


def _assert_refused(call, message, *, field=None):
    with pytest.raises(AuditError) as info:
        call()
    assert message in str(info.value)
    if field is not None:
        assert info.value.field == field


def test_done_cannot_be_marked_done_again(action, owner):
    _done(action, owner)

    _assert_refused(lambda: _done(action, owner), "This action is already marked done.")
    assert action.events.count() == 1


def test_a_not_needed_action_cannot_be_marked_done_without_being_reopened(action, owner):
    action_services.action_mark_not_needed(action=action, by=owner, reason="Not needed.")

    _assert_refused(
        lambda: _done(action, owner),
        "This action is marked no longer needed, so it cannot be marked done. "
        "A manager must reopen it first.",
    )


def test_a_done_action_cannot_be_marked_not_needed(action, owner):
    _done(action, owner)

    _assert_refused(
        lambda: action_services.action_mark_not_needed(action=action, by=owner, reason="x"),
        "This action is marked done, so it cannot be marked no longer needed.",
    )


def test_an_open_action_cannot_be_reopened(action, qa_lead_user):
    _assert_refused(
        lambda: action_services.action_reopen(action=action, by=qa_lead_user, note="Why"),
        "This action is already marked open.",
    )
    assert not action.events.exists()


def test_a_note_of_what_was_done_is_required(action, owner):
    _assert_refused(lambda: _done(action, owner, note="   "), "Say what was done.", field="note")

    action.refresh_from_db()
    assert action.state == AgreedAction.State.OPEN
    assert not ActionEvent.objects.exists()


def test_a_reason_is_required_to_mark_an_action_not_needed(action, owner):
    _assert_refused(
        lambda: action_services.action_mark_not_needed(action=action, by=owner, reason=""),
        "Say why the action is no longer needed.",
        field="reason",
    )


def test_a_reason_is_required_to_reopen(action, owner, qa_lead_user):
    _done(action, owner)

    _assert_refused(
        lambda: action_services.action_reopen(action=action, by=qa_lead_user, note=" "),
        "Say why the action is reopened.",
        field="note",
    )
    action.refresh_from_db()
    assert action.state == AgreedAction.State.DONE


def test_the_date_it_was_done_cannot_be_in_the_future(action, owner):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    _assert_refused(
        lambda: _done(action, owner, completed_on=tomorrow),
        "The date it was done cannot be in the future.",
        field="completed_on",
    )


def test_the_date_it_was_done_cannot_be_before_the_audit_date(action, owner):
    _assert_refused(
        lambda: _done(action, owner, completed_on=AUDIT_DATE - datetime.timedelta(days=1)),
        "The date it was done cannot be before the audit date (15 October 2026).",
        field="completed_on",
    )


def test_an_action_on_a_draft_cannot_be_closed_even_by_its_auditor(owner):
    action = draft_audit(auditor=owner).actions.get()

    _assert_refused(
        lambda: _done(action, owner), "The audit is still a draft: its actions are not agreed yet."
    )


def test_the_errors_are_action_errors_a_view_can_place_beside_a_field(action, owner):
    with pytest.raises(ActionError) as info:
        _done(action, owner, note="")
    assert isinstance(info.value, AuditError)


# --- who may ---------------------------------------------------------------------------------


def test_a_colleague_cannot_close_the_owners_action(action, colleague):
    _assert_refused(
        lambda: _done(action, colleague),
        "Only the action's owner or a QA lead, moderator or administrator can close it.",
    )
    _assert_refused(
        lambda: action_services.action_mark_not_needed(action=action, by=colleague, reason="x"),
        "Only the action's owner",
    )


def test_a_user_with_no_role_cannot_close_an_action(action, no_role_user):
    _assert_refused(lambda: _done(action, no_role_user), "Only the action's owner")


@pytest.mark.parametrize("manager", ["moderator_user", "qa_lead_user", "administrator_user"])
def test_every_kind_of_manager_may_close_any_action(request, action, manager):
    user = request.getfixturevalue(manager)

    _done(action, user)

    assert action.events.get().by == user


def test_the_owner_cannot_reopen_their_own_action(action, owner):
    _done(action, owner)

    _assert_refused(
        lambda: action_services.action_reopen(action=action, by=owner, note="Oops"),
        "Only a QA lead, moderator or administrator can reopen an action.",
    )


def test_an_assignee_owns_the_action_instead_of_the_auditor(action, owner, no_role_user):
    # The assignee need hold no role: a team manager who only closes their own actions.
    AgreedAction.objects.filter(pk=action.pk).update(assignee=no_role_user)
    action.refresh_from_db()

    _assert_refused(lambda: _done(action, owner), "Only the action's owner")
    _done(action, no_role_user)

    action.refresh_from_db()
    assert action.state == AgreedAction.State.DONE


def test_actions_on_an_audit_back_with_its_auditor_can_still_be_closed(action, owner):
    # A returned audit is past draft: its actions were agreed and are being worked on.
    type(action.audit).objects.filter(pk=action.audit_id).update(status=Status.RETURNED)

    _done(action, owner)

    action.refresh_from_db()
    assert action.state == AgreedAction.State.DONE


def test_services_work_on_a_stale_copy_of_the_action(action, owner, qa_lead_user):
    """Each service re-reads the locked row, so a copy loaded before a change is safe to pass."""
    stale = AgreedAction.objects.get(pk=action.pk)
    _done(action, owner)

    _assert_refused(lambda: _done(stale, qa_lead_user), "already marked done")


# --- changing the owner ------------------------------------------------------------------------


def test_the_auditor_gives_an_action_to_a_team_manager_who_is_told_and_then_owns_it(
    action, owner, no_role_user, django_capture_on_commit_callbacks, mailoutbox
):
    no_role_user.email = "team.manager@example.invalid"
    no_role_user.save(update_fields=["email"])

    with django_capture_on_commit_callbacks(execute=True):
        action_services.action_assign(action=action, by=owner, assignee=no_role_user)
    assert mailoutbox == []  # queued, for the worker to send
    run_tasks()

    action.refresh_from_db()
    assert action.assignee == no_role_user and action.state == AgreedAction.State.OPEN
    event = action.events.get()
    assert (event.from_state, event.to_state, event.by) == ("open", "open", owner)
    assert no_role_user.username in event.note
    (mail,) = mailoutbox
    assert mail.to == ["team.manager@example.invalid"]
    assert action.audit.case_reference in mail.subject
    assert f"/actions/{action.pk}/" in mail.body
    # The new owner closes it; the auditor no longer can.
    _assert_refused(lambda: _done(action, owner), "Only the action's owner")
    _done(action, no_role_user)


def test_a_manager_gives_it_back_to_the_auditor(action, owner, no_role_user, qa_lead_user):
    action_services.action_assign(action=action, by=owner, assignee=no_role_user)
    # Choosing the auditor, or nobody, both mean "the auditor who agreed it".
    action_services.action_assign(action=action, by=qa_lead_user, assignee=owner)

    action.refresh_from_db()
    assert action.assignee is None
    assert action.events.count() == 2
    _assert_refused(
        lambda: action_services.action_assign(action=action, by=qa_lead_user, assignee=None),
        "already has that owner",
        field="assignee",
    )


@pytest.mark.parametrize("who", ["colleague", "no_role_user"])
def test_only_the_auditor_or_a_manager_changes_the_owner(request, action, who):
    user = request.getfixturevalue(who)

    _assert_refused(
        lambda: action_services.action_assign(action=action, by=user, assignee=user),
        "Only the auditor who agreed the action",
    )
    action.refresh_from_db()
    assert action.assignee is None and not action.events.exists()


def test_a_closed_action_or_a_switched_off_account_is_refused(action, owner, colleague):
    colleague.is_active = False
    colleague.save(update_fields=["is_active"])
    _assert_refused(
        lambda: action_services.action_assign(action=action, by=owner, assignee=colleague),
        "switched off",
        field="assignee",
    )

    _done(action, owner)
    colleague.is_active = True
    colleague.save(update_fields=["is_active"])
    _assert_refused(
        lambda: action_services.action_assign(action=action, by=owner, assignee=colleague),
        "Only an open action",
    )
    action.refresh_from_db()
    assert action.assignee is None


# --- the owner hears when someone else closes or reopens their action ----------------------


def test_the_owner_is_emailed_when_a_manager_closes_or_reopens_their_action(
    action, owner, qa_lead_user, django_capture_on_commit_callbacks, mailoutbox
):
    owner.email = "owner@example.invalid"
    owner.save(update_fields=["email"])

    with django_capture_on_commit_callbacks(execute=True):
        _done(action, qa_lead_user, note="Checked at the team meeting.")
    with django_capture_on_commit_callbacks(execute=True):
        action_services.action_reopen(action=action, by=qa_lead_user, note="Not evidenced.")
    run_tasks()

    assert [m.to for m in mailoutbox] == [["owner@example.invalid"]] * 2
    assert "marked done" in mailoutbox[0].subject
    assert "Checked at the team meeting." in mailoutbox[0].body
    assert "reopened" in mailoutbox[1].subject and "Not evidenced." in mailoutbox[1].body


def test_the_owner_is_not_emailed_about_what_they_did_themselves(
    action, owner, django_capture_on_commit_callbacks, mailoutbox
):
    owner.email = "owner@example.invalid"
    owner.save(update_fields=["email"])

    with django_capture_on_commit_callbacks(execute=True):
        _done(action, owner)
    run_tasks()

    assert mailoutbox == []
