"""Property-based: over random case lists, auditors and criteria, a draw is repeatable from its
seed, keeps to its exclusions and quotas, and shares its cases evenly (to within one).

The arithmetic (audits.cases.sampling) is checked over many small lists against independent
counts, including a brute-force search for an even allocation whenever a peer-audit draw is
refused; the service over the database against exclusions worked out in plain Python. Each
database example runs in a transaction that is rolled back.
"""

import datetime
import itertools
from collections import Counter

import pytest
from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import User
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits.cases import sampling
from audits.cases.sampling import Auditor, Candidate, DrawError
from audits.cases.services import Criteria, draw_sample
from audits.models import AuditActivity, Case, CaseType, Status, Team
from tests import factories

from . import audit_of, case, person

# --- The arithmetic ------------------------------------------------------------------------------

TEAMS = ("a", "b", "c")


@st.composite
def case_lists(draw, max_size=14):
    teams_and_holders = draw(
        st.lists(st.tuples(st.sampled_from(TEAMS), st.integers(0, 4)), max_size=max_size)
    )
    return [
        Candidate(key=f"CR-{n:03}", team=team, holder=f"{team}{holder}", ref=n)
        for n, (team, holder) in enumerate(teams_and_holders)
    ]


auditor_lists = st.lists(st.sampled_from((None, *TEAMS)), max_size=4).map(
    lambda teams: [Auditor(key=f"auditor-{n}", team=t, ref=n) for n, t in enumerate(teams)]
)
seeds = st.text(min_size=1, max_size=12).filter(lambda s: "\x00" not in s)


@st.composite
def criteria(draw):
    if draw(st.booleans()):
        return {
            "size": draw(st.integers(1, 16)),
            "one_per_holder": draw(st.booleans()),
            "exclude_own_team": draw(st.booleans()),
        }
    return {"per_team": draw(st.integers(1, 5)), "exclude_own_team": draw(st.booleans())}


def run(candidates, auditors, seed, chosen):
    rng = sampling.rng_for(seed)
    pool = candidates
    if chosen.get("exclude_own_team"):
        pool = sampling.peer_eligible(candidates, auditors)
    order = sampling.draw_order(pool, rng)
    try:
        return order, sampling.draw(order, auditors, rng, **chosen)
    except DrawError as exc:
        return order, exc.message


def allowed(auditor, team, exclude_own_team) -> bool:
    return not (exclude_own_team and auditor.team is not None and auditor.team == team)


def even_allocation_exists(teams, auditors, exclude_own_team) -> bool:
    """By brute force: can cases of these teams go to the auditors, each getting ⌊n/k⌋ or
    ⌈n/k⌉, nobody (with exclude_own_team) a case of their own team?"""
    n, k = len(teams), len(auditors)
    low, extra = divmod(n, k)
    loads = [0] * k

    def place(i):
        if i == n:
            return True
        for j, auditor in enumerate(auditors):
            if not allowed(auditor, teams[i], exclude_own_team):
                continue
            over = sum(load > low for load in loads)
            if loads[j] + 1 > low + 1 or (loads[j] + 1 > low and over >= extra):
                continue
            loads[j] += 1
            if place(i + 1):
                return True
            loads[j] -= 1
        return False

    return place(0)


