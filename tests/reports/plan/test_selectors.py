"""The plan figures of a report (the ``plan`` key) against a count made by walking the items'
descriptions (tests.reports.expected_plan), for cohorts hypothesis draws; the query count does
not grow with the items; recommendations split into items."""

import datetime

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from audits import periods
from reports.figures import report_figures
from reports.models import PlanItem
from reports.plan import selectors, services
from reports.plan.services import NewItem
from reports.selectors import ReportScope
from reports.services import report_create
from tests import factories
from tests.reports import PlanSpec, expected_plan

Q1, Q2, Q3 = (periods.quarter(2026, n) for n in (1, 2, 3))  # April–June, July–September, ...
TODAY = datetime.date(2026, 11, 25)


def build_plan(specs, *, by, reports) -> None:
    """Make each item through the services and move it to its status."""
    for spec in specs:
        report = reports[spec.report_end]
        (item,) = services.plan_items_create(
            report=report,
            by=by,
            items=[NewItem(title=spec.title, due_date=spec.due_date, owner_name="Head")],
        )
        if spec.status == "in_progress":
            services.plan_item_record_progress(
                item=item, by=by, note="Going.", status="in_progress"
            )
        elif spec.status in ("done", "dropped"):
            services.plan_item_record_progress(
                item=item,
                by=by,
                note="Closed.",
                status=spec.status,
                done_on=spec.closed_on if spec.status == "done" else None,
                today=spec.closed_on,
            )


def _reports(qa_lead):
    return {period.end: report_create(by=qa_lead, period=period) for period in (Q1, Q2, Q3)}


DAYS = st.dates(datetime.date(2026, 4, 1), datetime.date(2026, 11, 25))


@st.composite
def plan_specs(draw):
    specs = []
    for n in range(draw(st.integers(0, 8))):
        period = draw(st.sampled_from((Q1, Q2, Q3)))
        status = draw(st.sampled_from(("not_started", "in_progress", "done", "dropped")))
        closed = draw(DAYS) if status in ("done", "dropped") else None
        specs.append(
            PlanSpec(
                report_end=period.end,
                due_date=draw(DAYS),
                status=status,
                closed_on=closed,
                title=f"Item {n}",
                report_period=period.label,
            )
        )
    return specs


class PlanFiguresTest(TestCase):
    @given(specs=plan_specs(), period=st.sampled_from((Q2, Q3, periods.quarter(2026, 4))))
    @hsettings(max_examples=25, deadline=None)
    def test_the_plan_figures_equal_the_independent_count(self, specs, period):
        qa_lead = factories.qa_lead()
        build_plan(specs, by=qa_lead, reports=_reports(qa_lead))
        plan = report_figures(ReportScope(period), today=TODAY)["plan"]
        for item in plan["items"]:
            del item["id"], item["report_id"]
        assert plan == expected_plan(specs, start=period.start, end=period.end, today=TODAY)


@pytest.mark.django_db
def test_the_plan_takes_the_same_queries_however_many_items(django_assert_num_queries):
    qa_lead = factories.qa_lead()
    reports = _reports(qa_lead)
    spec = PlanSpec(report_end=Q1.end, due_date=datetime.date(2026, 8, 1), report_period="Q1")
    build_plan([spec], by=qa_lead, reports=reports)
    with django_assert_num_queries(2):
        selectors.plan_progress(Q2, today=TODAY)
    build_plan([spec] * 7, by=qa_lead, reports=reports)
    with django_assert_num_queries(2):
        assert selectors.plan_progress(Q2, today=TODAY)["total"] == 8


@pytest.mark.django_db
def test_overdue_items_for_the_home_pages():
    qa_lead, owner = factories.qa_lead(), factories.auditor()
    report = _reports(qa_lead)[Q1.end]
    late, soon, done = services.plan_items_create(
        report=report,
        by=qa_lead,
        items=[
            NewItem(title="Late", due_date=datetime.date(2026, 9, 1), owner=owner),
            NewItem(title="Soon", due_date=datetime.date(2026, 12, 1), owner=owner),
            NewItem(title="Done", due_date=datetime.date(2026, 9, 1), owner_name="Head"),
        ],
    )
    services.plan_item_record_progress(item=done, by=qa_lead, note="Done.", status="done")
    other = services.plan_items_create(
        report=report,
        by=qa_lead,
        items=[NewItem(title="Other's", due_date=datetime.date(2026, 10, 1), owner_name="Head")],
    )[0]
    assert selectors.overdue_items(today=TODAY) == [late, other]
    assert selectors.overdue_items(today=TODAY, owner=owner) == [late]
    assert selectors.overdue_items(today=datetime.date(2026, 9, 1)) == []


@pytest.mark.django_db
def test_an_owner_sees_only_their_items_and_others_none():
    qa_lead, owner, colleague = factories.qa_lead(), factories.auditor(), factories.auditor()
    report = _reports(qa_lead)[Q1.end]
    mine, theirs = services.plan_items_create(
        report=report,
        by=qa_lead,
        items=[
            NewItem(title="Mine", due_date=TODAY, owner=owner),
            NewItem(title="Theirs", due_date=TODAY, owner_name="Head"),
        ],
    )
    assert set(selectors.plan_items_for(qa_lead)) == {mine, theirs}
    assert set(selectors.plan_items_for(factories.administrator())) == {mine, theirs}
    assert list(selectors.plan_items_for(owner)) == [mine]
    assert list(selectors.plan_items_for(colleague)) == []


@pytest.mark.parametrize(
    "text, items",
    [
        ("", []),
        ("Audit supervision.", ["Audit supervision."]),
        (
            "Audit supervision records\nin every team.\n\nRefresh chronology training.",
            ["Audit supervision records in every team.", "Refresh chronology training."],
        ),
        (
            "We recommend:\n1. Audit supervision.\n2) Refresh training\n   for new staff.\n- Report back",
            [
                "We recommend:",
                "Audit supervision.",
                "Refresh training for new staff.",
                "Report back",
            ],
        ),
        ("• One\r\n• Two\r\n\r\n\r\nThree", ["One", "Two", "Three"]),
    ],
)
def test_recommendations_split_into_items(text, items):
    assert selectors.recommendation_lines(text) == items


@pytest.mark.django_db
def test_latest_note_as_at_a_moment():
    from django.utils import timezone

    qa_lead = factories.qa_lead()
    (item,) = services.plan_items_create(
        report=_reports(qa_lead)[Q1.end],
        by=qa_lead,
        items=[NewItem(title="x", due_date=TODAY, owner_name="Head")],
    )
    assert selectors.latest_notes([item.pk]) == {}
    services.plan_item_record_progress(item=item, by=qa_lead, note="First.")
    moment = timezone.now()
    item.notes.update(at=moment - datetime.timedelta(seconds=5))
    services.plan_item_record_progress(item=item, by=qa_lead, note="Second.")
    assert selectors.latest_notes([item.pk])[item.pk]["text"] == "Second."
    assert selectors.latest_notes([item.pk], until=moment)[item.pk]["text"] == "First."
    assert PlanItem.objects.count() == 1
