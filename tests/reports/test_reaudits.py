"""Re-audit impact (reports.reaudits): cases audited again in the period against their audit
before, counted independently by the oracle (tests/reports/__init__.py ``_reaudits``).

Cohorts of cases audited one to three times go in through the CSV import, with references
typed in either case; each example runs in a transaction that is rolled back.
"""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits import periods
from audits.models import AgreedAction, AuditActivity, Domain, Status, Strand
from audits.uncertainty import format_share
from reports.figures import report_figures
from reports.reaudits import reaudit_figures
from reports.rendering.html import report_html
from reports.rendering.pdf import html_to_pdf
from reports.selectors import ReportScope
from tests.reports import (
    GRADES,
    NA,
    TODAY,
    ActionSpec,
    AuditSpec,
    D,
    E,
    M,
    build_through_import,
    build_through_services,
    comparable,
    expected_figures,
    spec,
)
from tests.reports.rendering.test_pdf import pdf_text

pytestmark = pytest.mark.django_db

WINDOW_START = datetime.date(2026, 1, 1)
WINDOW_END = datetime.date(2026, 9, 30)
Q2 = periods.quarter(2026, 2)  # July to September 2026


@st.composite
def case_audits(draw, number: int):
    """One case audited one to three times on different days (the import refuses a case twice
    on one day by one auditor), its reference typed in upper or lower case each time."""
    reference = f"CR-R{number:03}"
    days = draw(
        st.lists(
            st.dates(min_value=WINDOW_START, max_value=WINDOW_END),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    audits = []
    for day in days:
        moderated = draw(st.sampled_from(("", *GRADES)))
        status = Status.COMPLETED if moderated else draw(st.sampled_from(Status.values))
        due = day + datetime.timedelta(draw(st.integers(0, 40)))
        state = draw(st.sampled_from(AgreedAction.State.values))
        completed = None
        if state == AgreedAction.State.DONE:
            completed = max(day, due + datetime.timedelta(draw(st.integers(-10, 10))))
        audits.append(
            AuditSpec(
                audit_date=day,
                case=draw(st.sampled_from((reference, reference.lower()))),
                overall=draw(st.sampled_from(GRADES)),
                moderated=moderated,
                status=status,
                practice=draw(st.booleans()) and draw(st.booleans()),
                strand=draw(st.sampled_from(("social_care", "early_help"))),
                activity=draw(st.sampled_from(("Activity A", "Activity B"))),
                domains=tuple(
                    draw(st.lists(st.sampled_from((E, M, D, NA)), min_size=12, max_size=12))
                ),
                actions=tuple(
                    ActionSpec(due, state, completed) for _ in range(draw(st.integers(0, 2)))
                ),
            )
        )
    return audits


@st.composite
def cohorts(draw):
    cases = draw(st.integers(1, 8))
    audits = [a for n in range(cases) for a in draw(case_audits(n))]
    return draw(st.permutations(audits))


@pytest.fixture
def titles():
    return dict(Domain.objects.filter(tool__is_current=True).values_list("number", "title"))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cohort=cohorts(),
    period=st.sampled_from([Q2, periods.quarter(2026, 1), periods.month(2026, 8)]),
    strand=st.sampled_from([None, "social_care"]),
    activity=st.sampled_from([None, "Activity A"]),
    # A report's day among the earlier audits' due dates as well as after all of them: what
    # is overdue is then counted partly from the kept links and partly from the actions.
    today=st.sampled_from([TODAY, datetime.date(2026, 8, 20), datetime.date(2026, 10, 1)]),
)
def test_reaudits_equal_an_independent_count(titles, cohort, period, strand, activity, today):
    with transaction.atomic():
        try:
            build_through_import(cohort)
            # The import makes only the activities its rows name.
            chosen = AuditActivity.objects.filter(name=activity).first() if activity else None
            activity = chosen and activity
            scope = ReportScope(period, activity=chosen, strand=strand and _strand(strand))

            figures = report_figures(scope, today=today)

            expected = expected_figures(
                cohort,
                today=today,
                start=period.start,
                end=period.end,
                titles=titles,
                strand=strand,
                activity=activity,
                period_label=period.label,
            )
            assert figures["reaudits"] == expected["reaudits"]
            assert comparable(figures, expected) == expected
        finally:
            transaction.set_rollback(True)


def _strand(slug):
    return Strand.objects.get(slug=slug)


def day(month, number):
    return datetime.date(2026, month, number)


def test_a_worked_example_through_the_services():
    """Three cases: one improved with its earlier action done on time, one declined (its
    earlier action still open and overdue), one audited for the first time."""
    build_through_services(
        [
            spec(
                day(5, 4),
                case="CR-W1",
                overall=D,
                domains=(D,) * 6 + (NA,) * 6,
                actions=(ActionSpec(day(6, 1), AgreedAction.State.DONE, day(5, 20)),),
            ),
            spec(
                day(5, 5),
                case="CR-W2",
                overall=M,
                domains=(M,) * 12,
                actions=(ActionSpec(day(6, 1)),),
            ),
            spec(
                day(8, 4),
                case="cr-w1",
                overall=M,
                moderated=E,
                status=Status.COMPLETED,
                domains=(M,) * 12,
            ),
            spec(day(8, 5), case="CR-W2", overall=D, domains=(D,) + (M,) * 11),
            spec(day(8, 6), case="CR-W3", overall=M),
        ]
    )

    figures = report_figures(ReportScope(Q2), today=TODAY)["reaudits"]

    assert figures["cases"] == 2
    assert figures["overall"] == {"improved": 1, "same": 0, "declined": 1}
    # Domains 1-6: CR-W1 improved in each, CR-W2 declined in domain 1 and stayed in 2-6;
    # domains 7-12 were not applicable in CR-W1's first audit, so CR-W2 alone counts.
    assert figures["domains"][0] == {"number": 1, "improved": 1, "same": 0, "declined": 1}
    assert figures["domains"][1] == {"number": 2, "improved": 1, "same": 1, "declined": 0}
    assert figures["domains"][6] == {"number": 7, "improved": 0, "same": 1, "declined": 0}
    assert figures["earlier_actions"]["raised"] == 2
    assert figures["earlier_actions"]["done_on_time"] == 1
    assert figures["earlier_actions"]["open"] == 1
    assert figures["earlier_actions"]["overdue"] == 1
    assert figures["cases_with_actions"] == 2
    assert figures["small_sample"] is True


def test_the_queries_do_not_grow_with_the_cases(django_assert_num_queries):
    build_through_import(
        [
            spec(day(5, 1) + datetime.timedelta(days=n % 20), case=f"CR-Q{n % 30}", overall=M)
            for n in range(60)
        ]
        + [spec(day(8, 1), case=f"CR-Q{n}", overall=D) for n in range(30)]
    )
    with django_assert_num_queries(3):
        figures = reaudit_figures(ReportScope(Q2), today=TODAY)
    assert figures["cases"] == 30
    assert figures["overall"]["declined"] == 30
    assert figures["small_sample"] is False


def test_the_pdf_and_the_page_show_the_section():

    build_through_services(
        [
            spec(day(5, 4), case="CR-P1", overall=D),
            spec(day(5, 5), case="CR-P2", overall=M),
            spec(day(8, 4), case="CR-P1", overall=M),
            spec(day(8, 5), case="CR-P2", overall=M),
        ]
    )
    figures = report_figures(ReportScope(Q2), today=TODAY)

    text = pdf_text(html_to_pdf(report_html(figures=figures, for_pdf=True)))
    page = report_html(figures=figures, for_pdf=False)

    assert "Re-audits: did learning have an impact?" in text
    assert "2 cases audited in the period had been audited before" in text
    assert "Small sample" in text
    # One of two improved and one stayed the same: 50% each, with the interval of 1 in 2.
    assert f"Improved 1 {format_share(1, 2)}" in text
    assert f"Stayed the same 1 {format_share(1, 2)}" in text
    assert f"Declined 0 {format_share(0, 2)}" in text
    assert "Were the earlier audits' actions done by their dates?" in text
    assert 'id="r-reaudits"' in page
    # Right after the agreed actions.
    assert (
        page.index('id="r-actions"') < page.index('id="r-reaudits"') < page.index('id="r-compare"')
    )


def test_a_report_published_before_reaudits_has_no_section():

    figures = report_figures(ReportScope(Q2), today=TODAY)
    del figures["reaudits"]
    assert "r-reaudits" not in report_html(figures=figures, for_pdf=False)
    figures = report_figures(ReportScope(Q2), today=TODAY)
    assert "No case audited in the period had been audited before." in report_html(
        figures=figures, for_pdf=False
    )


def test_the_earlier_audits_open_actions_are_overdue_as_the_reports_day_passes_each_date():
    """Two open actions of one earlier audit, due on different days: on a day between them one
    is overdue (counted from the actions), after both all are (from the kept link)."""
    from moderation import services as moderation_services
    from tests import factories
    from tests.helpers import submitted_audit, taken_audit

    moderator = factories.moderator()
    first = taken_audit(moderator=moderator, case_reference="CR-O1", audit_date=day(9, 1))
    moderation_services.moderation_record(
        audit=first,
        moderator=moderator,
        grade=first.overall_grade,
        actions=[{"description": "Visit again", "owner": "Team manager", "due_date": day(9, 10)}],
    )
    submitted_audit(case_reference="CR-O1", audit_date=day(9, 12))
    due = sorted(first.actions.values_list("due_date", flat=True))
    assert due == [day(9, 10), day(9, 29)]
    scope = ReportScope(Q2)

    overdue = {
        today: reaudit_figures(scope, today=today)["earlier_actions"]["overdue"]
        for today in (day(9, 10), day(9, 20), day(9, 30))
    }

    assert overdue == {day(9, 10): 0, day(9, 20): 1, day(9, 30): 2}
