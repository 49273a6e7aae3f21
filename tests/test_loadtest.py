"""The pieces of `make loadtest` (loadtest/, demo/loadtest.py), without the load: the figures and
their verdict, reading a page's form as a browser posts it, the data it prepares, and the check
that every saved draft holds what was last saved. The timings themselves are not tested here:
they are measured by `make loadtest` and kept in docs/PERFORMANCE.md."""

import json
import time

import pytest
from django.core.management import CommandError, call_command

from audits.models import Audit, Status
from demo import loadtest as data
from loadtest import results
from loadtest.forms import form_fields, replace, saved_state
from tests.helpers import draft_audit

# --- The figures ----------------------------------------------------------------------------


def run_result(**overrides):
    result = {
        "users": 2,
        "signed_in": 2,
        "seconds": 60,
        "samples": {
            "healthz": [4.0] * 19 + [10.0],
            "audit form GET": [12.0] * 18 + [25.0, 40.0],
            "autosave POST": [9.0] * 20,
            "audit list": [20.0] * 20,
        },
        "errors": [],
    }
    return {**result, **overrides}


def test_percentiles_are_nearest_rank():
    values = list(range(1, 101))
    assert results.percentile(values, 95) == 95
    assert results.percentile(values, 50) == 50
    assert results.percentile([7.0], 95) == 7.0


def test_each_page_p95_is_given_as_a_multiple_of_healthz():
    rows = {row["name"]: row for row in results.summarise(run_result()["samples"])}
    assert rows["healthz"]["p95"] == 4.0
    assert rows["audit form GET"]["p95"] == 25.0
    assert rows["audit form GET"]["ratio"] == pytest.approx(6.25)
    assert rows["audit list"]["ratio"] == pytest.approx(5.0)
    verdicts = results.verdicts(list(rows.values()))
    assert "audit form GET: p95 6.2x /healthz's, OVER 3x" in verdicts
    assert "autosave POST: p95 2.2x /healthz's, within 3x" in verdicts


def test_a_clean_run_passes():
    text, clean = results.report(run_result())
    assert clean
    assert "errors: 0" in text


def test_one_error_fails_the_run_and_is_shown():
    errors = [{"name": "autosave POST", "message": "409 "}]
    text, clean = results.report(run_result(errors=errors))
    assert not clean
    assert "errors: 1" in text
    assert "1 x autosave POST: 409" in text


def test_a_user_who_never_signed_in_fails_the_run():
    text, clean = results.report(run_result(signed_in=1))
    assert not clean
    assert "only 1 of 2 users signed in" in text


# --- Reading a form as a browser posts it --------------------------------------------------


def test_the_form_reader_takes_what_a_browser_would_send():
    html = """
    <form id="f" action="/x/">
      <input type="hidden" name="csrfmiddlewaretoken" value="t">
      <input name="plain" value="a &amp; b">
      <input type="radio" name="grade" value="meets">
      <input type="radio" name="grade" value="exceeds" checked>
      <input type="checkbox" name="ticked" checked><input type="checkbox" name="unticked">
      <input name="off" value="x" disabled>
      <textarea name="text">
first line</textarea>
      <select name="one"><option value="">--</option><option value="2" selected>Two</option></select>
      <select name="first"><option value="1">One</option><option value="2">Two</option></select>
      <select name="many" multiple>
        <option value="1" selected>1</option><option value="3" selected>3</option>
      </select>
      <template><input name="inert" value="no"></template>
      <button type="submit" name="action" value="save">Save</button>
    </form>
    <form action="/other/"><input name="elsewhere" value="1"></form>
    """
    assert form_fields(html, form_id="f") == [
        ("csrfmiddlewaretoken", "t"),
        ("plain", "a & b"),
        ("grade", "exceeds"),
        ("ticked", "on"),
        ("text", "first line"),
        ("one", "2"),
        ("first", "1"),
        ("many", "1"),
        ("many", "3"),
    ]
    assert form_fields(html, action="/other/") == [("elsewhere", "1")]
    with pytest.raises(LookupError):
        form_fields(html, form_id="missing")


