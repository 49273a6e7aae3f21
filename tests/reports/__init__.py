"""Shared by the report tests: cohorts described as plain data, built through the services or
through the CSV import, and the report's figures counted from those descriptions in plain
Python — an oracle that never queries the database, so it is independent of reports.selectors.
"""

import calendar
import csv
import datetime
import io
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.test import TestCase

from audits import services
from audits.actions.services import action_mark_done, action_mark_not_needed
from audits.case_links import relink_cases
from audits.csv import contract
from audits.csv.importer import import_audits_csv
from audits.figures import refresh_months
from audits.models import AgreedAction, Audit, AuditActivity, CaseType, Status, Strand
from audits.periods import month_end
from moderation.services import moderation_record, moderation_send_back, moderation_take
from reports.models import Report
from reports.services import report_publish
from tests import factories
from tests.helpers import complete_content
from tests.worker import run_tasks

TODAY = datetime.date(2026, 11, 25)
GRADES = ("exceeds", "meets", "does_not_meet")
DOMAIN_GRADES = (*GRADES, "not_applicable")
RANK = {"exceeds": 3, "meets": 2, "does_not_meet": 1}
STRANDS = ("social_care", "early_help")  # in the order the migration gives them
E, M, D, NA = "exceeds", "meets", "does_not_meet", "not_applicable"


@dataclass(frozen=True)
class ActionSpec:
    due_date: datetime.date | None
    state: str = AgreedAction.State.OPEN
    completed_on: datetime.date | None = None


@dataclass(frozen=True)
class AuditSpec:
    """One audit as a test means it to end up. ``status`` is the final status; a moderated
    audit (``moderated`` set) is completed."""

    audit_date: datetime.date
    overall: str = M
    moderated: str = ""
    strand: str = "social_care"
    case_type: str = "child_in_need"
    domains: tuple[str, ...] = (M,) * 12
    status: str = Status.SUBMITTED
    practice: bool = False
    activity: str = "Quarterly audit"
    actions: tuple[ActionSpec, ...] = field(default=())
    # The case reference, where a test audits a case more than once; else each audit is a
    # case of its own, with a reference made up when it is built.
    case: str = ""

    @property
    def final(self) -> str:
        return self.moderated or self.overall


def spec(audit_date, **kwargs) -> AuditSpec:
    """An AuditSpec; an audit graded Does not meet good gets the agreed action the submit rules
    require unless the test lists its own actions."""
    if "actions" not in kwargs and kwargs.get("overall") == D:
        kwargs["actions"] = (ActionSpec(audit_date + datetime.timedelta(days=28)),)
    return AuditSpec(audit_date, **kwargs)


# --- Building cohorts --------------------------------------------------------------------------


class _Draw:
    """A stand-in for random.Random: moderation's sampling draws exactly this number."""

    def __init__(self, value: float):
        self.value = value

    def random(self) -> float:
        return self.value


def _activity(name: str, dates: list[datetime.date]):
    # One activity per name, as the oracle filters by name. Half the audits are sampled by the
    # draw, so a test decides which are moderated. Submit refuses an audit dated outside its
    # activity's month and due date, so the activity starts in the month of its earliest
    # audit and is due by its latest, as a QA lead would plan a quarter's activity.
    activity = AuditActivity.objects.filter(name=name).first() or factories.AuditActivityFactory(
        name=name, month=min(dates).replace(day=1)
    )
    activity.month = min(activity.month, min(dates).replace(day=1))
    if max(dates) > month_end(activity.month, 1):
        activity.due_date = max(activity.due_date or max(dates), max(dates))
    activity.moderation_rate, activity.always_moderate_not_met = 50, False
    activity.save(update_fields=["month", "due_date", "moderation_rate", "always_moderate_not_met"])
    return activity


