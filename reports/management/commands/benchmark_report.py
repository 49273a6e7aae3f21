"""python manage.py benchmark_report: time the scrutiny report's JSON on this database.

Run it on a scratch database (see docs/PERFORMANCE.md): it fills the database with synthetic
audits — the seeded generator of ``benchmark_import`` (case references BM-…, no personal data),
through the CSV import — and leaves them there. It times the JSON report for the whole range
over ``--small`` audits, then over ``--audits`` audits, and prints min and median of
``--repeat`` runs, the ratio of the medians, and the queries one report runs. With
``reports.rendering.pdf`` installed it also times the PDF of the last complete quarter.

Targets (issue 4): 20,000 audits under 1 s, and no more than 3 times the report over 200.
"""

import datetime
import io
import json
import os
import random
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audits import periods
from audits.csv.importer import import_audits_csv
from audits.figures import refresh_all, refresh_months
from audits.grades import Grade
from audits.management.commands.benchmark_import import _benchmark_audits, _synthetic_csv
from audits.models import AgreedAction, Audit
from reports.contract import scope_from_arguments, summary

FILENAME = "benchmark-report.csv"
# The generator spreads audit dates over the 730 days before today.
RANGE_DAYS = 730
TARGET_SECONDS = 1.0
TARGET_RATIO = 3.0


class Command(BaseCommand):
    help = "Time the scrutiny report over many audits and over few, on a scratch database."

    def add_arguments(self, parser):
        parser.add_argument("--audits", type=int, default=20000)
        parser.add_argument(
            "--small",
            type=int,
            default=200,
            help="the audits of the report the large one is compared with",
        )
        parser.add_argument("--repeat", type=int, default=7)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--no-pdf", action="store_true", help="skip timing the PDF")
        parser.add_argument(
            "--queries",
            action="store_true",
            help="list each query of the large report with its time",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="run even though the database holds audits of its own",
        )

    def handle(self, *args, audits, small, repeat, seed, no_pdf, queries, force, **options):
        if not 0 < small <= audits:
            raise CommandError("Give 0 < --small <= --audits.")
        if repeat < 1:
            raise CommandError("--repeat must be at least 1.")
        others = Audit.objects.exclude(pk__in=_benchmark_audits().values("pk")).count()
        if others and not force:
            raise CommandError(
                f"This database holds {others} audit(s) that are not from a benchmark run. "
                "Use a scratch database (see docs/PERFORMANCE.md), or --force."
            )
        today = timezone.localdate()
        arguments = {
            "start": (today - datetime.timedelta(days=RANGE_DAYS)).isoformat(),
            "end": today.isoformat(),
        }
        self.stdout.write(f"database:   {connection.vendor} ({connection.settings_dict['NAME']})")
        self.stdout.write(
            f"report:     --start {arguments['start']} --end {arguments['end']} (JSON, every audit)"
        )

        data = None
        timings = {}
        for size in (small, audits):
            if self._benchmark_count() != size:
                data = data or _synthetic_csv(rows=audits, seed=seed).split(b"\r\n")
                self._ensure(size, data, seed)
            timings[size], count, query_log = self._time_report(arguments, repeat)
            wall_min, wall_median, cpu = timings[size]
            self.stdout.write(
                f"{size:>7} audits ({count} counted, {size * 12} domain grades): "
                f"min {wall_min * 1000:.0f} ms, median {wall_median * 1000:.0f} ms, "
                f"cpu {cpu * 1000:.0f} ms, {len(query_log)} queries"
            )
        large, few = timings[audits][1], timings[small][1]  # medians
        ratio = large / few
        cpu_ratio = timings[audits][2] / timings[small][2] if timings[small][2] else float("nan")
        self.stdout.write(
            f"ratio:      {ratio:.2f} (median {audits} / median {small}; "
            f"target at most {TARGET_RATIO:g}); cpu {cpu_ratio:.2f}"
        )
        verdict = "met" if large < TARGET_SECONDS and ratio <= TARGET_RATIO else "MISSED"
        self.stdout.write(
            f"target:     under {TARGET_SECONDS:g} s and ratio at most {TARGET_RATIO:g}: {verdict}"
        )
        if queries:
            for number, query in enumerate(query_log, start=1):
                self.stdout.write(
                    f"  query {number:>2}: {float(query['time']) * 1000:7.1f} ms  "
                    f"{query['sql'][:150]}"
                )
        self._time_refresh(today)
        if not no_pdf:
            self._time_pdf(today)
        self.stdout.write(f"left {audits} benchmark audits in the database for the next run")
        self.stdout.write(
            f"load:       {' '.join(f'{n:.1f}' for n in os.getloadavg())} "
            f"(load average) on {os.cpu_count()} CPUs"
        )

    @staticmethod
    def _benchmark_count() -> int:
        return Audit.objects.filter(pk__in=_benchmark_audits().values("pk")).count()

    def _ensure(self, size: int, lines: list[bytes], seed: int) -> None:
        """Make the database hold exactly the first ``size`` rows of the generated file."""
        present = self._benchmark_count()
        if present > size:
            started = time.perf_counter()
            Audit.objects.filter(
                pk__in=list(_benchmark_audits().values_list("pk", flat=True))
            ).delete()
            refresh_all()  # the kept monthly figures counted the deleted audits
            self.stdout.write(
                f"deleted {present} benchmark audits ({time.perf_counter() - started:.1f} s)"
            )
            present = 0
        header, rows = lines[0], [line for line in lines[1:] if line]
        chunk = b"\r\n".join([header, *rows[present:size]]) + b"\r\n"
        started = time.perf_counter()
        result = import_audits_csv(io.BytesIO(chunk), filename=FILENAME)
        if result.errors:
            raise CommandError(
                "The synthetic file did not import:\n"
                + "\n".join(str(e) for e in result.errors[:20])
            )
        _add_actions(seed)
        _analyze()
        self.stdout.write(
            f"imported {result.created} audits to make {size} "
            f"({time.perf_counter() - started:.1f} s, with their actions)"
        )

    @staticmethod
    def _time_report(arguments: dict, repeat: int):
        summary(scope_from_arguments(**arguments))  # warm the connection and the caches
        seconds = []
        cpu_before = _cpu_seconds()
        for _ in range(repeat):
            started = time.perf_counter()
            # What the command and the endpoint do: parse, count, serialise.
            figures = summary(scope_from_arguments(**arguments))
            json.dumps(figures, cls=DjangoJSONEncoder)
            seconds.append(time.perf_counter() - started)
        cpu = (_cpu_seconds() - cpu_before) / repeat
        with CaptureQueriesContext(connection) as captured:
            summary(scope_from_arguments(**arguments))
        return (
            (min(seconds), statistics.median(seconds), cpu),
            figures["audits"],
            captured.captured_queries,
        )

    def _time_refresh(self, today: datetime.date) -> None:
        """What rebuilding the monthly figures costs: one month (as the import does for each
        month it touches; submissions and moderations add their change instead, see
        benchmark_scale) and every month (refresh_report_figures)."""
        month = periods.add_months(today, -1)  # last month
        seconds = []
        for _ in range(5):
            started = time.perf_counter()
            refresh_months([month])
            seconds.append(time.perf_counter() - started)
        audits = Audit.objects.filter(
            audit_date__year=month.year, audit_date__month=month.month
        ).count()
        started = time.perf_counter()
        months = refresh_all()
        every = time.perf_counter() - started
        self.stdout.write(
            f"refresh:    one month ({audits} audits) median "
            f"{statistics.median(seconds) * 1000:.0f} ms of 5; all {months} "
            f"months {every:.2f} s"
        )

    def _time_pdf(self, today: datetime.date) -> None:
        try:
            from reports.rendering.html import report_html
            from reports.rendering.pdf import html_to_pdf
        except ImportError as exc:
            self.stdout.write(f"pdf:        skipped ({exc})")
            return
        fy = periods.financial_year_of(today)
        number = periods.financial_quarter_of(today)
        quarter = periods.quarter(fy, number).previous()  # the last complete one
        arguments = {"start": quarter.start.isoformat(), "end": quarter.end.isoformat()}
        seconds = []
        for _ in range(3):
            started = time.perf_counter()
            figures = summary(scope_from_arguments(**arguments))
            pdf = html_to_pdf(report_html(figures=figures, report=None, for_pdf=True))
            seconds.append(time.perf_counter() - started)
        self.stdout.write(
            f"pdf:        {quarter.start} to {quarter.end} ({figures['audits']} "
            f"audits, {len(pdf) // 1024} KiB): min {min(seconds):.2f} s, "
            f"median {statistics.median(seconds):.2f} s of 3"
        )


