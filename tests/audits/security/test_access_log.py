"""Opening a record or a download that shows case data, and every sign-in event, is in the
security log with who, when, what and from which address; the log cannot be changed."""

import json

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.urls import reverse

from audits import periods
from audits.models import SecurityEvent
from audits.security.events import Event
from reports import services as report_services
from tests import factories
from tests.helpers import submitted_audit

pytestmark = pytest.mark.django_db

ADDRESS = "192.0.2.15"


def events(kind):
    return list(SecurityEvent.objects.filter(event=kind).order_by("at"))


@pytest.fixture
def audit(owner):
    return submitted_audit(auditor=owner, case_reference="CR-5150")


@pytest.fixture
def report(qa_lead_user):
    return report_services.report_create(by=qa_lead_user, period=periods.quarter(2026, 3))


@pytest.mark.parametrize(
    "who, url_name, args, event, case_reference",
    [
        ("qa_lead_user", "audits:detail", "audit", Event.VIEWED_AUDIT, "CR-5150"),
        ("owner", "audits:case_timeline", "case", Event.VIEWED_CASE, "CR-5150"),
        ("qa_lead_user", "reports:detail", "report", Event.VIEWED_REPORT, ""),
        ("qa_lead_user", "reports:pdf", "report", Event.VIEWED_REPORT_PDF, ""),
        ("qa_lead_user", "reports:export-csv", "report", Event.EXPORTED_CSV, ""),
        ("qa_lead_user", "reports:export-xlsx", "report", Event.EXPORTED_XLSX, ""),
        ("qa_lead_user", "reports:summary_json", None, Event.VIEWED_SUMMARY, ""),
    ],
)
def test_opening_each_kind_of_page_is_logged(
    request, client, audit, report, who, url_name, args, event, case_reference
):
    user = request.getfixturevalue(who)
    client.force_login(user)
    query = ""
    if url_name.startswith("reports:export"):
        url = reverse("reports:export", args=[report.pk, url_name.rsplit("-", 1)[1]])
    elif args == "audit":
        url = reverse(url_name, args=[audit.pk])
    elif args == "case":
        url = reverse(url_name, args=[audit.case_reference])
    elif args == "report":
        url = reverse(url_name, args=[report.pk])
    else:
        url, query = reverse(url_name), "?start=2026-10-01&end=2026-12-31"
    before = SecurityEvent.objects.count()

    response = client.get(url + query, REMOTE_ADDR=ADDRESS)
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)

    assert response.status_code == 200
    logged = events(event)
    assert SecurityEvent.objects.count() == before + 1
    assert len(logged) == 1
    entry = logged[0]
    assert entry.username == user.username and entry.actor == user
    assert entry.address == ADDRESS
    assert entry.case_reference == case_reference
    assert entry.path.startswith(url)
    if args == "report":
        assert entry.object == f"report {report.pk}"


def test_opening_the_moderation_page_is_logged(client, moderator_user, owner):
    audit = submitted_audit(auditor=owner, case_reference="CR-5151")
    client.force_login(moderator_user)
    client.get(reverse("moderation:moderate", args=[audit.pk]), REMOTE_ADDR=ADDRESS)
    (entry,) = events(Event.VIEWED_MODERATION)
    assert entry.case_reference == "CR-5151" and entry.username == moderator_user.username


def test_opening_an_agreed_action_is_logged_with_its_case(client, owner):
    audit = submitted_audit(auditor=owner, case_reference="CR-5156")
    client.force_login(owner)
    client.get(reverse("audits:action_detail", args=[audit.actions.get().pk]))
    (entry,) = events(Event.VIEWED_ACTION)
    assert entry.case_reference == "CR-5156" and entry.username == owner.username


def test_a_page_refused_is_not_logged_as_seen(client, colleague, audit):
    client.force_login(colleague)
    assert client.get(reverse("audits:detail", args=[audit.pk])).status_code == 404
    assert not events(Event.VIEWED_AUDIT)


PASSWORD = "correct-horse-battery"


def sign_in(client, username, password):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ADDRESS
    )


def test_sign_in_sign_out_failure_and_lockout_are_logged(client):
    person = factories.auditor()
    sign_in(client, person.username, PASSWORD)
    client.post(reverse("logout"), REMOTE_ADDR=ADDRESS)
    for _attempt in range(5):
        sign_in(client, person.username, "wrong-password-here")
    sign_in(client, "nobody-called-this", "wrong-password-here")

    (signed_in,) = events(Event.SIGNED_IN)
    assert signed_in.username == person.username and signed_in.address == ADDRESS
    (signed_out,) = events(Event.SIGNED_OUT)
    assert signed_out.username == person.username
    failures = events(Event.SIGN_IN_FAILED)
    assert [f.username for f in failures].count(person.username) == 5
    assert failures[-1].username == "nobody-called-this" and failures[-1].actor is None
    (locked,) = events(Event.LOCKED_OUT)
    assert locked.username == person.username and locked.address == ADDRESS


def test_an_administrator_unlocking_a_sign_in_is_logged(client, administrator_user):
    from axes.models import AccessAttempt

    person = factories.auditor()
    for _attempt in range(5):
        sign_in(client, person.username, "wrong-password-here")
    attempt = AccessAttempt.objects.get(username=person.username)
    client.force_login(administrator_user)
    client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert not AccessAttempt.objects.exists()
    (unlocked,) = events(Event.UNLOCKED)
    assert person.username in unlocked.object
    assert unlocked.username == administrator_user.username


