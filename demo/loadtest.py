"""The data `make loadtest` runs against (loadtest/), and the check of its drafts afterwards.

``prepare`` fills a scratch database: the seeded synthetic audits of ``benchmark_import`` (BM-…
case references, no personal data) through the CSV import, then the simulated people's own work
through the services: complete drafts for each auditor, imported audits added to the
moderation queue for each moderator, a draft report for the QA lead. It returns the plan the
simulated users follow (loadtest/locustfile.py): who signs in with which password and which
records each one works on, so no two simulated users ever write the same record.

``draft_state`` reads what an audit holds in the terms of the audit form's fields, and
``check_saves`` compares it with what the load test last saved (loadtest.forms.saved_state
normalises the posted form the same way).
"""

import datetime
import io
import json
from collections.abc import Iterable

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from audits import roles, services
from audits.csv.importer import import_audits_csv
from audits.grades import Grade
from audits.management.commands.benchmark_import import _synthetic_csv
from audits.models import AgreedAction, Audit, CaseType, Status, Strand
from audits.periods import financial_quarter_of, financial_year_of, month_start, quarter
from audits.schedule.services import activity_create
from moderation.services import moderation_add_to_queue
from reports.management.commands.benchmark_report import _analyze
from reports.services import report_create

# Only ever in a scratch database that the load test makes and drops.
PASSWORD = "loadtest-password-2026"
PREFIX = "lt-"
CASE_PREFIX = "LT-"

# The simulated people: how many of each (20 in all), their role and username stem.
PEOPLE = {
    "auditors": (12, roles.AUDITOR),
    "moderators": (5, roles.MODERATOR),
    "managers": (2, roles.MODERATOR),  # senior managers who browse the list of all audits
    "qa_leads": (1, roles.QA_LEAD),
}
HEADER_TEXT = ("case_reference", "feedback_with", "feedback_notes", "overall_comments")
HEADER_CHOICES = ("activity", "age_band", "strand", "case_type", "team")
DOMAINS = range(1, 13)


def prepare(*, audits: int = 20000, drafts: int = 25, queued: int = 30) -> dict:
    """Fill an empty scratch database and return the plan (see the module's docstring)."""
    if Audit.objects.exists():
        raise ValueError("The load test prepares an empty scratch database; this one has audits.")
    today = timezone.localdate()
    result = import_audits_csv(
        io.BytesIO(_synthetic_csv(rows=audits, seed=2026)), filename="loadtest.csv", today=today
    )
    if result.errors:
        raise ValueError("The synthetic audits did not import: " + str(result.errors[0]))
    with transaction.atomic():
        people = _people()
        qa_lead = people["qa_leads"][0]
        activity = activity_create(
            name="Load test activity",
            month=month_start(today),
            by=qa_lead,
            due_date=today + datetime.timedelta(days=30),
            moderation_rate=25,
        )
        plan = {
            "password": PASSWORD,
            "audits": Audit.objects.count(),
            "auditors": [
                {"username": u.username, "drafts": _drafts(u, drafts, activity, today)}
                for u in people["auditors"]
            ],
            "moderators": _queues(people["moderators"], queued, by=qa_lead),
            "managers": [{"username": u.username} for u in people["managers"]],
            "qa_leads": [
                {"username": u.username, "reports": _reports(u, today)} for u in people["qa_leads"]
            ],
            "filters": {
                "strand": list(Strand.objects.values_list("pk", flat=True)),
                "case_type": list(CaseType.objects.values_list("pk", flat=True)),
                "status": [s for s in Status.values if s != Status.DRAFT],
            },
        }
    plan["audits"] = Audit.objects.count()
    # Planner statistics, as a database in use has them (autovacuum on PostgreSQL; on SQLite
    # see docs/PERFORMANCE.md): without them SQLite sorts every audit of a filtered list.
    _analyze()
    return plan


def _people() -> dict[str, list[User]]:
    # One PBKDF2 hash for all: each costs the full work factor, and the salt does not matter
    # for a password that exists only in a scratch database.
    encoded = make_password(PASSWORD)
    groups = {g.name: g for g in Group.objects.filter(name__in=roles.ALL_ROLES)}
    people = {}
    for kind, (count, role) in PEOPLE.items():
        people[kind] = []
        for n in range(1, count + 1):
            user = User.objects.create(
                username=f"{PREFIX}{kind[:-1]}-{n:02}",
                password=encoded,
                first_name="Load",
                last_name=f"Test {kind[:-1]} {n}",
            )
            user.groups.add(groups[role])
            people[kind].append(user)
    return people


