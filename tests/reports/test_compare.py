"""The compare page (reports.compare, reports.views_compare): two periods, two activities or two
teams side by side, each figure counted independently here from the cohort; Fisher's exact test
against published values; the form's errors name their field, never a 500."""

import datetime
import re

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits import periods
from audits.models import Audit, AuditActivity, Domain, Status
from audits.uncertainty import Difference
from reports.compare import Side, compare_figures, comparison_rows
from reports.forms_compare import quick_periods
from tests import factories
from tests.reports import (
    GRADES,
    NA,
    AuditSpec,
    D,
    E,
    M,
    _counted,
    _not_met_everywhere,
    _split,
    build_through_import,
    honest,
    spec,
)
from tests.test_forms_rendering import assert_error_summary, assert_rendered_by_crispy

pytestmark = pytest.mark.django_db

Q1, Q2 = periods.quarter(2026, 1), periods.quarter(2026, 2)


def expected_side(specs, start, end, titles, **filters) -> dict:
    """One side's figures counted by walking the cohort."""
    filters = {"activity": None, "strand": None, "case_type": None, **filters}
    items = _counted(specs, start, end, **filters)
    return {
        **honest(_split(items)),
        "not_met_in_all_applicable_domains": sum(_not_met_everywhere(s) for s in items),
        "domains": [
            {
                "number": n,
                "title": titles[n],
                **{g: sum(s.domains[n - 1] == g for s in items) for g in (*GRADES, NA)},
            }
            for n in range(1, 13)
        ],
    }


@pytest.fixture
def titles():
    return dict(Domain.objects.filter(tool__is_current=True).values_list("number", "title"))


def two_quarters_cohort() -> list[AuditSpec]:
    """Q1: 10 audits, 9 Does not meet good; Q2: 12 audits, 10 at least Meets good."""
    may, aug = datetime.date(2026, 5, 5), datetime.date(2026, 8, 5)
    specs = [spec(may, overall=D, domains=(D,) * 11 + (NA,)) for _ in range(9)]
    specs += [spec(may, overall=M, moderated=M, status=Status.COMPLETED)]
    specs += [spec(aug, overall=M) for _ in range(8)]
    specs += [spec(aug, overall=E, moderated=M, status=Status.COMPLETED) for _ in range(2)]
    specs += [spec(aug, overall=D, strand="early_help") for _ in range(2)]
    specs += [spec(aug, overall=M, practice=True)]  # never counted
    return specs


def test_two_quarters_side_by_side_match_counts_of_the_cohort(titles):
    specs = two_quarters_cohort()
    build_through_import(specs)

    figures = compare_figures(Side("Q1", Q1), Side("Q2", Q2))

    assert {k: v for k, v in figures["a"].items() if k != "label"} == expected_side(
        specs, Q1.start, Q1.end, titles
    )
    assert {k: v for k, v in figures["b"].items() if k != "label"} == expected_side(
        specs, Q2.start, Q2.end, titles
    )
    rows = {row["label"]: row for row in comparison_rows(figures)["overall"]}
    good = rows["At least Meets good, final grade"]
    # 1 of 10 against 10 of 12: Fisher's exact test on [[1, 9], [10, 2]].
    assert good["a"] == "1 · 10% (2–40%)" and good["b"] == "10 · 83.3% (55–95%)"
    assert good["change"] == "+73.3 points"
    assert good["beyond_chance"] is True
    assert "larger than chance" in good["in_words"]
    assert rows["Audits"]["change"] == "+2"
    # Agreement: 1 of 1 moderated agreed against 0 of 2 (both lowered): too few to tell.
    assert rows["Agreement (of the moderated audits)"]["beyond_chance"] is False
    assert "could be down to chance" in rows["Agreement (of the moderated audits)"]["in_words"]


