"""Which submitted audits are moderated: the rule, the rate with a seeded draw, and a decision
that is made once and never rewritten.
"""

import datetime
import math
import random

import pytest

from audits import services as audit_services
from audits.grades import Grade
from audits.models import AuditTransition, Status
from moderation import selectors, services
from moderation.models import ModerationCase, SampleReason
from moderation.services import decide_selection
from tests import factories
from tests.helpers import complete_content, submitted_audit

TODAY = datetime.date(2026, 11, 25)
SEED = 20261125
# A share more than 3.5 standard errors from the rate would happen by chance about once in
# 2,000 runs for a fair draw; with a fixed seed the test is deterministic anyway.
Z = 3.5


def _decide(*, rate=30, grade=Grade.MEETS, always=True, practice=False, draw=0.5):
    return decide_selection(
        rate=rate, grade=grade, always_moderate_not_met=always, is_practice=practice, draw=draw
    )


# --- The rule --------------------------------------------------------------------------------


@pytest.mark.parametrize("rate", [0, 30, 100])
@pytest.mark.parametrize("grade", [Grade.EXCEEDS, Grade.MEETS, Grade.DOES_NOT_MEET])
def test_a_practice_audit_is_always_moderated(rate, grade):
    # Even with the highest draw and the rule off.
    assert _decide(rate=rate, grade=grade, always=False, practice=True, draw=0.999999) == (
        True,
        SampleReason.PRACTICE,
    )


def test_does_not_meet_good_is_always_moderated_when_the_activity_says_so():
    assert _decide(rate=0, grade=Grade.DOES_NOT_MEET, always=True, draw=0.99) == (
        True,
        SampleReason.RULE,
    )
    # Without the rule it takes its chance like any other grade.
    assert _decide(rate=0, grade=Grade.DOES_NOT_MEET, always=False, draw=0.99) == (
        False,
        SampleReason.NOT_SELECTED,
    )
    assert _decide(rate=50, grade=Grade.DOES_NOT_MEET, always=False, draw=0.2) == (
        True,
        SampleReason.RATE,
    )
    # The rule is about Does not meet good only.
    for grade in (Grade.MEETS, Grade.EXCEEDS):
        assert _decide(rate=0, grade=grade, always=True, draw=0.0) == (
            False,
            SampleReason.NOT_SELECTED,
        )


@pytest.mark.parametrize("draw", [0.0, 1e-9, 0.5, 0.999999999])
def test_rate_zero_selects_nothing_and_rate_100_everything(draw):
    assert _decide(rate=0, draw=draw) == (False, SampleReason.NOT_SELECTED)
    assert _decide(rate=100, draw=draw) == (True, SampleReason.RATE)


@pytest.mark.parametrize("rate", [1, 10, 25, 30, 40, 50, 99])
def test_a_draw_exactly_at_the_rate_is_not_selected(rate):
    # The rule is draw < rate/100 with draw uniform in [0, 1): exactly rate% of [0, 1).
    boundary = rate / 100
    assert _decide(rate=rate, draw=boundary) == (False, SampleReason.NOT_SELECTED)
    assert _decide(rate=rate, draw=math.nextafter(boundary, 0)) == (True, SampleReason.RATE)
    assert _decide(rate=rate, draw=math.nextafter(boundary, 1)) == (
        False,
        SampleReason.NOT_SELECTED,
    )


def _within(selected: int, n: int, rate: float) -> tuple[float, float, float]:
    share = selected / n
    se = math.sqrt(rate * (1 - rate) / n)
    return share, rate - Z * se, rate + Z * se


def test_the_share_selected_matches_the_rate_over_many_draws():
    rng = random.Random(SEED)
    n = 10_000

    selected = sum(_decide(rate=30, draw=rng.random())[0] for _ in range(n))

    share, low, high = _within(selected, n, 0.30)
    assert low <= share <= high, (share, low, high)


# --- Through audit_submit ------------------------------------------------------------------


def _submit(*, auditor, activity, rng, case_reference, overall=Grade.MEETS):
    content = complete_content(overall=overall, activity=activity, case_reference=case_reference)
    audit = audit_services.audit_save_draft(audit=None, by=auditor, content=content)
    return audit_services.audit_submit(audit=audit, by=auditor, today=TODAY, rng=rng)


def _decision(audit):
    return (
        ModerationCase.objects.filter(audit=audit)
        .values("sampled", "reason", "rate", "draw", "decided_at", "added_by", "added_at")
        .get()
    )


