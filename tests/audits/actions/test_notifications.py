"""The emails about an agreed action: what each says and to whom, built from ids alone (a task
runs them after the change commits), and a mail server that is down never undoes or hides a
saved change.
"""

import pytest
from django.urls import reverse

from audits.actions import notifications
from audits.actions import services as action_services
from audits.actions.tasks import email_action_assigned, email_action_moved
from audits.mail import MailNotSent
from audits.models import ActionEvent, AgreedAction
from tests.helpers import submitted_audit
from tests.worker import failures, queued, run_worker

pytestmark = pytest.mark.django_db

NOTE = "Chronology brought up to date at the team meeting."


@pytest.fixture
def action(owner):
    """The one action of a submitted audit of case CR-5501, owned by ``owner``."""
    return submitted_audit(auditor=owner, case_reference="CR-5501").actions.get()


# --- what each email says, from ids alone ----------------------------------------------------


def test_a_move_is_told_to_the_owner_from_the_event_id(action, owner, qa_lead_user, mailoutbox):
    action_services.action_mark_done(action=action, by=qa_lead_user, note=NOTE)
    event = ActionEvent.objects.get(action=action)

    notifications.action_moved(event_id=event.pk, owner_id=owner.pk)

    (message,) = mailoutbox
    assert message.to == [owner.email]
    assert message.subject == "Your agreed action was marked done (case CR-5501)"
    assert NOTE in message.body
    assert f"/actions/{action.pk}/" in message.body


def test_nobody_is_told_what_they_did_themselves(action, owner, mailoutbox):
    action_services.action_mark_done(action=action, by=owner, note=NOTE)
    event = ActionEvent.objects.get(action=action)

    notifications.action_moved(event_id=event.pk, owner_id=owner.pk)

    assert mailoutbox == []


def test_a_new_owner_is_told_the_action_is_theirs(action, owner, no_role_user, mailoutbox):
    action_services.action_assign(action=action, by=owner, assignee=no_role_user)
    event = ActionEvent.objects.get(action=action)

    notifications.action_assigned(event_id=event.pk, owner_id=no_role_user.pk)

    (message,) = mailoutbox
    assert message.to == [no_role_user.email]
    assert message.subject == "An agreed action is now yours (case CR-5501)"


def test_an_owner_without_an_email_address_gets_nothing(action, owner, qa_lead_user, mailoutbox):
    owner.email = ""
    owner.save(update_fields=["email"])
    action_services.action_mark_done(action=action, by=qa_lead_user, note=NOTE)

    notifications.action_moved(
        event_id=ActionEvent.objects.get(action=action).pk, owner_id=owner.pk
    )

    assert mailoutbox == []


def test_a_failed_send_names_the_email_and_the_case_reference_and_nothing_of_the_case(
    action, owner, qa_lead_user, mail_server_down
):
    action_services.action_mark_done(action=action, by=qa_lead_user, note=NOTE)
    event = ActionEvent.objects.get(action=action)

    with pytest.raises(MailNotSent) as raised:
        notifications.action_moved(event_id=event.pk, owner_id=owner.pk)

    said = str(raised.value)
    assert said.startswith(
        f"Could not send the action closed or reopened email about action {action.pk} "
        "(case CR-5501): "
    )
    assert NOTE not in said and action.description not in said
    assert isinstance(raised.value.__cause__, OSError)


# --- through the pages, with the worker, as in production ------------------------------------
# Transactional, so each service's transaction really commits inside the request and queues its
# email on commit, and the worker (db_worker, run once) reads the committed rows.
# serialized_rollback: the flush after each test would wipe the migrated groups and tool.


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_closing_someones_action_with_the_mail_server_down_still_saves_and_redirects(
    client, action, owner, qa_lead_user, mail_server_down
):
    client.force_login(qa_lead_user)

    response = client.post(
        reverse("audits:action_done", args=[action.pk]), {"done-note": NOTE}, follow=True
    )

    assert response.redirect_chain == [(reverse("audits:action_detail", args=[action.pk]), 302)]
    assert "Action marked done." in response.content.decode()
    action.refresh_from_db()
    assert action.state == AgreedAction.State.DONE and action.state_note == NOTE
    assert len(queued(email_action_moved)) == 1
    assert run_worker() == 1
    (failed,) = failures()
    assert "(case CR-5501)" in failed and NOTE not in failed
    action.refresh_from_db()
    assert action.state == AgreedAction.State.DONE
    assert len(queued(email_action_moved)) == 1  # tried again later


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_giving_an_action_to_someone_with_the_mail_server_down_still_saves_and_redirects(
    client, action, owner, no_role_user, mail_server_down
):
    client.force_login(owner)

    response = client.post(
        reverse("audits:action_assign", args=[action.pk]), {"assign-assignee": no_role_user.pk}
    )

    assert response.status_code == 302
    assert response.url == reverse("audits:action_detail", args=[action.pk])
    action.refresh_from_db()
    assert action.assignee == no_role_user
    assert run_worker() == 1
    (failed,) = failures()
    assert "Could not send the action now yours email" in failed and "(case CR-5501)" in failed
    assert len(queued(email_action_assigned)) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_the_mail_server_up_the_owner_gets_the_email_from_the_page(
    client, action, owner, qa_lead_user, mailoutbox
):
    client.force_login(qa_lead_user)

    client.post(reverse("audits:action_done", args=[action.pk]), {"done-note": NOTE})
    assert mailoutbox == []  # not sent inside the request
    run_worker()

    assert [m.to for m in mailoutbox] == [[owner.email]]
