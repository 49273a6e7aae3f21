"""No lost update under parallel saves (issue 12, item 2), through a real app server.

gunicorn serves the app as `make serve` does (config/gunicorn.py, several worker processes) on
the suite's database: on PostgreSQL the test database itself; on SQLite a file of its own, with
the embedded database's production options (WAL, IMMEDIATE transactions). The suite's in-memory
SQLite database is out of another process's reach, and pytest-django's live_server would share
its one connection among the request threads, which is no race at all; so the records are made
and read by tests/parallel_world.py, in its own interpreter, on the server's database.

Clients, each with its own signed-in HTTP session (tabs, devices or people), open the same record
(its page gives the revision and a page token), then post different changes at the same moment
(a threading.Barrier), round after round: exactly one save per revision wins, every other is
refused with 409 and writes nothing, and the record holds exactly the winner's content. Half the
clients post as autosave, half with the page's Save button. An audit's section pages race on one
section; tabs on different sections of one audit all save, and the draft holds every change.
"""

import html
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
WORLD = Path(__file__).with_name("parallel_world.py")
PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's password
AUDITOR, MODERATOR, QA_LEADS = "race-auditor", "race-moderator", ("race-qa-1", "race-qa-2")
ROUNDS = 4
TABS_ON_THE_AUDIT = 4

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


# --- The server and the records ------------------------------------------------------------------


def database_url(tmp_path) -> tuple[str, bool]:
    """The server's database, and whether it still needs migrating."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'parallel.sqlite3'}", True
    db = connection.settings_dict
    who = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{who}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}", False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class World:
    """tests/parallel_world.py: made the records; tells their state in the database."""

    def __init__(self, env, migrate):
        args = [sys.executable, str(WORLD), *(["--migrate"] if migrate else [])]
        self.process = subprocess.Popen(
            args, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.ids = self._answer()

    def _answer(self) -> dict:
        for line in self.process.stdout:
            if line.startswith("{"):  # a library may print a line of its own first
                return json.loads(line)
        raise AssertionError(f"parallel_world.py stopped (exit code {self.process.wait()})")

    def state(self, kind: str) -> dict:
        self.process.stdin.write(f"{kind} {self.ids[kind]}\n")
        self.process.stdin.flush()
        return self._answer()

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture
def server(tmp_path):
    """gunicorn on the server's database, with the records made; yields (url, world)."""
    url, migrate = database_url(tmp_path)
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(TABS_ON_THE_AUDIT),
    }
    env.pop("DEBUG", None)
    world = World(env, migrate)
    log = (tmp_path / "gunicorn.log").open("w")
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert gunicorn.poll() is None, (tmp_path / "gunicorn.log").read_text()
            try:
                if requests.get(f"{base}/healthz", timeout=2).ok:
                    break
            except requests.RequestException:  # not listening, or its workers still starting
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
            time.sleep(0.2)
        yield base, world
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        log.close()
        world.close()


# --- Clients ---------------------------------------------------------------------------------------


class Client:
    """One signed-in HTTP session: a tab, a device or a person."""

    def __init__(self, base, username):
        self.base, self.username = base, username
        self.http = requests.Session()
        self.http.get(f"{base}/accounts/login/", timeout=30).raise_for_status()
        signed_in = self.post(
            "/accounts/login/", {"username": username, "password": PASSWORD}, expected=(302,)
        )
        assert "sessionid" in self.http.cookies, signed_in.text

    def open(self, path) -> dict:
        """The page's revision and page token, as its form will post them."""
        page = self.http.get(f"{self.base}{path}", timeout=30)
        assert page.status_code == 200, page.text
        text = page.text
        seen = re.search(r'name="seen" value="([^"]+)"', text)  # an audit's section page
        return {
            "revision": re.search(r'name="revision" value="(\d+)"', text).group(1),
            "page": re.search(r'name="page" value="([^"]+)"', text).group(1),
            **({"seen": seen.group(1)} if seen else {}),
            "html": text,
        }

    def post(self, path, data, expected=(200, 302, 409)):
        token = self.http.cookies["csrftoken"]
        response = self.http.post(
            f"{self.base}{path}",
            data={**data, "csrfmiddlewaretoken": token},
            headers={"X-CSRFToken": token},
            allow_redirects=False,
            timeout=60,
        )
        assert response.status_code in expected, (path, response.status_code, response.text)
        return response