def build_through_services(specs, *, auditor=None, moderator=None, today=TODAY) -> list[Audit]:
    """Make each audit the way users do: save a draft, submit, and moderate or send back."""
    auditor = auditor or factories.auditor()
    moderator = moderator or factories.moderator()
    strands = {s.slug: s for s in Strand.objects.all()}
    case_types = {c.slug: c for c in CaseType.objects.all()}
    audits = []
    dates: dict[str, list[datetime.date]] = {}
    for item in specs:
        dates.setdefault(item.activity, []).append(item.audit_date)
    activities = {name: _activity(name, days) for name, days in dates.items()}
    # Numbered on from the audits of earlier calls, so that two cohorts never share a case.
    made = Audit.objects.filter(case_reference__startswith="CR-S").count()
    for number, item in enumerate(specs, start=made + 1):
        content = complete_content(
            overall=item.overall,
            audit_date=item.audit_date,
            case_reference=item.case or f"CR-S{number:04}",
            activity=activities[item.activity],
            with_action=False,
        )
        content.header.update(
            strand=strands[item.strand],
            case_type=case_types[item.case_type],
            is_practice=item.practice,
        )
        content.domains = {
            n: {"grade": grade, "text": f"Evaluation of domain {n}."}
            for n, grade in enumerate(item.domains, start=1)
        }
        content.actions = [
            {
                "id": None,
                "description": f"Action {n}",
                "owner": "Team manager",
                "due_date": action.due_date,
            }
            for n, action in enumerate(item.actions, start=1)
        ]
        audit = services.audit_save_draft(audit=None, by=auditor, content=content)
        if item.status != Status.DRAFT:
            # Not completed straight away means chosen for moderation (practice always is).
            chosen = item.moderated or item.status != Status.COMPLETED
            audit = services.audit_submit(
                audit=audit, by=auditor, today=today, rng=_Draw(0.0 if chosen else 0.99)
            )
        if item.status in (Status.IN_MODERATION, Status.RETURNED) or item.moderated:
            audit = moderation_take(audit=audit, moderator=moderator)
        if item.moderated:
            moderation_record(
                audit=audit,
                moderator=moderator,
                grade=item.moderated,
                rationale="Moderated for the test.",
            )
        elif item.status == Status.RETURNED:
            moderation_send_back(audit=audit, moderator=moderator, comments="Add the chronology.")
        audit.refresh_from_db()
        assert audit.status == item.status, (item, audit.status)
        _close_actions(audit, item, by=moderator)
        audits.append(audit)
    return audits


def _close_actions(audit: Audit, item: AuditSpec, *, by) -> None:
    """Mark the audit's actions done or not needed through the action services (issue 5)."""
    actions = list(audit.actions.order_by("pk"))
    assert len(actions) == len(item.actions)
    for action, wanted in zip(actions, item.actions):
        if wanted.state == AgreedAction.State.DONE:
            action_mark_done(action=action, by=by, note="Done.", completed_on=wanted.completed_on)
        elif wanted.state == AgreedAction.State.NOT_NEEDED:
            action_mark_not_needed(action=action, by=by, reason="No longer needed.")


def cohort_csv(specs, *, prefix="CR-I") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(contract.COLUMNS)
    for number, item in enumerate(specs, start=1):
        writer.writerow(
            [
                _reference(item, number, prefix),
                item.audit_date.isoformat(),
                "import-auditor",
                item.activity,
                item.strand,
                item.case_type,
                "",
                "",
                *item.domains,
                item.overall,
                item.moderated,
                "import-moderator" if item.moderated else "",
                "yes" if item.practice else "no",
                "",
            ]
        )
    return out.getvalue().encode()


def _reference(item: AuditSpec, number: int, prefix: str) -> str:
    return item.case or f"{prefix}{number:05}"


