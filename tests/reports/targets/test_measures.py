"""Each computed measure against a count made in the test from the audits it built, and the
targets table built from them: the year it reads, manual values, and the "no data" cases.

Audits are built through the services (draft, submit, take, moderate); targets through
reports.targets.services. The oracle walks the cohort's descriptions and never queries.
"""

import datetime
import json
from decimal import Decimal

import pytest

from audits import periods
from audits.models import Status
from reports.selectors import ReportScope
from reports.targets.measures import measure_values, targets_table
from reports.targets.services import manual_actual_set, target_create
from tests import factories
from tests.reports import NA, D, E, M, build_through_services, spec

pytestmark = pytest.mark.django_db

Q2 = periods.quarter(2026, 2)  # 1 July to 30 September 2026
day = datetime.date
GOOD = (E, M)


def cohort():
    """Every kind of audit the measures must count or leave out, around the second quarter."""
    return [
        spec(day(2026, 7, 1), overall=M),
        spec(
            day(2026, 9, 30),
            overall=E,
            moderated=E,
            status=Status.COMPLETED,  # agreed
            domains=(E,) * 6 + (M,) * 6,
        ),
        spec(
            day(2026, 7, 14),
            overall=M,
            moderated=D,
            status=Status.COMPLETED,  # lowered
            strand="early_help",
            case_type="early_help",
            domains=(D, D, M, NA, E, M, D, NA, NA, M, D, NA),
        ),
        spec(
            day(2026, 8, 3),
            overall=D,
            moderated=M,
            status=Status.COMPLETED,  # raised
            domains=(D,) * 4 + (NA,) * 8,
        ),
        spec(day(2026, 8, 20), overall=D, status=Status.IN_MODERATION, domains=(D,) * 11 + (M,)),
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
            domains=(E,) * 6 + (M,) * 4 + (NA,) * 2,
        ),
        spec(day(2026, 9, 29), overall=D, domains=(D,) * 12),
        spec(
            day(2026, 8, 11),
            overall=M,
            moderated=M,
            status=Status.COMPLETED,  # agreed
            strand="early_help",
            case_type="early_help",
            domains=(M,) * 11 + (D,),
        ),
        # Left out: a draft, practice audits, and the days either side of the quarter.
        spec(day(2026, 8, 1), overall=E, status=Status.DRAFT, domains=(E,) * 12),
        spec(
            day(2026, 8, 2),
            overall=D,
            moderated=D,
            status=Status.COMPLETED,
            practice=True,
            domains=(D,) * 12,
        ),
        spec(day(2026, 8, 5), overall=E, status=Status.SUBMITTED, practice=True, domains=(E,) * 12),
        spec(day(2026, 6, 30), overall=E, moderated=D, status=Status.COMPLETED, domains=(E,) * 12),
        spec(day(2026, 10, 1), overall=D, moderated=D, status=Status.COMPLETED, domains=(D,) * 12),
    ]


# --- The oracle: plain Python over the cohort's descriptions -----------------------------------


def counted(specs, period, strand=None):
    return [
        s
        for s in specs
        if s.status != Status.DRAFT
        and not s.practice
        and period.start <= s.audit_date <= period.end
        and strand in (None, s.strand)
    ]


def pct(part, whole):
    return Decimal(100 * part) / Decimal(whole) if whole else None


def expected_measures(specs, period, strand=None):
    items = counted(specs, period, strand)
    moderated = [s for s in items if s.moderated]

    def domain(n, grades):
        applicable = [s for s in items if s.domains[n - 1] != NA]
        return pct(sum(s.domains[n - 1] in grades for s in applicable), len(applicable))

    return {
        "good_or_better": pct(sum(s.final in GOOD for s in items), len(items)),
        "not_met": pct(sum(s.final == D for s in items), len(items)),
        "moderation_rate": pct(len(moderated), len(items)),
        "agreement": pct(sum(s.moderated == s.overall for s in moderated), len(moderated)),
        "domain_not_met": {n: domain(n, (D,)) for n in range(1, 13)},
        "domain_good": {n: domain(n, GOOD) for n in range(1, 13)},
    }


@pytest.fixture
def built():
    specs = cohort()
    build_through_services(specs)
    return specs


# --- measure_values ----------------------------------------------------------------------------


