"""The sample draw (issue 14, item 5): seeded and repeatable, filtered, excluding recent audits
and (peer audit) the auditor's own team, allocated evenly, recorded; withdrawals recorded with
their reason and replaced with a seed of their own; draw_sample as a script calls it."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from audits.cases import sampling
from audits.cases.sampling import DrawError
from audits.cases.selectors import allocated_cases_for
from audits.cases.services import Criteria, draw_sample, drawn_case_replace
from audits.models import DrawnCase, SampleDraw, Status
from tests import factories

from . import audit_of, case, person, team

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)


@pytest.fixture
def world():
    """Two teams of six cases; an activity with an auditor in each team."""
    north, south = team("north"), team("south")
    holders = [person(f"Holder {n}", north if n < 2 else south) for n in range(4)]
    for n in range(12):
        holder = holders[n % 2] if n < 6 else holders[2 + n % 2]
        case(f"CR-{n:02}", holder=holder)
    activity = factories.AuditActivityFactory(name="Peer audit", month=datetime.date(2026, 11, 1))
    ann, bob = factories.auditor(username="ann"), factories.auditor(username="bob")
    person("Ann", north, user=ann)
    person("Bob", south, user=bob)
    activity.auditors.add(ann, bob)
    return {"activity": activity, "north": north, "south": south, "ann": ann, "bob": bob}


def draw(world, seed="s1", dry_run=True, **criteria):
    return draw_sample(
        activity=world["activity"],
        seed=seed,
        criteria=Criteria(**criteria),
        dry_run=dry_run,
        today=TODAY,
    )


def test_the_same_seed_gives_the_same_cases_and_another_seed_usually_not(world):
    first = draw(world, size=5).case_references
    assert draw(world, size=5).case_references == first
    others = {tuple(draw(world, seed=f"other-{n}", size=5).case_references) for n in range(5)}
    assert others - {tuple(first)}


def test_the_order_of_rows_in_the_database_does_not_matter(world):
    before = draw(world, size=7).case_references
    # Rewrite the case list in the reverse order: new primary keys, new row order.
    from audits.models import Case

    rows = list(Case.objects.order_by("-case_reference").values())
    Case.objects.all().delete()
    for values in rows:
        values.pop("id")
        Case.objects.create(**values)
    assert draw(world, size=7).case_references == before


def test_a_recorded_draw_keeps_seed_criteria_who_when_and_each_case_with_its_auditor(world):
    lead = factories.qa_lead()
    result = draw_sample(
        activity=world["activity"],
        seed="fair",
        criteria=Criteria(size=4, teams=[world["north"], world["south"]]),
        by=lead,
        today=TODAY,
    )
    record = SampleDraw.objects.get()
    assert result.record == record and record.seed == "fair" and record.drawn_by == lead
    assert record.criteria["size"] == 4 and record.criteria["team"] == ["north", "south"]
    assert record.criteria["today"] == "2026-11-25"
    rows = list(record.cases.order_by("position"))
    assert [r.case.case_reference for r in rows] == result.case_references
    assert sorted(r.auditor.username for r in rows) == ["ann", "ann", "bob", "bob"]


def test_a_dry_run_records_nothing_and_gives_what_the_real_draw_gives(world):
    dry = draw(world, size=6).case_references
    assert not SampleDraw.objects.exists()
    assert draw(world, size=6, dry_run=False).case_references == dry


def test_a_case_drawn_for_the_activity_is_not_drawn_for_it_again(world):
    first = set(draw(world, size=8, dry_run=False).case_references)
    second = set(draw(world, seed="again", size=4, dry_run=False).case_references)
    assert not first & second
    with pytest.raises(DrawError, match="only 0 cases are eligible"):
        draw(world, seed="third", size=1)


def test_filters_narrow_the_list(world):
    from audits.models import Case

    Case.objects.filter(case_reference__in=["CR-00", "CR-07"]).update(
        case_type=factories.case_type("looked_after")
    )
    result = draw(world, size=2, case_types=[factories.case_type("looked_after")])
    assert sorted(result.case_references) == ["CR-00", "CR-07"]
    result = draw(world, size=6, teams=[world["south"]])
    assert {c.team for c in result.cases} == {world["south"]}


def test_cases_audited_in_the_last_months_are_left_out(world):
    audit_of("cr-00", audit_date=datetime.date(2026, 2, 1))  # within 12 months, any letter case
    audit_of("CR-01", audit_date=datetime.date(2025, 11, 24))  # a day too early
    audit_of("CR-02", audit_date=datetime.date(2026, 10, 1), status=Status.DRAFT)  # not audited
    audit_of("CR-03", audit_date=datetime.date(2025, 11, 25), status=Status.RETURNED)

    result = draw(world, size=10, exclude_audited_months=12)

    assert set(result.case_references) == {f"CR-{n:02}" for n in range(12)} - {"CR-00", "CR-03"}
    with pytest.raises(DrawError, match="only 10 cases are eligible"):
        draw(world, size=11, exclude_audited_months=12)


def test_peer_audit_gives_nobody_a_case_of_their_own_team(world):
    result = draw(world, size=6, exclude_own_team=True)
    teams = {"ann": world["north"], "bob": world["south"]}
    from django.contrib.auth.models import User

    names = dict(User.objects.values_list("pk", "username"))
    for drawn, auditor in zip(result.cases, result.auditors):
        assert drawn.team != teams[names[auditor]]
    assert sorted(names[a] for a in result.auditors) == ["ann"] * 3 + ["bob"] * 3


def test_peer_audit_with_one_auditor_leaves_their_team_out(world):
    world["activity"].auditors.remove(world["bob"])
    result = draw(world, size=6, exclude_own_team=True)
    assert {c.team for c in result.cases} == {world["south"]}
    with pytest.raises(DrawError, match="only 6 cases are eligible"):
        draw(world, size=7, exclude_own_team=True)


def test_peer_audit_refuses_when_the_cases_cannot_be_shared_evenly(world):
    with pytest.raises(DrawError, match="cannot be drawn and shared evenly"):
        # Only north's cases: all must go to bob, none to ann.
        draw(world, size=2, teams=[world["north"]], exclude_own_team=True)


def test_per_team_draws_n_from_each_team_and_all_where_fewer(world):
    extra = team("east")
    case("CR-99", holder=person("Holder E", extra))

    result = draw(world, per_team=4)

    counts = {}
    for drawn in result.cases:
        counts[drawn.team.slug] = counts.get(drawn.team.slug, 0) + 1
    assert counts == {"north": 4, "south": 4, "east": 1}


def test_at_least_one_per_case_holder(world):
    for seed in ("a", "b", "c", "d"):
        result = draw(world, seed=seed, size=4, at_least_one_per_holder=True)
        assert len({c.case_holder_id for c in result.cases}) == 4
    with pytest.raises(DrawError, match="each of the 4 case holders"):
        draw(world, size=3, at_least_one_per_holder=True)


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ({}, "Say how many cases"),
        ({"size": 2, "per_team": 2}, "Say how many cases"),
        ({"size": 0}, "1 or more"),
        ({"size": 2, "exclude_audited_months": 0}, "from 1 to"),
        ({"per_team": 1, "at_least_one_per_holder": True}, "goes with a size"),
    ],
)
def test_criteria_that_make_no_sense_are_refused(world, criteria, message):
    with pytest.raises(DrawError, match=message):
        draw(world, **criteria)


def test_an_activity_without_auditors_draws_unallocated_but_cannot_exclude_own_team(world):
    world["activity"].auditors.clear()
    assert draw(world, size=3).auditors == [None, None, None]
    with pytest.raises(DrawError, match="has no auditors"):
        draw(world, size=3, exclude_own_team=True)


# --- Withdrawing and replacing ------------------------------------------------------------------


def test_a_withdrawn_case_is_recorded_with_its_reason_and_replaced_for_the_same_auditor(world):
    draw(world, size=4, dry_run=False, exclude_own_team=True)
    withdrawn = DrawnCase.objects.order_by("position").first()
    lead = factories.qa_lead()

    replacement = drawn_case_replace(
        drawn_case=withdrawn, reason="Case closed", by=lead, seed="r1", today=TODAY
    )

    withdrawn.refresh_from_db()
    assert withdrawn.withdrawn_reason == "Case closed" and withdrawn.withdrawn_by == lead
    assert replacement.replaces == withdrawn and replacement.seed == "r1"
    assert replacement.auditor == withdrawn.auditor and replacement.position == 5
    assert replacement.team != world["north" if withdrawn.auditor.username == "ann" else "south"]
    drawn_before = set(DrawnCase.objects.exclude(pk=replacement.pk).values_list("case", flat=True))
    assert replacement.case_id not in drawn_before
    with pytest.raises(DrawError, match="withdrawn from the draw already"):
        drawn_case_replace(drawn_case=withdrawn, reason="again", seed="r2", today=TODAY)


def test_a_replacement_is_repeatable_from_its_seed(world):
    draw(world, size=2, dry_run=False)
    first = DrawnCase.objects.order_by("position").first()

    def pick(seed):
        with transaction.atomic():
            replacement = drawn_case_replace(
                drawn_case=first, reason="Transferred", seed=seed, today=TODAY
            )
            transaction.set_rollback(True)
        return replacement.case_id

    assert pick("same") == pick("same")
    assert len({pick(f"seed-{n}") for n in range(6)}) > 1


def test_a_replacement_needs_a_reason_and_may_find_none(world):
    draw(world, size=12, dry_run=False)
    drawn = DrawnCase.objects.first()
    with pytest.raises(DrawError, match="Say why"):
        drawn_case_replace(drawn_case=drawn, reason="  ", today=TODAY)
    assert drawn_case_replace(drawn_case=drawn, reason="Closed", today=TODAY) is None
    drawn.refresh_from_db()
    assert drawn.withdrawn_at is not None


def test_a_replacement_keeps_to_the_draws_filters_even_after_a_slug_is_renamed(world):
    draw(world, size=2, dry_run=False, teams=[world["south"]])
    world["south"].slug = "south-locality"
    world["south"].save()
    for withdrawn in list(DrawnCase.objects.all()):
        replacement = drawn_case_replace(
            drawn_case=withdrawn, reason="Closed", seed=f"r{withdrawn.pk}", today=TODAY
        )
        assert replacement.team == world["south"]


def test_a_per_team_replacement_comes_from_the_same_team(world):
    draw(world, per_team=2, dry_run=False)
    for withdrawn in list(DrawnCase.objects.all()):
        replacement = drawn_case_replace(
            drawn_case=withdrawn, reason="Closed", seed=f"r{withdrawn.pk}", today=TODAY
        )
        assert replacement.team == withdrawn.team


# --- An auditor's allocated cases ---------------------------------------------------------------


def test_allocated_cases_are_those_not_yet_audited_in_the_activity(world):
    draw(world, size=4, dry_run=False)
    ann = world["ann"]
    mine = list(allocated_cases_for(ann))
    assert len(mine) == 2 and {d.auditor for d in mine} == {ann}
    done, started = mine
    audit = audit_of(done.case.case_reference.lower(), audit_date=TODAY, auditor=ann)
    audit.activity = world["activity"]
    audit.save()
    draft = audit_of(started.case.case_reference, audit_date=TODAY, status=Status.DRAFT)
    draft.activity = world["activity"]
    draft.save()
    # An audit of the case in another activity does not count for this one.
    audit_of(started.case.case_reference, audit_date=TODAY)

    assert list(allocated_cases_for(ann)) == [started]
    drawn_case_replace(drawn_case=started, reason="Closed", today=TODAY, seed="x")
    assert [d.replaces for d in allocated_cases_for(ann)] == [started]
    assert list(allocated_cases_for(factories.auditor())) == []


# --- The command --------------------------------------------------------------------------------


def run(*arguments):
    out, err = io.StringIO(), io.StringIO()
    call_command("draw_sample", *arguments, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_prints_one_json_list_and_records_the_draw(world):
    out, err = run("--activity", "Peer audit", "--seed", "42", "--size", "4", "--by", "ann")
    drawn = json.loads(out)
    assert len(drawn) == 4 and out.count("\n") == 1
    record = SampleDraw.objects.get()
    assert record.drawn_by == world["ann"] and record.seed == "42"
    assert [d.case.case_reference for d in record.cases.order_by("position")] == drawn
    assert "recorded as draw" in err and "ann: 2 case(s)" in err and "bob: 2 case(s)" in err


def test_the_command_reads_filters_as_codes_or_names_in_any_case(world):
    out, _ = run(
        "--activity",
        "Peer audit",
        "--seed",
        "1",
        "--per-team",
        "2",
        "--team",
        "NORTH",
        "--team",
        "South",
        "--strand",
        "Social care",
        "--case-type",
        "child_in_need",
        "--exclude-audited-months",
        "12",
        "--exclude-own-team",
        "--dry-run",
    )
    assert len(json.loads(out)) == 4
    assert not SampleDraw.objects.exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--activity", "Nothing", "--seed", "1", "--size", "1"], "no audit activity “Nothing”"),
        (["--activity", "Peer audit", "--seed", "1", "--size", "13"], "only 12 cases"),
        (["--activity", "Peer audit", "--seed", "1", "--size", "1", "--team", "x"], "not a known"),
        (["--activity", "Peer audit", "--seed", "1", "--size", "1", "--by", "zz"], "no user"),
        (["--activity", "Peer audit", "--seed", "\x00", "--size", "1"], "control characters"),
    ],
)
def test_the_command_fails_with_a_message(world, arguments, message):
    with pytest.raises(CommandError, match=message):
        run(*arguments)
    assert not SampleDraw.objects.exists()


def test_an_activity_name_of_several_months_needs_month(world):
    factories.AuditActivityFactory(name="Peer audit", month=datetime.date(2026, 12, 1))
    with pytest.raises(CommandError, match="say which with --month"):
        run("--activity", "Peer audit", "--seed", "1", "--size", "1")
    out, _ = run("--activity", "Peer audit", "--month", "2026-11", "--seed", "1", "--size", "1")
    assert len(json.loads(out)) == 1


def test_a_draw_repeats_on_another_day_and_another_python():
    # The shuffle uses rng.random() alone, whose sequence for a text seed Python promises to
    # keep: a draw recorded today is repeated from its seed years later. Pinned here.
    assert sampling.shuffled(range(10), sampling.rng_for("fixed")) == [3, 1, 2, 6, 0, 8, 5, 7, 4, 9]


PINNED = ["CR-03", "CR-10", "CR-07", "CR-08", "CR-02"]


def test_a_recorded_draw_repeats_exactly(world):
    # Pinned: a change to how draws are made would make recorded draws unrepeatable.
    result = draw(world, seed="pinned", size=5, exclude_own_team=True)
    assert result.case_references == PINNED