@pytest.mark.django_db
def test_submissions_are_sampled_at_the_activitys_rate_and_the_decision_never_changes():
    activity = factories.AuditActivityFactory(moderation_rate=40, always_moderate_not_met=False)
    auditors = [factories.auditor() for _ in range(5)]
    rng = random.Random(SEED)
    n = 150

    audits = [
        _submit(auditor=auditors[i % 5], activity=activity, rng=rng, case_reference=f"CR-{i:04d}")
        for i in range(n)
    ]

    cases = {c.audit_id: c for c in ModerationCase.objects.filter(audit__in=audits)}
    assert len(cases) == n
    # The same seed gives the same draws, in submission order, as the cases record.
    replay = random.Random(SEED)
    assert [cases[a.pk].draw for a in audits] == [replay.random() for _ in range(n)]
    selected = [a for a in audits if cases[a.pk].sampled]
    share, low, high = _within(len(selected), n, 0.40)
    assert low <= share <= high, (share, low, high)
    assert all(cases[a.pk].rate == 40 for a in audits)
    assert all((cases[a.pk].draw < 0.4) == cases[a.pk].sampled for a in audits)

    for audit in audits:
        audit.refresh_from_db()
        case = cases[audit.pk]
        moves = list(
            AuditTransition.objects.filter(audit=audit).values_list(
                "from_status", "to_status", "by"
            )
        )
        if case.sampled:
            assert case.reason == SampleReason.RATE
            assert audit.status == Status.SUBMITTED
            assert moves == [(Status.DRAFT, Status.SUBMITTED, audit.auditor_id)]
        else:
            assert case.reason == SampleReason.NOT_SELECTED
            assert audit.status == Status.COMPLETED
            assert audit.moderated_grade == ""
            assert moves == [
                (Status.DRAFT, Status.SUBMITTED, audit.auditor_id),
                (Status.SUBMITTED, Status.COMPLETED, audit.auditor_id),
            ]
    moderator = factories.moderator()
    assert set(selectors.moderation_queue(moderator)) == set(selected)

    # Every later step leaves the decision as it was made.
    decisions = {a.pk: _decision(a) for a in audits}
    for audit in selected[:5]:
        services.moderation_take(audit=audit, moderator=moderator)
        services.moderation_release(audit=audit, moderator=moderator)
        services.moderation_take(audit=audit, moderator=moderator)
        services.moderation_send_back(audit=audit, moderator=moderator, comments="More detail.")
        # A resubmission draws nothing.
        audit_services.audit_submit(audit=audit, by=audit.auditor, today=TODAY, rng=_NoDraws())
        audit.refresh_from_db()
        assert audit.status == Status.SUBMITTED
        services.moderation_take(audit=audit, moderator=moderator)
        services.moderation_record(audit=audit, moderator=moderator, grade=Grade.MEETS)
    assert {a.pk: _decision(a) for a in audits} == decisions
    assert ModerationCase.objects.filter(audit__in=audits).count() == n


@pytest.mark.django_db
def test_a_resubmitted_unsampled_decision_is_not_redrawn():
    # An audit never chosen, sent back after a QA lead added it, keeps "not selected".
    activity = factories.AuditActivityFactory(moderation_rate=0, always_moderate_not_met=False)
    audit = submitted_audit(activity=activity)
    before = _decision(audit)
    qa_lead, moderator = factories.qa_lead(), factories.moderator()

    services.moderation_add_to_queue(audit=audit, by=qa_lead)
    services.moderation_take(audit=audit, moderator=moderator)
    services.moderation_send_back(audit=audit, moderator=moderator, comments="More detail.")
    audit_services.audit_submit(audit=audit, by=audit.auditor, today=TODAY, rng=_NoDraws())

    audit.refresh_from_db()
    assert audit.status == Status.SUBMITTED
    after = _decision(audit)
    assert {k: after[k] for k in ("sampled", "reason", "rate", "draw", "decided_at")} == {
        k: before[k] for k in ("sampled", "reason", "rate", "draw", "decided_at")
    }
    assert after["added_by"] == qa_lead.pk


@pytest.mark.django_db
def test_the_rule_and_practice_apply_through_audit_submit():
    activity = factories.AuditActivityFactory(moderation_rate=0, always_moderate_not_met=True)
    auditor = factories.auditor()
    never = _FixedDraw(0.99)

    not_met = _submit(
        auditor=auditor,
        activity=activity,
        rng=never,
        case_reference="CR-DNM",
        overall=Grade.DOES_NOT_MEET,
    )
    meets = _submit(auditor=auditor, activity=activity, rng=never, case_reference="CR-MEETS")
    content = complete_content(activity=activity, case_reference="CR-PRACTICE")
    content.header["is_practice"] = True
    practice = audit_services.audit_save_draft(audit=None, by=auditor, content=content)
    audit_services.audit_submit(audit=practice, by=auditor, today=TODAY, rng=never)

    assert ModerationCase.objects.get(audit=not_met).reason == SampleReason.RULE
    assert ModerationCase.objects.get(audit=meets).reason == SampleReason.NOT_SELECTED
    assert ModerationCase.objects.get(audit=practice).reason == SampleReason.PRACTICE
    statuses = {a.case_reference: a.status for a in (not_met, meets, practice)}
    for audit in (not_met, meets, practice):
        audit.refresh_from_db()
        statuses[audit.case_reference] = audit.status
    assert statuses == {
        "CR-DNM": Status.SUBMITTED,
        "CR-MEETS": Status.COMPLETED,
        "CR-PRACTICE": Status.SUBMITTED,
    }


class _FixedDraw:
    """Always draws ``value``."""

    def __init__(self, value):
        self.value = value

    def random(self):
        return self.value


class _NoDraws:
    """Fails the test if anything draws from it."""

    def random(self):
        raise AssertionError("a resubmission drew again")
