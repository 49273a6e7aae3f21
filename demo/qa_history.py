"""The QA-cycle part of the demo data (see ``demo.loader``): what became of the agreed actions,
and a year of QA targets.

Actions are closed through ``audits.actions.services``: most of those long past their date were
done (some on time, some late) or are no longer needed, the rest are still open and overdue;
of those not yet due a few were done early. Targets go through ``reports.targets.services``:
the financial year's computed measures and two entered by hand, with a value for every quarter
already over. With the demo data some come out green and at least one red for the year so far;
if the figures ever fall otherwise, the targets are moved (the same way every run) until they do.
"""

from __future__ import annotations

import datetime
import math
import random
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, F, Q

from audits.actions import services as action_services
from audits.models import ActionEvent, AgreedAction, Audit, Status
from audits.periods import financial_year_of, fy_label, quarter
from reports.models import Measure, Target
from reports.selectors import ReportScope
from reports.targets import services as target_services
from reports.targets.measures import GREEN, RED, targets_table, year_to_date

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from demo.clock import Clock, Stamps

State = AgreedAction.State

# (words in the action, what was done), first match wins.
DONE_NOTES = [
    (
        "risk assessment",
        "Risk assessment and safety plan updated on a joint visit with the family.",
    ),
    (
        "direct work",
        "Two direct work sessions held; the child's views are recorded in their own words.",
    ),
    ("management oversight", "Management oversight recorded, with the rationale for the plan."),
    ("chronology", "Chronology brought up to date and the assessment revised."),
    ("multi-agency", "Multi-agency meeting held; each agency's tasks are in the minutes."),
    (
        "identity",
        "The child's identity and cultural needs added to the plan after talking with them.",
    ),
    (
        "rewrite the plan",
        "Plan rewritten with specific actions and dates, and shared with the family.",
    ),
    ("permanence", "Permanence planning meeting held; the timescale is agreed and recorded."),
    ("placement support", "Placement support plan reviewed with the carers; respite agreed."),
    ("review", "Review held; the child took part and their views are recorded."),
    ("pathway plan", "Pathway plan updated with the young person."),
    ("outcomes", "Outcomes and how progress will be measured added to the plan."),
    ("supervision", "Findings discussed in team supervision and the next steps recorded."),
    ("escalate", "Escalated to the service manager, who agreed a plan to end the drift."),
    ("views", "Child seen alone at the visit; their views are recorded."),
]
DONE_FALLBACK = "Done and recorded on the child's file; checked in supervision."
NOT_NEEDED_REASONS = [
    "The case closed before the action was due; the closure summary covers it.",
    "The child moved to another local authority; the receiving team has the audit findings.",
    "Overtaken by the new plan agreed at the review.",
]

# (name, measure, domain, direction, target, amber tolerance)
TARGETS = [
    (
        "Audits graded good or better",
        Measure.GOOD_OR_BETTER,
        None,
        Target.Direction.AT_LEAST,
        40,
        5,
    ),
    ("Audits graded Does not meet good", Measure.NOT_MET, None, Target.Direction.AT_MOST, 40, 5),
    (
        "Risk (domain 1) does not meet good",
        Measure.DOMAIN_NOT_MET,
        1,
        Target.Direction.AT_MOST,
        30,
        5,
    ),
    (
        "Quality of plans (domain 7) good or better",
        Measure.DOMAIN_GOOD,
        7,
        Target.Direction.AT_LEAST,
        50,
        10,
    ),
    ("Audits moderated", Measure.MODERATION_RATE, None, Target.Direction.AT_LEAST, 25, 5),
    (
        "Moderators agree with the auditor",
        Measure.AGREEMENT,
        None,
        Target.Direction.AT_LEAST,
        70,
        10,
    ),
    (
        "% of assessments completed within timescale",
        Measure.MANUAL,
        None,
        Target.Direction.AT_LEAST,
        85,
        5,
    ),
    (
        "% of children seen alone at the last visit",
        Measure.MANUAL,
        None,
        Target.Direction.AT_LEAST,
        90,
        5,
    ),
]
# Manual target -> its value in quarters 1 to 4 (from the case management system's reports).
MANUAL_ACTUALS = {
    "% of assessments completed within timescale": ["82.4", "86.1", "87.3", "88.0"],
    "% of children seen alone at the last visit": ["78.5", "83.0", "86.2", "88.9"],
}


