"""Manager compliance (issue 14, item 7): the selector's figures, counted by the database,
against an independent count in Python over the same rows, on random worlds; the query count
does not grow with the data."""

import datetime
import random

import pytest
from django.utils import timezone

from audits.cases.services import Criteria, draw_sample, drawn_case_replace
from audits.compliance.selectors import manager_compliance
from audits.models import Audit, AuditTool, DrawnCase, Status
from audits.periods import month_start
from tests import factories

from ..cases import case, person, team

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)
MONTHS = [datetime.date(2026, 9, 1), datetime.date(2026, 10, 1), datetime.date(2026, 11, 1)]


def build(rng: random.Random, size: int = 1):
    """Auditors (one inactive, one with no role left), activities in three months with and
    without due dates, draws with withdrawals, and audits of every status, in an activity or
    only dated, practice ones among them."""
    north = team("north")
    holder = person("Holder", north)
    auditors = [factories.auditor(username=f"auditor{n}") for n in range(4)]
    auditors[3].is_active = False
    auditors[3].save()
    tool = AuditTool.objects.get(is_current=True)
    references = [f"CR-{n:03}" for n in range(40 * size)]
    for reference in references:
        case(reference, holder=holder)
    activities = []
    for n, month in enumerate(MONTHS):
        for k, due in enumerate([None, month.replace(day=25)]):
            activity = factories.AuditActivityFactory(
                name=f"Activity {n}-{k}", month=month, due_date=due
            )
            activity.auditors.add(*rng.sample(auditors[:3], rng.randint(1, 3)))
            draw_sample(activity=activity, seed=f"{n}{k}", criteria=Criteria(size=3 * size))
            activities.append(activity)
    for drawn in DrawnCase.objects.order_by("pk"):
        if rng.random() < 0.1:
            drawn_case_replace(drawn_case=drawn, reason="Closed", seed="r")
    for drawn in DrawnCase.objects.select_related("case", "draw").order_by("pk"):
        if drawn.auditor_id and rng.random() < 0.6:
            Audit.objects.create(
                tool=tool,
                auditor_id=drawn.auditor_id,
                status=rng.choice(list(Status)),
                case_reference=rng.choice([str.lower, str.upper])(drawn.case.case_reference),
                activity_id=drawn.draw.activity_id,
                is_practice=rng.random() < 0.1,
            )
    for _n in range(10 * size):
        Audit.objects.create(
            tool=tool,
            auditor=rng.choice(auditors),
            status=rng.choice(list(Status)),
            case_reference=rng.choice(references),
            activity=rng.choice([None, *activities]),
            audit_date=rng.choice([None, datetime.date(2026, rng.randint(8, 12), 3)]),
            is_practice=rng.random() < 0.1,
        )
    return auditors


def independent_count(today: datetime.date) -> dict:
    """(month, user id) -> figures, read row by row."""
    figures: dict = {}

    def at(month, user):
        return figures.setdefault(
            (month, user), {"allocated": 0, "started": 0, "submitted": 0, "overdue": 0}
        )

    audits = list(Audit.objects.select_related("activity"))
    for drawn in DrawnCase.objects.select_related("case", "draw__activity"):
        activity = drawn.draw.activity
        if drawn.withdrawn_at or drawn.auditor_id is None or activity.month not in MONTHS:
            continue
        row = at(activity.month, drawn.auditor_id)
        row["allocated"] += 1
        due_passed = (
            activity.due_date < today if activity.due_date else activity.month < month_start(today)
        )
        done = any(
            a.auditor_id == drawn.auditor_id
            and a.activity_id == activity.pk
            and a.status != Status.DRAFT
            and not a.is_practice
            and a.case_reference.upper() == drawn.case.case_reference.upper()
            for a in audits
        )
        if due_passed and not done:
            row["overdue"] += 1
    for audit in audits:
        if audit.is_practice:
            continue
        if audit.activity is not None:
            month = audit.activity.month
        elif audit.audit_date is not None:
            month = audit.audit_date.replace(day=1)
        else:
            continue
        if month not in MONTHS:
            continue
        row = at(month, audit.auditor_id)
        row["started"] += 1
        row["submitted"] += audit.status != Status.DRAFT
    return figures


