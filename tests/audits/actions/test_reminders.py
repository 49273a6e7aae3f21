"""send_action_reminders: which actions, one email per owner, once a day, safe to run twice.

The command queues the emails and the worker sends them, as cron and `db_worker` do in
production: ``run`` does both.
"""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db.models import BooleanField, CharField, Value
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from audits import services
from audits.actions import selectors as action_selectors
from audits.actions import services as action_services
from audits.actions.tasks import email_action_reminder
from audits.grades import Grade
from audits.models import ActionReminder, AgreedAction
from tests import factories
from tests.helpers import complete_content
from tests.worker import failures, queued, run_tasks

pytestmark = pytest.mark.django_db

SUBMIT_DAY = datetime.date(2026, 11, 25)  # audits are dated 15 October 2026
TODAY = datetime.date(2026, 12, 1)


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def audit_with_actions(auditor, due_dates, *, ref="CR-1001", submit=True, practice=False):
    content = complete_content(case_reference=ref, overall=Grade.MEETS)
    content.header["is_practice"] = practice
    content.actions = [
        {"id": None, "description": f"{ref} #{n}", "owner": "Team manager", "due_date": due}
        for n, due in enumerate(due_dates, start=1)
    ]
    audit = services.audit_save_draft(audit=None, by=auditor, content=content)
    if submit:
        audit = services.audit_submit(audit=audit, by=auditor, today=SUBMIT_DAY)
    return audit


def run(today=TODAY) -> str:
    """The daily command, then the worker; the command's output."""
    out = StringIO()
    call_command("send_action_reminders", "--today", today.isoformat(), stdout=out)
    run_tasks()
    return out.getvalue()


def action_named(name) -> AgreedAction:
    return AgreedAction.objects.get(description=name)


def test_overdue_and_due_within_seven_days_are_reminded_but_not_eight(owner):
    audit_with_actions(owner, [days(-20), days(0), days(7), days(8), None], ref="CR-R")

    out = run()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [owner.email]
    assert "CR-R #1" in message.body and "overdue by 20 days" in message.body
    assert "CR-R #2" in message.body and "due today" in message.body
    assert "CR-R #3" in message.body and "due in 7 days" in message.body
    assert "CR-R #4" not in message.body
    assert "CR-R #5" not in message.body  # no date, nothing to remind of
    assert message.subject == "Agreed actions: 3 due soon or overdue (1 overdue)"
    assert "queued 1 email(s) covering 3 action(s)" in out
    assert set(
        ActionReminder.objects.values_list("action__description", "sent_on", "recipient")
    ) == {
        ("CR-R #1", TODAY, owner.email),
        ("CR-R #2", TODAY, owner.email),
        ("CR-R #3", TODAY, owner.email),
    }


def test_the_email_links_to_each_actions_page(owner, settings):
    settings.SITE_URL = "https://audits.example.test/"
    audit_with_actions(owner, [days(1)], ref="CR-LINK")

    run()

    action = action_named("CR-LINK #1")
    assert f"https://audits.example.test/actions/{action.pk}/" in mail.outbox[0].body
    assert "due in 1 day\n" in mail.outbox[0].body


def test_done_and_not_needed_actions_are_not_reminded(owner):
    audit_with_actions(owner, [days(-3), days(-2), days(-1)], ref="CR-C")
    action_services.action_mark_done(
        action=action_named("CR-C #1"), by=owner, note="Done.", completed_on=SUBMIT_DAY
    )
    action_services.action_mark_not_needed(
        action=action_named("CR-C #2"), by=owner, reason="Moved away."
    )

    run()

    assert len(mail.outbox) == 1
    assert "CR-C #3" in mail.outbox[0].body
    assert "CR-C #1" not in mail.outbox[0].body and "CR-C #2" not in mail.outbox[0].body


def test_actions_on_drafts_are_not_reminded_but_practice_audits_are(owner):
    audit_with_actions(owner, [days(-1)], ref="CR-DRAFT", submit=False)
    audit_with_actions(owner, [days(-1)], ref="CR-PRACTICE", practice=True)

    run()

    body = mail.outbox[0].body
    assert "CR-DRAFT" not in body
    assert "CR-PRACTICE (practice audit): CR-PRACTICE #1" in body