def at_once(clients, posts) -> list:
    """Each client sends its (path, data) at the same moment; their responses, in order."""
    barrier = threading.Barrier(len(clients))
    responses = [None] * len(clients)

    def send(i):
        barrier.wait(timeout=30)
        try:
            responses[i] = clients[i].post(*posts[i])
        except BaseException as error:  # noqa: BLE001 - reported below, with the others
            responses[i] = error

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    failed = [r for r in responses if not isinstance(r, requests.Response)]
    assert not failed, failed
    return responses


def the_one_winner(responses, opened_at: int) -> int:
    """Exactly one save won (a redirect, or autosave's saved answer at the next revision);
    every other was refused as a conflict. The winner's index."""
    won = [i for i, r in enumerate(responses) if r.status_code in (200, 302)]
    assert len(won) == 1, [(r.status_code, r.text[:200]) for r in responses]
    for i, response in enumerate(responses):
        if i == won[0]:
            if response.status_code == 200:
                assert response.json()["revision"] == opened_at + 1
        elif response.headers["Content-Type"].startswith("application/json"):
            assert response.json()["error"] == "conflict"
        else:
            assert "This was saved from another page since you opened it" in response.text
    return won[0]


def textarea(page_html, name) -> str:
    found = re.search(rf'<textarea name="{name}"[^>]*>\n?(.*?)</textarea>', page_html, re.S)
    return html.unescape(found.group(1))