def test_every_measure_equals_the_independent_count(built, django_assert_max_num_queries):
    # The report's own counts (reports.selectors.measure_counts): at most five queries.
    with django_assert_max_num_queries(5):
        values = measure_values(ReportScope(Q2))

    assert values == expected_measures(built, Q2)
    # A few written out by hand, so the oracle is checked too. Nine audits count: finals
    # M E D M D M E D M; four moderated, two of them agreeing.
    assert round(values["good_or_better"], 2) == Decimal("66.67")
    assert round(values["not_met"], 2) == Decimal("33.33")
    assert round(values["moderation_rate"], 2) == Decimal("44.44")
    assert values["agreement"] == Decimal(50)
    # Domain 4 applies to seven audits (not the lowered one, nor the returned one); three of
    # them graded it Does not meet good, four at least Meets.
    assert values["domain_not_met"][4] == Decimal(300) / Decimal(7)
    assert values["domain_good"][4] == Decimal(400) / Decimal(7)
    # Domain 12 applies to five audits: M, M, M, D, D.
    assert values["domain_not_met"][12] == Decimal(40)
    assert values["domain_good"][12] == Decimal(60)


def test_the_filters_of_the_report_apply(built):
    early_help = factories.strand("early_help")

    values = measure_values(ReportScope(Q2, strand=early_help))

    assert values == expected_measures(built, Q2, strand="early_help")
    # Three early help audits: finals D, M, M; two moderated, one agreeing.
    assert values["moderation_rate"] == Decimal(200) / Decimal(3)
    assert values["agreement"] == Decimal(50)


def test_the_final_grade_is_the_moderated_one():
    # Auditors said Meets good in both; moderation lowered one. Good or better is 50%, not 100%.
    specs = [
        spec(day(2026, 7, 10), overall=M, moderated=D, status=Status.COMPLETED),
        spec(day(2026, 7, 11), overall=M, moderated=M, status=Status.COMPLETED),
    ]
    build_through_services(specs)

    values = measure_values(ReportScope(Q2))

    assert values["good_or_better"] == values["not_met"] == Decimal(50)
    assert values["agreement"] == Decimal(50)
    assert values["moderation_rate"] == Decimal(100)


def test_no_audits_is_no_data_for_every_measure(django_assert_max_num_queries):
    build_through_services([spec(day(2026, 6, 30), overall=M)])  # outside the quarter

    with django_assert_max_num_queries(5):
        values = measure_values(ReportScope(Q2))

    assert values["good_or_better"] is values["not_met"] is None
    assert values["moderation_rate"] is values["agreement"] is None
    assert set(values["domain_not_met"].values()) == {None}
    assert set(values["domain_good"].values()) == {None}


def test_no_moderated_audit_is_no_data_for_agreement_but_a_rate_of_zero():
    build_through_services([spec(day(2026, 7, 10), overall=M, status=Status.COMPLETED)])

    values = measure_values(ReportScope(Q2))

    assert values["agreement"] is None
    assert values["moderation_rate"] == Decimal(0)
    assert values["good_or_better"] == Decimal(100)


def test_a_domain_that_never_applied_is_no_data_while_the_others_count():
    build_through_services(
        [
            spec(day(2026, 7, 10), overall=M, domains=(M,) * 11 + (NA,)),
            spec(day(2026, 7, 11), overall=M, domains=(E,) * 11 + (NA,)),
        ]
    )

    values = measure_values(ReportScope(Q2))

    assert values["domain_good"][12] is values["domain_not_met"][12] is None
    assert values["domain_good"][1] == Decimal(100)
    assert values["domain_not_met"][1] == Decimal(0)


# --- targets_table -----------------------------------------------------------------------------


def _target(
    lead,
    name,
    measure,
    value,
    *,
    direction="at_least",
    tolerance=0,
    domain=None,
    year=2026,
    order=0,
):
    return target_create(
        by=lead,
        financial_year=year,
        name=name,
        measure=measure,
        direction=direction,
        target_value=value,
        amber_tolerance=tolerance,
        domain_number=domain,
        order=order,
    )