@settings(max_examples=400, deadline=None)
@given(case_lists(), auditor_lists, seeds, criteria())
def test_the_arithmetic_of_a_draw(candidates, auditors, seed, chosen):
    order, drawn = run(candidates, auditors, seed, chosen)

    # The same seed gives the same cases and allocation, whatever order the list came in.
    assert run(list(reversed(candidates)), list(reversed(auditors)), seed, chosen)[1] == drawn

    own = chosen["exclude_own_team"]
    team_counts = Counter(c.team for c in order)
    if isinstance(drawn, str):  # refused: say why, and it must be so
        if "cannot be drawn and shared evenly" in drawn:
            assert own and auditors
            if "per_team" in chosen:
                teams = [
                    t for t, m in team_counts.items() for _ in range(min(m, chosen["per_team"]))
                ]
                assert not even_allocation_exists(teams, auditors, own)
            elif not chosen["one_per_holder"]:
                # No choice of `size` cases from the eligible ones can be shared evenly.
                for choice in _team_choices(team_counts, chosen["size"]):
                    assert not even_allocation_exists(choice, auditors, own)
        elif "No case is eligible" in drawn:
            assert not order
        else:
            assert "size" in chosen
            holders = {c.holder for c in order}
            assert chosen["size"] > len(order) or (
                chosen["one_per_holder"] and len(holders) > chosen["size"]
            )
        return

    cases = [c for c, _ in drawn]
    assert len(set(cases)) == len(cases) and set(cases) <= set(order)
    # Kept in draw order.
    assert [order.index(c) for c in cases] == sorted(order.index(c) for c in cases)
    if "per_team" in chosen:
        assert Counter(c.team for c in cases) == {
            t: min(m, chosen["per_team"]) for t, m in team_counts.items()
        }
    else:
        assert len(cases) == chosen["size"]
        if chosen["one_per_holder"]:
            assert {c.holder for c in cases} == {c.holder for c in order}
        elif not (own and auditors):
            assert cases == order[: chosen["size"]]
    if not auditors:
        assert all(a is None for _, a in drawn)
        return
    loads = Counter(a.ref for _, a in drawn)
    every = [loads.get(a.ref, 0) for a in auditors]
    assert max(every) - min(every) <= 1
    if own:
        assert all(allowed(a, c.team, True) for c, a in drawn)


def _team_choices(team_counts, size):
    """Every multiset of `size` teams that the eligible cases can supply."""
    teams = sorted(team_counts)
    for counts in itertools.product(*(range(team_counts[t] + 1) for t in teams)):
        if sum(counts) == size:
            yield [t for t, m in zip(teams, counts) for _ in range(m)]


# --- The service over the database ---------------------------------------------------------------

TODAY = datetime.date(2026, 11, 25)
CASE_TYPES = ("child_in_need", "looked_after")
DB_SETTINGS = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def worlds(draw):
    cases = draw(
        st.lists(
            st.tuples(st.sampled_from(TEAMS), st.sampled_from(CASE_TYPES), st.integers(0, 2)),
            min_size=1,
            max_size=14,
        )
    )
    audits = draw(
        st.lists(
            st.tuples(
                st.integers(0, len(cases) - 1),
                st.dates(datetime.date(2024, 1, 1), TODAY),
                st.sampled_from(Status.values),
            ),
            max_size=8,
        )
    )
    auditors = draw(st.lists(st.sampled_from((None, *TEAMS)), max_size=3))
    return cases, audits, auditors


@st.composite
def db_criteria(draw):
    values = {
        "exclude_audited_months": draw(st.none() | st.integers(1, 24)),
        "exclude_own_team": draw(st.booleans()),
        "teams": draw(st.lists(st.sampled_from(TEAMS), max_size=2, unique=True)),
        "case_types": draw(st.lists(st.sampled_from(CASE_TYPES), max_size=1)),
    }
    if draw(st.booleans()):
        values["size"] = draw(st.integers(1, 10))
    else:
        values["per_team"] = draw(st.integers(1, 4))
    return values


def build(world):
    cases, audits, auditor_teams = world
    teams = {slug: Team.objects.get_or_create(slug=slug, name=slug.upper())[0] for slug in TEAMS}
    holders = {}
    for n, (team, case_type, holder) in enumerate(cases):
        key = f"{team}{holder}"
        if key not in holders:
            holders[key] = person(f"Holder {key}", teams[team])
        case(f"CR-{n:03}", holder=holders[key], case_type=factories.case_type(case_type))
    for index, audit_date, status in audits:
        audit_of(f"cr-{index:03}", audit_date=audit_date, status=status)
    activity = AuditActivity.objects.create(name="Drawn", month=datetime.date(2026, 11, 1))
    for n, team in enumerate(auditor_teams):
        user = User.objects.create(username=f"auditor-{n}")
        if team:
            person(f"Auditor {n}", teams[team], user=user)
        activity.auditors.add(user)
    return activity, teams