def test_one_email_per_recipient_listing_all_their_actions(owner, colleague, no_role_user):
    audit_with_actions(owner, [days(-1), days(2)], ref="CR-O1")
    audit_with_actions(owner, [days(5)], ref="CR-O2")
    audit_with_actions(colleague, [days(1), days(9)], ref="CR-C1")
    # Assigned to someone else: reminded to the assignee, not to the auditor.
    AgreedAction.objects.filter(description="CR-O2 #1").update(assignee=no_role_user)

    out = run()

    by_recipient = {m.to[0]: m.body for m in mail.outbox}
    assert len(mail.outbox) == 3
    assert set(by_recipient) == {owner.email, colleague.email, no_role_user.email}
    assert "CR-O1 #1" in by_recipient[owner.email] and "CR-O1 #2" in by_recipient[owner.email]
    assert "CR-O2" not in by_recipient[owner.email]
    assert "CR-O2 #1" in by_recipient[no_role_user.email]
    assert "CR-C1 #1" in by_recipient[colleague.email]
    assert "CR-C1 #2" not in by_recipient[colleague.email]
    assert "queued 3 email(s) covering 4 action(s)" in out


def test_running_twice_on_one_day_sends_each_email_once_and_the_next_day_again(owner, colleague):
    audit_with_actions(owner, [days(-1), days(3)], ref="CR-T1")
    audit_with_actions(colleague, [days(2)], ref="CR-T2")

    run()
    assert len(mail.outbox) == 2

    out = run()
    assert len(mail.outbox) == 2
    assert "queued 0 email(s) covering 0 action(s)" in out
    assert ActionReminder.objects.count() == 3

    run(days(1))
    assert len(mail.outbox) == 4
    assert ActionReminder.objects.filter(sent_on=days(1)).count() == 3


def test_an_owner_already_emailed_today_waits_until_tomorrow_for_a_new_action(owner):
    audit_with_actions(owner, [days(1)], ref="CR-E1")
    run()
    audit_with_actions(owner, [days(2)], ref="CR-E2")  # becomes due after the first run

    run()
    assert len(mail.outbox) == 1

    run(days(1))
    assert len(mail.outbox) == 2
    assert "CR-E1 #1" in mail.outbox[1].body and "CR-E2 #1" in mail.outbox[1].body


def test_a_reminder_already_recorded_for_an_action_is_not_sent_again(owner):
    """What a second, concurrent run finds: the first run's row for the action exists."""
    audit_with_actions(owner, [days(1), days(2)], ref="CR-RACE")
    ActionReminder.objects.create(
        action=action_named("CR-RACE #1"), sent_on=TODAY, recipient="someone-else@example.test"
    )

    run()

    assert len(mail.outbox) == 1
    assert "CR-RACE #1" not in mail.outbox[0].body and "CR-RACE #2" in mail.outbox[0].body


def test_today_defaults_to_the_real_date(owner):
    audit_with_actions(owner, [SUBMIT_DAY], ref="CR-NOW")  # on or before any real today

    call_command("send_action_reminders", stdout=StringIO())
    run_tasks()

    assert len(mail.outbox) == 1
    assert "CR-NOW #1" in mail.outbox[0].body


def test_a_malformed_today_is_refused():
    with pytest.raises(CommandError, match="--today must be a date as YYYY-MM-DD"):
        call_command("send_action_reminders", "--today", "1/12/2026")


def test_owners_without_email_or_inactive_are_skipped_and_reported(owner):
    no_email = factories.auditor(email="")
    gone = factories.auditor()
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    audit_with_actions(no_email, [days(1), days(2)], ref="CR-NE")
    audit_with_actions(gone, [days(1)], ref="CR-GONE")
    audit_with_actions(owner, [days(1)], ref="CR-OK")

    out = run()

    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert "Skipped 3 action(s) whose owner has no email address or is inactive" in out
    assert f"{no_email.username} (2)" in out and f"{gone.username} (1)" in out
    # Nothing is recorded for them, so once they have an address they are reminded.
    assert not ActionReminder.objects.filter(action__audit__auditor=no_email).exists()