def close_actions(
    *,
    audits: list[Audit],
    users: dict[str, User],
    clock: Clock,
    stamps: Stamps,
    decided: dict[int, datetime.datetime],
    rng: random.Random,
) -> None:
    """Close a believable share of the actions on ``audits``, oldest first."""
    today = clock.today
    by_pk = {u.pk: u for u in users.values()}
    actions = (
        AgreedAction.objects.filter(audit__in=audits)
        # A returned audit is being amended: its actions wait for the new version.
        .exclude(audit__status=Status.RETURNED)
        .select_related("audit")
        .order_by("due_date", "pk")
    )
    closed: dict[int, datetime.datetime] = {}
    for action in actions:
        audit = action.audit
        created = (
            decided[audit.pk]
            if action.source == AgreedAction.Source.MODERATOR
            else stamps.get(audit, "created_at")
        )
        stamps.set(action, created_at=created)
        if action.due_date is None:
            continue
        earliest = max(audit.audit_date, created.date())
        # The auditor closes their own actions; now and then the QA lead does it for them.
        by = users["qalead"] if rng.random() < 0.15 else by_pk[audit.auditor_id]
        roll = rng.random()
        if action.due_date < today:
            done_share = 0.55 if (today - action.due_date).days < 30 else 0.8
            if roll < done_share:
                on_time = rng.random() < 0.65 and earliest <= action.due_date
                day = (
                    _day_in(earliest, action.due_date, rng)
                    if on_time
                    else _day_in(
                        action.due_date + datetime.timedelta(days=1),
                        min(today, action.due_date + datetime.timedelta(days=35)),
                        rng,
                    )
                )
                closed[action.pk] = _done(action, by, day, created, clock)
            elif roll < done_share + 0.05:
                day = _day_in(
                    min(today, earliest + datetime.timedelta(days=7)),
                    min(today, action.due_date + datetime.timedelta(days=21)),
                    rng,
                )
                closed[action.pk] = _not_needed(action, by, day, created, clock, rng)
        elif action.due_date > today + datetime.timedelta(days=7):
            # Some are done early; those due within the week are left for the owner to do.
            if roll < 0.2:
                closed[action.pk] = _done(action, by, _day_in(earliest, today, rng), created, clock)
            elif roll < 0.22:
                closed[action.pk] = _not_needed(
                    action, by, _day_in(earliest, today, rng), created, clock, rng
                )
    for pk, action_id in ActionEvent.objects.filter(action_id__in=list(closed)).values_list(
        "pk", "action_id"
    ):
        stamps.set_pk(ActionEvent, pk, at=closed[action_id])


def _day_in(start: datetime.date, end: datetime.date, rng: random.Random) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _moment(day: datetime.date, created: datetime.datetime, clock: Clock) -> datetime.datetime:
    at = clock.on(day)
    return at if at > created else clock.after(created, minutes=(10, 120))


def _done(action, by, day, created, clock) -> datetime.datetime:
    text = action.description.lower()
    note = next((done for words, done in DONE_NOTES if words in text), DONE_FALLBACK)
    action_services.action_mark_done(action=action, by=by, note=note, completed_on=day)
    return _moment(day, created, clock)


def _not_needed(action, by, day, created, clock, rng) -> datetime.datetime:
    action_services.action_mark_not_needed(
        action=action, by=by, reason=rng.choice(NOT_NEEDED_REASONS)
    )
    return _moment(day, created, clock)


