"""python manage.py benchmark_import [--rows 20000]: time the CSV import on this database.

Generates a seeded synthetic file (case references BM-000001 …, no personal data), imports it
through the same function the import command uses, so it really commits, prints rows, seconds,
rows per second and memory, then deletes what it created. Figures go in docs/PERFORMANCE.md.
"""

import csv
import datetime
import io
import os
import random
import resource
import time
import tracemalloc
import uuid

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from audits.csv import contract
from audits.csv.exporter import write_audits_csv
from audits.csv.importer import import_audits_csv
from audits.figures import refresh_all
from audits.grades import Grade
from audits.models import AgeBand, Audit, AuditActivity, CaseType, Strand, Team

FILE_PREFIX = "benchmark-"
CASE_PREFIX = "BM-"
COMMENTS = [
    "",
    "Purposeful work; the plan is reviewed on time.",
    "Chronology needs updating before the next review.",
    "Good evidence of the child's views shaping the plan.",
    "Management oversight is not recorded, so the rationale is unclear.",
]
DOMAIN_WEIGHTS = {Grade.EXCEEDS: 1, Grade.MEETS: 5, Grade.DOES_NOT_MEET: 3, Grade.NOT_APPLICABLE: 1}


def _benchmark_audits():
    """Audits a run of this command imported (and maybe, if interrupted, left behind)."""
    return Audit.objects.filter(
        is_imported=True,
        case_reference__startswith=CASE_PREFIX,
        transitions__comment__startswith=f"Imported from {FILE_PREFIX}",
    )


def _rss_now_kib() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() // 1024


def _server_cpu_seconds() -> float | None:
    """CPU time of the PostgreSQL backend serving this connection, when it runs on this
    machine: on a busy machine, wall-clock time says more about the neighbours than the code."""
    local = connection.settings_dict.get("HOST") in ("", None, "localhost", "127.0.0.1", "::1")
    if connection.vendor != "postgresql" or not local:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