def test_the_common_filters_apply_to_both_sides(titles):
    specs = two_quarters_cohort()
    build_through_import(specs)
    strand = factories.strand("early_help")

    figures = compare_figures(Side("Q1", Q1), Side("Q2", Q2), strand=strand)

    assert figures["a"]["audits"] == 0
    assert {k: v for k, v in figures["b"].items() if k != "label"} == expected_side(
        specs, Q2.start, Q2.end, titles, strand="early_help"
    )
    rows = comparison_rows(figures)["overall"]
    # No audits on the first side: no share, no test, and words that say so.
    assert rows[1]["a"] == "0 · –" and rows[1]["test"].p_value is None
    assert "no audits on one side" in rows[1]["in_words"]


def test_two_teams_and_two_activities(titles):
    specs = [
        spec(datetime.date(2026, 8, 1), overall=(M, D)[n % 2], activity=("One", "Two")[n % 3 % 2])
        for n in range(12)
    ]
    audits = build_through_import(specs)
    north, south = factories.TeamFactory(name="North"), factories.TeamFactory(name="South")
    teams = [(north, south)[n % 4 == 0] for n in range(12)]
    for audit, team in zip(audits, teams):
        Audit.objects.filter(pk=audit.pk).update(team=team)

    by_team = compare_figures(Side("North", Q2, team=north), Side("South", Q2, team=south))
    for key, team in (("a", north), ("b", south)):
        chosen = [s for s, t in zip(specs, teams) if t == team]
        expected = expected_side(chosen, Q2.start, Q2.end, titles)
        assert {k: v for k, v in by_team[key].items() if k != "label"} == expected

    one, two = AuditActivity.objects.get(name="One"), AuditActivity.objects.get(name="Two")
    by_activity = compare_figures(Side("One", Q2, activity=one), Side("Two", Q2, activity=two))
    for key, name in (("a", "One"), ("b", "Two")):
        expected = expected_side(specs, Q2.start, Q2.end, titles, activity=name)
        assert {k: v for k, v in by_activity[key].items() if k != "label"} == expected


def test_the_comparison_takes_the_same_five_queries_whatever_the_audits(
    django_assert_max_num_queries,
):
    build_through_import([spec(datetime.date(2026, 8, 1), overall=M) for _ in range(30)])
    with django_assert_max_num_queries(5):
        compare_figures(Side("Q1", Q1), Side("Q2", Q2))


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(
            st.dates(datetime.date(2026, 4, 1), datetime.date(2026, 9, 30)),
            st.sampled_from(GRADES),
            st.sampled_from(("", *GRADES)),
            st.lists(st.sampled_from((*GRADES, NA)), min_size=12, max_size=12),
        ),
        max_size=25,
    )
)
def test_any_cohort_compares_as_counted(titles, rows):
    from django.db import transaction

    specs = [
        AuditSpec(
            day,
            overall=overall,
            moderated=moderated,
            status=Status.COMPLETED,
            domains=tuple(domains),
        )
        for day, overall, moderated, domains in rows
    ]
    with transaction.atomic():
        if specs:
            build_through_import(specs)
        figures = compare_figures(Side("Q1", Q1), Side("Q2", Q2))
        transaction.set_rollback(True)
    for key, period in (("a", Q1), ("b", Q2)):
        expected = expected_side(specs, period.start, period.end, titles)
        assert {k: v for k, v in figures[key].items() if k != "label"} == expected


# --- Fisher's exact test against published values -----------------------------------------------


def test_fishers_exact_test_gives_the_published_p_values():
    # Fisher's lady tasting tea (The Design of Experiments, 1935): 3 of 4 against 1 of 4,
    # two-sided p = 34/70 = 0.4857.
    assert Difference(3, 4, 1, 4).p_value == pytest.approx(34 / 70)
    # R's fisher.test documentation, "Job satisfaction" aside: the classic 2x2 [[1, 9], [11, 3]]
    # (Agresti 2002, p. 93) has two-sided p = 0.002759.
    assert Difference(1, 10, 11, 14).p_value == pytest.approx(0.0027594561852200836)
    assert Difference(1, 10, 11, 14).beyond_chance
    assert not Difference(3, 4, 1, 4).beyond_chance