def build_through_import(specs, *, today=TODAY, prefix="CR-I") -> list[Audit]:
    """Import the audits from a CSV written for them; then give them the statuses and actions
    the CSV cannot carry."""
    result = import_audits_csv(
        io.BytesIO(cohort_csv(specs, prefix=prefix)), today=today, filename="cohort.csv"
    )
    assert result.ok, result.errors
    assert result.created == len(specs)
    # One audit per case and date (the import refuses the same case twice on a day by one
    # auditor), so each row of the file is found by the two.
    references = [_reference(item, n, prefix) for n, item in enumerate(specs, start=1)]
    audits = {
        (a.case_reference, a.audit_date): a
        for a in Audit.objects.filter(is_imported=True, case_reference__in=set(references))
    }
    audits = [audits[ref, item.audit_date] for ref, item in zip(references, specs)]
    actions = []
    for audit, item in zip(audits, specs):
        if item.status != Status.COMPLETED:
            # The import makes audits completed only (moderated or not); the other statuses come
            # from the services, tested in test_selectors. Here only the status matters.
            Audit.objects.filter(pk=audit.pk).update(status=item.status)
        actions += [
            AgreedAction(
                audit=audit,
                description=f"Action {n}",
                owner="Team manager",
                due_date=a.due_date,
                state=a.state,
                completed_on=a.completed_on,
            )
            for n, a in enumerate(item.actions, start=1)
        ]
    # Imported audits carry no actions (the CSV has no column for them), so the rows are
    # written directly, in their final state: the action services are exercised by
    # build_through_services, and hundreds of audits through them would be slow.
    AgreedAction.objects.bulk_create(actions)
    # The statuses were set past the services: rebuild the figures and the case links the
    # services would have.
    refresh_months(a.audit_date for a in audits)
    relink_cases(a.case_reference for a in audits)
    return audits


# --- The oracle --------------------------------------------------------------------------------


def previous_dates(start: datetime.date, end: datetime.date):
    """The comparison period: the same number of whole months before when the period is whole
    months, else the same number of days before."""
    whole = start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]
    if whole:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        year, month = start.year, start.month - months
        while month < 1:
            year, month = year - 1, month + 12
        return datetime.date(year, month, 1), start - datetime.timedelta(days=1)
    days = (end - start).days + 1
    return start - datetime.timedelta(days=days), start - datetime.timedelta(days=1)


def _counted(specs, start, end, *, activity, strand, case_type):
    return [
        s
        for s in specs
        if s.status != Status.DRAFT
        and not s.practice
        and start <= s.audit_date <= end
        and activity in (None, s.activity)
        and strand in (None, s.strand)
        and case_type in (None, s.case_type)
    ]


def _grades(items, attribute):
    counts = dict.fromkeys(GRADES, 0)
    for item in items:
        counts[getattr(item, attribute)] += 1
    return counts


def _moderation(items):
    moderated = [s for s in items if s.moderated]
    return {
        "moderated": len(moderated),
        "agreed": sum(RANK[s.moderated] == RANK[s.overall] for s in moderated),
        "raised": sum(RANK[s.moderated] > RANK[s.overall] for s in moderated),
        "lowered": sum(RANK[s.moderated] < RANK[s.overall] for s in moderated),
    }


def _split(items):
    return {
        "audits": len(items),
        "auditor_grades": _grades(items, "overall"),
        "final_grades": _grades(items, "final"),
        "moderation": _moderation(items),
    }


Z95 = 1.959963984540054  # the normal quantile for a two-sided 95% interval


def wilson_bounds(part: int, whole: int) -> tuple[float, float]:
    """The 95% Wilson score interval of part/whole in percent, unrounded, from its closed form
    (Wilson 1927), not from the library the app uses."""
    p, z2 = part / whole, Z95 * Z95
    centre = (p + z2 / (2 * whole)) / (1 + z2 / whole)
    half = Z95 * math.sqrt(p * (1 - p) / whole + z2 / (4 * whole * whole)) / (1 + z2 / whole)
    return 100 * max(centre - half, 0.0), 100 * min(centre + half, 1.0)


