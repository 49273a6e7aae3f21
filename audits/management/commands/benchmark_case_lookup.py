"""python manage.py benchmark_case_lookup [--rows 200000]: time finding a case's audits.

Adds ``--rows`` synthetic audits (case references BL-0000001 …, no personal data) in one
transaction, times the case lookup the way it was (``case_reference__iexact``) and the way
audits.selectors.of_case does it (the upper-cased reference, served by an index), then iexact
again with the index dropped, prints the medians, and rolls everything back (the drop too):
nothing it does is ever committed.
Figures go in docs/PERFORMANCE.md.
"""

import random
import statistics
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from audits.models import Audit, Status
from audits.selectors import of_case
from audits.services import current_tool

CASE_PREFIX = "BL-"
LOOKUPS = 25
INDEX = "audit_case_ref_upper_idx"


def _median_ms(lookup, references) -> float:
    times = []
    for reference in references:
        started = time.perf_counter()
        list(lookup(reference).values_list("pk", flat=True))
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


class Command(BaseCommand):
    help = "Time the case reference lookup over many audits (rolled back afterwards)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=200_000)
        parser.add_argument("--seed", type=int, default=12)

    def handle(self, *args, rows, seed, **options):
        rng = random.Random(seed)
        with transaction.atomic():
            auditor = get_user_model().objects.create(username="benchmark-case-lookup")
            tool = current_tool()
            started = time.perf_counter()
            Audit.objects.bulk_create(
                (
                    Audit(
                        tool=tool,
                        auditor=auditor,
                        status=Status.SUBMITTED,
                        case_reference=f"{CASE_PREFIX}{i:07d}",
                        is_imported=True,
                    )
                    for i in range(rows)
                ),
                batch_size=2000,
            )
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # as autovacuum (or a DBA) would, for fair plans
            self.stdout.write(
                f"{connection.vendor}: {rows} audits added in "
                f"{time.perf_counter() - started:.1f} s (rolled back at the end)"
            )
            # Typed in lower case, as a user may: both lookups must find it all the same.
            references = [f"bl-{rng.randrange(rows):07d}" for _ in range(LOOKUPS)]

            def iexact(ref):
                return Audit.objects.filter(case_reference__iexact=ref).exclude(status=Status.DRAFT)

            old = _median_ms(iexact, references)
            new = _median_ms(
                lambda ref: of_case(Audit.objects.all(), ref).exclude(status=Status.DRAFT),
                references,
            )
            # PostgreSQL compiles iexact to UPPER(col) = UPPER(value), which the new index
            # serves too; so also time it as it was before the index (dropped, and rolled back).
            with connection.cursor() as cursor:
                cursor.execute(f"DROP INDEX {INDEX}")
            before = _median_ms(iexact, references)
            self.stdout.write(
                f"case lookup, median of {LOOKUPS}: iexact {old:.2f} ms; "
                f"upper-case index {new:.2f} ms; iexact without the index {before:.2f} ms "
                f"({before / new:.0f}x the index)"
            )
            transaction.set_rollback(True)