# --- Append-only -------------------------------------------------------------------------------


def test_the_security_log_refuses_changes_and_deletion(owner):
    entry = SecurityEvent.objects.create(at="2026-11-01T10:00Z", username="x", event="signed_in")
    entry.event = "something_else"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        SecurityEvent.objects.filter(pk=entry.pk).update(event="tampered")
    with pytest.raises(PermissionError):
        SecurityEvent.objects.all().delete()
    assert SecurityEvent.objects.get(pk=entry.pk).event == "signed_in"


def test_a_change_history_entry_cannot_be_rewritten(owner, audit):
    entry = LogEntry.objects.filter(additional_data__case_reference="CR-5150").first()
    entry.changes = {"tampered": ["a", "b"]}
    with pytest.raises(PermissionError):
        entry.save()


@pytest.mark.parametrize("model", ["audits_securityevent", "auditlog_logentry"])
def test_the_admin_shows_the_logs_but_cannot_change_or_delete_them(
    client, administrator_user, audit, model
):
    client.force_login(administrator_user)
    client.get(reverse("audits:detail", args=[audit.pk]))  # at least one security event
    entry = (SecurityEvent if model.startswith("audits") else LogEntry).objects.first()
    before = json.dumps(
        list((SecurityEvent if model.startswith("audits") else LogEntry).objects.values()),
        default=str,
    )

    assert client.get(reverse(f"admin:{model}_changelist")).status_code == 200
    change = client.post(reverse(f"admin:{model}_change", args=[entry.pk]), {"event": "x"})
    delete = client.post(reverse(f"admin:{model}_delete", args=[entry.pk]), {"post": "yes"})
    bulk = client.post(
        reverse(f"admin:{model}_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )

    assert delete.status_code == 403
    assert change.status_code in (200, 403)  # a read-only view: the POST changes nothing
    assert bulk.status_code in (200, 302)
    after = json.dumps(
        list((SecurityEvent if model.startswith("audits") else LogEntry).objects.values()),
        default=str,
    )
    # Viewing the admin pages may add entries; none of those already there changed or went.
    assert after.startswith(before[:-1])


# --- manage.py security_log ---------------------------------------------------------------------


def log_lines(capsys, *args):
    call_command("security_log", *args)
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_the_command_prints_json_lines_with_views_changes_and_sign_ins(
    capsys, client, owner, qa_lead_user
):
    audit = submitted_audit(auditor=owner, case_reference="CR-5152")
    other = submitted_audit(auditor=owner, case_reference="CR-5153")
    client.force_login(qa_lead_user)
    client.get(reverse("audits:detail", args=[audit.pk]), REMOTE_ADDR=ADDRESS)
    client.get(reverse("audits:detail", args=[other.pk]), REMOTE_ADDR=ADDRESS)
    sign_in(client, "nobody-called-this", "wrong-password-here")

    lines = log_lines(capsys, "--since", "2000-01-01")
    assert all(
        {"at", "actor", "event", "object", "case_reference", "changes"} <= set(line)
        for line in lines
    )
    assert [line["at"] for line in lines] == sorted(line["at"] for line in lines)
    viewed = [line for line in lines if line["event"] == Event.VIEWED_AUDIT]
    assert {(v["actor"], v["case_reference"]) for v in viewed} == {
        (qa_lead_user.username, "CR-5152"),
        (qa_lead_user.username, "CR-5153"),
    }
    created = [
        line
        for line in lines
        if line["event"] == "created_audit" and line["case_reference"] == "CR-5152"
    ]
    # Made by the services directly, outside a request: no actor (pages name theirs:
    # test_change_history.test_a_change_through_a_page_names_who_and_from_which_address).
    assert created and created[0]["object"].startswith("audit ")
    changed = [
        line for line in lines if line["event"] == "changed_audit" and "status" in line["changes"]
    ]
    assert ["draft", "submitted"] in [c["changes"]["status"] for c in changed]
    assert any(line["event"] == Event.SIGN_IN_FAILED for line in lines)


def test_the_command_filters_by_case_user_and_dates(capsys, client, owner, qa_lead_user):
    audit = submitted_audit(auditor=owner, case_reference="CR-5154")
    submitted_audit(auditor=owner, case_reference="CR-5155")
    client.force_login(qa_lead_user)
    client.get(reverse("audits:detail", args=[audit.pk]))

    by_case = log_lines(capsys, "--since", "2000-01-01", "--case", "CR-5154")
    assert by_case and {line["case_reference"] for line in by_case} == {"CR-5154"}
    by_user = log_lines(capsys, "--since", "2000-01-01", "--user", qa_lead_user.username)
    assert by_user and {line["actor"] for line in by_user} == {qa_lead_user.username}
    assert log_lines(capsys, "--since", "2000-01-01", "--until", "2000-12-31") == []


@pytest.mark.parametrize(
    "args, message",
    [
        (["--since", "01/11/2026"], "--since"),
        (["--since", "2026-11-01", "--until", "2026-13-01"], "--until"),
        (["--since", "2026-11-02", "--until", "2026-11-01"], "before --since"),
    ],
)
def test_the_command_names_a_bad_date(args, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("security_log", *args)