def _half_up(value: float, places: str) -> float:
    return float(Decimal(repr(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP))


def wilson(part: int, whole: int) -> list[float] | None:
    """The interval as the JSON writes it: percent, one decimal (halves up); None for none."""
    if not whole:
        return None
    return [_half_up(bound, "0.1") for bound in wilson_bounds(part, whole)]


def written_interval(part: int, whole: int) -> str:
    """The interval as the pages write it: whole percentages, rounded once, "19–73%"."""
    low, high = (int(_half_up(bound, "1")) for bound in wilson_bounds(part, whole))
    return f"{low}–{high}%"


def honest(split: dict) -> dict:
    """``split`` with the small-sample flag and the intervals, counted here."""
    audits = split["audits"]
    return {
        **split,
        "small_sample": audits < 20,
        "auditor_grades_ci": {g: wilson(n, audits) for g, n in split["auditor_grades"].items()},
        "final_grades_ci": {g: wilson(n, audits) for g, n in split["final_grades"].items()},
    }


def _not_met_everywhere(item) -> bool:
    applicable = [g for g in item.domains if g != NA]
    return bool(applicable) and all(g == D for g in applicable)


def _actions(items, today):
    actions = [a for item in items for a in item.actions]
    done = [a for a in actions if a.state == AgreedAction.State.DONE]
    return {
        "raised": len(actions),
        "done": len(done),
        "done_on_time": sum(a.due_date is None or a.completed_on <= a.due_date for a in done),
        "done_late": sum(a.due_date is not None and a.completed_on > a.due_date for a in done),
        "not_needed": sum(a.state == AgreedAction.State.NOT_NEEDED for a in actions),
        "open": sum(a.state == AgreedAction.State.OPEN for a in actions),
        "overdue": sum(
            a.state == AgreedAction.State.OPEN and a.due_date is not None and a.due_date < today
            for a in actions
        ),
    }


def _reaudits(specs, start, end, today, *, activity, strand, case_type) -> dict:
    """The re-audits, counted by walking the cohort: for each case (its reference upper-cased;
    an audit without ``case`` is a case of its own), its last counted audit in the period
    (latest date, then the one built last) against the case's reportable audit just before it."""
    order = {id(s): n for n, s in enumerate(specs)}  # the order built: the tie-break by pk
    reportable = [s for s in specs if s.status != Status.DRAFT and not s.practice]
    counted = _counted(specs, start, end, activity=activity, strand=strand, case_type=case_type)

    def key(item):
        return item.case.upper() if item.case else ("own", order[id(item)])

    def when(item):
        return (item.audit_date, order[id(item)])

    last = {}
    for item in counted:
        if key(item) not in last or when(item) > when(last[key(item)]):
            last[key(item)] = item
    pairs = []
    for later in last.values():
        before = [s for s in reportable if key(s) == key(later) and when(s) < when(later)]
        if before:
            pairs.append((max(before, key=when), later))
    changes = ("improved", "same", "declined")

    def change(old, new):
        return (
            changes[0]
            if RANK[new] > RANK[old]
            else changes[2]
            if RANK[new] < RANK[old]
            else changes[1]
        )

    overall = dict.fromkeys(changes, 0)
    domains = {}
    for earlier, later in pairs:
        overall[change(earlier.final, later.final)] += 1
        for number, (old, new) in enumerate(zip(earlier.domains, later.domains), start=1):
            if old in RANK and new in RANK:
                domains.setdefault(number, dict.fromkeys(changes, 0))[change(old, new)] += 1
    return {
        "cases": len(pairs),
        "overall": overall,
        "overall_ci": {c: wilson(overall[c], len(pairs)) for c in changes},
        "domains": [{"number": n, **domains[n]} for n in sorted(domains)],
        "earlier_actions": _actions([earlier for earlier, later in pairs], today),
        "cases_with_actions": sum(bool(earlier.actions) for earlier, later in pairs),
        "small_sample": len(pairs) < 20,
    }


@dataclass(frozen=True)
class PlanSpec:
    """An improvement plan item as a test means it to end up (issue 15, item 7): made from a
    report of ``report_period`` that ended on ``report_end``."""

    report_end: datetime.date
    due_date: datetime.date
    status: str = "not_started"
    closed_on: datetime.date | None = None
    title: str = "Item"
    report_period: str = ""


PLAN_STATUSES = ("not_started", "in_progress", "done", "dropped")


def expected_plan(plan, *, start, end, today) -> dict:
    """The ``plan`` key, counted by walking ``plan`` (PlanSpecs, in the order they were made):
    items of reports that ended before ``end``, less those closed before ``start``."""
    shown = sorted(
        (
            (item.due_date, n, item)
            for n, item in enumerate(plan)
            if item.report_end < end and (item.closed_on is None or item.closed_on >= start)
        ),
        key=lambda entry: entry[:2],
    )
    items = [item for _due, _n, item in shown]

    def overdue(item):
        return item.status in ("not_started", "in_progress") and item.due_date < today

    def on_time(item):
        return item.closed_on <= item.due_date if item.status == "done" else None

    return {
        "as_at": today.isoformat(),
        "total": len(items),
        "by_status": {status: sum(i.status == status for i in items) for status in PLAN_STATUSES},
        "overdue": sum(overdue(i) for i in items),
        "done_on_time": sum(on_time(i) is True for i in items),
        "done_late": sum(on_time(i) is False for i in items),
        "items": [
            {
                "title": i.title,
                "status": i.status,
                "due": i.due_date.isoformat(),
                "closed_on": i.closed_on.isoformat() if i.closed_on else None,
                "overdue": overdue(i),
                "on_time": on_time(i),
                "report_period": i.report_period,
            }
            for i in items
        ],
    }


def expected_figures(
    specs,
    *,
    start,
    end,
    titles,
    today=TODAY,
    activity=None,
    strand=None,
    case_type=None,
    period_label=None,
    plan=(),
) -> dict:
    """What report_figures must return for ``specs``, counted here by walking the list.

    ``activity`` is the activity's name, ``strand`` and ``case_type`` slugs; ``titles`` maps
    domain number to title.
    """
    filters = {"activity": activity, "strand": strand, "case_type": case_type}
    items = _counted(specs, start, end, **filters)
    whole = _split(items)
    case_types = sorted({s.case_type for s in items})
    previous_start, previous_end = previous_dates(start, end)
    previous = _split(_counted(specs, previous_start, previous_end, **filters))
    figures = {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "audits": whole["audits"],
        "auditor_grades": whole["auditor_grades"],
        "final_grades": whole["final_grades"],
        "moderation": whole["moderation"],
        **{key: value for key, value in honest(whole).items() if key not in whole},
        "by_strand": {
            slug: honest(_split([s for s in items if s.strand == slug])) for slug in STRANDS
        },
        "by_case_type": {},
        "domains": [
            {
                "number": n,
                "title": titles[n],
                **{g: sum(s.domains[n - 1] == g for s in items) for g in DOMAIN_GRADES},
            }
            for n in range(1, 13)
        ],
        "not_met_in_all_applicable_domains": sum(_not_met_everywhere(s) for s in items),
        "actions": _actions(items, today),
        "previous": {
            "start": previous_start.isoformat(),
            "end": previous_end.isoformat(),
            **previous,
        },
        "filters": filters,
        "reaudits": _reaudits(specs, start, end, today, **filters),
        "plan": expected_plan(plan, start=start, end=end, today=today),
    }
    for slug in case_types:
        split = _split([s for s in items if s.case_type == slug])
        figures["by_case_type"][slug] = honest(
            {
                "audits": split["audits"],
                "auditor_grades": split["auditor_grades"],
                "final_grades": split["final_grades"],
            }
        )
    figures["activities"] = [
        _activity_entry(name, [s for s in items if s.activity == name])
        for name in sorted({s.activity for s in items})
    ]
    if period_label is not None:
        figures["period_label"] = period_label
    figures["trend"] = expected_trend(specs, start=start, end=end, today=today, **filters)
    return figures


def _domain_list(items) -> list[dict]:
    return [
        {"number": n, **{g: sum(s.domains[n - 1] == g for s in items) for g in DOMAIN_GRADES}}
        for n in range(1, 13)
    ]


def _activity_entry(name: str, items) -> dict:
    """One activity's section (reports.activities), counted from its audits here."""

    def split(subset):
        whole = _split(subset)
        del whole["moderation"]
        return honest(whole)

    whole = honest(_split(items))
    return {
        "name": name,
        **whole,
        "by_strand": {
            slug: split([s for s in items if s.strand == slug])
            for slug in sorted({s.strand for s in items})
        },
        "by_case_type": {
            slug: split([s for s in items if s.case_type == slug])
            for slug in sorted({s.case_type for s in items})
        },
        "not_met_in_all_applicable_domains": sum(_not_met_everywhere(s) for s in items),
        "domains": _domain_list(items),
        "domains_does_not_meet": _domain_list([s for s in items if s.final == D]),
    }


def _fy_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02}"


