"""The report's figures against counts made in the test from the audits it built.

Cohorts are built through the services (draft, submit, moderate, send back) and through the CSV
import; ``expected_figures`` counts the same cohort in plain Python, never through a query.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits import periods, services
from audits.models import AuditActivity, CaseType, Domain, Status, Strand
from reports.figures import report_figures
from reports.selectors import ReportScope
from tests import factories
from tests.reports import (
    NA,
    TODAY,
    ActionSpec,
    D,
    E,
    M,
    build_through_import,
    build_through_services,
    comparable,
    expected_figures,
    spec,
)

pytestmark = pytest.mark.django_db

Q2 = periods.quarter(2026, 2)  # 1 July to 30 September 2026
day = datetime.date


@pytest.fixture
def titles():
    return dict(Domain.objects.filter(tool__is_current=True).values_list("number", "title"))


def all_na_but(grade, *numbers):
    return tuple(grade if n in numbers else NA for n in range(1, 13))


def cohort():
    """Every kind of audit a report must count or leave out, around the second quarter."""
    done, open_, not_needed = "done", "open", "not_needed"
    return [
        # Counted: every status past draft, on the first and last days of the quarter.
        spec(day(2026, 7, 1), overall=M, activity="Child in need audit"),
        spec(day(2026, 9, 30), overall=E, moderated=E, status=Status.COMPLETED),  # agreed
        spec(
            day(2026, 7, 14),
            overall=M,
            moderated=D,
            status=Status.COMPLETED,  # lowered
            strand="early_help",
            case_type="early_help",
            actions=(
                ActionSpec(day(2026, 8, 1), done, day(2026, 7, 30)),  # on time
                ActionSpec(day(2026, 8, 1), done, day(2026, 8, 20)),  # late
                ActionSpec(None, done, day(2026, 9, 1)),
            ),
        ),  # no date: on time
        spec(
            day(2026, 8, 3),
            overall=D,
            moderated=M,
            status=Status.COMPLETED,  # raised
            case_type="child_protection",
            domains=all_na_but(D, 1, 2, 3, 4),
            actions=(
                ActionSpec(day(2026, 9, 1)),  # open, overdue
                ActionSpec(day(2026, 12, 1)),  # open, not yet due
                ActionSpec(day(2026, 9, 1), not_needed),
            ),
        ),
        spec(
            day(2026, 8, 20),
            overall=D,
            status=Status.IN_MODERATION,
            domains=(D,) * 11 + (M,),
            activity="Child in need audit",
        ),
        spec(
            day(2026, 9, 2),
            overall=M,
            status=Status.RETURNED,
            strand="early_help",
            case_type="early_help",
            domains=(NA,) * 12,
        ),
        spec(
            day(2026, 9, 10),
            overall=E,
            status=Status.COMPLETED,
            case_type="looked_after",
            domains=(E,) * 6 + (M,) * 4 + (NA,) * 2,
        ),
        spec(
            day(2026, 9, 29),
            overall=D,
            case_type="looked_after",
            domains=(D,) * 12,
            actions=(ActionSpec(day(2026, 10, 30), open_),),
        ),
        # Left out: drafts, practice audits, the day before and the day after the quarter.
        spec(day(2026, 8, 1), overall=E, status=Status.DRAFT),
        spec(
            day(2026, 8, 2),
            overall=D,
            moderated=D,
            status=Status.COMPLETED,
            practice=True,
            domains=(D,) * 12,
        ),
        spec(day(2026, 8, 5), overall=M, status=Status.SUBMITTED, practice=True),
        spec(day(2026, 6, 30), overall=M, moderated=D, status=Status.COMPLETED),
        spec(
            day(2026, 6, 2),
            overall=E,
            status=Status.SUBMITTED,
            strand="early_help",
            case_type="early_help",
            activity="Child in need audit",
        ),
        spec(day(2026, 10, 1), overall=D, moderated=D, status=Status.COMPLETED),
    ]


def test_every_figure_of_a_quarter_built_through_the_services(titles):
    specs = cohort()
    build_through_services(specs)

    figures = report_figures(ReportScope(Q2), today=TODAY)

    expected = expected_figures(
        specs, start=Q2.start, end=Q2.end, titles=titles, period_label=Q2.label
    )
    assert comparable(figures, expected) == expected
    # A few figures written out by hand, so the oracle itself is checked too.
    assert figures["audits"] == 8
    assert figures["auditor_grades"] == {"exceeds": 2, "meets": 3, "does_not_meet": 3}
    assert figures["final_grades"] == {"exceeds": 2, "meets": 3, "does_not_meet": 3}
    assert figures["moderation"] == {"moderated": 3, "agreed": 1, "raised": 1, "lowered": 1}
    assert figures["by_strand"]["early_help"]["audits"] == 2
    assert figures["by_strand"]["early_help"]["final_grades"] == {
        "exceeds": 0,
        "meets": 1,
        "does_not_meet": 1,
    }
    assert set(figures["by_case_type"]) == {
        "child_in_need",
        "child_protection",
        "early_help",
        "looked_after",
    }
    assert figures["domains"][0] == {
        "number": 1,
        "title": titles[1],
        "exceeds": 1,
        "meets": 3,
        "does_not_meet": 3,
        "not_applicable": 1,
    }
    assert figures["domains"][11] == {
        "number": 12,
        "title": titles[12],
        "exceeds": 0,
        "meets": 4,
        "does_not_meet": 1,
        "not_applicable": 3,
    }
    # The all-DNM audit and the DNM-where-applicable one; not the one with a Meets, nor the
    # one with every domain not applicable.
    assert figures["not_met_in_all_applicable_domains"] == 2
    assert figures["actions"] == {
        "raised": 8,
        "done": 3,
        "done_on_time": 2,
        "done_late": 1,
        "not_needed": 1,
        "open": 4,
        "overdue": 3,
    }
    assert figures["previous"] == {
        "start": "2026-04-01",
        "end": "2026-06-30",
        "audits": 2,
        "auditor_grades": {"exceeds": 1, "meets": 1, "does_not_meet": 0},
        "final_grades": {"exceeds": 1, "meets": 0, "does_not_meet": 1},
        "moderation": {"moderated": 1, "agreed": 0, "raised": 0, "lowered": 1},
    }


def test_the_final_grade_is_the_moderated_grade_where_there_is_one(titles):
    # The seeds' example: 9 cases, auditors 4 Meets and 5 Does not meet; after moderation
    # 1 Meets and 8 Does not meet, none Exceeds.
    specs = (
        [spec(day(2026, 8, 1), overall=M, moderated=D, status=Status.COMPLETED)] * 3
        + [spec(day(2026, 8, 1), overall=M, moderated=M, status=Status.COMPLETED)]
        + [spec(day(2026, 8, 1), overall=D, moderated=D, status=Status.COMPLETED)] * 2
        + [spec(day(2026, 8, 1), overall=D)] * 3
    )
    build_through_services(specs)

    figures = report_figures(ReportScope(Q2), today=TODAY)

    assert figures["audits"] == 9
    assert figures["auditor_grades"] == {"exceeds": 0, "meets": 4, "does_not_meet": 5}
    assert figures["final_grades"] == {"exceeds": 0, "meets": 1, "does_not_meet": 8}
    assert figures["moderation"] == {"moderated": 6, "agreed": 3, "raised": 0, "lowered": 3}
    expected = expected_figures(
        specs, start=Q2.start, end=Q2.end, titles=titles, period_label=Q2.label
    )
    assert comparable(figures, expected) == expected


@pytest.mark.parametrize(
    ("start", "end", "counted"),
    [
        (day(2026, 7, 1), day(2026, 7, 1), 1),  # one day: the start is inclusive
        (day(2026, 7, 2), day(2026, 9, 29), 1),  # both boundary audits left out
        (day(2026, 7, 2), day(2026, 9, 30), 2),  # the end is inclusive
        (day(2026, 6, 30), day(2026, 9, 30), 4),  # the day before the quarter counts now
        (day(2026, 7, 1), day(2026, 10, 1), 4),
    ],
)
def test_start_and_end_days_are_inclusive(titles, start, end, counted):
    specs = [
        spec(day(2026, 6, 30)),
        spec(day(2026, 7, 1)),
        spec(day(2026, 8, 15)),
        spec(day(2026, 9, 30)),
        spec(day(2026, 10, 1)),
    ]
    build_through_services(specs)
    period = periods.date_range(start, end)

    figures = report_figures(ReportScope(period), today=TODAY)

    assert figures["audits"] == counted
    expected = expected_figures(
        specs, start=start, end=end, titles=titles, period_label=period.label
    )
    assert comparable(figures, expected) == expected


@pytest.mark.parametrize(
    "filters",
    [
        {"activity": "Child in need audit"},
        {"strand": "early_help"},
        {"strand": "social_care"},
        {"case_type": "looked_after"},
        {"case_type": "adoption"},  # no audits at all: every figure is zero
        {"activity": "Quarterly audit", "strand": "social_care", "case_type": "child_in_need"},
    ],
)
def test_filters_by_activity_strand_and_case_type(titles, filters):
    specs = cohort()
    build_through_services(specs)
    scope = ReportScope(
        Q2,
        activity=AuditActivity.objects.get(name=filters["activity"])
        if "activity" in filters
        else None,
        strand=Strand.objects.get(slug=filters["strand"]) if "strand" in filters else None,
        case_type=CaseType.objects.get(slug=filters["case_type"])
        if "case_type" in filters
        else None,
    )

    figures = report_figures(scope, today=TODAY)

    expected = expected_figures(
        specs, start=Q2.start, end=Q2.end, titles=titles, period_label=Q2.label, **filters
    )
    assert comparable(figures, expected) == expected
    # Both strands are always listed, even the one a strand filter leaves empty.
    assert list(figures["by_strand"]) == ["social_care", "early_help"]


def test_imported_audits_count_as_audits_made_here(titles):
    """The same cohort through the import (statuses the CSV cannot carry set afterwards),
    together with audits made through the services."""
    specs = cohort()
    made_here = [
        spec(
            day(2026, 7, 20),
            overall=D,
            moderated=E,
            status=Status.COMPLETED,
            strand="early_help",
            case_type="early_help",
        ),
        spec(day(2026, 8, 21), overall=E, status=Status.RETURNED),
    ]
    build_through_import(specs)
    build_through_services(made_here)

    figures = report_figures(ReportScope(Q2), today=TODAY)

    expected = expected_figures(
        specs + made_here, start=Q2.start, end=Q2.end, titles=titles, period_label=Q2.label
    )
    assert comparable(figures, expected) == expected
    assert figures["audits"] == 10


def test_not_met_in_all_applicable_domains(titles):
    specs = [
        spec(day(2026, 8, 1), overall=D, domains=all_na_but(D, 1, 5, 12)),  # counts
        spec(day(2026, 8, 1), overall=D, domains=(D,) * 12),  # counts
        spec(day(2026, 8, 1), overall=D, domains=(D,) * 11 + (M,)),  # one Meets: no
        spec(day(2026, 8, 1), overall=D, domains=(D,) * 11 + (E,)),  # one Exceeds: no
        spec(day(2026, 8, 1), overall=M, domains=(NA,) * 12),  # nothing applicable: no
        spec(day(2026, 8, 1), overall=M, domains=all_na_but(M, 3)),  # no
    ]
    build_through_services(specs)

    figures = report_figures(ReportScope(Q2), today=TODAY)

    assert figures["not_met_in_all_applicable_domains"] == 2
    assert [d["not_applicable"] for d in figures["domains"]] == [2, 3, 2, 3, 2, 3, 3, 3, 3, 3, 3, 2]
    expected = expected_figures(
        specs, start=Q2.start, end=Q2.end, titles=titles, period_label=Q2.label
    )
    assert comparable(figures, expected) == expected


def test_previous_period_of_a_custom_range_is_the_same_number_of_days_before(titles):
    specs = [
        spec(day(2026, 8, 10)),
        spec(day(2026, 8, 11), overall=D),
        spec(day(2026, 8, 20)),
        spec(day(2026, 8, 21), overall=E),
        spec(day(2026, 8, 31), overall=E, moderated=M, status=Status.COMPLETED),
    ]
    build_through_services(specs)
    period = periods.date_range(day(2026, 8, 21), day(2026, 8, 31))

    figures = report_figures(ReportScope(period), today=TODAY)

    assert figures["previous"]["start"] == "2026-08-10"
    assert figures["previous"]["end"] == "2026-08-20"
    assert figures["previous"]["audits"] == 3
    assert figures["audits"] == 2
    expected = expected_figures(
        specs, start=period.start, end=period.end, titles=titles, period_label=period.label
    )
    assert comparable(figures, expected) == expected


def test_domains_are_matched_by_number_across_tool_versions_with_the_newest_titles(titles):
    build_through_services([spec(day(2026, 8, 1), domains=(E,) * 12)])
    old_tool = services.current_tool()
    new_tool = services.tool_copy_as_new_version(source=old_tool)
    new_tool.domains.filter(number=3).update(title="Decisions are timely and recorded")
    services.tool_make_current(tool=new_tool)
    build_through_services([spec(day(2026, 8, 2), domains=(D,) * 12)])

    domains = report_figures(ReportScope(Q2), today=TODAY)["domains"]

    assert len(domains) == 12
    assert domains[2]["title"] == "Decisions are timely and recorded"
    assert domains[0]["title"] == titles[1]
    assert all(d["exceeds"] == 1 and d["does_not_meet"] == 1 for d in domains)


# The brief's bound was 12 when report_figures ran nine queries; the schedule (two queries),
# the strand and case type names (one each) and the QA targets (up to four) joined it, and
# the totals, by strand, by case type and the previous period became one grouped query:
# thirteen at most, ten with no targets set.
# The re-audits (reports.reaudits) add three, the sections per activity five (kept months and
# edge days, as the rest of the report), the trend four; the agreed actions are read as the
# grades are (kept months and edge days), one more.
MAX_QUERIES = 28  # report_figures' docstring
# A range with days at both edges: whole months read from the kept figures, edges counted.
RAGGED = periods.date_range(datetime.date(2026, 6, 20), datetime.date(2026, 9, 10))


def varied_cohort(how_many: int) -> list:
    grades = (E, M, D)
    return [
        spec(
            Q2.start + datetime.timedelta(days=n % 120),
            overall=grades[n % 3],
            moderated=grades[n % 2] if n % 4 == 0 else "",
            status=Status.COMPLETED if n % 4 == 0 else Status.SUBMITTED,
            strand=("social_care", "early_help")[n % 2],
            case_type=("child_in_need", "looked_after", "early_help")[n % 3],
            domains=tuple(grades[(n + k) % 3] if (n + k) % 5 else NA for k in range(12)),
            practice=n % 17 == 0,
            actions=(ActionSpec(Q2.start + datetime.timedelta(days=n % 90)),),
        )
        for n in range(how_many)
    ]


@pytest.mark.parametrize("period", [Q2, RAGGED], ids=["quarter", "ragged"])
@pytest.mark.parametrize("how_many", [10, 1000])
def test_the_number_of_queries_is_bounded_whatever_the_number_of_audits(
    titles, django_assert_max_num_queries, how_many, period
):
    specs = varied_cohort(how_many)
    if how_many <= 10:
        build_through_services(specs)
    else:
        # A thousand through the services would take minutes; the import is the fast way in.
        build_through_import(specs)

    with django_assert_max_num_queries(MAX_QUERIES):
        figures = report_figures(ReportScope(period), today=TODAY)

    expected = expected_figures(
        specs, start=period.start, end=period.end, titles=titles, period_label=period.label
    )
    assert comparable(figures, expected) == expected
    assert figures["audits"] > 0


@pytest.mark.parametrize("period", [Q2, RAGGED], ids=["quarter", "ragged"])
def test_ten_and_a_thousand_audits_take_the_same_queries(period):
    scope = ReportScope(period)
    build_through_import(varied_cohort(10), prefix="CR-A")
    with CaptureQueriesContext(connection) as few:
        report_figures(scope, today=TODAY)
    build_through_import(varied_cohort(1000)[10:], prefix="CR-B")
    with CaptureQueriesContext(connection) as many:
        report_figures(scope, today=TODAY)

    assert len(few) == len(many)


def test_a_moderator_factory_user_moderates_and_the_report_sees_it(titles):
    # The moderator is whoever the services were given: a second one counts the same way.
    other = factories.moderator()
    specs = [spec(day(2026, 8, 1), overall=M, moderated=E, status=Status.COMPLETED)]
    build_through_services(specs, moderator=other)

    figures = report_figures(ReportScope(Q2), today=TODAY)

    assert figures["moderation"] == {"moderated": 1, "agreed": 0, "raised": 1, "lowered": 0}
    assert figures["final_grades"]["exceeds"] == 1
