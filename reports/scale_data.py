"""Synthetic audits in bulk for ``manage.py benchmark_scale``: a region's decade (a million
audits) in minutes rather than the CSV import's 677 s.

Seeded (``random.Random(seed)``), no personal data: case references SC-0000001 …, auditors
``sc-auditor-NN`` and moderators ``sc-moderator-NN`` with no names, activities "Scale activity
N" per month. Rows are written as plain rows (``audits.bulk.insert_rows``: COPY on
PostgreSQL, executemany on SQLite) in transactions of ``CHUNK`` audits, with their twelve
domain grades, one transition, and agreed actions; then the kept monthly figures are rebuilt
by the app's own code (``audits.figures.refresh_all``), so a report reads them as it reads
any council's. Statuses, practice audits and moderated grades are spread as a council's are;
every audit is of the standard tool. ``REAUDIT_SHARE`` of the audits are of a case audited
before (a reference already written), so the reports' re-audits have pairs to compare.

Not for a database with real audits: the command refuses one (see its ``--force``).
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from audits.bulk import insert_rows
from audits.figures import refresh_all
from audits.grades import Grade
from audits.models import (
    AgeBand,
    AgreedAction,
    Audit,
    AuditActivity,
    AuditTool,
    AuditTransition,
    CaseType,
    Domain,
    DomainGrade,
    Status,
    Strand,
    Team,
)
from audits.periods import month_start, months_between
from audits.tools.kinds import STANDARD_FAMILY

CASE_PREFIX = "SC-"
TRANSITION_COMMENT = "Loaded by benchmark_scale"
REAUDIT_SHARE = 0.2
CHUNK = 50_000
ACTIVITIES_PER_MONTH = 8
DOMAIN_GRADES = (Grade.EXCEEDS, Grade.MEETS, Grade.DOES_NOT_MEET, Grade.NOT_APPLICABLE)
DOMAIN_WEIGHTS = (1, 5, 3, 1)
STATUSES = (Status.COMPLETED, Status.SUBMITTED, Status.IN_MODERATION, Status.RETURNED)
STATUS_WEIGHTS = (80, 12, 3, 2)  # and 3 in 100 drafts


def scale_audits():
    """The audits this loader wrote."""
    return Audit.objects.filter(is_imported=True, case_reference__startswith=CASE_PREFIX)


def others_exist() -> bool:
    """Whether the database holds audits this loader did not write (one pass at most)."""
    return Audit.objects.exclude(is_imported=True, case_reference__startswith=CASE_PREFIX).exists()


def _users(prefix: str, count: int) -> list[int]:
    user_model = get_user_model()
    ids = []
    for n in range(1, count + 1):
        user, _ = user_model.objects.get_or_create(username=f"{prefix}{n:02}")
        ids.append(user.pk)
    return ids


def _activities(wanted: list[datetime.date]) -> dict:
    """ACTIVITIES_PER_MONTH activities in each month: {month: [activity ids]}."""
    tool = AuditTool.objects.get(family=STANDARD_FAMILY, is_current=True)
    existing = set(
        AuditActivity.objects.filter(name__startswith="Scale activity ").values_list(
            "name", "month"
        )
    )
    AuditActivity.objects.bulk_create(
        [
            AuditActivity(name=f"Scale activity {n}", month=month, tool=tool, planned_audits=1000)
            for month in wanted
            for n in range(1, ACTIVITIES_PER_MONTH + 1)
            if (f"Scale activity {n}", month) not in existing
        ],
        batch_size=1000,
    )
    by_month: dict = {}
    for pk, month in AuditActivity.objects.filter(
        name__startswith="Scale activity ", month__in=wanted
    ).values_list("pk", "month"):
        by_month.setdefault(month, []).append(pk)
    return {month: sorted(ids) for month, ids in by_month.items()}


AUDIT_FIELDS = (
    "id", "status", "case_reference", "audit_date", "feedback_date", "feedback_with",
    "feedback_notes", "overall_grade", "overall_comments", "moderated_grade", "is_practice",
    "is_imported", "revision", "created_at", "updated_at", "submitted_at", "age_band",
    "auditor", "moderated_by", "activity", "tool", "case_type", "strand", "team",
    "revised_at", "revised_by", "revised_page", "external_auditor", "external_organisation",
    "observed_event", "observed_on", "observed_practitioner",
)  # fmt: skip
GRADE_FIELDS = ("audit", "domain", "grade", "text")
TRANSITION_FIELDS = ("audit", "from_status", "to_status", "by", "at", "comment")
ACTION_FIELDS = (
    "audit", "description", "owner", "due_date", "source", "assignee", "state",
    "completed_on", "state_note", "created_at",
)  # fmt: skip


def load(count: int, *, seed: int, years: int = 10, progress=None) -> int:
    """Add ``count`` synthetic audits dated over the ``years`` years before today, then
    rebuild the kept figures. Returns the number of audits written."""
    rng = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()
    days = 365 * years
    first = month_start(today - datetime.timedelta(days=days))
    auditors = _users("sc-auditor-", 40)
    moderators = _users("sc-moderator-", 10)
    activities = _activities(months_between(first, today))
    tool = AuditTool.objects.get(family=STANDARD_FAMILY, is_current=True)
    domains = list(Domain.objects.filter(tool=tool).order_by("number").values_list("pk", flat=True))
    strands = list(Strand.objects.values_list("pk", flat=True))
    case_types = list(CaseType.objects.values_list("pk", flat=True))
    age_bands = [None, *AgeBand.objects.values_list("pk", flat=True)]
    teams = [None, *Team.objects.values_list("pk", flat=True)]
    overall = (Grade.EXCEEDS, Grade.MEETS, Grade.MEETS, Grade.DOES_NOT_MEET)
    next_id = (Audit.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    start_number = scale_audits().count() + 1
    written = 0
    while written < count:
        size = min(CHUNK, count - written)
        audits, grades, transitions, actions = [], [], [], []
        for n in range(size):
            pk = next_id + written + n
            case_number = start_number + written + n
            if case_number > start_number and rng.random() < REAUDIT_SHARE:
                case_number = rng.randrange(start_number, case_number)
            audit_date = today - datetime.timedelta(days=rng.randrange(days))
            status = (
                Status.DRAFT if rng.random() < 0.03 else rng.choices(STATUSES, STATUS_WEIGHTS)[0]
            )
            grade = rng.choice(overall)
            moderated = status == Status.COMPLETED and rng.random() < 0.3
            moderated_grade = (
                rng.choice((Grade.MEETS, Grade.DOES_NOT_MEET, grade)) if moderated else ""
            )
            submitted = None if status == Status.DRAFT else now
            auditor = rng.choice(auditors)
            audits.append(
                (
                    pk, status, f"{CASE_PREFIX}{case_number:07}", audit_date,
                    None, "", "", grade, "", moderated_grade, rng.random() < 0.05,
                    True, 1, now, now, submitted, rng.choice(age_bands),
                    auditor, rng.choice(moderators) if moderated else None,
                    rng.choice(activities[month_start(audit_date)]), tool.pk,
                    rng.choice(case_types), rng.choice(strands), rng.choice(teams),
                    None, None, "", "", "", "", None, "",
                )
            )  # fmt: skip
            for domain, code in zip(
                domains, rng.choices(DOMAIN_GRADES, DOMAIN_WEIGHTS, k=len(domains)), strict=True
            ):
                grades.append((pk, domain, code, ""))
            if status != Status.DRAFT:
                transitions.append((pk, Status.DRAFT, status, auditor, now, TRANSITION_COMMENT))
            wanted = rng.choice((1, 2, 2)) if grade == Grade.DOES_NOT_MEET else rng.choice((0, 1))
            for number in range(wanted):
                due = audit_date + datetime.timedelta(days=rng.randrange(7, 60))
                state = rng.choice(("open", "done", "done", "not_needed"))
                completed = None
                if state == "done":
                    completed = min(today, due + datetime.timedelta(days=rng.randrange(-20, 15)))
                actions.append(
                    (pk, f"Benchmark action {number + 1}", "Team manager", due, "auditor",
                     None, state, completed, "", now)
                )  # fmt: skip
        with transaction.atomic():
            insert_rows(Audit, AUDIT_FIELDS, audits)
            insert_rows(DomainGrade, GRADE_FIELDS, grades)
            insert_rows(AuditTransition, TRANSITION_FIELDS, transitions)
            insert_rows(AgreedAction, ACTION_FIELDS, actions)
        written += size
        if progress:
            progress(written)
    _reset_sequences()
    refresh_all()
    return written


def _reset_sequences() -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (Audit, DomainGrade, AuditTransition, AgreedAction):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