def test_a_run_that_loses_the_race_for_an_action_leaves_it_out(owner, monkeypatch):
    """Two runs at once both select the action; the unique row lets only one send it."""
    audit_with_actions(owner, [days(1), days(2)], ref="CR-LOST")
    selected = [a.pk for a in action_selectors.due_for_reminder(TODAY)]
    # The other run commits its reminder for #1 after this run's task selected it.
    ActionReminder.objects.create(
        action=action_named("CR-LOST #1"), sent_on=TODAY, recipient="other-run@example.test"
    )
    monkeypatch.setattr(
        action_services,
        "due_for_reminder",
        lambda today: (
            AgreedAction.objects.filter(pk__in=selected)
            .annotate(
                owner_email=Value(owner.email, output_field=CharField()),
                owner_active=Value(True, output_field=BooleanField()),
            )
            .order_by("due_date", "pk")
        ),
    )

    action_services.action_reminder_send(recipient=owner.email, today=TODAY)

    assert len(mail.outbox) == 1
    assert "CR-LOST #1" not in mail.outbox[0].body and "CR-LOST #2" in mail.outbox[0].body
    assert ActionReminder.objects.get(action__description="CR-LOST #2").recipient == owner.email


def test_the_service_returns_what_it_queued_and_the_command_only_reports_it(owner):
    audit_with_actions(owner, [days(-1), days(3)], ref="CR-SVC")
    no_email = factories.auditor(email="")
    audit_with_actions(no_email, [days(1)], ref="CR-SVC-NE")

    run = action_services.action_reminders_queue(today=TODAY)

    assert (run.queued, run.covered, run.skipped) == (1, 2, {no_email.username: 1})
    assert mail.outbox == []  # queued, not sent: the worker sends it
    (task,) = queued(email_action_reminder)
    assert task.args_kwargs["kwargs"] == {"recipient": owner.email, "today": TODAY.isoformat()}
    run_tasks()
    assert [m.to for m in mail.outbox] == [[owner.email]]
    again = action_services.action_reminders_queue(today=TODAY)
    assert (again.queued, again.covered) == (0, 0)
    assert ActionReminder.objects.count() == 2


def test_with_the_mail_server_down_nothing_is_recorded_and_each_email_is_tried_again(
    owner, colleague, mail_server_down, settings
):
    """A real SMTP backend with nothing listening: each owner's email fails on its own task,
    records no reminder and says which email and cases failed; once the mail server is back,
    the retries send them."""
    audit_with_actions(owner, [days(1)], ref="CR-DOWN1")
    audit_with_actions(colleague, [days(2)], ref="CR-DOWN2")

    out = run()

    assert "queued 2 email(s) covering 2 action(s)" in out
    assert not ActionReminder.objects.exists()
    said = failures()
    assert len(said) == 2
    assert all("failed, trying again in 1 minute: Could not send the action" in s for s in said)
    assert any("(cases CR-DOWN1)" in s for s in said) and any("(cases CR-DOWN2)" in s for s in said)
    assert not any("CR-DOWN1 #1" in s for s in said)  # the case reference, never the words
    assert len(queued(email_action_reminder)) == 2

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())
    run_tasks()

    assert sorted(m.to[0] for m in mail.outbox) == sorted([owner.email, colleague.email])
    assert ActionReminder.objects.count() == 2


def test_running_again_after_a_failure_queues_again_and_sends_each_email_once(
    owner, mail_server_down, settings
):
    """The README's contract: reminders are recorded only once sent, so a second run the
    same day queues again those not sent; with a retry also waiting, only one email goes."""
    audit_with_actions(owner, [days(1)], ref="CR-AGAIN")
    run()
    assert not ActionReminder.objects.exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert "queued 1 email(s) covering 1 action(s)" in run()
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())
    run_tasks()  # the first run's retry: already sent by the second run's task

    assert len(mail.outbox) == 1
    assert ActionReminder.objects.get().recipient == owner.email
    assert queued(email_action_reminder) == []
