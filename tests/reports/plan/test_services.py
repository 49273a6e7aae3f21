"""The improvement plan's writes: all or nothing, one move table, refusals named, revisions."""

import datetime

import pytest
from auditlog.models import LogEntry

from audits import periods
from audits.revisions import RevisionConflict
from reports.models import PlanItem, PlanItemTransition, PlanNote
from reports.plan import services
from reports.plan.services import STATUS_MOVES, NewItem, PlanError
from reports.services import report_create
from tests import factories

pytestmark = pytest.mark.django_db

Status = PlanItem.Status
TODAY = datetime.date(2026, 11, 25)
DUE = datetime.date(2026, 12, 31)


@pytest.fixture
def qa_lead():
    return factories.qa_lead()


@pytest.fixture
def report(qa_lead):
    return report_create(by=qa_lead, period=periods.quarter(2026, 1))


def make(report, by, **kwargs):
    item = NewItem(
        title=kwargs.get("title", "Audit supervision records"),
        due_date=kwargs.get("due_date", DUE),
        owner=kwargs.get("owner"),
        owner_name=kwargs.get("owner_name", "Head of Service"),
    )
    return services.plan_items_create(report=report, by=by, items=[item])[0]


def test_items_are_made_from_a_report_with_their_change_history(report, qa_lead):
    owner = factories.auditor()
    items = services.plan_items_create(
        report=report,
        by=qa_lead,
        items=[
            NewItem(title=" Audit supervision ", due_date=DUE, owner=owner),
            NewItem(title="Chronologies", due_date=DUE, owner_name="Team managers"),
        ],
    )
    assert [(i.title, i.owner, i.owner_name, i.status) for i in items] == [
        ("Audit supervision", owner, "", Status.NOT_STARTED),
        ("Chronologies", None, "Team managers", Status.NOT_STARTED),
    ]
    assert all(i.report == report for i in items)
    assert LogEntry.objects.get_for_model(PlanItem).count() == 2


def test_one_bad_item_saves_none_and_names_the_item_and_field(report, qa_lead):
    with pytest.raises(PlanError) as refused:
        services.plan_items_create(
            report=report,
            by=qa_lead,
            items=[
                NewItem(title="Fine", due_date=DUE, owner_name="Head of Service"),
                NewItem(title="No owner", due_date=None),
            ],
        )
    assert {(n, f) for n, f, _m in refused.value.errors} == {(2, "owner"), (2, "due_date")}
    assert "item 2" in str(refused.value)
    assert not PlanItem.objects.exists()


def test_no_items_is_refused(report, qa_lead):
    with pytest.raises(PlanError, match="at least one"):
        services.plan_items_create(report=report, by=qa_lead, items=[])


@pytest.mark.parametrize("who", [factories.auditor, factories.moderator, factories.UserFactory])
def test_only_qa_leads_and_administrators_change_the_plan(report, qa_lead, who):
    with pytest.raises(PlanError, match="Only QA leads and administrators"):
        make(report, who())
    item = make(report, factories.administrator())  # an administrator may
    with pytest.raises(PlanError):
        services.plan_item_record_progress(item=item, by=who(), note="Done.", status="done")
    with pytest.raises(PlanError):
        services.plan_item_update(item=item, by=who(), title="x", due_date=DUE, owner_name="y")
    item.refresh_from_db()
    assert item.status == Status.NOT_STARTED and item.revision == 1


def _every_status():
    return list(Status.values)


@pytest.mark.parametrize("start", _every_status())
@pytest.mark.parametrize("to", _every_status())
def test_every_move_follows_the_table(report, qa_lead, start, to):
    item = make(report, qa_lead)
    # Put the item in ``start`` through the table: not started -> start.
    if start != Status.NOT_STARTED:
        if (Status.NOT_STARTED, start) in STATUS_MOVES:
            services.plan_item_record_progress(
                item=item, by=qa_lead, note="Set up.", status=start, today=TODAY
            )
    item.refresh_from_db()
    assert item.status == start
    moves_before = PlanItemTransition.objects.count()
    if to == start or (start, to) in STATUS_MOVES:
        services.plan_item_record_progress(
            item=item, by=qa_lead, note="Progress.", status=to, today=TODAY
        )
        item.refresh_from_db()
        assert item.status == to
        assert PlanItemTransition.objects.count() == moves_before + (to != start)
        assert (item.closed_on is not None) == (to in (Status.DONE, Status.DROPPED))
    else:
        notes = PlanNote.objects.count()
        with pytest.raises(PlanError):
            services.plan_item_record_progress(
                item=item, by=qa_lead, note="Progress.", status=to, today=TODAY
            )
        item.refresh_from_db()
        assert item.status == start
        assert PlanNote.objects.count() == notes  # nothing written