def as_figures(months) -> dict:
    return {
        (m.month, row.user_id): {
            "allocated": row.allocated,
            "started": row.started,
            "submitted": row.submitted,
            "overdue": row.overdue,
        }
        for m in months
        for row in m.managers
        if (row.allocated, row.started, row.submitted, row.overdue) != (0, 0, 0, 0)
    }


@pytest.mark.parametrize("seed", range(4))
def test_the_figures_match_an_independent_count(seed):
    build(random.Random(seed))
    months = manager_compliance(first=MONTHS[0], last=MONTHS[-1], today=TODAY)
    assert [m.month for m in months] == list(reversed(MONTHS))
    expected = independent_count(TODAY)
    assert sum(f["allocated"] for f in expected.values()) > 0
    assert sum(f["overdue"] for f in expected.values()) > 0
    assert as_figures(months) == expected


@pytest.mark.parametrize("seed", range(2))
def test_who_submitted_none_is_every_manager_with_no_submitted_audit(seed):
    auditors = build(random.Random(seed))
    months = manager_compliance(first=MONTHS[0], last=MONTHS[-1], today=TODAY)
    expected = independent_count(TODAY)
    for m in months:
        listed = {row.user_id for row in m.managers}
        # Every active auditor is listed, with figures or without.
        assert {a.pk for a in auditors if a.is_active} <= listed
        assert {row.user_id for row in m.done_none} == {
            pk for pk in listed if not expected.get((m.month, pk), {}).get("submitted")
        }


def test_a_manager_with_nothing_is_listed_as_having_done_none():
    idle = factories.auditor(username="idle", first_name="Ida", last_name="Idle")
    [month] = manager_compliance(first=MONTHS[-1], last=MONTHS[-1], today=TODAY)
    [row] = month.managers
    assert (row.user_id, row.name, row.allocated, row.submitted) == (idle.pk, "Ida Idle", 0, 0)
    assert month.done_none == [row]


def test_overdue_counts_once_the_due_date_or_the_month_has_passed():
    north = team("north")
    case("CR-1", holder=person("Holder", north))
    ann = factories.auditor(username="ann")
    activity = factories.AuditActivityFactory(
        name="Due", month=datetime.date(2026, 11, 1), due_date=datetime.date(2026, 11, 20)
    )
    activity.auditors.add(ann)
    draw_sample(activity=activity, seed="s", criteria=Criteria(size=1))

    def overdue(today):
        [month] = manager_compliance(first=activity.month, last=activity.month, today=today)
        return month.managers[0].overdue

    assert overdue(datetime.date(2026, 11, 20)) == 0  # due today: not yet
    assert overdue(datetime.date(2026, 11, 21)) == 1
    activity.due_date = None
    activity.save()
    assert overdue(datetime.date(2026, 11, 30)) == 0  # its month has not ended
    assert overdue(datetime.date(2026, 12, 1)) == 1
    Audit.objects.create(
        tool=AuditTool.objects.get(is_current=True),
        auditor=ann,
        status=Status.SUBMITTED,
        case_reference="cr-1",
        activity=activity,
        submitted_at=timezone.now(),
    )
    assert overdue(datetime.date(2026, 12, 1)) == 0


def test_the_query_count_does_not_grow_with_the_data(django_assert_max_num_queries):
    build(random.Random(1))
    with django_assert_max_num_queries(3):
        manager_compliance(first=MONTHS[0], last=MONTHS[-1], today=TODAY)
    build_more = random.Random(2)
    for n in range(3):
        factories.auditor(username=f"more{n}")
    Audit.objects.bulk_create(
        Audit(
            tool=AuditTool.objects.get(is_current=True),
            auditor=factories.auditor(username=f"extra{n}"),
            status=build_more.choice(list(Status)),
            case_reference=f"CR-X{n}",
            audit_date=datetime.date(2026, 10, 2),
        )
        for n in range(20)
    )
    with django_assert_max_num_queries(3):
        manager_compliance(first=MONTHS[0], last=MONTHS[-1], today=TODAY)
