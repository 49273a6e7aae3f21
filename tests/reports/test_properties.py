"""Property-based: for random cohorts, periods and filters, every figure of the report equals a
count made in plain Python from the cohort.

Cohorts go in through the CSV import (the service-built cohorts are in test_selectors); the
statuses and actions a CSV cannot carry are set on the rows afterwards. Each example runs in a
transaction that is rolled back, so examples never see each other's audits.
"""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits.models import AgreedAction, Domain, Status
from reports.contract import ScopeError, scope_from_arguments, summary
from reports.figures import report_figures
from tests.reports import (
    DOMAIN_GRADES,
    GRADES,
    TODAY,
    ActionSpec,
    AuditSpec,
    build_through_import,
    comparable,
    expected_figures,
)

pytestmark = pytest.mark.django_db

WINDOW_START = datetime.date(2026, 3, 1)
WINDOW_END = datetime.date(2026, 9, 30)
STRANDS = ("social_care", "early_help")
CASE_TYPES = ("child_in_need", "looked_after", "early_help")
ACTIVITIES = ("Activity A", "Activity B")

window_dates = st.dates(min_value=WINDOW_START, max_value=WINDOW_END)


@st.composite
def actions(draw, audit_date):
    due = draw(st.none() | st.integers(0, 60).map(lambda d: audit_date + datetime.timedelta(d)))
    state = draw(st.sampled_from(AgreedAction.State.values))
    completed = None
    if state == AgreedAction.State.DONE:
        # Done early, on the day or late; never before the audit (the action services refuse).
        base = due or audit_date
        completed = max(audit_date, base + datetime.timedelta(draw(st.integers(-10, 10))))
    return ActionSpec(due, state, completed)


@st.composite
def audits(draw):
    audit_date = draw(window_dates)
    moderated = draw(st.sampled_from(("", *GRADES)))
    # A moderated audit is completed; any other may be at any status, drafts included.
    status = Status.COMPLETED if moderated else draw(st.sampled_from(Status.values))
    return AuditSpec(
        audit_date=audit_date,
        overall=draw(st.sampled_from(GRADES)),
        moderated=moderated,
        strand=draw(st.sampled_from(STRANDS)),
        case_type=draw(st.sampled_from(CASE_TYPES)),
        # Weighted towards few grades, so "not met in every applicable domain" happens often.
        domains=tuple(
            draw(
                st.lists(
                    st.sampled_from(DOMAIN_GRADES)
                    | st.sampled_from(("does_not_meet", "not_applicable")),
                    min_size=12,
                    max_size=12,
                )
            )
        ),
        status=status,
        practice=draw(st.booleans()),
        activity=draw(st.sampled_from(ACTIVITIES)),
        actions=tuple(draw(st.lists(actions(audit_date), max_size=2))),
    )


@st.composite
def periods(draw):
    """Whole months (so the comparison is the months before) or any run of days."""
    if draw(st.booleans()):
        first = draw(st.integers(4, 9))
        last = draw(st.integers(first, 9))
        return (
            datetime.date(2026, first, 1),
            datetime.date(2026, last + 1, 1) - datetime.timedelta(days=1),
        )
    start = draw(window_dates)
    end = draw(st.dates(min_value=start, max_value=WINDOW_END))
    return start, end


filters = st.fixed_dictionaries(
    {},
    optional={
        "activity": st.sampled_from(ACTIVITIES),
        "strand": st.sampled_from(STRANDS),
        "case_type": st.sampled_from(CASE_TYPES),
    },
)

PROPERTY_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def titles():
    return dict(Domain.objects.filter(tool__is_current=True).values_list("number", "title"))


@PROPERTY_SETTINGS
@given(cohort=st.lists(audits(), max_size=30), period=periods(), chosen=filters)
def test_every_figure_equals_an_independent_count(titles, cohort, period, chosen):
    start, end = period
    arguments = {"start": start.isoformat(), "end": end.isoformat(), **chosen}
    with transaction.atomic():
        try:
            build_through_import(cohort)
            if chosen.get("activity") not in (None, *(s.activity for s in cohort)):
                # The import creates only the activities its rows name.
                with pytest.raises(ScopeError, match="does not exist"):
                    scope_from_arguments(**arguments)
                return
            # Through the contract's parser, as the command and the endpoint read arguments.
            scope = scope_from_arguments(**arguments)

            figures = report_figures(scope, today=TODAY)

            expected = expected_figures(
                cohort,
                start=start,
                end=end,
                titles=titles,
                period_label=scope.period.label,
                **chosen,
            )
            assert comparable(figures, expected) == expected
        finally:
            transaction.set_rollback(True)


@PROPERTY_SETTINGS
@given(cohort=st.lists(audits(), max_size=20))
def test_the_figures_add_up(cohort):
    """Whatever the cohort: the grade splits, strands, case types and domains each sum to the
    audits counted, and the moderation outcomes to the audits moderated."""
    with transaction.atomic():
        try:
            build_through_import(cohort)
            scope = scope_from_arguments(start=WINDOW_START.isoformat(), end=WINDOW_END.isoformat())

            figures = summary(scope, today=TODAY)

            total = figures["audits"]
            assert sum(figures["auditor_grades"].values()) == total
            assert sum(figures["final_grades"].values()) == total
            assert sum(s["audits"] for s in figures["by_strand"].values()) == total
            assert sum(c["audits"] for c in figures["by_case_type"].values()) == total
            moderation = figures["moderation"]
            assert (
                moderation["agreed"] + moderation["raised"] + moderation["lowered"]
                == moderation["moderated"]
            )
            for domain in figures["domains"]:
                assert sum(domain[g] for g in DOMAIN_GRADES) == total
                # An audit not met in every applicable domain is DNM or N/A in each domain.
                assert figures["not_met_in_all_applicable_domains"] <= (
                    domain["does_not_meet"] + domain["not_applicable"]
                )
        finally:
            transaction.set_rollback(True)