def trend_label(start: datetime.date, end: datetime.date) -> str:
    """The name of a trend period, worked out here from its dates."""
    last = calendar.monthrange(end.year, end.month)[1]
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    fy = start.year if start.month >= 4 else start.year - 1
    if start.day == 1 and end.day == last:
        if months == 1:
            return f"{calendar.month_name[start.month]} {start.year}"
        if months == 3 and start.month in (4, 7, 10, 1):
            return f"Quarter {(start.month - 4) % 12 // 3 + 1} {_fy_label(fy)}"
        if months == 6 and start.month in (4, 10):
            return f"Half year {1 if start.month == 4 else 2} {_fy_label(fy)}"
        if months == 12 and start.month == 4:
            return f"Financial year {_fy_label(fy)}"
    return f"{start.day} {calendar.month_name[start.month]} {start.year} to {end.day} " + (
        f"{calendar.month_name[end.month]} {end.year}"
    )


def expected_trend(
    specs, *, start, end, today=TODAY, count=4, activity=None, strand=None, case_type=None
) -> list[dict]:
    """The report's "trend": ``count`` periods of its length ending with it, oldest first,
    each counted here by walking ``specs``."""
    dates = [(start, end)]
    while len(dates) < count:
        dates.insert(0, previous_dates(*dates[0]))
    trend = []
    for first, last in dates:
        items = _counted(specs, first, last, activity=activity, strand=strand, case_type=case_type)
        trend.append(
            {
                "start": first.isoformat(),
                "end": last.isoformat(),
                "label": trend_label(first, last),
                **honest(_split(items)),
                "overdue_actions": _actions(items, today)["overdue"],
            }
        )
    return trend


