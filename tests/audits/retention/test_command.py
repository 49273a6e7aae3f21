"""python manage.py apply_retention [--apply] [--by USERNAME], called the way cron would.

Built around the real date, since the command reads it: old audits in whole months before the
boundary (today less RETENTION_YEARS, back to the start of that month), new ones after.
"""

import datetime
import getpass
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audits.models import (
    ActionEvent,
    ActionReminder,
    AgreedAction,
    Audit,
    AuditTransition,
    DomainGrade,
    FigureMonth,
    SecurityEvent,
)
from audits.periods import date_range
from audits.security.events import Event
from moderation.models import DomainNote, Exemplar, Moderation, ModerationCase
from reports.contract import summary
from reports.figures import report_figures
from reports.models import Report
from reports.selectors import ReportScope
from reports.services import report_create
from tests import factories
from tests.reports import publish

from . import boundary, build_world, history_of, old_months, row_counts, today

pytestmark = pytest.mark.django_db

CHILDREN = (DomainGrade, AgreedAction, ActionEvent, ActionReminder, AuditTransition)
MODERATION = (ModerationCase, Moderation, Exemplar)


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def admin():
    return factories.administrator(username="records-admin")


def run(*args) -> str:
    out = io.StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def old_scope(**filters) -> ReportScope:
    return ReportScope(date_range(*old_months()), **filters)


def test_a_dry_run_lists_the_old_audits_and_changes_nothing(world):
    before = row_counts()

    out = run()

    assert row_counts() == before
    old = world["old"]
    assert f"{len(old)} audit(s) dated before {boundary():%-d %B %Y}" in out
    assert "would be deleted" in out and "--apply" in out
    for audit in old:
        audit.refresh_from_db()
        line = next(line for line in out.splitlines() if line.startswith(audit.case_reference))
        assert (audit.audit_date.isoformat() if audit.audit_date else "(none)") in line
        assert audit.get_status_display() in line
    assert not any(line.startswith("CR-N") for line in out.splitlines())
    assert "CR-90003" not in out  # the undated draft changed lately stays


def test_apply_deletes_the_old_audits_with_everything_of_theirs_and_nothing_newer(world, admin):
    old = [a.pk for a in world["old"]]
    new = [a.pk for a in world["new"]]
    assert history_of(old) and history_of(new)
    kept_before = {
        model: model.objects.filter(**{path(model): new}).count()
        for model in (*CHILDREN, *MODERATION, DomainNote)
    }
    assert all(
        model.objects.filter(**{path(model): old}).exists()
        for model in (*CHILDREN, *MODERATION, DomainNote)
    )

    out = run("--apply", "--by", admin.username)

    assert f"Deleted {len(old)} audit(s)" in out
    assert not Audit.objects.filter(pk__in=old).exists()
    assert set(Audit.objects.values_list("pk", flat=True)) == set(new)
    for model in (*CHILDREN, *MODERATION, DomainNote):
        assert not model.objects.filter(**{path(model): old}).exists(), model
        assert model.objects.filter(**{path(model): new}).count() == kept_before[model], model
    # No change history is left of the deleted records, and none was written of the deletion.
    assert history_of(old) == []
    assert history_of(new)
    assert FigureMonth.objects.filter(month__lt=boundary(), closed_at__isnull=True).count() == 0


def path(model) -> str:
    return {
        ActionEvent: "action__audit__in",
        ActionReminder: "action__audit__in",
        DomainNote: "moderation__audit__in",
    }.get(model, "audit__in")


def test_the_change_history_of_every_deleted_record_goes(world, admin):
    from auditlog import get_logentry_model
    from django.contrib.contenttypes.models import ContentType

    LogEntry = get_logentry_model()
    old = [a.pk for a in world["old"]]
    records = [(Audit, old)] + [
        (model, list(model.objects.filter(**{path(model): old}).values_list("pk", flat=True)))
        for model in (DomainGrade, AgreedAction, *MODERATION, DomainNote)
    ]

    def entries():
        return sum(
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(model),
                object_pk__in=[str(pk) for pk in pks],
            ).count()
            for model, pks in records
        )

    assert entries() > 0
    run("--apply", "--by", admin.username)
    assert entries() == 0


@pytest.mark.parametrize(
    "filters", [{}, {"strand": "early_help"}, {"case_type": "child_in_need"}], ids=str
)
def test_the_report_of_an_old_period_reads_the_same_after(world, admin, filters):
    from audits.models import CaseType, Strand

    scope = old_scope(
        strand=Strand.objects.get(slug=filters["strand"]) if "strand" in filters else None,
        case_type=(
            CaseType.objects.get(slug=filters["case_type"]) if "case_type" in filters else None
        ),
    )
    figures, contract = report_figures(scope, today=today()), summary(scope)
    assert figures["audits"] > 0 or filters
    assert figures["actions"]["raised"] > 0 or filters

    run("--apply", "--by", admin.username)

    assert without_activities(report_figures(scope, today=today())) == without_activities(figures)
    assert without_activities(summary(scope)) == without_activities(contract)
    # Rebuilding every month's figures from the audits leaves the closed months alone.
    call_command("refresh_report_figures", stdout=io.StringIO())
    assert without_activities(report_figures(scope, today=today())) == without_activities(figures)


def without_activities(figures: dict) -> dict:
    """The report less its sections per activity (reports.activities), which are counted from
    the audits themselves, as a report filtered by activity is: the figures kept per month have
    no activity, so a closed month's activities have no section once its audits are gone."""
    return {key: value for key, value in figures.items() if key != "activities"}


