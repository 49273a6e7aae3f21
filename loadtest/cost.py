"""python -m loadtest.cost PLAN.json: the CPU time of each named request, one at a time.

Run by loadtest/run.py on the scratch database after the load (the same environment as the
server's). Each request goes through the whole Django stack (middleware, session, the view, the
template) in this process, signed in as one of the plan's people, and the CPU time this process
spends on it is taken: unlike the p95 under load, it hardly moves with what else the machine is
doing, so it is the figure to compare before and after a change. Beside it, the number of
database queries each request makes and the number of Python function calls (each counted in a
run of its own, since counting costs time): the calls hardly move with the machine's load, so
they compare two versions of the code even on a busy machine. The wall-clock time beside the
CPU takes in the database's own work too (on PostgreSQL, another process: planning a query
with many joins can cost more than running it).

    python -m loadtest.cost PLAN.json                      # every named request
    python -m loadtest.cost PLAN.json --profile "audit list"   # and where one's time goes

`python -m loadtest.run --cost` runs it on the scratch databases of the last load test.
"""

import argparse
import json
import statistics
import sys
import time

import django

REPEAT = 30


def cpu_ms(call, repeat: int = REPEAT) -> tuple[float, float]:
    """Median CPU milliseconds of ``call()`` over ``repeat`` runs, after three to warm up, and
    the median wall-clock milliseconds: on PostgreSQL the difference is mostly the database
    server's time (planning and running the queries), which this process's CPU leaves out."""
    for _ in range(3):
        call()
    cpu, wall = [], []
    for _ in range(repeat):
        started, started_wall = time.process_time(), time.perf_counter()
        call()
        cpu.append((time.process_time() - started) * 1000)
        wall.append((time.perf_counter() - started_wall) * 1000)
    return statistics.median(cpu), statistics.median(wall)


def queries(call) -> int:
    """How many database queries one ``call()`` makes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def function_calls(call) -> int:
    """How many Python function calls one ``call()`` makes: unlike CPU time, the same on a busy
    machine as on a quiet one, so two versions of the code can be compared at any time."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    call()
    profiler.disable()
    return pstats.Stats(profiler).total_calls


def profile(call, repeat: int = REPEAT) -> str:
    """cProfile of ``repeat`` calls, the 40 functions with most cumulative time."""
    import cProfile
    import io
    import pstats

    call()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        call()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
    return out.getvalue()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("plan", help="the plan.json of manage.py loadtest_data")
    parser.add_argument("--profile", metavar="NAME", help="also profile this named request")
    parser.add_argument("--repeat", type=int, default=REPEAT)
    args = parser.parse_args(argv)
    plan_path = args.plan
    django.setup()
    from django.contrib.auth.models import User
    from django.test import Client

    from loadtest.forms import autosaved, form_fields

    plan = json.loads(open(plan_path, encoding="utf-8").read())

    def client(username=None):
        c = Client(HTTP_HOST="127.0.0.1")
        if username:
            c.force_login(User.objects.get(username=username))
        return c

    def get(c, url):
        def call():
            response = c.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return call

    from audits.models import Audit, Status

    # A draft still a draft: the load run before this submits some of the plan's drafts, and a
    # submitted audit's section page is refused (403).
    auditor, pk = next(
        (
            (person, draft)
            for person in plan["auditors"]
            for draft in Audit.objects.filter(pk__in=person["drafts"], status=Status.DRAFT)
            .order_by("-pk")
            .values_list("pk", flat=True)[:1]
        ),
        (None, None),
    )
    if pk is None:
        raise SystemExit("No draft of the plan's auditors is left to measure.")
    manager = plan["managers"][0]["username"]
    writer = client(auditor["username"])
    section = f"/audits/{pk}/edit/domain-2/"  # a domain's section page
    page = writer.get(section).content.decode()
    state = {"fields": form_fields(page, form_id="audit-form"), "n": 0}

    def autosave():
        state["n"] += 1
        state["fields"] = autosaved(
            writer, section, state["fields"], {"domain-2-text": f"Cost run {state['n']}."}
        )

    lister = client(manager)
    qa_lead = plan["qa_leads"][0]
    # The QA lead's draft report: its page counts the live figures on every open (a published
    # report's are frozen), the report page that costs most.
    from reports.models import Report

    report = (
        Report.objects.filter(pk__in=qa_lead["reports"], state=Report.State.DRAFT)
        .values_list("pk", flat=True)
        .first()
    )
    requests = {
        "healthz": get(client(), "/healthz"),
        "audit task list GET": get(writer, f"/audits/{pk}/edit/"),
        "audit form GET": get(writer, section),
        "autosave POST": autosave,
        "audit list": get(lister, "/audits/all/"),
        "audit list, filtered, page 3": get(lister, "/audits/all/?strand=1&page=3"),
        # A reference typed into the filters (its box drawn afresh each time, never kept).
        "audit list, by reference": get(lister, "/audits/all/?case_reference=LT-1"),
        "my audits": get(writer, "/audits/mine/"),
    }
    if report is not None:
        requests["draft report page"] = get(client(qa_lead["username"]), f"/reports/{report}/")
    for name, call in requests.items():
        ms, wall = cpu_ms(call, args.repeat)
        print(
            f"{name:<30} {ms:6.1f} ms CPU {wall:6.1f} ms wall (medians of {args.repeat}), "
            f"{queries(call):3d} queries, {function_calls(call):6d} Python calls"
        )
    if args.profile:
        print(profile(requests[args.profile], args.repeat))


if __name__ == "__main__":
    main(sys.argv[1:])