def formset(prefix, rows):
    return {
        f"{prefix}-TOTAL_FORMS": str(rows),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


# --- The races -------------------------------------------------------------------------------------


def race_on_the_audit(base, world):
    """Several tabs of the auditor on one section of a draft: domain 1's page, then the agreed
    actions page, in turn. Each winner changes the section, so every other save is refused;
    on the actions page each winner adds an action, which no other page shows, so none may
    disappear, and no loser's may appear."""
    pk = world.ids["audit"]
    tabs = [Client(base, AUDITOR) for _ in range(TABS_ON_THE_AUDIT)]
    expected = world.state("audit")
    for round_ in range(ROUNDS):
        section = "domain-1" if round_ % 2 == 0 else "actions"
        page_path = f"/audits/{pk}/edit/{section}/"
        pages = [tab.open(page_path) for tab in tabs]
        opened_at = int(pages[0]["revision"])
        assert {int(p["revision"]) for p in pages} == {opened_at}
        posts = []
        for i, page in enumerate(pages):
            path = f"{page_path}autosave/" if (i + round_) % 2 else page_path
            content = {
                "domain-1-text": f"Domain 1 as tab {i} saw it in round {round_}.",
                **formset("actions", 1),
                "actions-0-description": f"Round {round_}, tab {i}: book a visit",
            }
            posts.append((path, {**content, "action": "save", **page_token(page)}))

        winner = the_one_winner(at_once(tabs, posts), opened_at)

        expected["revision"] = opened_at + 1
        if section == "domain-1":
            expected["domain_1"] = f"Domain 1 as tab {winner} saw it in round {round_}."
        else:
            expected["actions"] = sorted(
                [*expected["actions"], f"Round {round_}, tab {winner}: book a visit"]
            )
        assert world.state("audit") == expected, f"round {round_}"


def race_on_other_sections(base, world):
    """Tabs of the auditor each on a different section, all opened at one revision, saving at
    once: no tab changed another's section, so every save goes through, one after another, and
    the draft holds every change."""
    pk = world.ids["audit"]
    changes = {
        "case": {"case_reference": "CR-RACE-9"},
        "domain-1": {"domain-1-text": "Domain 1 from its own tab."},
        "actions": {**formset("actions", 1), "actions-0-description": "From the actions tab"},
        "overall": {"overall_comments": "From the overall tab."},
    }
    tabs = [Client(base, AUDITOR) for _ in changes]
    before = world.state("audit")
    pages = [tab.open(f"/audits/{pk}/edit/{slug}/") for tab, slug in zip(tabs, changes)]
    opened_at = int(pages[0]["revision"])
    posts = []
    for i, (slug, content) in enumerate(changes.items()):
        path = f"/audits/{pk}/edit/{slug}/" + ("autosave/" if i % 2 else "")
        posts.append((path, {**content, "action": "save", **page_token(pages[i])}))

    responses = at_once(tabs, posts)

    assert [r.status_code for r in responses] == [302, 200, 302, 200], [
        r.text[:200] for r in responses
    ]
    assert world.state("audit") == {
        "revision": opened_at + len(changes),
        "case_reference": "CR-RACE-9",
        "overall_comments": "From the overall tab.",
        "domain_1": "Domain 1 from its own tab.",
        "actions": sorted([*before["actions"], "From the actions tab"]),
    }


def race_on_the_moderation(base, world):
    """Two tabs of the moderator holding the audit, autosaving their form at once."""
    pk = world.ids["moderation"]
    tabs = [Client(base, MODERATOR) for _ in range(2)]
    for round_ in range(ROUNDS):
        pages = [tab.open(f"/moderation/audits/{pk}/") for tab in tabs]
        opened_at = int(pages[0]["revision"])
        drafts = [
            {
                "grade": "exceeds",
                "rationale": f"Round {round_}, tab {i}: outstanding direct work.",
                "feedback": f"Round {round_}, tab {i}: share it with the team.",
            }
            for i in range(len(tabs))
        ]
        posts = [
            (f"/moderation/audits/{pk}/autosave/", {**d, **formset("actions", 0), **page_token(p)})
            for d, p in zip(drafts, pages)
        ]

        winner = the_one_winner(at_once(tabs, posts), opened_at)

        assert world.state("moderation") == {
            "revision": opened_at + 1,
            "status": "in_moderation",
            "draft": {**drafts[winner], "notes": {}, "actions": []},
        }, f"round {round_}"
        # The holder's page opens with the winner's draft.
        assert (
            textarea(tabs[0].open(f"/moderation/audits/{pk}/")["html"], "rationale")
            == (drafts[winner]["rationale"])
        )


def race_on_the_narrative(base, world):
    """Two QA leads saving one report's narrative at once, one with autosave, one with Save."""
    pk = world.ids["report"]
    leads = [Client(base, name) for name in QA_LEADS]
    for round_ in range(ROUNDS):
        pages = [lead.open(f"/reports/{pk}/") for lead in leads]
        opened_at = int(pages[0]["revision"])
        narratives = [
            {
                "title": f"Board paper, round {round_}, by {lead.username}",
                "summary": f"Summary by {lead.username}.",
                "findings": f"Findings of round {round_} by {lead.username}.",
                "recommendations": "",
            }
            for lead in leads
        ]
        paths = [f"/reports/{pk}/autosave/", f"/reports/{pk}/"]
        if round_ % 2:
            paths.reverse()
        posts = [(path, {**n, **page_token(p)}) for path, n, p in zip(paths, narratives, pages)]

        responses = at_once(leads, posts)
        winner = the_one_winner(responses, opened_at)

        loser = responses[1 - winner]
        if loser.headers["Content-Type"].startswith("application/json"):
            assert loser.json()["by"] == leads[winner].username  # who saved it since
        else:
            assert f"by {leads[winner].username}, after you opened it" in loser.text
        expected = narratives[winner]
        assert world.state("report") == {
            "revision": opened_at + 1,
            "state": "draft",
            "title": expected["title"],
            "summary": expected["summary"],
            "findings": expected["findings"],
        }, f"round {round_}"


def page_token(page) -> dict:
    return {k: page[k] for k in ("revision", "page", "seen") if k in page}


def test_parallel_saves_each_revision_has_one_winner_and_nothing_else_is_written(server):
    base, world = server
    race_on_the_audit(base, world)
    race_on_other_sections(base, world)
    race_on_the_moderation(base, world)
    race_on_the_narrative(base, world)


# --- An audit on a built tool (audits.tools) -------------------------------------------------------


def built_question_names(page_html) -> dict[str, str]:
    """The names of the comment of question 1.1 and of the text of question 2.3 on the page."""
    names = re.findall(r'name="(question-\d+-text)"', page_html)
    return {"first": names[0]} if names else {}


def race_on_a_built_section(base, world):
    """Tabs of the auditor on one section of a built tool's audit, each changing the comment of
    its first question at once: one save per revision wins, every other is refused, and the
    answer holds the winner's words."""
    pk = world.ids["built"]
    tabs = [Client(base, AUDITOR) for _ in range(TABS_ON_THE_AUDIT)]
    expected = world.state("built")
    page_path = f"/audits/{pk}/edit/section-1/"
    for round_ in range(ROUNDS):
        pages = [tab.open(page_path) for tab in tabs]
        opened_at = int(pages[0]["revision"])
        comment = built_question_names(pages[0]["html"])["first"]
        posts = []
        for i, page in enumerate(pages):
            path = f"{page_path}autosave/" if (i + round_) % 2 else page_path
            content = {**radios_of(page["html"]), comment: f"Round {round_}, tab {i}."}
            posts.append((path, {**content, "action": "save", **page_token(page)}))

        winner = the_one_winner(at_once(tabs, posts), opened_at)

        expected.update(revision=opened_at + 1, comment_1_1=f"Round {round_}, tab {winner}.")
        assert world.state("built") == expected, f"round {round_}"


def radios_of(page_html) -> dict[str, str]:
    """The answers a built tool's section page shows chosen, as it would post them again."""
    chosen = {}
    for tag in re.findall(r"<input[^>]*>", page_html):
        if 'type="radio"' in tag and "checked" in tag:
            name = re.search(r'name="([^"]+)"', tag).group(1)
            chosen[name] = html.unescape(re.search(r'value="([^"]*)"', tag).group(1))
    return chosen


def race_on_built_other_sections(base, world):
    """Tabs each on a different section of a built tool's audit, opened at one revision, saving
    at once: every save goes through and the audit holds every change."""
    pk = world.ids["built"]
    slugs = ["case", "section-1", "section-2", "overall"]
    tabs = [Client(base, AUDITOR) for _ in slugs]
    pages = [tab.open(f"/audits/{pk}/edit/{slug}/") for tab, slug in zip(tabs, slugs)]
    opened_at = int(pages[0]["revision"])
    first = built_question_names(pages[1]["html"])["first"]
    texts = re.findall(r'name="(question-\d+-text)"', pages[2]["html"])
    changes = {
        "case": {**case_fields_as_shown(pages[0]["html"]), "case_reference": "CR-RACE-4"},
        "section-1": {**radios_of(pages[1]["html"]), first: "From section 1's tab."},
        "section-2": {
            **section_2_as_shown(pages[2]["html"]),
            texts[0]: "From section 2's tab.",
        },
        "overall": {
            **radios_of(pages[3]["html"]),
            "overall_comments": "From the overall tab.",
        },
    }
    posts = []
    for i, slug in enumerate(slugs):
        path = f"/audits/{pk}/edit/{slug}/" + ("autosave/" if i % 2 else "")
        posts.append((path, {**changes[slug], "action": "save", **page_token(pages[i])}))

    responses = at_once(tabs, posts)

    assert [r.status_code for r in responses] == [302, 200, 302, 200], [
        r.text[:300] for r in responses
    ]
    assert world.state("built") == {
        "revision": opened_at + len(slugs),
        "case_reference": "CR-RACE-4",
        "overall_comments": "From the overall tab.",
        "comment_1_1": "From section 1's tab.",
        "text_2_3": "From section 2's tab.",
    }


def _inputs(page_html) -> dict[str, str]:
    found = {}
    for tag in re.findall(r"<input[^>]*>", page_html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if name and kind and kind.group(1) == "text":
            found[name.group(1)] = html.unescape(value.group(1)) if value else ""
    return found


def _selected(page_html) -> dict[str, str]:
    found = {}
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', page_html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        found[name] = chosen.group(1) if chosen else ""
    return found


def case_fields_as_shown(page_html) -> dict[str, str]:
    """About the case as the page shows it saved (text boxes, date boxes, selects)."""
    return {**_inputs(page_html), **_selected(page_html)}


def section_2_as_shown(page_html) -> dict[str, str]:
    """Section 2's number and date boxes as shown, and its text answers."""
    found = _inputs(page_html)
    for name in re.findall(r'<textarea name="([^"]+)"', page_html):
        found[name] = textarea(page_html, name)
    return found


def test_parallel_saves_on_a_built_tools_audit_lose_nothing(server):
    base, world = server
    race_on_a_built_section(base, world)
    race_on_built_other_sections(base, world)