def test_the_report_json_of_the_command_is_the_same_after(world, admin):
    start, end = old_months()
    args = ("--start", start.isoformat(), "--end", end.isoformat())

    def report_json():
        out = io.StringIO()
        call_command("report", *args, stdout=out)
        return json.loads(out.getvalue())

    before = report_json()
    run("--apply", "--by", admin.username)
    assert without_activities(report_json()) == without_activities(before)
    assert before["audits"] > 0


def test_a_report_that_counted_deleted_days_says_so(world, admin):
    from audits.models import AuditActivity

    start, end = old_months()
    ragged = ReportScope(date_range(start.replace(day=10), end))
    by_activity = old_scope(activity=AuditActivity.objects.get(name="Old audit"))
    assert "retention" not in report_figures(ragged, today=today())
    activity_before = report_figures(by_activity, today=today())

    run("--apply", "--by", admin.username)

    figures = report_figures(ragged, today=today())
    last_removed_day = boundary() - datetime.timedelta(days=1)
    assert figures["retention"] == {"removed_through": last_removed_day.isoformat()}
    # A report by activity of whole closed months reads their kept figures, which are kept by
    # activity: nothing is missing, so nothing is flagged.
    activity_after = report_figures(by_activity, today=today())
    assert "retention" not in activity_after
    assert activity_after["audits"] == activity_before["audits"] > 0
    assert activity_after["final_grades"] == activity_before["final_grades"]
    assert activity_after["activities"] == activity_before["activities"]
    # A report of recent days is not flagged (a period back to the boundary would be: the
    # period it is compared with is the same number of days before, in deleted months).
    recent = ReportScope(date_range(today() - datetime.timedelta(days=60), today()))
    assert "retention" not in report_figures(recent, today=today())


def test_a_published_report_is_never_changed(world, admin):
    lead = factories.qa_lead()
    report = report_create(by=lead, period=date_range(*old_months()))
    report = publish(report, by=lead, today=today())
    frozen = (report.frozen_figures, bytes(report.frozen_pdf), report.updated_at)

    run("--apply", "--by", admin.username)

    report = Report.objects.get(pk=report.pk)
    assert (report.frozen_figures, bytes(report.frozen_pdf), report.updated_at) == frozen
    assert report.state == Report.State.PUBLISHED


def test_one_security_log_entry_per_deleted_audit_names_the_case_and_the_runner(world, admin):
    old = {a.pk: a for a in world["old"]}
    for audit in old.values():
        audit.refresh_from_db()

    run("--apply", "--by", admin.username)

    events = list(SecurityEvent.objects.filter(event=Event.RETENTION_DELETED))
    assert sorted(e.changes["audit"] for e in events) == sorted(old)
    for event in events:
        audit = old[event.changes["audit"]]
        assert event.case_reference == audit.case_reference
        assert event.object == f"audit {audit.pk}"
        assert event.actor == admin and event.username == admin.username
        assert event.changes["audit_date"] == (
            audit.audit_date.isoformat() if audit.audit_date else None
        )
        assert event.changes["status"] == audit.status
        assert event.changes["created_at"] == audit.created_at.isoformat()
        assert event.changes["removed_before"] == boundary().isoformat()
        assert event.changes["os_user"] == getpass.getuser()


def test_without_by_the_operating_system_user_is_recorded(world):
    run("--apply")

    events = SecurityEvent.objects.filter(event=Event.RETENTION_DELETED)
    assert events.count() == len(world["old"])
    assert {(e.actor, e.username) for e in events} == {(None, getpass.getuser())}


def test_by_a_non_administrator_is_refused_before_anything_changes(world):
    auditor = factories.auditor(username="an-auditor")
    before = row_counts()

    with pytest.raises(CommandError, match="an-auditor is not an active administrator"):
        run("--apply", "--by", auditor.username)
    with pytest.raises(CommandError, match="no account with the username “nobody”"):
        run("--apply", "--by", "nobody")

    assert row_counts() == before


def test_a_failure_midway_deletes_nothing(world, admin):
    """A table outside the app refers to an old audit (a council's reporting copy, say): the
    database refuses the audit's deletion after the months were closed, the history deleted
    and the security log written; all of it is rolled back."""
    old = world["old"][0]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE retention_test_reference ("
            " id integer PRIMARY KEY,"
            " audit_id bigint NOT NULL REFERENCES audits_audit (id))"
        )
        cursor.execute("INSERT INTO retention_test_reference VALUES (1, %s)", [old.pk])
    before = row_counts()
    closed = list(FigureMonth.objects.values_list("month", "closed_at"))

    with pytest.raises(CommandError, match="Nothing was deleted"):
        run("--apply", "--by", admin.username)

    assert row_counts() == before
    assert list(FigureMonth.objects.values_list("month", "closed_at")) == closed
    assert history_of([old.pk])


@pytest.mark.parametrize("years", [0, -1, "7", 7.5, True, None, 101])
def test_a_bad_retention_period_is_refused_with_a_clear_message(world, settings, years):
    settings.RETENTION_YEARS = years
    before = row_counts()

    with pytest.raises(CommandError, match="RETENTION_YEARS must be a whole number of years"):
        run("--apply")

    assert row_counts() == before


def test_the_kept_figures_check_stays_clean_after_retention(world, admin):
    call_command("refresh_report_figures", "--check", stdout=io.StringIO())

    run("--apply", "--by", admin.username)

    out = io.StringIO()
    call_command("refresh_report_figures", "--check", stdout=out)
    assert "match" in out.getvalue()


def test_a_second_run_finds_nothing_more(world, admin):
    run("--apply", "--by", admin.username)
    before = row_counts()

    out = run("--apply", "--by", admin.username)

    assert "Deleted 0 audit(s)" in out
    assert row_counts() == before