def test_the_table_rates_each_target_for_the_period(built, django_assert_max_num_queries):
    lead = factories.qa_lead()
    _target(lead, "Good or better", "good_or_better", "60", order=1)  # 66.7
    _target(
        lead,
        "Not met",
        "not_met",
        "30",
        direction="at_most",
        tolerance="5",  # 33.3
        order=2,
    )
    _target(
        lead, "Domain 4 not met", "domain_not_met", "40", direction="at_most", domain=4, order=3
    )  # 42.9
    _target(lead, "Domain 12 good", "domain_good", "70", tolerance="10", domain=12, order=4)  # 60.0
    _target(lead, "Moderated", "moderation_rate", "44.5", tolerance="0.1", order=5)  # 44.4
    _target(lead, "Agreement", "agreement", "50", order=6)  # 50.0
    timescales = _target(
        lead, "Single assessments in timescale", "manual", "95", tolerance="3", order=7
    )
    children_seen = _target(lead, "Children seen alone", "manual", "90", order=8)
    _target(lead, "Next year's target", "good_or_better", "60", year=2027)
    manual_actual_set(target=timescales, by=lead, period=Q2, value="92")
    # A value for another period does not count for this one: no data.
    manual_actual_set(target=children_seen, by=lead, period=periods.half(2026, 1), value="99")

    with django_assert_max_num_queries(7):  # the targets, the manual values, the counts
        rows = targets_table(ReportScope(Q2))

    assert [(r["name"], r["actual"], r["rag"]) for r in rows] == [
        ("Good or better", 66.7, "green"),
        ("Not met", 33.3, "amber"),
        ("Domain 4 not met", 42.9, "red"),
        ("Domain 12 good", 60.0, "amber"),  # exactly at the tolerance
        ("Moderated", 44.4, "amber"),  # 44.44 shows as 44.4: exactly at the tolerance
        ("Agreement", 50.0, "green"),  # exactly on target
        ("Single assessments in timescale", 92.0, "amber"),
        ("Children seen alone", None, "grey"),
    ]
    first, second, _domain, _, _, _, _, last = rows
    assert first["target_text"] == "≥ 60%" and first["actual_text"] == "66.7%"
    assert first["rag_label"] == "Green" and first["unit"] == "%"
    assert second["target_text"] == "≤ 30%" and second["amber_text"] == "amber up to 35%"
    assert second["direction"] == "at_most" and second["tolerance"] == 5.0
    assert _domain["measure_label"].startswith("Domain 4 graded Does not meet good")
    assert last["actual_text"] == "–" and last["rag_label"] == "No data"
    # Plain values: a published report freezes them as JSON.
    assert json.loads(json.dumps(rows)) == rows


def test_the_year_is_the_one_the_period_starts_in():
    lead = factories.qa_lead()
    _target(lead, "This year", "good_or_better", "50", year=2026)
    _target(lead, "Last year", "good_or_better", "50", year=2025)

    january_to_march = ReportScope(periods.quarter(2026, 4))
    assert [r["name"] for r in targets_table(january_to_march)] == ["This year"]
    # A period from March into April starts in the earlier year.
    spanning = ReportScope(periods.date_range(day(2026, 3, 1), day(2026, 4, 30)))
    assert [r["name"] for r in targets_table(spanning)] == ["Last year"]
    assert [r["name"] for r in targets_table(spanning, financial_year=2026)] == ["This year"]


def test_no_data_is_grey_and_no_targets_is_an_empty_table(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert targets_table(ReportScope(Q2)) == []

    lead = factories.qa_lead()
    _target(lead, "Good or better", "good_or_better", "60")
    _target(lead, "Agreement", "agreement", "80")
    _target(lead, "Moderation", "moderation_rate", "0", direction="at_most")
    _target(lead, "From elsewhere", "manual", "95")
    build_through_services([spec(day(2026, 6, 30), overall=M)])  # outside the quarter

    rows = targets_table(ReportScope(Q2))

    assert {r["name"]: r["rag"] for r in rows} == {
        "Good or better": "grey",
        "Agreement": "grey",
        "Moderation": "grey",
        "From elsewhere": "grey",
    }
    assert all(r["actual"] is None for r in rows)


def test_a_manual_value_counts_only_for_its_exact_dates():
    lead = factories.qa_lead()
    target = _target(lead, "From elsewhere", "manual", "95")
    manual_actual_set(target=target, by=lead, period=Q2, value="95")

    [row] = targets_table(ReportScope(Q2))
    assert (row["actual"], row["rag"]) == (95.0, "green")
    [row] = targets_table(
        ReportScope(periods.date_range(Q2.start, Q2.end - datetime.timedelta(days=1)))
    )
    assert row["rag"] == "grey"
    [row] = targets_table(ReportScope(periods.month(2026, 7)))
    assert row["rag"] == "grey"