def test_quick_picks_name_the_periods():
    today = datetime.date(2026, 11, 25)
    assert quick_periods("quarter", today) == (periods.quarter(2026, 2), periods.quarter(2026, 3))
    assert quick_periods("quarter", datetime.date(2026, 5, 1)) == (
        periods.quarter(2025, 4),
        periods.quarter(2026, 1),
    )
    assert quick_periods("quarter_last_year", today) == (
        periods.quarter(2025, 3),
        periods.quarter(2026, 3),
    )
    assert quick_periods("month", datetime.date(2026, 1, 9)) == (
        periods.month(2025, 12),
        periods.month(2026, 1),
    )
    assert quick_periods("half", today) == (periods.half(2026, 1), periods.half(2026, 2))
    assert quick_periods("half", datetime.date(2026, 6, 1)) == (
        periods.half(2025, 2),
        periods.half(2026, 1),
    )
    assert quick_periods("year", today) == (
        periods.financial_year(2025),
        periods.financial_year(2026),
    )


# --- The page -----------------------------------------------------------------------------------

URL = reverse("reports:compare")


@pytest.fixture
def lead_client(client):
    client.force_login(factories.qa_lead())
    return client


def dates(prefix: str, day: datetime.date) -> dict:
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


def test_the_page_compares_two_typed_periods_with_the_test_in_words(lead_client):
    build_through_import(two_quarters_cohort())
    query = {
        "by": "periods",
        **dates("start_a", Q1.start),
        **dates("end_a", Q1.end),
        **dates("start_b", Q2.start),
        **dates("end_b", Q2.end),
    }

    response = lead_client.get(URL, query)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="compare-table"' in html and 'id="compare-domains-table"' in html
    assert "1 · 10% (2–40%)" in html and "10 · 83.3% (55–95%)" in html
    assert "+73.3 points" in html
    assert "larger than chance alone would be likely to give" in html
    assert "Fisher’s exact test" in html and "small sample" in html
    assert 'id="compare-how"' in html


def test_a_quick_pick_compares_this_quarter_with_the_last(lead_client):
    response = lead_client.get(URL, {"by": "periods", "quick": "quarter"})

    assert response.status_code == 200
    assert 'id="compare-result"' in response.content.decode()


def test_missing_and_wrong_choices_are_named_never_a_500(lead_client):
    response = lead_client.get(URL, {"by": "periods", **dates("start_a", Q2.end)})
    assert response.status_code == 400
    html = response.content.decode()
    assert_error_summary(html, assert_rendered_by_crispy(html))
    assert "Enter the first period&#x27;s last date." in html or "first period's last" in html
    assert "Enter the second period" in html

    response = lead_client.get(
        URL, {"by": "periods", **dates("start_a", Q2.end), **dates("end_a", Q2.start)}
    )
    assert response.status_code == 400
    assert "The first period must end on or after the day it starts." in response.content.decode()

    response = lead_client.get(URL, {"by": "teams", "quick": "quarter", "team_a": "999999"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Select a valid choice" in html and "Choose the second team." in html

    for bad in ({"by": "sideways"}, {"by": "periods", "quick": "decade"}, {"by": "\x00"}):
        assert lead_client.get(URL, bad).status_code == 400


def test_two_activities_without_dates_are_compared_over_all_their_audits(lead_client):
    specs = [
        spec(datetime.date(2026, 8, 1), overall=M, activity=("One", "Two")[n % 2]) for n in range(5)
    ]
    build_through_import(specs)
    one, two = AuditActivity.objects.get(name="One"), AuditActivity.objects.get(name="Two")

    response = lead_client.get(
        URL, {"by": "activities", "activity_a": one.pk, "activity_b": two.pk}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "all dates" in html
    # 3 audits of One, 2 of Two: the audits row says so, and the difference.
    assert re.search(r">Audits</th><td[^>]*>3</td><td[^>]*>2</td><td[^>]*>-1</td>", html)


def test_the_blank_page_shows_the_form_only(lead_client):
    response = lead_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="compare-form"' in html and 'id="compare-result"' not in html


def test_the_reports_list_links_to_the_compare_page(lead_client):
    html = lead_client.get(reverse("reports:list")).content.decode()
    assert f'href="{URL}"' in html
