"""The emails to an auditor about the moderation of their audit: what each says, built from the
moderation's id alone (a task runs them after the moderation commits), and a mail server that is
down never undoes or hides a recorded moderation.
"""

import pytest
from django.urls import reverse

from audits.grades import Grade
from audits.mail import MailNotSent
from audits.models import Status
from moderation import notifications, services
from moderation.models import Moderation
from moderation.tasks import email_moderation_outcome, email_moderation_sent_back
from tests import factories
from tests.helpers import moderation_form, taken_audit
from tests.worker import failures, queued, run_worker

pytestmark = pytest.mark.django_db

FEEDBACK = "Your analysis of the risk from the father's new partner was excellent."


# --- what each email says, from the moderation's id alone -------------------------------------


def test_the_outcome_is_told_to_the_auditor_from_the_moderation_id(moderator_user, mailoutbox):
    auditor = factories.auditor(email="asha@example.test")
    audit = taken_audit(moderator=moderator_user, auditor=auditor, case_reference="CR-6601")
    moderation = services.moderation_record(
        audit=audit, moderator=moderator_user, grade=audit.overall_grade, feedback=FEEDBACK
    )

    notifications.moderation_recorded(moderation_id=moderation.pk)

    (message,) = mailoutbox
    assert message.to == ["asha@example.test"]
    assert message.subject == "Your audit of case CR-6601 has been moderated"
    assert "Outcome: Agreed with the auditor." in message.body and FEEDBACK in message.body
    assert reverse("audits:detail", args=[audit.pk]) in message.body


def test_a_send_back_is_told_to_the_auditor_from_the_moderation_id(moderator_user, mailoutbox):
    audit = taken_audit(moderator=moderator_user, case_reference="CR-6602")
    moderation = services.moderation_send_back(
        audit=audit, moderator=moderator_user, comments="Add the child's own words."
    )

    notifications.moderation_sent_back(moderation_id=moderation.pk)

    (message,) = mailoutbox
    assert message.to == [audit.auditor.email]
    assert message.subject == "Your audit of case CR-6602 needs changes"
    assert "Add the child's own words." in message.body


def test_a_failed_send_names_the_email_and_the_case_reference_and_nothing_of_the_case(
    moderator_user, mail_server_down
):
    audit = taken_audit(moderator=moderator_user, case_reference="CR-6603")
    moderation = services.moderation_record(
        audit=audit, moderator=moderator_user, grade=audit.overall_grade, feedback=FEEDBACK
    )

    with pytest.raises(MailNotSent) as raised:
        notifications.moderation_recorded(moderation_id=moderation.pk)

    said = str(raised.value)
    assert said.startswith(
        f"Could not send the moderation outcome email about moderation {moderation.pk} "
        "(case CR-6603): "
    )
    assert FEEDBACK not in said
    assert isinstance(raised.value.__cause__, OSError)


# --- through the page, with the worker, as in production --------------------------------------
# Transactional, so the service's transaction really commits inside the request and queues its
# email on commit, and the worker (db_worker, run once) reads the committed rows.
# serialized_rollback: the flush after each test would wipe the migrated groups and tool.


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_recording_a_moderation_with_the_mail_server_down_still_saves_and_redirects(
    client, moderator_user, mail_server_down
):
    audit = taken_audit(moderator=moderator_user, case_reference="CR-6604", overall=Grade.MEETS)
    client.force_login(moderator_user)

    response = client.post(
        reverse("moderation:moderate", args=[audit.pk]),
        moderation_form(audit, grade=Grade.MEETS, feedback=FEEDBACK),
        follow=True,
    )

    assert response.redirect_chain == [(reverse("moderation:queue"), 302)]
    assert "Moderation recorded. The audit is completed." in response.content.decode()
    audit.refresh_from_db()
    assert (audit.status, audit.moderated_grade) == (Status.COMPLETED, Grade.MEETS)
    assert Moderation.objects.get(audit=audit).feedback == FEEDBACK
    assert run_worker() == 1
    (failed,) = failures()
    assert "(case CR-6604)" in failed and FEEDBACK not in failed
    assert len(queued(email_moderation_outcome)) == 1  # tried again later


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sending_back_with_the_mail_server_down_still_saves_and_redirects(
    client, moderator_user, mail_server_down
):
    audit = taken_audit(moderator=moderator_user, case_reference="CR-6605")
    client.force_login(moderator_user)

    response = client.post(
        reverse("moderation:moderate", args=[audit.pk]),
        moderation_form(audit, action="send_back", feedback="Add the child's own words."),
    )

    assert response.status_code == 302 and response.url == reverse("moderation:queue")
    audit.refresh_from_db()
    assert audit.status == Status.RETURNED
    assert run_worker() == 1
    (failed,) = failures()
    assert "Could not send the moderation sent back email" in failed
    assert "(case CR-6605)" in failed
    assert len(queued(email_moderation_sent_back)) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_the_mail_server_up_the_auditor_gets_the_email_from_the_page(
    client, moderator_user, mailoutbox
):
    audit = taken_audit(moderator=moderator_user, case_reference="CR-6606")
    client.force_login(moderator_user)

    client.post(reverse("moderation:moderate", args=[audit.pk]), moderation_form(audit))
    assert mailoutbox == []  # not sent inside the request
    run_worker()

    assert [m.to for m in mailoutbox] == [[audit.auditor.email]]