def test_the_table_lets_an_item_be_reopened_but_not_skip_back_to_not_started():
    assert (Status.DONE, Status.IN_PROGRESS) in STATUS_MOVES
    assert not any(to == Status.NOT_STARTED for _from, to in STATUS_MOVES)


def test_progress_notes_are_dated_kept_and_done_on_time_or_late(report, qa_lead):
    item = make(report, qa_lead, due_date=datetime.date(2026, 11, 1))
    services.plan_item_record_progress(
        item=item, by=qa_lead, note="Started the audit.", status="in_progress", evidence="memo"
    )
    services.plan_item_record_progress(
        item=item,
        by=qa_lead,
        note="Finished.",
        status="done",
        done_on=datetime.date(2026, 11, 20),
        today=TODAY,
    )
    item.refresh_from_db()
    assert item.closed_on == datetime.date(2026, 11, 20)
    notes = list(item.notes.order_by("at", "pk").values_list("text", "evidence", "by"))
    assert notes == [("Started the audit.", "memo", qa_lead.pk), ("Finished.", "", qa_lead.pk)]
    moves = list(item.transitions.values_list("from_status", "to_status"))
    assert moves == [("not_started", "in_progress"), ("in_progress", "done")]
    # Reopening clears the date it was closed.
    services.plan_item_record_progress(
        item=item, by=qa_lead, note="Not finished.", status="in_progress"
    )
    item.refresh_from_db()
    assert item.closed_on is None


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"note": "  "}, "note"),
        ({"note": "x", "status": "nonsense"}, "status"),
        ({"note": "x", "status": "done", "done_on": datetime.date(2026, 12, 1)}, "done_on"),
        ({"note": "x", "status": "in_progress", "done_on": datetime.date(2026, 11, 1)}, "done_on"),
    ],
)
def test_bad_progress_is_refused_naming_the_field(report, qa_lead, kwargs, field):
    item = make(report, qa_lead)
    with pytest.raises(PlanError) as refused:
        services.plan_item_record_progress(item=item, by=qa_lead, today=TODAY, **kwargs)
    assert field in {f for _n, f, _m in refused.value.errors}
    assert not PlanNote.objects.exists()


def test_two_tabs_do_not_overwrite_each_other(report, qa_lead):
    item = make(report, qa_lead)
    opened_at = item.revision
    services.plan_item_update(
        item=item,
        by=qa_lead,
        title="First tab",
        due_date=DUE,
        owner_name="Head of Service",
        expected_revision=opened_at,
        page="tab-1",
    )
    with pytest.raises(RevisionConflict):
        services.plan_item_update(
            item=item,
            by=qa_lead,
            title="Second tab",
            due_date=DUE,
            owner_name="Head of Service",
            expected_revision=opened_at,
            page="tab-2",
        )
    with pytest.raises(RevisionConflict):
        services.plan_item_record_progress(
            item=item, by=qa_lead, note="x", status="done", expected_revision=opened_at, page="t3"
        )
    item.refresh_from_db()
    assert item.title == "First tab" and item.status == Status.NOT_STARTED
    assert not PlanNote.objects.exists()


def test_an_update_needs_an_owner_and_a_due_date(report, qa_lead):
    item = make(report, qa_lead)
    with pytest.raises(PlanError) as refused:
        services.plan_item_update(item=item, by=qa_lead, title="", due_date=None, owner_name="")
    assert {f for _n, f, _m in refused.value.errors} == {"title", "owner", "due_date"}


def test_progress_and_changes_are_in_the_change_history(report, qa_lead):
    item = make(report, qa_lead)
    services.plan_item_record_progress(item=item, by=qa_lead, note="Started.", status="done")
    services.plan_item_update(
        item=item, by=qa_lead, title="Renamed", due_date=DUE, owner_name="Head of Service"
    )
    changes = [
        entry.changes_dict
        for entry in LogEntry.objects.get_for_object(item).order_by("timestamp", "pk")
    ]
    assert any(c.get("status") == ["not_started", "done"] for c in changes)
    assert any(c.get("title") == ["Audit supervision records", "Renamed"] for c in changes)
    assert not any("revision" in c for c in changes)  # the revision fields are not changes
    assert LogEntry.objects.get_for_model(PlanNote).count() == 1
    assert LogEntry.objects.get_for_model(PlanItemTransition).count() == 1
