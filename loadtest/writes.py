"""python -m loadtest.writes PLAN.json: the write transactions of each named request (SQLite).

On the embedded SQLite every transaction (``transaction_mode`` IMMEDIATE) takes the database's
one write lock at BEGIN and holds it until COMMIT or ROLLBACK, and a write statement outside a
transaction (Django's autocommit) takes it for that statement. So what a request costs the
other writers is not its time but the time it holds that lock. For each named request this
counts, one request at a time through the whole Django stack (middleware, session, the view),
the transactions it opens, the queries inside them and the wall-clock milliseconds from BEGIN
to the end of COMMIT (the median of the runs), and the write statements it makes outside any
transaction. Each transaction is named by the first table it writes ("read only" when it
writes none: it still took the lock), so a session's save shows as ``django_session``.
``--sql`` prints each request's last transaction, query by query, with the time into it.

Run it on a copy of a load test's scratch database (``python -m loadtest.run --cost`` makes
one): it submits drafts and records moderations of the plan, which cannot be undone. With
the environment loadtest/run.py gives the server (DEBUG off, a throwaway SECRET_KEY):

    cp /tmp/casefile-loadtest/loadtest.sqlite3 /tmp/copy-loadtest.sqlite3
    DATABASE_URL=sqlite:////tmp/copy-loadtest.sqlite3 DEBUG=0 SECRET_KEY=... \
        ALLOWED_HOSTS=127.0.0.1 TWO_FACTOR_ROLES= SECURE_COOKIES=0 SECURE_SSL_REDIRECT=0 \
        python -m loadtest.writes /tmp/casefile-loadtest/sqlite/plan.json [--sql]
"""

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter, defaultdict

import django

REPEAT = 15
WRITE = re.compile(r'^\s*(INSERT|UPDATE|DELETE|REPLACE)\b.*?(?:INTO|UPDATE|FROM)?\s*"(\w+)"', re.I)


class Recorder:
    """Counts the transactions and write statements of the default connection."""

    def __init__(self):
        self.transactions = []  # (name, queries, wall ms, CPU ms of this process)
        self.autocommit_writes = Counter()
        self._open = None
        self.show_sql = False

    def install(self):
        from django.db import connections

        connection = connections["default"]

        wrapper = connection.__class__
        recorder = self
        start, commit, rollback = (
            wrapper._start_transaction_under_autocommit,
            wrapper._commit,
            wrapper._rollback,
        )

        def _start(self_):
            start(self_)
            recorder._open = {
                "began": time.perf_counter(),
                "cpu": time.process_time(),
                "queries": 0,
                "writes": [],
                "sql": [],
            }

        def _end(original):
            def end(self_):
                try:
                    return original(self_)
                finally:
                    recorder._close()

            return end

        self._restore = (connection, wrapper, start, commit, rollback)
        wrapper._start_transaction_under_autocommit = _start
        wrapper._commit = _end(commit)
        wrapper._rollback = _end(rollback)
        connection.execute_wrappers.append(self._execute)

    def uninstall(self):
        connection, wrapper, start, commit, rollback = self._restore
        wrapper._start_transaction_under_autocommit = start
        wrapper._commit = commit
        wrapper._rollback = rollback
        connection.execute_wrappers.remove(self._execute)

    def _close(self):
        if self._open is None:
            return
        ms = (time.perf_counter() - self._open["began"]) * 1000
        cpu = (time.process_time() - self._open["cpu"]) * 1000
        writes = self._open["writes"]
        name = writes[0] if writes else "read only"
        self.transactions.append((name, self._open["queries"], ms, cpu))
        if self.show_sql:
            print("  BEGIN\n    " + "\n    ".join(self._open["sql"]) + f"\n  END {ms:.2f} ms")
        self._open = None

    def _execute(self, execute, sql, params, many, context):
        table = None
        if match := WRITE.match(sql):
            table = match.group(2)
        if self._open is not None:
            self._open["queries"] += 1
            if self.show_sql:
                began = time.perf_counter() - self._open["began"]
                self._open["sql"].append(f"{began * 1000:7.2f} ms  {sql[:150]}")
            if table:
                self._open["writes"].append(table)
        elif table:
            self.autocommit_writes[table] += 1
        return execute(sql, params, many, context)

    def take(self):
        taken = (self.transactions, self.autocommit_writes)
        self.transactions, self.autocommit_writes = [], Counter()
        return taken