class Command(BaseCommand):
    help = "Time the CSV import of a synthetic file on the configured database, then clean up."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=20000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--force", action="store_true", help="run even though the database holds other audits"
        )
        parser.add_argument(
            "--keep", action="store_true", help="leave the imported audits in the database"
        )
        parser.add_argument(
            "--tracemalloc",
            action="store_true",
            dest="trace_memory",
            help="also measure Python's own peak allocation (slows the import)",
        )

    def handle(self, *args, rows, seed, force, keep, trace_memory, **options):
        if rows < 1:
            raise CommandError("--rows must be at least 1.")
        leftovers = Audit.objects.filter(pk__in=_benchmark_audits().values("pk"))
        others = Audit.objects.exclude(pk__in=_benchmark_audits().values("pk")).count()
        if others and not force:
            raise CommandError(
                f"This database holds {others} audit(s) that are not from a benchmark run. "
                "Use a scratch database (see docs/PERFORMANCE.md), or --force."
            )
        if count := leftovers.count():
            leftovers.delete()
            refresh_all()
            self.stdout.write(f"Deleted {count} audit(s) left by an earlier benchmark run.")

        data = _synthetic_csv(rows=rows, seed=seed)
        # What exists now stays: clean-up removes only what this run adds.
        existing = _existing_ids()
        filename = f"{FILE_PREFIX}{uuid.uuid4().hex[:8]}.csv"
        queries_before = len(connection.queries)
        rss_before = _rss_now_kib()
        if trace_memory:
            tracemalloc.start()
        server_cpu_started = _server_cpu_seconds()
        started, cpu_started = time.perf_counter(), time.process_time()
        result = import_audits_csv(io.BytesIO(data), filename=filename)
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
        server_cpu = _server_cpu_seconds()
        if server_cpu is not None and server_cpu_started is not None:
            server_cpu -= server_cpu_started
        traced_peak = None
        if trace_memory:
            traced_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        peak_rss = _peak_rss_kib()
        queries = len(connection.queries) - queries_before

        try:
            if result.errors:
                raise CommandError(
                    "The synthetic file did not import:\n"
                    + "\n".join(str(e) for e in result.errors[:20])
                )
            imported = Audit.objects.filter(transitions__comment=f"Imported from {filename}")
            started = time.perf_counter()
            exported = write_audits_csv(imported.order_by("pk"), _NullStream())
            export_seconds = time.perf_counter() - started
        finally:
            if not keep:
                _clean_up(filename, existing)

        vendor = connection.vendor
        self.stdout.write(f"database:     {vendor} ({connection.settings_dict['NAME']})")
        self.stdout.write(
            f"rows:         {rows} ({result.created} audits created, "
            f"{len(result.duplicates)} duplicates)"
        )
        self.stdout.write(
            f"seconds:      {seconds:.2f} wall clock, load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        cpu = f"cpu seconds:  {cpu_seconds:.2f} in this process"
        if vendor == "sqlite":
            cpu += " (SQLite runs inside it)"
        elif server_cpu is not None:
            cpu += f" + {server_cpu:.2f} in the database server's process for this connection"
        self.stdout.write(cpu)
        self.stdout.write(f"rows/s:       {rows / seconds:,.0f}")
        self.stdout.write(
            f"peak memory:  {peak_rss / 1024:.0f} MiB peak RSS of the process "
            f"({rss_before / 1024:.0f} MiB before the import)"
        )
        if traced_peak is not None:
            self.stdout.write(
                f"tracemalloc:  {traced_peak / 2**20:.0f} MiB peak Python "
                "allocation during the import"
            )
        if connection.queries_logged:
            self.stdout.write(f"queries:      {queries} (DEBUG on, so logged)")
        self.stdout.write(f"export:       {exported} rows in {export_seconds:.2f} s")
        self.stdout.write("kept the audits (--keep)" if keep else "removed what it created")


class _NullStream:
    def write(self, value):
        return len(value)


def _synthetic_csv(*, rows: int, seed: int) -> bytes:
    rng = random.Random(seed)
    today = timezone.localdate()
    strands = list(Strand.objects.values_list("slug", flat=True))
    case_types = list(CaseType.objects.values_list("slug", flat=True))
    age_bands = [""] + list(AgeBand.objects.values_list("name", flat=True))
    auditors = [f"bm-auditor-{n:02}" for n in range(1, 41)]
    moderators = [f"bm-moderator-{n:02}" for n in range(1, 11)]
    activities = [f"Benchmark activity {n:02}" for n in range(1, 25)]
    teams = [""] + [f"Benchmark team {n}" for n in range(1, 9)]
    grades, weights = list(DOMAIN_WEIGHTS), list(DOMAIN_WEIGHTS.values())

    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(contract.COLUMNS)
    for n in range(1, rows + 1):
        moderated = rng.random() < 0.25
        writer.writerow(
            [
                f"{CASE_PREFIX}{n:06}",
                (today - datetime.timedelta(days=rng.randrange(730))).isoformat(),
                rng.choice(auditors),
                rng.choice(activities),
                rng.choice(strands),
                rng.choice(case_types),
                rng.choice(age_bands),
                rng.choice(teams),
                *rng.choices(grades, weights, k=contract.DOMAIN_COUNT),
                rng.choice([Grade.EXCEEDS, Grade.MEETS, Grade.MEETS, Grade.DOES_NOT_MEET]),
                rng.choice([Grade.MEETS, Grade.DOES_NOT_MEET]) if moderated else "",
                rng.choice(moderators) if moderated else "",
                "yes" if rng.random() < 0.05 else "no",
                rng.choice(COMMENTS),
            ]
        )
    return out.getvalue().encode("utf-8")


def _existing_ids() -> dict:
    """The highest pk of each table the import may add to: new rows get higher ones."""
    return {
        model: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for model in (AuditActivity, Team, get_user_model())
    }


def _clean_up(filename: str, existing: dict) -> None:
    Audit.objects.filter(transitions__comment=f"Imported from {filename}").delete()
    refresh_all()  # the kept monthly figures counted the deleted audits
    user_model = get_user_model()
    AuditActivity.objects.filter(pk__gt=existing[AuditActivity], audits=None).delete()
    Team.objects.filter(pk__gt=existing[Team], audit=None).delete()
    user_model.objects.filter(
        pk__gt=existing[user_model], audits=None, moderated_audits=None
    ).delete()
