"""The emails to the case holder and their team manager when an audit of the case is submitted:
what each says, and the way there as in production (queued on commit, sent by the worker, tried
again when the mail server is down; never inside the request)."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from audits.holders import notifications
from audits.holders.tasks import email_audit_submitted
from audits.mail import MailNotSent
from audits.models import Person, Status
from tests.helpers import draft_audit, submitted_audit
from tests.worker import failures, queued, run_worker

from .conftest import case, person

pytestmark = pytest.mark.django_db


def test_the_case_holder_is_told_with_a_link_to_the_audit(world, mailoutbox):
    audit = submitted_audit(auditor=world.auditor, case_reference="CR-7001")

    notifications.audit_submitted(audit_id=audit.pk, person_id=world.asha.pk, as_manager=False)

    (message,) = mailoutbox
    assert message.to == [world.asha_user.email]
    assert message.subject == "An audit of your case CR-7001 has been submitted"
    assert "Priya Shah has audited your case CR-7001 on 15 October 2026" in message.body
    assert reverse("audits:detail", args=[audit.pk]) in message.body
    # The audit's content is read in the app, never sent by email.
    assert "Evaluation of domain" not in message.body
    assert "Overall the work is purposeful." not in message.body


def test_the_team_manager_is_told_it_is_a_case_in_their_team(world, mailoutbox):
    audit = submitted_audit(auditor=world.auditor, case_reference="CR-7001")

    notifications.audit_submitted(audit_id=audit.pk, person_id=world.manager.pk, as_manager=True)

    (message,) = mailoutbox
    assert message.to == [world.manager_user.email]
    assert message.subject == "An audit of case CR-7001 in your team has been submitted"


def test_a_case_holder_without_an_account_is_told_by_their_own_address_without_a_link(
    world, mailoutbox
):
    holder = person("Cal Byrne", team=world.team, email="cal.byrne@council.test")
    case("CR-7010", holder=holder, team=world.team)
    audit = submitted_audit(auditor=world.auditor, case_reference="CR-7010")

    notifications.audit_submitted(audit_id=audit.pk, person_id=holder.pk, as_manager=False)

    (message,) = mailoutbox
    assert message.to == ["cal.byrne@council.test"]
    assert reverse("audits:detail", args=[audit.pk]) not in message.body
    assert "ask Priya Shah to go through it with you" in message.body


def test_a_failed_send_names_the_email_and_the_case_and_nothing_of_it(world, mail_server_down):
    audit = submitted_audit(auditor=world.auditor, case_reference="CR-7001")

    with pytest.raises(MailNotSent) as raised:
        notifications.audit_submitted(audit_id=audit.pk, person_id=world.asha.pk, as_manager=False)

    assert str(raised.value).startswith(
        f"Could not send the audit submitted to the case holder email about audit {audit.pk} "
        "(case CR-7001): "
    )


def test_submitting_queues_one_email_for_each_person_with_an_address(
    world, django_capture_on_commit_callbacks
):
    nobody = person("Dee Lowe", team=world.other_team)  # no account, no address
    case("CR-7011", holder=nobody, team=world.other_team)

    with django_capture_on_commit_callbacks(execute=True):
        told = submitted_audit(auditor=world.auditor, case_reference="CR-7001")
        submitted_audit(auditor=world.auditor, case_reference="CR-7011")
        submitted_audit(auditor=world.auditor, case_reference="CR-9999")  # not on the case list

    runs = queued(email_audit_submitted)
    assert sorted(
        (r.args_kwargs["kwargs"]["person_id"], r.args_kwargs["kwargs"]["as_manager"]) for r in runs
    ) == sorted([(world.asha.pk, False), (world.manager.pk, True)])
    assert {r.args_kwargs["kwargs"]["audit_id"] for r in runs} == {told.pk}


def test_saving_a_draft_queues_nothing(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        draft_audit(auditor=world.auditor, case_reference="CR-7001")

    assert queued(email_audit_submitted) == []


# --- through the page, with the worker, as in production --------------------------------------
# Transactional, so the submission really commits inside the request and queues its emails on
# commit, and the worker (db_worker, run once) reads the committed rows.
# serialized_rollback: the flush after each test would wipe the migrated groups and tool.


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_submitting_from_the_page_emails_the_case_holder_and_manager_after_commit(
    client, world, mailoutbox
):
    audit = draft_audit(auditor=world.auditor, case_reference="CR-7001")
    client.force_login(world.auditor)

    response = client.post(reverse("audits:check", args=[audit.pk]))

    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.status != Status.DRAFT
    assert mailoutbox == []  # not sent inside the request
    assert run_worker() == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [world.asha_user.email, world.manager_user.email]
    )
    # The email's link opens the audit for the case holder.
    client.force_login(world.asha_user)
    assert client.get(reverse("audits:detail", args=[audit.pk])).status_code == 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_the_mail_server_down_the_submission_stands_and_the_email_is_tried_again(
    client, world, mail_server
):
    Person.objects.filter(pk=world.manager.pk).update(user=None)  # the case holder alone
    audit = draft_audit(auditor=world.auditor, case_reference="CR-7001")
    client.force_login(world.auditor)

    response = client.post(reverse("audits:check", args=[audit.pk]))

    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.status != Status.DRAFT
    assert run_worker() == 1
    (failed,) = failures()
    assert f"audit {audit.pk} (case CR-7001)" in failed
    (retry,) = queued(email_audit_submitted)
    assert retry.args_kwargs["kwargs"]["attempt"] == 2

    # The mail server comes back; the retry, when due, gets through.
    mail_server.start()
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    assert run_worker() == 1
    (received,) = mail_server.messages
    assert world.asha_user.email in str(received)
