"""`make loadtest` (python -m loadtest.run): the load test on SQLite and on PostgreSQL.

For each database: make a scratch database (a SQLite file under /tmp, or a PostgreSQL database
whose name contains "loadtest", on this machine), migrate it and fill it (manage.py
loadtest_data: 20,000 audits and the simulated people's work), start gunicorn with production
settings (DEBUG off, a throwaway SECRET_KEY, config/gunicorn.py) on a free port of 127.0.0.1,
and the task worker when the project has one; run the simulated users (loadtest/locustfile.py,
locust headless); stop everything it started; print the figures and check every saved draft
against the database (manage.py loadtest_check); then time the named requests one at a time
(loadtest/cost.py). Exits 1 on any error or mismatch.

Only the plain-HTTP loopback run differs from production: no HTTPS redirect, no HSTS, cookies
without the Secure flag, nobody asked for a second factor, email discarded.
"""

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from loadtest import results

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# LOADTEST_WORK: where the SQLite file and the logs go (two runs on one machine need two).
WORK = Path(os.environ.get("LOADTEST_WORK", "/tmp/casefile-loadtest"))
DATABASES = {
    "sqlite": os.environ.get("LOADTEST_SQLITE_URL", f"sqlite:///{WORK}/loadtest.sqlite3"),
    "postgres": os.environ.get(
        "LOADTEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/loadtest"
    ),
}
LOOPBACK = {"127.0.0.1", "localhost", "::1", ""}
# On a machine shared with other work, LOADTEST_NICE=-10 (as root) runs the server and the
# simulated people ahead of it, nearer what a machine of their own would give them.
NICE = ["nice", "-n", os.environ["LOADTEST_NICE"]] if os.environ.get("LOADTEST_NICE") else []


class Failed(Exception):
    """The run could not go on; the message says why."""


