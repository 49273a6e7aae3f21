"""Synthetic demo data for ``manage.py load_demo``: a year of audits and all that follows from
them, so a newcomer sees a living system.

Everything is made up. Case references are random six-digit numbers, the evaluative text is built
from generic sentences (``demo.wording``) that speak of "the child", "the family" and "the social
worker", and no child is ever named; the staff (``demo.people``) have invented names. A seeded
``random.Random`` makes the same choices on every run; the dates follow the day it runs, so the
data always covers the past twelve months.

``demo.plan`` plans the schedule (two or three activities a month, one of them early help, each
with its planned number of audits, assigned auditors, due date and moderation rate, for the
past year and the next three months, from ``demo.themes``) and the audits; this module runs the
load. ``demo.moderation_history`` then moderates them and ``demo.qa_history`` closes a share of
the agreed actions and sets the year's QA targets.

Everything goes through the services (``audits.services``, ``moderation.services``,
``audits.actions.services``, ``reports.targets.services``) so every rule holds. The one thing the
services cannot do is pretend it is last March: they stamp every row "now", so each step notes
in ``Stamps`` the moment it really happened (``demo.clock``), and at the end the timestamps are
moved back in a few bulk updates, so anything built on the history looks like a year of work too.
"""

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from audits import services
from audits.grades import Grade
from audits.models import (
    Audit,
    Status,
    Team,
)
from audits.periods import add_months
from audits.schedule import selectors as schedule_selectors
from audits.tools.kinds import STANDARD_FAMILY
from demo import holders as demo_holders
from demo import moderation_history as demo_moderation
from demo import qa_history as demo_qa
from demo import tools as demo_tools
from demo.clock import Clock, Stamps
from demo.people import DEMO_USERNAMES, TEAMS, ensure_teams, ensure_users
from demo.plan import SEED, Generator, Planned


@dataclass
class DemoResult:
    loaded: bool  # False when the demo data was already there
    users_created: list[str]
    counts: dict[str, int]
    grades: dict[str, int]


def is_loaded() -> bool:
    return Audit.objects.filter(auditor__username__in=DEMO_USERNAMES).exists()


@transaction.atomic
def load_demo(*, today: datetime.date | None = None) -> DemoResult:
    """Load the demo data once; a second call only completes missing users and teams."""
    today = today or timezone.localdate()
    users, users_created = ensure_users()
    ensure_teams()
    loaded = not is_loaded()
    if loaded:
        _load(today=today, users=users)
    return DemoResult(
        loaded=loaded, users_created=users_created, counts=_counts(today), grades=_grades()
    )


def _load(*, today: datetime.date, users: dict[str, User]) -> None:
    clock = Clock(now=timezone.now(), today=today, seed=SEED + 1)
    stamps = Stamps()
    generator = Generator(today=today, users=users)
    slots = generator.schedule()
    plans = generator.plan(slots)
    generator.make_activities(slots)
    for slot in slots:
        # Planned in the middle of the month before.
        stamps.set(
            slot.activity,
            created_at=clock.on(add_months(slot.month, -1) + datetime.timedelta(days=14)),
        )
    made = _make_audits(generator, plans, today=today, users=users, clock=clock, stamps=stamps)
    submitted = [
        (audit, planned.grades, planned.is_practice)
        for audit, planned in made
        if not planned.is_draft
    ]
    decided = demo_moderation.moderate(
        submitted=submitted, users=users, clock=clock, stamps=stamps, rng=random.Random(SEED + 3)
    )
    demo_qa.close_actions(
        audits=[audit for audit, *_ in submitted],
        users=users,
        clock=clock,
        stamps=stamps,
        decided=decided,
        rng=random.Random(SEED + 4),
    )
    demo_qa.set_targets(today=today, by=users["qalead"], clock=clock, stamps=stamps)
    # Last, so that everything before it chooses as it always did.
    demo_tools.load(today=today, users=users, clock=clock, stamps=stamps)
    demo_holders.give_cases(user=users["caseholder"])
    stamps.apply()


def _make_audits(
    generator: Generator,
    plans: list[Planned],
    *,
    today: datetime.date,
    users: dict[str, User],
    clock: Clock,
    stamps: Stamps,
) -> list[tuple[Audit, Planned]]:
    """Every audit through the services, oldest first; each submission draws from one seeded
    random stream, so the same audits are chosen for moderation on every run."""
    sampling = random.Random(SEED + 2)
    plans.sort(key=lambda p: (p.is_draft, p.audit_date or today, p.case_reference))
    made: list[tuple[Audit, Planned]] = []
    for planned in plans:
        user = users[planned.auditor]
        audit = services.audit_save_draft(audit=None, by=user, content=generator.content(planned))
        if not planned.is_draft:
            audit = services.audit_submit(audit=audit, by=user, today=today, rng=sampling)
        made.append((audit, planned))

    for audit, planned in made:
        day = planned.audit_date or today
        created = clock.on(day)
        if planned.is_draft:
            stamps.set(
                audit,
                created_at=created,
                updated_at=max(
                    created,
                    clock.on(min(today, day + datetime.timedelta(days=clock.rng.randint(0, 3)))),
                ),
            )
            continue
        # Submitted once the feedback has been given.
        sent = min(today, planned.feedback_date + datetime.timedelta(days=clock.rng.randint(0, 4)))
        submitted = max(created, clock.on(sent))
        stamps.set(audit, created_at=created, submitted_at=submitted)
        stamps.transition(audit, submitted)
        if audit.status == Status.COMPLETED:  # not chosen for moderation: completed at once
            stamps.transition(audit, submitted)
    return made


def _counts(today: datetime.date) -> dict[str, int]:
    demo_audits = Audit.objects.filter(auditor__username__in=DEMO_USERNAMES)
    # The standard tool's figures, as before the example tools came; theirs are counted apart.
    audits = demo_audits.filter(tool__family=STANDARD_FAMILY)
    past_draft = audits.exclude(status=Status.DRAFT)
    reaudited = past_draft.values("case_reference").annotate(n=Count("pk")).filter(n__gt=1).count()
    activities = schedule_selectors.activities_with_counts(today=today).filter(
        created_by__username="qalead", tool__isnull=True
    )
    return {
        "users": User.objects.filter(username__in=DEMO_USERNAMES).count(),
        "teams": Team.objects.filter(slug__in=[s for s, _ in TEAMS]).count(),
        "activities": activities.count(),
        "activities_ahead": activities.filter(month__gt=today).count(),
        "activities_late": activities.filter(is_late=True).count(),
        "audits_past_draft": past_draft.count(),
        "drafts": audits.filter(status=Status.DRAFT).count(),
        "cases_reaudited": reaudited,
        **demo_moderation.counts(audits),
        **demo_qa.counts(audits, today=today),
        **demo_tools.counts(demo_audits),
    }


def _grades() -> dict[str, int]:
    rows = (
        Audit.objects.filter(auditor__username__in=DEMO_USERNAMES, tool__family=STANDARD_FAMILY)
        .exclude(status=Status.DRAFT)
        .values("overall_grade")
        .annotate(n=Count("pk"))
    )
    found = {row["overall_grade"]: row["n"] for row in rows}
    return {
        str(Grade(g).label): found.get(g, 0)
        for g in (Grade.EXCEEDS, Grade.MEETS, Grade.DOES_NOT_MEET)
    }