def set_targets(*, today: datetime.date, by: User, clock: Clock, stamps: Stamps) -> None:
    """This financial year's targets, set in March, and the manual values of each quarter
    already over. A target someone already set under the same name is left alone."""
    year = financial_year_of(today)
    taken = {
        name.lower()
        for name in Target.objects.filter(financial_year=year).values_list("name", flat=True)
    }
    made = []
    for order, (name, measure, domain, direction, value, tolerance) in enumerate(TARGETS, 1):
        if name.lower() in taken:
            continue
        target = target_services.target_create(
            by=by,
            financial_year=year,
            name=name,
            measure=measure,
            direction=direction,
            target_value=value,
            amber_tolerance=tolerance,
            domain_number=domain,
            order=order,
        )
        stamps.set(target, created_at=clock.on(datetime.date(year, 3, 16)))
        made.append(target)
        for number, actual in enumerate(MANUAL_ACTUALS.get(name, ()), 1):
            period = quarter(year, number)
            if period.end >= today:
                break
            entered = target_services.manual_actual_set(
                target=target, by=by, period=period, value=actual
            )
            stamps.set(
                entered, entered_at=clock.on(min(today, period.end + datetime.timedelta(days=10)))
            )
    _make_mixed(made, year=year, today=today, by=by)


def _make_mixed(targets: list[Target], *, year: int, today: datetime.date, by: User) -> None:
    """Make sure the year so far shows at least one green and one red among ``targets``: a
    targets page all of one colour shows a newcomer little. Where the figures fall otherwise,
    the target that needs the smallest change moves to the nearest whole number that gives the
    colour (never the only target of the other colour)."""
    rows = {
        row["id"]: row
        for row in targets_table(ReportScope(year_to_date(year, today=today)), financial_year=year)
    }
    counted = [
        t for t in targets if t.measure != Measure.MANUAL and rows[t.pk]["actual"] is not None
    ]
    for wanted, other in ((RED, GREEN), (GREEN, RED)):
        if any(rows[t.pk]["rag"] == wanted for t in counted):
            continue
        alone = sum(rows[t.pk]["rag"] == other for t in counted) == 1
        moves = []
        for target in counted:
            value = _value_for(target, Decimal(str(rows[target.pk]["actual"])), wanted)
            if value is not None and not (alone and rows[target.pk]["rag"] == other):
                moves.append((abs(value - target.target_value), target.order, target, value))
        if not moves:
            continue
        _, _, target, value = min(moves, key=lambda move: move[:2])
        target_services.target_update(
            target=target,
            by=by,
            name=target.name,
            measure=target.measure,
            direction=target.direction,
            target_value=value,
            amber_tolerance=target.amber_tolerance,
            domain_number=target.domain_number,
            order=target.order,
        )
        rows[target.pk]["rag"] = wanted


def _value_for(target: Target, shown: Decimal, wanted: str) -> int | None:
    """The whole-number target nearest to the present one that rates the actual ``shown``
    (as the table shows it, to one place) ``wanted``, green or red; None if there is none."""
    tolerance = target.amber_tolerance
    at_least = target.direction == Target.Direction.AT_LEAST
    if wanted == GREEN:
        value = math.floor(shown) if at_least else math.ceil(shown)
    elif at_least:  # red below target - tolerance
        value = math.floor(shown + tolerance) + 1
    else:  # red above target + tolerance
        value = math.ceil(shown - tolerance) - 1
    return value if 0 <= value <= 100 else None


def counts(audits, *, today: datetime.date) -> dict:
    """The action and target figures the command prints."""
    actions = AgreedAction.objects.filter(audit__in=audits).exclude(audit__status=Status.DRAFT)
    row = actions.aggregate(
        open=Count("pk", filter=Q(state=State.OPEN)),
        overdue=Count("pk", filter=Q(state=State.OPEN, due_date__lt=today)),
        done=Count("pk", filter=Q(state=State.DONE)),
        done_late=Count("pk", filter=Q(state=State.DONE, completed_on__gt=F("due_date"))),
        not_needed=Count("pk", filter=Q(state=State.NOT_NEEDED)),
    )
    year = financial_year_of(today)
    table = targets_table(ReportScope(year_to_date(year, today=today)), financial_year=year)
    row["year"] = fy_label(year)
    row["targets"] = len(table)
    for colour in ("green", "amber", "red", "grey"):
        row[f"targets_{colour}"] = sum(r["rag"] == colour for r in table)
    return row