def test_replace_keeps_the_order_and_leaves_out_none():
    fields = [("a", "1"), ("b", "2"), ("c", "3")]
    assert replace(fields, {"b": "9", "c": None, "d": "4"}) == [("a", "1"), ("b", "9"), ("d", "4")]


# --- The saved drafts check -------------------------------------------------------------------


SECTIONS = ["case", *[f"domain-{n}" for n in range(1, 13)], "actions", "overall"]


def edit_page_fields(client, audit, section="domain-3"):
    response = client.get(f"/audits/{audit.pk}/edit/{section}/")
    assert response.status_code == 200
    return form_fields(response.content.decode(), form_id="audit-form")


def autosave(client, audit, fields, section="domain-3"):
    response = client.post(
        f"/audits/{audit.pk}/edit/{section}/autosave/",
        dict_of(fields),
        headers={"accept": "application/json"},
    )
    assert response.status_code == 200, response.content
    return response.json()["revision"]


def dict_of(fields):
    posted = {}
    for name, value in fields:
        posted.setdefault(name, []).append(value)
    return posted


def logged(audit, fields, revision):
    """A row of the load test's log of saves, as it writes it (JSON)."""
    row = {"audit": audit.pk, "confirmed": True, "state": saved_state(fields)}
    return json.loads(json.dumps({**row, "revision": revision}))


@pytest.mark.django_db
def test_the_section_pages_as_posted_read_back_as_the_draft_holds_it(client, owner):
    audit = draft_audit(auditor=owner)
    client.force_login(owner)
    state = {}
    for section in SECTIONS:
        page = logged(audit, edit_page_fields(client, audit, section), 1)["state"]
        assert page, section
        assert not set(page) & set(state), f"{section} repeats another page's fields"
        state.update(page)
    assert json.loads(json.dumps(data.draft_state(audit))) == state


@pytest.mark.django_db
def test_a_draft_that_holds_its_last_save_passes_and_a_changed_one_is_named(client, owner):
    audit = draft_audit(auditor=owner)
    client.force_login(owner)
    fields = replace(edit_page_fields(client, audit), {"domain-3-text": "Saved by the test."})
    revision = autosave(client, audit, fields)
    saves = [logged(audit, fields, revision)]
    assert data.check_saves(saves) == []

    claimed = replace(fields, {"domain-3-text": "What the load test thinks it saved."})
    assert data.check_saves([*saves, logged(audit, claimed, revision)]) == [
        f"audit {audit.pk}: differs in domain-3-text"
    ]
    assert data.check_saves([logged(audit, fields, revision - 1)]) == [
        f"audit {audit.pk}: at revision {revision}, not {revision - 1} as last saved"
    ]
    unconfirmed = {**logged(audit, claimed, revision), "confirmed": False}
    assert data.check_saves([*saves, unconfirmed]) == []


@pytest.mark.django_db
def test_the_check_command_fails_on_a_mismatch(client, owner, tmp_path):
    audit = draft_audit(auditor=owner)
    client.force_login(owner)
    fields = edit_page_fields(client, audit, "overall")
    log = tmp_path / "saves.jsonl"
    log.write_text(json.dumps(logged(audit, fields, None)) + "\n")
    call_command("loadtest_check", str(log))

    wrong = replace(fields, {"overall_comments": "Never saved."})
    log.write_text(json.dumps(logged(audit, wrong, None)) + "\n")
    with pytest.raises(CommandError, match="1 of the 1 saved audits"):
        call_command("loadtest_check", str(log))


# --- The data it prepares ---------------------------------------------------------------------