def scratch_database(url: str) -> None:
    """Drop and make the scratch database again. Refuses anything but a loopback database
    named for the load test: it is dropped without asking."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if (parts.hostname or "") not in LOOPBACK or "loadtest" not in Path(name).name:
        raise Failed(
            f"{url}: the load test drops its database; use one on this machine with "
            "'loadtest' in its name."
        )
    if parts.scheme == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path("/" + name + suffix).unlink(missing_ok=True)
        Path("/" + name).parent.mkdir(parents=True, exist_ok=True)
        return
    import psycopg2  # the app's own PostgreSQL driver

    admin = parts._replace(path="/postgres").geturl()
    try:
        connection = psycopg2.connect(admin)
    except psycopg2.OperationalError as error:
        raise Failed(f"PostgreSQL does not answer at {parts.hostname}: {error}") from None
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def environment(database_url: str, port: int) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),  # throwaway: sessions end with the run
        "ALLOWED_HOSTS": "127.0.0.1",
        "BIND": f"127.0.0.1:{port}",
        # Plain HTTP on the loopback: no redirect to HTTPS, no HSTS, cookies sent over HTTP.
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SECURE_COOKIES": "0",
        "TWO_FACTOR_ROLES": "",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env: dict, *args: str, log: Path | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if log is not None:
        log.write_text(done.stdout + done.stderr)
    return done


def _niced_session() -> None:
    """In the child, before it runs: where the kernel groups processes by session
    (autogroups, /proc/sys/kernel/sched_autogroup_enabled), ``nice`` only ranks a process
    among those of its own session and each session gets an equal share of the CPU, so the
    session itself is given the nice value (as root; ignored where there are no autogroups)."""
    if not NICE:
        return
    try:
        with open("/proc/self/autogroup", "w") as autogroup:
            autogroup.write(NICE[-1])
    except OSError:
        pass


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    """A process in its own session, so stopping it stops its children (gunicorn's workers)."""
    with open(log, "w") as out:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_niced_session,
        )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise Failed("gunicorn stopped before it answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise Failed(f"gunicorn did not answer {url} within {seconds:.0f} s")


def static_is_current() -> bool:
    """Whether collectstatic's manifest is newer than every static file of the project and
    than the last install (the packages' own static files): it takes most of a minute even
    when nothing changed."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return False
    sources = [p for p in (ROOT / "static").rglob("*") if p.is_file()]
    sources += list((ROOT / ".venv").glob(".installed*"))
    return all(p.stat().st_mtime < manifest.stat().st_mtime for p in sources)


def worker_command(env: dict) -> list[str] | None:
    """The task worker (django-tasks' db_worker), if the project has one."""
    commands = manage(env, "help", "--commands").stdout.split()
    if "db_worker" in commands:
        return [str(BIN / "python"), "manage.py", "db_worker"]
    return None


def prepare(url: str, env: dict, work: Path, args) -> Path:
    """Make the scratch database afresh and fill it: the plan of who does what."""
    scratch_database(url)
    started = time.monotonic()
    steps = [["migrate", "--no-input"]]
    if not static_is_current():
        steps.append(["collectstatic", "--no-input"])
    for step in steps:
        if manage(env, *step, log=work / f"{step[0]}.log").returncode:
            raise Failed(f"manage.py {step[0]} failed: see {work / step[0]}.log")
    plan = work / "plan.json"
    filled = manage(env, "loadtest_data", str(plan), "--audits", str(args.audits))
    if filled.returncode:
        raise Failed(f"loadtest_data failed:\n{filled.stderr[-2000:]}")
    print(f"prepared in {time.monotonic() - started:.0f} s: {filled.stdout.strip()}", flush=True)
    return plan


def cpu_per_request(env: dict, plan: Path) -> str:
    """loadtest/cost.py on the scratch database, the server stopped: CPU ms per request kind."""
    cost = subprocess.run(
        [str(BIN / "python"), "-m", "loadtest.cost", str(plan)],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
    )
    return "CPU per request, one at a time:\n" + (cost.stdout or cost.stderr[-1500:]).rstrip()


def cost_only(kind: str, args) -> bool:
    """--cost: the CPU per request alone, without the load (no gunicorn, no people). Reuses the
    scratch database and plan of an earlier run (--cost) unless asked to make them (--prepare),
    so a change can be measured in a minute, before and after."""
    url = DATABASES[kind]
    work = WORK / kind
    work.mkdir(parents=True, exist_ok=True)
    env = environment(url, free_port())
    plan = work / "plan.json"
    print(f"== {kind}: {url}", flush=True)
    if args.prepare or not plan.exists():
        plan = prepare(url, env, work, args)
    else:
        # The code may have moved on since: its migrations, and its static files' manifest.
        for step in (["migrate", "--no-input"], ["collectstatic", "--no-input"]):
            if step[0] == "collectstatic" and static_is_current():
                continue
            if manage(env, *step, log=work / f"{step[0]}.log").returncode:
                raise Failed(f"manage.py {step[0]} failed: see {work / step[0]}.log")
    text = cpu_per_request(env, plan)
    print(text, flush=True)
    return "Traceback" not in text


def run_one(kind: str, args) -> bool:
    url = DATABASES[kind]
    work = WORK / kind
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = environment(url, port)
    print(f"== {kind}: {url}", flush=True)
    plan = prepare(url, env, work, args)

    processes = []
    try:
        gunicorn = [*NICE, str(BIN / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"]
        processes.append(start(gunicorn, env, work / "gunicorn.log"))
        wait_for(f"http://127.0.0.1:{port}/healthz", processes[0])
        if command := worker_command(env):
            processes.append(start([*NICE, *command], env, work / "worker.log"))
        (work / "result.json").unlink(missing_ok=True)
        people = json.loads(plan.read_text())
        users = sum(
            len(people[kind]) for kind in ("auditors", "moderators", "managers", "qa_leads")
        )
        load_env = {
            **env,
            "LOADTEST_PLAN": str(plan),
            "LOADTEST_RESULT": str(work / "result.json"),
            "LOADTEST_SAVES": str(work / "saves.jsonl"),
            "LOADTEST_SECONDS": str(args.seconds),
            **{
                f"LOADTEST_{k.upper()}": str(len(people[k]))
                for k in ("auditors", "moderators", "managers", "qa_leads")
            },
        }
        locust = [
            *NICE,
            str(BIN / "locust"),
            "-f", "loadtest/locustfile.py",
            "--headless",
            "--users", str(users),
            "--spawn-rate", str(users),
            "--host", f"http://127.0.0.1:{port}",
            # The locustfile ends the run after the measured seconds; this is the backstop.
            "--run-time", f"{args.seconds + 120:.0f}s",
            "--stop-timeout", "30",
            "--only-summary",
            "--loglevel", "WARNING",
        ]  # fmt: skip
        with open(work / "locust.log", "w") as out:
            load = subprocess.run(
                locust, cwd=ROOT, env=load_env, stdout=out, stderr=subprocess.STDOUT,
                timeout=args.seconds + 240, start_new_session=True, preexec_fn=_niced_session,
            )  # fmt: skip
    finally:
        for process in reversed(processes):
            stop(process)

    if not (work / "result.json").exists():
        raise Failed(f"locust wrote no figures (exit {load.returncode}): see {work / 'locust.log'}")
    result = json.loads((work / "result.json").read_text())
    text, clean = results.report(result)
    print(
        f"{result['users']} users, {result['seconds']:.0f} s measured, load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        + (f", server and people at nice {NICE[-1]}" if NICE else "")
    )
    print(text)
    checked = manage(env, "loadtest_check", str(work / "saves.jsonl"))
    print((checked.stdout + checked.stderr).strip())
    # The same pages one at a time, the server stopped: CPU milliseconds, steadier than p95.
    print(cpu_per_request(env, plan))
    if load.returncode:
        print(f"locust exited {load.returncode}: see {work / 'locust.log'}")
    print(f"logs: {work}", flush=True)
    return clean and checked.returncode == 0 and load.returncode == 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--databases",
        default=os.environ.get("LOADTEST_DATABASES", "sqlite,postgres"),
        help="comma-separated: sqlite, postgres (default both)",
    )
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--audits", type=int, default=20000)
    parser.add_argument(
        "--cost",
        action="store_true",
        help="only the CPU per request, no load: on the scratch database of the last run "
        "(made first if there is none)",
    )
    parser.add_argument(
        "--prepare", action="store_true", help="with --cost: make the scratch database afresh"
    )
    args = parser.parse_args(argv)
    kinds = [k.strip() for k in args.databases.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in DATABASES]
    if unknown or not kinds:
        parser.error(f"--databases: choose from {', '.join(DATABASES)}")
    outcome = {}
    for kind in kinds:
        try:
            outcome[kind] = (cost_only if args.cost else run_one)(kind, args)
        except Failed as error:
            print(f"{kind}: {error}", flush=True)
            outcome[kind] = False
    print("\n" + ", ".join(f"{k}: {'passed' if ok else 'FAILED'}" for k, ok in outcome.items()))
    return 0 if all(outcome.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
