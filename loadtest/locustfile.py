"""The simulated people of `make loadtest` (locust; run by loadtest/run.py, which sets these):

LOADTEST_PLAN     the plan demo.loadtest.prepare wrote: accounts, password, each one's records
LOADTEST_RESULT   where to write the timings and errors (JSON; loadtest/results.py reads them)
LOADTEST_SAVES    where to log every confirmed save of an audit (JSON lines, for loadtest_check)
LOADTEST_SECONDS  how long to measure once everyone has signed in (default 60)
LOADTEST_WAIT     each person's pause between two actions, "low,high" seconds (default 1,2)

Everyone signs in through the real sign-in page first. Timings are kept from the moment the
last of them has signed in (twenty password hashes at once would otherwise be what is
measured) for LOADTEST_SECONDS; then each finishes what it is doing and the run ends. Errors
count at any time. Every request expects one answer (a page 200, a form post its redirect, an
autosave 200): anything else, including a redirect to the sign-in page, is an error.
"""

import itertools
import json
import os
import random
import time

import gevent
from locust import HttpUser, between, events, task
from locust.exception import StopUser

from loadtest.forms import form_fields, replace, saved_state

PLAN = json.load(open(os.environ["LOADTEST_PLAN"], encoding="utf-8"))
SECONDS = float(os.environ.get("LOADTEST_SECONDS", "60"))
WAIT = [float(s) for s in os.environ.get("LOADTEST_WAIT", "1,2").split(",")]

_run = {"start": None, "end": None, "signed_in": 0, "users": 0}
_samples: dict[str, list[float]] = {}
_errors: list[dict] = []
_saves_log = open(os.environ["LOADTEST_SAVES"], "w", encoding="utf-8")
_accounts = {kind: itertools.cycle(PLAN[kind]) for kind in PLAN if isinstance(PLAN[kind], list)}
_words = "plan review child family visit voice risk safety school health chronology".split()


@events.request.add_listener
def _keep(request_type, name, response_time, exception, start_time=None, **kwargs):
    if exception is not None:
        _errors.append({"name": name, "message": str(exception)[:200]})
        return
    start, end = _run["start"], _run["end"]
    if start is not None and start_time is not None and start_time >= start:
        if end is None or start_time < end:
            _samples.setdefault(name, []).append(response_time)


@events.user_error.add_listener
def _exception(user_instance, exception, tb, **kwargs):
    _errors.append({"name": type(user_instance).__name__, "message": repr(exception)[:200]})


@events.test_start.add_listener
def _started(environment, **kwargs):
    _run["users"] = environment.parsed_options.num_users


@events.test_stop.add_listener
def _stopped(environment, **kwargs):
    _saves_log.close()
    result = {
        **_run,
        "seconds": (_run["end"] or time.time()) - (_run["start"] or time.time()),
        "samples": _samples,
        "errors": _errors,
    }
    with open(os.environ["LOADTEST_RESULT"], "w", encoding="utf-8") as out:
        json.dump(result, out)


def _signed_in(environment):
    _run["signed_in"] += 1
    if _run["signed_in"] == _run["users"]:
        _run["start"] = time.time()

        def finish():
            _run["end"] = time.time()
            environment.runner.quit()  # each person finishes the request in hand (stop-timeout)

        gevent.spawn_later(SECONDS, finish)


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(_words) for _ in range(rng.randint(6, 30))).capitalize() + "."


class Person(HttpUser):
    abstract = True
    kind = ""
    wait_time = between(*WAIT)

    def on_start(self):
        self.account = next(_accounts[self.kind])
        self.username = self.account["username"]
        self.rng = random.Random(self.username)
        page = self.expect("GET", "/accounts/login/", name="sign in GET")
        if page is None:
            raise StopUser()
        fields = form_fields(page.text, action="/accounts/login/")
        fields = replace(fields, {"username": self.username, "password": PLAN["password"]})
        if self.expect("POST", "/accounts/login/", name="sign in POST", data=fields, to="/"):
            _signed_in(self.environment)
        else:
            raise StopUser()

    def expect(self, method, url, *, name, to=None, body=None, **kwargs):
        """Send the request; the response if it is what a person would see, else None (and an
        error): ``to`` is the redirect a form post must answer, otherwise a 200 (with ``body``,
        when given)."""
        expected = 302 if to else 200
        with self.client.request(
            method, url, name=name, allow_redirects=False, catch_response=True, **kwargs
        ) as response:
            if response.status_code != expected:
                where = response.headers.get("Location", "")
                response.failure(f"{response.status_code} {where}".strip())
                return None
            if to and response.headers.get("Location") != to:
                response.failure(f"redirected to {response.headers.get('Location')}, not {to}")
                return None
            if body is not None and response.text != body:
                response.failure(f"answered {response.text[:40]!r}, not {body!r}")
                return None
            return response

    @task(2)
    def healthz(self):
        self.expect("GET", "/healthz", name="healthz", body="ok")

    def audit_list(self, path="/audits/all/"):
        """The list with some filters, on some page, as people page through it."""
        filters = PLAN["filters"]
        query = {}
        if self.rng.random() < 0.6:
            name = self.rng.choice(["strand", "case_type", "status"])
            query[name] = self.rng.choice(filters[name])
        if self.rng.random() < 0.3:
            query["date_from"] = "2025-01-01"
        query["page"] = self.rng.choice([1, 1, 2, 3, self.rng.randint(4, 40)])
        self.expect("GET", path, name="audit list", params=query)

    def audit_page(self):
        self.expect("GET", f"/audits/{self.rng.randint(1, 20000)}/", name="audit page GET")