def summary(name: str, runs: list) -> str:
    """One line per kind of transaction: how many per request, queries and ms (median)."""
    kinds = defaultdict(list)
    writes = Counter()
    for transactions, autocommit in runs:
        for table, n, ms, cpu in transactions:
            kinds[table].append((n, ms, cpu))
        writes.update(autocommit)
    per_request = sum(len(t) for t, _ in runs) / len(runs)
    held = statistics.median(sum(ms for _t, _n, ms, _cpu in t) for t, _ in runs)
    cpu = statistics.median(sum(c for _t, _n, _ms, c in t) for t, _ in runs)
    lines = [
        f"{name:<26} {per_request:4.1f} transactions/request, lock held {held:6.1f} ms "
        f"({cpu:5.1f} ms CPU; median of {len(runs)})"
    ]
    for table, values in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
        lines.append(
            f"    {table:<30} x{len(values) / len(runs):4.2f}/request  "
            f"{statistics.median(n for n, _ms, _cpu in values):4.0f} queries  "
            f"{statistics.median(ms for _n, ms, _cpu in values):6.2f} ms"
        )
    for table, n in writes.items():
        lines.append(f"    autocommit write to {table:<15} x{n / len(runs):4.2f}/request")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("plan", help="the plan.json of manage.py loadtest_data")
    parser.add_argument("--repeat", type=int, default=REPEAT)
    parser.add_argument("--sql", action="store_true", help="the SQL of each request's last run")
    args = parser.parse_args(argv)
    django.setup()
    from django.contrib.auth.models import User
    from django.test import Client

    from audits.models import Audit, Status
    from loadtest.forms import autosaved, form_fields, replace

    plan = json.loads(open(args.plan, encoding="utf-8").read())
    recorder = Recorder()
    recorder.install()

    def client(username=None):
        c = Client(HTTP_HOST="127.0.0.1")
        if username:
            c.force_login(User.objects.get(username=username))
            c.get("/")  # the session's first touch, as a person's first page
        return c

    def measure(name, calls):
        runs = []
        for i, call in enumerate(calls):
            recorder.take()
            recorder.show_sql = args.sql and i == len(calls) - 1
            call()
            recorder.show_sql = False
            runs.append(recorder.take())
        print(summary(name, runs), flush=True)

    auditors = [
        (person["username"], pk)
        for person in plan["auditors"]
        for pk in Audit.objects.filter(pk__in=person["drafts"], status=Status.DRAFT)
        .order_by("pk")
        .values_list("pk", flat=True)
    ]
    writers = {}

    def writer(username):
        if username not in writers:
            writers[username] = client(username)
        return writers[username]

    username, pk = auditors.pop()
    c = writer(username)
    section = f"/audits/{pk}/edit/domain-2/"
    state = {"fields": form_fields(c.get(section).content.decode(), form_id="audit-form"), "n": 0}

    def autosave(grade=False):
        state["n"] += 1
        changes = {"domain-2-text": f"Writes run {state['n']}."}
        if grade:
            changes["domain-2-grade"] = "exceeds" if state["n"] % 2 else "meets"
        state["fields"] = autosaved(c, section, state["fields"], changes)

    def section_save():
        state["n"] += 1
        fields = replace(
            state["fields"], {"domain-2-text": f"Writes run {state['n']}.", "action": "continue"}
        )
        response = c.post(
            section, {name: [v for n, v in fields if n == name] for name, _ in fields}
        )
        assert response.status_code == 302, response.status_code
        state["fields"] = form_fields(c.get(section).content.decode(), form_id="audit-form")

    def submit(username, pk):
        def call():
            response = writer(username).post(f"/audits/{pk}/check/")
            assert response.status_code == 302, (pk, response.status_code)

        return call

    measure("healthz", [lambda: client().get("/healthz")] * args.repeat)
    measure("audit form GET", [lambda: c.get(section)] * args.repeat)
    measure("autosave POST (text)", [autosave] * args.repeat)
    measure("autosave POST (grade)", [lambda: autosave(grade=True)] * args.repeat)
    measure("section save POST", [section_save] * args.repeat)
    for username, _pk in auditors[: args.repeat]:
        writer(username)
    measure("submit POST", [submit(u, p) for u, p in auditors[: args.repeat]])

    moderations = []
    for person in plan["moderators"]:
        m = client(person["username"])
        for pk in person["audits"]:
            moderations.append((m, pk))
    moderations = moderations[: args.repeat]

    def take(m, pk):
        def call():
            response = m.post(f"/moderation/audits/{pk}/take/")
            assert response.status_code == 302, (pk, response.status_code)

        return call

    def moderate(m, pk):
        form = f"/moderation/audits/{pk}/"
        fields = form_fields(m.get(form).content.decode(), form_id="moderation-form")
        fields = replace(fields, {"feedback": "Writes run.", "action": "record"})

        def call():
            data = {name: [v for n, v in fields if n == name] for name, _ in fields}
            response = m.post(form, data)
            assert response.status_code == 302, (pk, response.status_code)

        return call

    measure("take POST", [take(m, pk) for m, pk in moderations])
    measure("moderation POST", [moderate(m, pk) for m, pk in moderations])
    qa = plan["qa_leads"][0]
    q = client(qa["username"])
    measure("report GET", [lambda pk=pk: q.get(f"/reports/{pk}/") for pk in qa["reports"]][:5])


if __name__ == "__main__":
    main(sys.argv[1:])
