"""Work off the request (audits.background): an email is a task run by the worker after the
change has committed, a mail server that is down never undoes the change nor shows an error,
and the email is tried again later, each wait longer, until the mail server takes it.

No mock on the mail path: Django's real SMTP backend, pointed first at a port where nothing
listens (the mail server is down) and then at a real SMTP server started on that port.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from audits.background import ATTEMPTS, LOST_AFTER, RETRY_DELAYS, is_queued
from audits.grades import Grade
from audits.models import Status
from moderation import services as moderation_services
from moderation.models import Moderation
from moderation.tasks import email_moderation_outcome
from tests import factories
from tests.helpers import moderation_form, taken_audit
from tests.worker import failures, queued, run_tasks, run_worker

pytestmark = pytest.mark.django_db

FEEDBACK = "The plan does not say who visits the child at weekends."


def _a_minute_passes() -> None:
    """Bring the waiting retries' time forward to now, as if their wait were over."""
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())


# Transactional: the moderation really commits inside the request and queues its email on
# commit, and the worker (the real db_worker, run once) reads the committed rows.
# serialized_rollback: the flush after each test would wipe the migrated groups and tool.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failing_mail_server_leaves_the_change_saved_and_the_mail_retried(
    client, moderator_user, mail_server
):
    auditor = factories.auditor(email="asha@example.test")
    audit = taken_audit(
        moderator=moderator_user, auditor=auditor, case_reference="CR-7701", overall=Grade.MEETS
    )
    client.force_login(moderator_user)

    # The moderator records the moderation while the mail server is down.
    response = client.post(
        reverse("moderation:moderate", args=[audit.pk]),
        moderation_form(audit, feedback=FEEDBACK),
        follow=True,
    )

    assert response.status_code == 200
    assert response.redirect_chain == [(reverse("moderation:queue"), 302)]
    assert "Moderation recorded. The audit is completed." in response.content.decode()
    audit.refresh_from_db()
    assert (audit.status, audit.moderated_grade) == (Status.COMPLETED, Grade.MEETS)
    moderation = Moderation.objects.get(audit=audit)
    assert moderation.feedback == FEEDBACK
    # The email waits in the queue, by the moderation's id alone.
    (waiting,) = queued(email_moderation_outcome)
    assert waiting.args_kwargs == {"args": [], "kwargs": {"moderation_id": moderation.pk}}

    # The worker tries: the mail server is down, so the attempt fails and is recorded, and the
    # email is queued again a minute later. The moderation stands.
    started = timezone.now()
    assert run_worker() == 1
    (failed,) = failures()
    assert failed == (
        "audits.background.TaskFailed: Attempt 1 of 5 failed, trying again in 1 minute: "
        f"Could not send the moderation outcome email about moderation {moderation.pk} "
        "(case CR-7701): ConnectionRefusedError: [Errno 111] Connection refused"
    )
    (retry,) = queued(email_moderation_outcome)
    assert started + RETRY_DELAYS[0] <= retry.run_after <= timezone.now() + RETRY_DELAYS[0]
    assert retry.args_kwargs["kwargs"] == {"moderation_id": moderation.pk, "attempt": 2}
    assert run_worker() == 0  # not before its time
    audit.refresh_from_db()
    assert audit.status == Status.COMPLETED
    assert FEEDBACK not in DBTaskResult.objects.get(status=TaskResultStatus.FAILED).traceback

    # The mail server is back; when the retry's time comes, the worker sends the email.
    mail_server.start()
    _a_minute_passes()
    assert run_worker() == 1

    (message,) = mail_server.messages
    assert message["To"] == "asha@example.test"
    assert message["Subject"] == "Your audit of case CR-7701 has been moderated"
    assert FEEDBACK in message.get_content()
    assert DBTaskResult.objects.get(pk=retry.pk).status == TaskResultStatus.SUCCESSFUL
    assert queued(email_moderation_outcome) == []