def _add_actions(seed: int) -> None:
    """Agreed actions for the benchmark audits that have none, as auditors record them: one or
    two for most audits, more often where the grade is Does not meet good. The import carries
    no actions, and the action services close one action at a time, which for tens of thousands
    would take longer than the benchmark itself; so the rows are written here, final state
    included."""
    rng = random.Random(seed)
    today = timezone.localdate()
    actions = []
    for pk, audit_date, grade in (
        _benchmark_audits()
        .filter(actions__isnull=True)
        .values_list("pk", "audit_date", "overall_grade")
        .order_by("pk")
        .iterator(chunk_size=5000)
    ):
        wanted = rng.choice((1, 2, 2)) if grade == Grade.DOES_NOT_MEET else rng.choice((0, 1))
        for n in range(wanted):
            due = audit_date + datetime.timedelta(days=rng.randrange(7, 60))
            state = rng.choice(
                (
                    AgreedAction.State.OPEN,
                    AgreedAction.State.DONE,
                    AgreedAction.State.DONE,
                    AgreedAction.State.NOT_NEEDED,
                )
            )
            completed = None
            if state == AgreedAction.State.DONE:
                completed = min(today, due + datetime.timedelta(days=rng.randrange(-20, 15)))
            actions.append(
                AgreedAction(
                    audit_id=pk,
                    description=f"Benchmark action {n + 1}",
                    owner="Team manager",
                    due_date=due,
                    state=state,
                    completed_on=completed,
                )
            )
    AgreedAction.objects.bulk_create(actions, batch_size=1000)


def _cpu_seconds() -> float:
    """CPU time of this process, plus that of its PostgreSQL backend when the server runs on
    this machine. On a shared machine wall-clock times vary with the load; CPU time much less.
    (PostgreSQL's parallel workers are not counted.)"""
    seconds = time.process_time()
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        try:
            with open(f"/proc/{connection.connection.get_backend_pid()}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return seconds  # a server elsewhere: only this process is counted
        seconds += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


def _analyze() -> None:
    """Fresh planner statistics, as a database that has been in use for a while would have.
    On PostgreSQL also VACUUM: a server in use runs autovacuum, which clears the dead rows
    that deleting and re-importing the benchmark audits leaves (these machines run their
    server with autovacuum off). VACUUM cannot run inside a transaction (as in the tests)."""
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