def _drafts(user, count: int, activity, today: datetime.date) -> list[int]:
    """``count`` drafts, each complete enough to submit, through the service."""
    strand, case_type = Strand.objects.first(), CaseType.objects.first()
    pks = []
    for n in range(1, count + 1):
        content = services.AuditContent(
            header={
                "case_reference": f"{CASE_PREFIX}{user.username[-2:]}-{n:03}",
                "audit_date": today,
                "activity": activity,
                "strand": strand,
                "case_type": case_type,
                "overall_grade": Grade.MEETS,
                "overall_comments": "Draft for the load test.",
            },
            domains={
                d: {"grade": Grade.MEETS, "text": f"Domain {d}: first draft."} for d in DOMAINS
            },
            actions=[
                {
                    "id": None,
                    "description": "Review the plan with the family.",
                    "owner": "Case holder",
                    "due_date": today + datetime.timedelta(days=28),
                }
            ],
        )
        pks.append(services.audit_save_draft(audit=None, by=user, content=content).pk)
    return pks


def _queues(moderators: list[User], count: int, *, by) -> list[dict]:
    """Imported audits, never moderated, added to the queue: ``count`` for each moderator."""
    candidates = list(
        Audit.objects.filter(status=Status.COMPLETED, moderated_grade="", is_practice=False)
        .exclude(overall_grade="")
        .order_by("pk")
        .values_list("pk", flat=True)[: count * len(moderators)]
    )
    queues = []
    for index, moderator in enumerate(moderators):
        mine = candidates[index * count : (index + 1) * count]
        for audit in Audit.objects.filter(pk__in=mine):
            moderation_add_to_queue(audit=audit, by=by)
        queues.append({"username": moderator.username, "audits": mine})
    return queues


def _reports(user, today: datetime.date) -> list[int]:
    fy = financial_year_of(today)
    number = financial_quarter_of(today)
    last_quarter = quarter(fy, number - 1) if number > 1 else quarter(fy - 1, 4)
    return [report_create(by=user, period=last_quarter).pk]


# --- After the run: does every draft hold what was last saved? ---------------------------------


def draft_state(audit: Audit) -> dict:
    """What ``audit`` holds, keyed and written as the audit form's fields are posted."""
    state = {name: getattr(audit, name) or "" for name in HEADER_TEXT}
    for name in HEADER_CHOICES:
        pk = getattr(audit, f"{name}_id")
        state[name] = "" if pk is None else str(pk)
    for name in ("audit_date", "feedback_date"):
        value = getattr(audit, name)
        state[name] = value.isoformat() if value else ""
    state["overall_grade"] = audit.overall_grade
    state["is_practice"] = audit.is_practice
    for grade in audit.domain_grades.select_related("domain"):
        state[f"domain-{grade.domain.number}-grade"] = grade.grade
        state[f"domain-{grade.domain.number}-text"] = grade.text
    state["domain-1-risks"] = sorted(audit.risk_categories.values_list("pk", flat=True))
    state["actions"] = sorted(
        [a.description, a.owner, a.due_date.isoformat() if a.due_date else ""]
        for a in audit.actions.filter(source=AgreedAction.Source.AUDITOR)
    )
    return state


def last_saves(saves: Iterable[dict]) -> dict[int, dict]:
    """The last save the server confirmed, per audit, from the load test's log of saves."""
    last = {}
    for save in saves:
        if save.get("confirmed"):
            last[save["audit"]] = save
    return last


def check_saves(saves: Iterable[dict]) -> list[str]:
    """One line per audit that does not hold exactly what was last saved to it (empty: all
    do). A draft saved by autosave must also still be at the revision that save answered."""
    problems = []
    last = last_saves(saves)
    found = {a.pk: a for a in Audit.objects.filter(pk__in=last)}
    for pk, save in sorted(last.items()):
        audit = found.get(pk)
        if audit is None:
            problems.append(f"audit {pk}: missing")
            continue
        held = json.loads(json.dumps(draft_state(audit)))  # as the log stores it
        differ = sorted(k for k in save["state"] if held.get(k) != save["state"][k])
        if differ:
            problems.append(f"audit {pk}: differs in {', '.join(differ)}")
        revision = save.get("revision")
        if revision is not None and audit.status == Status.DRAFT and audit.revision != revision:
            problems.append(
                f"audit {pk}: at revision {audit.revision}, not {revision} as last saved"
            )
    return problems