def test_each_failed_attempt_waits_longer_and_the_last_is_not_retried(
    moderator_user, mail_server_down, django_capture_on_commit_callbacks
):
    audit = taken_audit(moderator=moderator_user, case_reference="CR-7702")
    with django_capture_on_commit_callbacks(execute=True):
        moderation_services.moderation_record(
            audit=audit, moderator=moderator_user, grade=audit.overall_grade, feedback=FEEDBACK
        )

    waits = []
    for _attempt in range(ATTEMPTS):
        failed_at = timezone.now()
        assert run_tasks() == 1
        retries = queued(email_moderation_outcome)
        if retries:
            waits.append(retries[0].run_after - failed_at)
            _a_minute_passes()

    assert [round(wait.total_seconds() / 60) for wait in waits] == [1, 5, 15, 40]
    assert waits == sorted(waits)
    assert sum(waits, datetime.timedelta()) <= datetime.timedelta(hours=1, minutes=5)
    said = failures()
    assert len(said) == ATTEMPTS
    assert said[-1].startswith("audits.background.TaskFailed: Attempt 5 of 5 failed, not trying")
    assert all("(case CR-7702)" in line and FEEDBACK not in line for line in said)
    assert queued(email_moderation_outcome) == []


def test_a_task_about_something_deleted_since_is_not_tried_again():
    email_moderation_outcome.enqueue(moderation_id=999_999)  # no such moderation (any more)

    assert run_tasks() == 1

    (failed,) = failures()
    assert failed.startswith("audits.background.TaskFailed: Attempt 1 failed, not trying again")
    assert queued(email_moderation_outcome) == []


def test_a_task_is_queued_while_it_waits_or_runs_but_not_once_lost():
    moderation_id = 123
    assert not is_queued(email_moderation_outcome, moderation_id=moderation_id)
    result = email_moderation_outcome.enqueue(moderation_id=moderation_id)
    row = DBTaskResult.objects.get(pk=result.id)
    assert is_queued(email_moderation_outcome, moderation_id=moderation_id)
    assert not is_queued(email_moderation_outcome, moderation_id=moderation_id + 1)

    row.claim("a-worker")
    assert is_queued(email_moderation_outcome, moderation_id=moderation_id)

    # Its worker was killed half-way: the row says running for ever.
    row.started_at = timezone.now() - LOST_AFTER - datetime.timedelta(seconds=1)
    row.save(update_fields=["started_at"])
    assert not is_queued(email_moderation_outcome, moderation_id=moderation_id)


# --- what an administrator reads -----------------------------------------------------------------


def test_administrators_read_what_failed_in_the_admin_and_change_nothing(
    client, administrator_user, moderator_user, mail_server_down, django_capture_on_commit_callbacks
):
    audit = taken_audit(moderator=moderator_user, case_reference="CR-7703")
    with django_capture_on_commit_callbacks(execute=True):
        moderation_services.moderation_record(
            audit=audit, moderator=moderator_user, grade=audit.overall_grade, feedback=FEEDBACK
        )
    run_tasks()
    failed = DBTaskResult.objects.get(status=TaskResultStatus.FAILED)
    client.force_login(administrator_user)

    listing = client.get("/admin/django_tasks_database/dbtaskresult/?q=CR-7703")
    page = client.get(f"/admin/django_tasks_database/dbtaskresult/{failed.pk}/change/")

    assert listing.status_code == 200
    html = listing.content.decode()
    assert "email_moderation_outcome" in html
    assert "Could not send the moderation outcome email about moderation" in html
    assert "(case CR-7703)" in html and FEEDBACK not in html
    assert page.status_code == 200
    assert "ConnectionRefusedError" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()  # read-only
    assert (
        client.post(
            f"/admin/django_tasks_database/dbtaskresult/{failed.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert DBTaskResult.objects.filter(pk=failed.pk).exists()


@pytest.mark.parametrize("who", ["moderator_user", "qa_lead_user", "owner"])
def test_nobody_else_reads_the_task_results(request, client, who):
    client.force_login(request.getfixturevalue(who))

    response = client.get("/admin/django_tasks_database/dbtaskresult/")

    assert response.status_code == 302 and response.url.startswith("/admin/login/")