class Auditor(Person):
    """Opens its own drafts' task lists, then a domain's section page, changes it and
    autosaves it (as static/js/autosave.js posts the page's form), now and then submits one
    from Check your answers."""

    fixed_count = int(os.environ.get("LOADTEST_AUDITORS", "12"))
    kind = "auditors"

    def on_start(self):
        super().on_start()
        self.drafts = list(self.account["drafts"])
        # (pk, the section page's address, its form's fields as the page now holds them)
        self.open = None
        self.known = {}  # pk -> what the draft holds, section by section, as last saved here
        self.steps = 0

    def open_draft(self, pk=None):
        pk = pk or self.rng.choice(self.drafts)
        self.open = None
        if not self.expect("GET", f"/audits/{pk}/edit/", name="audit task list GET"):
            return
        section = f"/audits/{pk}/edit/domain-{self.rng.randint(1, 12)}/"
        page = self.expect("GET", section, name="audit form GET")
        if page:
            self.open = (pk, section, form_fields(page.text, form_id="audit-form"))

    @task(3)
    def opens(self):
        if self.drafts:
            self.open_draft()

    @task(8)
    def types_and_saves(self):
        if not self.open:
            return self.opens()
        pk, section, fields = self.open
        self.steps += 1
        domain = section.rstrip("/").rsplit("-", 1)[1]
        changes = {
            f"domain-{domain}-text": f"{self.username} step {self.steps}: {_sentence(self.rng)}",
        }
        if self.rng.random() < 0.3:
            changes[f"domain-{domain}-grade"] = self.rng.choice(["exceeds", "meets"])
        fields = replace(fields, changes)
        self.open = (pk, section, fields)
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            f"{section}autosave/",
            data=fields,
            name="autosave POST",
            headers={"Accept": "application/json", "X-CSRFToken": token},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            try:
                answer = response.json()
                revision = int(answer["revision"])
            except (ValueError, KeyError, TypeError):
                answer = revision = None
            if response.status_code != 200 or revision is None:
                response.failure(f"{response.status_code} {response.text[:120]}")
                self.open = None  # open the draft again, as a person would reload the page
                return
        self.log_save(pk, fields, revision=revision, kind="autosave")
        # As the page's script does: the next save carries the revision this one made, and
        # new action rows the ids the server gave them.
        names = {name for name, _ in fields}
        updates = {k: str(v) for k, v in answer.get("fields", {}).items() if k in names}
        updates.update({name: str(revision) for name in names if name.endswith("revision")})
        self.open = (pk, section, replace(fields, updates))

    @task(1)
    def submits(self):
        if not self.open:
            return
        pk = self.open[0]
        token = [("csrfmiddlewaretoken", self.client.cookies.get("csrftoken", ""))]
        if self.expect(
            "POST", f"/audits/{pk}/check/", name="submit POST", data=token, to=f"/audits/{pk}/"
        ):
            self.log_save(pk, [], revision=None, kind="submit")
        self.drafts.remove(pk)
        self.open = None

    @task(2)
    def my_audits(self):
        self.expect("GET", "/audits/mine/", name="my audits")

    def log_save(self, pk, fields, *, revision, kind):
        # The section saved, with what earlier saves here put in the draft's other sections.
        state = self.known.setdefault(pk, {})
        state.update(saved_state(fields))
        row = {"audit": pk, "confirmed": True, "kind": kind, "user": self.username}
        row.update(revision=revision, state=dict(state))
        _saves_log.write(json.dumps(row) + "\n")
        _saves_log.flush()


class Moderator(Person):
    """Works through the audits queued for it: takes one, opens it, records a moderation."""

    fixed_count = int(os.environ.get("LOADTEST_MODERATORS", "5"))
    kind = "moderators"

    def on_start(self):
        super().on_start()
        self.waiting = list(self.account["audits"])

    @task(2)
    def queue(self):
        self.expect("GET", "/moderation/", name="moderation queue")

    @task(3)
    def moderates(self):
        if not self.waiting:
            return self.audit_list()
        pk = self.waiting.pop(0)
        form = f"/moderation/audits/{pk}/"
        token = {"csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")}
        if not self.expect("POST", f"{form}take/", name="take POST", data=token, to=form):
            return
        page = self.expect("GET", form, name="moderation form GET")
        if page is None:
            return
        fields = form_fields(page.text, form_id="moderation-form")
        fields = replace(fields, {"feedback": _sentence(self.rng), "action": "record"})
        self.expect("POST", form, name="moderation POST", data=fields, to="/moderation/")

    @task(2)
    def lists(self):
        self.audit_list()

    @task(1)
    def opens_an_audit(self):
        self.audit_page()


class Manager(Person):
    """A senior manager looking through all audits: filters, pages, an audit now and then."""

    fixed_count = int(os.environ.get("LOADTEST_MANAGERS", "2"))
    kind = "managers"

    @task(6)
    def lists(self):
        self.audit_list()

    @task(2)
    def opens_an_audit(self):
        self.audit_page()


class QALead(Person):
    """Opens the reports and the list of all audits."""

    fixed_count = int(os.environ.get("LOADTEST_QA_LEADS", "1"))
    kind = "qa_leads"

    @task(2)
    def reports(self):
        self.expect("GET", "/reports/", name="report list")

    @task(3)
    def opens_a_report(self):
        pk = self.rng.choice(self.account["reports"])
        self.expect("GET", f"/reports/{pk}/", name="report GET")

    @task(2)
    def lists(self):
        self.audit_list()