def expected_eligible(world, chosen) -> set[str]:
    cases, audits, auditor_teams = world
    months = chosen["exclude_audited_months"]
    audited = set()
    if months:
        since = TODAY - relativedelta(months=months)
        audited = {i for i, day, status in audits if status != Status.DRAFT and day >= since}
    eligible = set()
    for n, (team, case_type, _holder) in enumerate(cases):
        if chosen["teams"] and team not in chosen["teams"]:
            continue
        if chosen["case_types"] and case_type not in chosen["case_types"]:
            continue
        if n in audited:
            continue
        if chosen["exclude_own_team"] and auditor_teams and all(t == team for t in auditor_teams):
            continue
        eligible.add(f"CR-{n:03}")
    return eligible


@pytest.mark.django_db
@DB_SETTINGS
@given(world=worlds(), chosen=db_criteria(), seed=seeds)
def test_a_draw_keeps_to_its_exclusions_quotas_and_seed(world, chosen, seed):
    with transaction.atomic():
        try:
            activity, teams = build(world)
            criteria = Criteria(
                size=chosen.get("size"),
                per_team=chosen.get("per_team"),
                teams=[teams[t] for t in chosen["teams"]],
                case_types=list(CaseType.objects.filter(slug__in=chosen["case_types"])),
                exclude_audited_months=chosen["exclude_audited_months"],
                exclude_own_team=chosen["exclude_own_team"],
            )
            if chosen["exclude_own_team"] and not world[2]:
                with pytest.raises(DrawError, match="no auditors"):
                    draw_sample(activity=activity, seed=seed, criteria=criteria, today=TODAY)
                return
            eligible = expected_eligible(world, chosen)

            def attempt(dry_run):
                try:
                    return draw_sample(
                        activity=activity,
                        seed=seed,
                        criteria=criteria,
                        today=TODAY,
                        dry_run=dry_run,
                    )
                except DrawError as exc:
                    return exc.message

            dry = attempt(True)
            assert (
                attempt(True) == dry
                if isinstance(dry, str)
                else (attempt(True).case_references == dry.case_references)
            )
            if isinstance(dry, str):
                if "size" in chosen and chosen["size"] > len(eligible):
                    assert f"only {len(eligible)} case" in dry
                elif "per_team" in chosen and not eligible:
                    assert "No case is eligible" in dry
                else:
                    assert chosen["exclude_own_team"] and "shared evenly" in dry
                return

            drawn = set(dry.case_references)
            assert drawn <= eligible and len(drawn) == len(dry.case_references)
            if "size" in chosen:
                assert len(drawn) == chosen["size"]
            else:
                per_team = Counter(Case.objects.get(case_reference=r).team.slug for r in drawn)
                in_team = Counter(world[0][int(r[3:])][0] for r in eligible)
                assert per_team == {t: min(m, chosen["per_team"]) for t, m in in_team.items()}

            recorded = attempt(False)
            assert recorded.case_references == dry.case_references
            rows = list(recorded.record.cases.select_related("auditor__person", "case"))
            if world[2]:
                loads = Counter(r.auditor_id for r in rows)
                every = [loads.get(u.pk, 0) for u in activity.auditors.all()]
                assert max(every) - min(every) <= 1
                if chosen["exclude_own_team"]:
                    for r in rows:
                        team = getattr(getattr(r.auditor, "person", None), "team_id", None)
                        assert team != r.case.team_id
            else:
                assert all(r.auditor_id is None for r in rows)
        finally:
            transaction.set_rollback(True)