# Keys of report_figures the oracle leaves out: "names" holds labels for the pages, not counts;
# "schedule" is the audit schedule (activities planned against done), which depends on the
# activities' plans rather than on the audits counted here.
# "activity_results" are the results of activities with a built tool, which this oracle's
# standard audits never are (tests/audits/tools/test_results.py counts them).
NOT_COUNTED = frozenset({"names", "schedule", "targets", "activity_results"})


def comparable(figures: dict, expected: dict) -> dict:
    """``figures`` cut to the oracle's keys, for ``assert comparable(f, e) == e``; fails when
    report_figures has a key the oracle does not know, so a new figure gets a test."""
    unknown = set(figures) - set(expected) - NOT_COUNTED
    assert not unknown, f"report_figures has keys the oracle does not count: {sorted(unknown)}"
    cut = {key: figures.get(key) for key in expected}
    if "plan" in cut:
        cut["plan"] = _without_ids(cut["plan"])
    if "activities" in cut:
        cut["activities"] = comparable_activities(cut["activities"])
    return cut


def _without_ids(plan: dict | None) -> dict | None:
    """The plan's figures less the rows' ids, which the oracle cannot know."""
    if plan is None:
        return None
    items = [
        {k: v for k, v in item.items() if k not in ("id", "report_id")} for item in plan["items"]
    ]
    return {**plan, "items": items}


# An activity's id and month identify it in the database, which this oracle never reads; the
# order of the entries (by month) follows from the month. tests/reports/test_activities.py
# checks them.
ACTIVITY_LABELS = frozenset({"id", "month"})


def comparable_activities(entries: list[dict]) -> list[dict]:
    """The activities' entries without their database labels, in the oracle's order (name)."""
    cut = [{k: v for k, v in entry.items() if k not in ACTIVITY_LABELS} for entry in entries]
    return sorted(cut, key=lambda entry: entry["name"])


def publish(report: Report, *, by, **kwargs) -> Report:
    """Publish ``report`` through the service, then run the worker, which makes its PDF a
    moment later as in production; the report as stored then."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        report_publish(report=report, by=by, **kwargs)
    run_tasks()
    report.refresh_from_db()
    return report