@pytest.mark.django_db
def test_prepare_gives_each_person_their_own_records_and_a_working_sign_in(client):
    plan = data.prepare(audits=40, drafts=1, queued=1)
    people = {kind: count for kind, (count, _role) in data.PEOPLE.items()}
    assert {kind: len(plan[kind]) for kind in people} == people
    drafts = [pk for auditor in plan["auditors"] for pk in auditor["drafts"]]
    queued = [pk for moderator in plan["moderators"] for pk in moderator["audits"]]
    assert len(set(drafts)) == len(drafts) == people["auditors"]
    assert len(set(queued)) == len(queued) == people["moderators"]
    assert plan["audits"] == 40 + len(drafts)

    from audits.models import Audit

    assert set(Audit.objects.filter(pk__in=queued).values_list("status", flat=True)) == {
        Status.SUBMITTED
    }
    auditor = plan["auditors"][0]
    signed_in = client.post(
        "/accounts/login/", {"username": auditor["username"], "password": plan["password"]}
    )
    assert signed_in.status_code == 302
    assert client.get(f"/audits/{auditor['drafts'][0]}/edit/").status_code == 200
    assert client.get(f"/audits/{auditor['drafts'][0]}/edit/domain-4/").status_code == 200


@pytest.mark.django_db
def test_prepare_refuses_a_database_with_audits(owner):
    draft_audit(auditor=owner)
    with pytest.raises(ValueError, match="empty scratch database"):
        data.prepare(audits=10, drafts=1, queued=1)


# --- The CPU per request (loadtest/cost.py, `python -m loadtest.run --cost`) ----------------


@pytest.mark.django_db
def test_the_cost_counts_each_requests_queries_and_python_calls():
    from loadtest import cost

    def two_queries():
        list(Status.choices)
        Audit.objects.count()
        Audit.objects.filter(status=Status.DRAFT).exists()

    assert cost.queries(two_queries) == 2
    cost.function_calls(two_queries)  # a first call warms the connection's caches
    calls = cost.function_calls(two_queries)
    assert calls > 0
    # Nearly the same however busy the machine (a time-based check inside the database driver
    # can add a call or two on PostgreSQL); a count of time would differ many times over.
    assert abs(cost.function_calls(two_queries) - calls) <= max(10, calls // 100)


def test_the_cost_times_the_cpu_and_the_wall_clock_apart():
    """Time spent waiting (for the database server, here for a sleep) is wall time, not CPU."""
    from loadtest import cost

    cpu, wall = cost.cpu_ms(lambda: time.sleep(0.005), repeat=3)
    assert wall >= 5
    assert cpu < wall / 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_writes_counts_each_transaction_its_queries_and_the_writes_outside_one():
    """loadtest/writes.py: what each request holds the embedded database's write lock for."""
    import datetime

    from django.contrib.sessions.models import Session
    from django.db import connection, transaction
    from django.utils import timezone

    if connection.vendor != "sqlite":
        pytest.skip("loadtest/writes.py measures SQLite's one write lock")

    from loadtest.writes import Recorder

    expires = timezone.now() + datetime.timedelta(hours=1)
    recorder = Recorder()
    recorder.install()
    try:
        with transaction.atomic():
            Session.objects.count()
            Session.objects.create(session_key="w" * 32, session_data="", expire_date=expires)
        with transaction.atomic():
            Session.objects.count()
        Session.objects.filter(session_key="w" * 32).update(session_data="x")
        transactions, autocommit = recorder.take()
    finally:
        recorder.uninstall()
    assert [(table, n) for table, n, *_times in transactions] == [
        ("django_session", 2),
        ("read only", 1),
    ]
    assert all(ms >= 0 and cpu >= 0 for _table, _n, ms, cpu in transactions)
    assert autocommit == {"django_session": 1}


def test_cost_only_is_an_option_of_the_load_test():
    from loadtest import run

    with pytest.raises(SystemExit):
        run.main(["--cost", "--databases", "oracle"])  # an unknown database: refused first
