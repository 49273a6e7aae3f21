"""The report figures kept per month (audits.figures): every service that changes an audit
keeps them equal to a fresh count, and the command finds and mends any that drift."""

import datetime
import io
import threading
import time
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, models, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits import services
from audits.apps import _build_missing_figures
from audits.case_links import stale_links
from audits.csv import contract
from audits.csv.importer import import_audits_csv
from audits.figures import refresh_all, refresh_months, stale_months
from audits.grades import Grade
from audits.models import (
    Audit,
    CaseLink,
    FigureMonth,
    MonthDomainFigures,
    MonthFigures,
    Status,
)
from moderation import services as moderation_services
from tests import factories
from tests.helpers import complete_content, moderated_audit, submitted_audit, taken_audit

pytestmark = pytest.mark.django_db

OCTOBER = datetime.date(2026, 10, 1)
SEPTEMBER = datetime.date(2026, 9, 1)


def kept(month, **filters) -> dict:
    """The kept counts of a month, added up over its strands and case types."""
    totals = {}
    for row in MonthFigures.objects.filter(month=month, **filters).values():
        for name, value in row.items():
            if isinstance(value, int) and name not in (
                "id",
                "activity_id",
                "strand_id",
                "case_type_id",
            ):
                totals[name] = totals.get(name, 0) + value
    return totals


def kept_domain(month, number) -> dict:
    rows = MonthDomainFigures.objects.filter(month=month, number=number)
    return {
        g: sum(getattr(r, g) for r in rows)
        for g in ("exceeds", "meets", "does_not_meet", "not_applicable")
    }


def test_a_draft_is_not_counted():
    services.audit_save_draft(audit=None, by=factories.auditor(), content=complete_content())
    assert kept(OCTOBER) == {}
    assert stale_months() == []


def test_submitting_counts_the_audit_in_its_month():
    submitted_audit(overall=Grade.EXCEEDS, domain_grade=Grade.MEETS)

    figures = kept(OCTOBER)
    assert figures["audits"] == 1
    assert figures["auditor_exceeds"] == 1 and figures["final_exceeds"] == 1
    assert kept_domain(OCTOBER, 1) == {
        "exceeds": 0,
        "meets": 1,
        "does_not_meet": 0,
        "not_applicable": 0,
    }
    assert FigureMonth.objects.filter(month=OCTOBER).exists()
    assert stale_months() == []


def test_a_practice_audit_is_never_counted():
    auditor = factories.auditor()
    content = complete_content()
    content.header["is_practice"] = True
    audit = services.audit_save_draft(audit=None, by=auditor, content=content)
    services.audit_submit(audit=audit, by=auditor, today=datetime.date(2026, 11, 25))
    assert Audit.objects.get(pk=audit.pk).is_practice
    assert kept(OCTOBER).get("audits", 0) == 0
    assert stale_months() == []


def test_moderation_changes_the_final_grade_and_the_direction():
    moderated_audit(overall=Grade.MEETS, grade=Grade.DOES_NOT_MEET)

    figures = kept(OCTOBER)
    assert figures["auditor_meets"] == 1
    assert figures["final_does_not_meet"] == 1 and figures["final_meets"] == 0
    assert figures["moderated"] == 1 and figures["lowered"] == 1
    assert stale_months() == []


def test_an_amended_returned_audit_moves_between_months_with_its_new_grades():
    moderator = factories.moderator()
    audit = taken_audit(moderator=moderator, overall=Grade.MEETS)
    moderation_services.moderation_send_back(
        audit=audit, moderator=moderator, comments="Check the chronology."
    )
    assert kept(OCTOBER)["audits"] == 1  # a returned audit still counts

    content = complete_content(
        overall=Grade.DOES_NOT_MEET,
        audit_date=datetime.date(2026, 9, 20),
        domain_grade=Grade.DOES_NOT_MEET,
    )
    services.audit_save_draft(audit=audit, by=audit.auditor, content=content)

    assert kept(OCTOBER).get("audits", 0) == 0
    september = kept(SEPTEMBER)
    assert september["audits"] == 1 and september["auditor_does_not_meet"] == 1
    assert september["not_met_in_all_applicable"] == 1
    assert kept_domain(SEPTEMBER, 12)["does_not_meet"] == 1
    assert stale_months() == []


def test_the_import_keeps_the_figures_of_every_month_it_touches():
    activity = factories.AuditActivityFactory()
    factories.strand()
    factories.case_type()
    auditor = factories.auditor()
    header = ",".join(contract.COLUMNS)
    rows = []
    for n, (day, grade, moderated) in enumerate(
        [
            ("2026-08-03", "meets", ""),
            ("2026-08-30", "exceeds", "meets"),
            ("2026-09-01", "does_not_meet", ""),
        ],
        1,
    ):
        values = dict.fromkeys(contract.COLUMNS, "")
        values.update(
            {
                "case_reference": f"CR-F{min(n, 2)}",  # the last two of one case
                "audit_date": day,
                "auditor": auditor.username,
                "activity": activity.name,
                "strand": "social_care",
                "case_type": "child_in_need",
                "overall_grade": grade,
                "moderated_grade": moderated,
                **{c: "meets" for c in contract.DOMAIN_COLUMNS},
            }
        )
        if moderated:
            values["moderator"] = factories.moderator().username
        rows.append(",".join(values[c] for c in contract.COLUMNS))
    result = import_audits_csv(
        io.BytesIO(("\r\n".join([header, *rows]) + "\r\n").encode()),
        today=datetime.date(2026, 11, 25),
        filename="figures.csv",
    )
    assert result.ok, result.errors

    august = kept(datetime.date(2026, 8, 1))
    assert august["audits"] == 2 and august["raised"] == 0 and august["lowered"] == 1
    assert kept(SEPTEMBER)["auditor_does_not_meet"] == 1
    assert kept_domain(datetime.date(2026, 8, 1), 5)["meets"] == 2
    assert stale_months() == []
    assert stale_links() == 0
    assert CaseLink.objects.filter(earlier__case_reference="CR-F2").count() == 1


def test_check_names_a_month_changed_outside_the_services_and_refresh_mends_it():
    audit = submitted_audit(overall=Grade.MEETS)
    call_command("refresh_report_figures", "--check", stdout=io.StringIO())

    Audit.objects.filter(pk=audit.pk).update(overall_grade=Grade.EXCEEDS)
    with pytest.raises(CommandError, match="October 2026"):
        call_command("refresh_report_figures", "--check", stdout=io.StringIO())

    out = io.StringIO()
    call_command("refresh_report_figures", stdout=out)
    assert "1 month" in out.getvalue()
    assert kept(OCTOBER)["auditor_exceeds"] == 1
    assert stale_months() == []


def test_a_deleted_audit_leaves_its_month_stale_until_refreshed():
    audit = submitted_audit()
    Audit.objects.filter(pk=audit.pk).delete()
    assert stale_months() == [OCTOBER]
    refresh_all()
    assert kept(OCTOBER) == {} and stale_months() == []


def test_refreshing_twice_gives_the_same_rows_not_twice_as_many():
    submitted_audit()
    refresh_months([OCTOBER, OCTOBER + datetime.timedelta(days=5), None])
    refresh_months([OCTOBER])
    assert MonthFigures.objects.filter(month=OCTOBER).count() == 1
    assert kept(OCTOBER)["audits"] == 1


def test_a_database_without_kept_figures_gets_them_after_migrating():
    submitted_audit(overall=Grade.EXCEEDS)
    MonthFigures.objects.all().delete()
    MonthDomainFigures.objects.all().delete()
    FigureMonth.objects.all().delete()

    _build_missing_figures(sender=None)

    assert kept(OCTOBER)["auditor_exceeds"] == 1
    assert stale_months() == []


def test_figures_are_split_by_strand_and_case_type():
    early_help = factories.strand("early_help")
    looked_after = factories.case_type("looked_after")
    submitted_audit(case_reference="CR-1")
    auditor = factories.auditor()
    content = complete_content(case_reference="CR-2")
    content.header.update(strand=early_help, case_type=looked_after)
    audit = services.audit_save_draft(audit=None, by=auditor, content=content)
    services.audit_submit(audit=audit, by=auditor, today=datetime.date(2026, 11, 25))

    assert kept(OCTOBER, strand=early_help)["audits"] == 1
    assert kept(OCTOBER, case_type=looked_after)["audits"] == 1
    assert kept(OCTOBER)["audits"] == 2
    assert Audit.objects.filter(status=Status.DRAFT).count() == 0


# --- Two transactions refreshing one month at once (PostgreSQL) --------------------------------

postgres_only = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite serialises writers; concurrent refreshes need PostgreSQL (DATABASE_URL)",
)


def _in_threads(*calls) -> list:
    """Run each call in a thread of its own (its own database connection, closed after),
    together; returns what they raised."""
    errors = []

    def run(call):
        try:
            call()
        except BaseException as error:  # noqa: BLE001 - returned to the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_moderations_in_one_month_at_once_both_reach_the_kept_figures():
    """Each moderation adds its change to the month's kept rows inside its own transaction.
    Without the month lock both would read the rows before the other committed, and the later
    commit would keep figures missing the other's moderation."""

    a, b = factories.moderator(username="moderator-a"), factories.moderator(username="moderator-b")
    activity = factories.AuditActivityFactory(month=OCTOBER)  # one kept row for both
    first = taken_audit(moderator=a, overall=Grade.MEETS, case_reference="CR-R1", activity=activity)
    second = taken_audit(
        moderator=b, overall=Grade.MEETS, case_reference="CR-R2", activity=activity
    )
    manager = type(MonthFigures.objects)
    bulk_update = manager.bulk_update

    def slow_bulk_update(self, *args, **kwargs):
        # Each transaction has read the kept rows it changes and waits before writing them:
        # without the month's lock the other reads them meanwhile, and the later write
        # keeps figures missing the earlier one's moderation.
        time.sleep(0.3)
        return bulk_update(self, *args, **kwargs)

    barrier = threading.Barrier(2)

    def moderate(audit, moderator):
        barrier.wait(timeout=10)
        moderation_services.moderation_record(
            audit=Audit.objects.get(pk=audit.pk),
            moderator=moderator,
            grade=Grade.EXCEEDS,
            rationale="Strong analysis.",
        )

    with mock.patch.object(manager, "bulk_update", slow_bulk_update):
        errors = _in_threads(lambda: moderate(first, a), lambda: moderate(second, b))

    assert errors == []
    figures_now = kept(OCTOBER)
    assert figures_now["final_exceeds"] == 2 and figures_now["raised"] == 2
    assert MonthFigures.objects.filter(month=OCTOBER).count() == 1
    assert stale_months() == []


# --- Any sequence of service calls leaves the kept figures equal to a fresh count -----------

GRADES = (Grade.EXCEEDS, Grade.MEETS, Grade.DOES_NOT_MEET)
DATES = st.dates(min_value=datetime.date(2026, 8, 25), max_value=datetime.date(2026, 10, 5))

step = st.fixed_dictionaries(
    {
        "date": DATES,
        "grade": st.sampled_from(GRADES),
        "domain": st.sampled_from((*GRADES, Grade.NOT_APPLICABLE)),
        "practice": st.booleans(),
        # What happens after submitting: nothing, moderated to a grade, or sent back and amended
        # (perhaps to another month, grade and domain grade).
        "then": st.sampled_from(("nothing", "moderate", "send_back")),
        "moderated": st.sampled_from(GRADES),
        "amended": st.tuples(DATES, st.sampled_from(GRADES), st.sampled_from(GRADES)),
    }
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=4))
def test_any_sequence_of_services_keeps_the_figures_equal_to_a_fresh_count(steps):
    with transaction.atomic():
        try:
            auditor, moderator = factories.auditor(), factories.moderator()
            for n, item in enumerate(steps):
                content = complete_content(
                    case_reference=f"CR-S{n}",
                    audit_date=item["date"],
                    overall=item["grade"],
                    domain_grade=item["domain"],
                )
                content.header["is_practice"] = item["practice"]
                audit = services.audit_save_draft(audit=None, by=auditor, content=content)
                audit = services.audit_submit(
                    audit=audit, by=auditor, today=datetime.date(2026, 11, 25)
                )
                if item["then"] != "nothing" and audit.status != Status.COMPLETED:
                    moderation_services.moderation_take(audit=audit, moderator=moderator)
                    if item["then"] == "moderate":
                        moderation_services.moderation_record(
                            audit=audit,
                            moderator=moderator,
                            grade=item["moderated"],
                            rationale="Weighed against the evidence.",
                        )
                    else:
                        moderation_services.moderation_send_back(
                            audit=audit, moderator=moderator, comments="Look again."
                        )
                        day, grade, domain = item["amended"]
                        services.audit_save_draft(
                            audit=audit,
                            by=auditor,
                            content=complete_content(
                                case_reference=f"CR-S{n}",
                                audit_date=day,
                                overall=grade,
                                domain_grade=domain,
                            ),
                        )
                assert stale_months() == []
            assert sum(
                kept(m).get("audits", 0)
                for m in FigureMonth.objects.values_list("month", flat=True)
            ) == (Audit.objects.exclude(status=Status.DRAFT).exclude(is_practice=True).count())
        finally:
            transaction.set_rollback(True)


# --- Closed months (the retention schedule) ---------------------------------------------------


def test_a_closed_month_keeps_its_figures_and_is_never_rebuilt_or_called_stale():
    from audits.figures import close_months
    from audits.models import MonthActionFigures

    old = submitted_audit(audit_date=datetime.date(2026, 3, 10), case_reference="CR-20001")
    submitted_audit(audit_date=datetime.date(2026, 4, 10), case_reference="CR-20002")
    march = datetime.date(2026, 3, 1)

    assert close_months([old.audit_date]) == [march]
    assert close_months([old.audit_date]) == []  # closing twice changes nothing
    figures = kept(march)
    assert figures["audits"] == 1
    # The open action submit requires, kept with its due date so "overdue" can still be told.
    action = old.actions.get()
    assert list(
        MonthActionFigures.objects.filter(month=march).values_list(
            "month", "raised", "open", "open_due_date"
        )
    ) == [(march, 1, 1, action.due_date)]

    Audit.objects.filter(pk=old.pk).delete()  # as retention does, after closing
    refresh_months([march])
    refresh_all()

    assert kept(march) == figures
    assert MonthActionFigures.objects.filter(month=march).get().open == 1
    assert stale_months() == []
    assert FigureMonth.objects.get(month=march).closed_at is not None
    assert FigureMonth.objects.get(month=datetime.date(2026, 4, 1)).closed_at is None


def test_figures_are_kept_by_activity_and_domains_apart_for_cases_not_meeting_good():
    neglect = factories.AuditActivityFactory(name="Neglect", month=OCTOBER)
    exploitation = factories.AuditActivityFactory(name="Exploitation", month=OCTOBER)
    submitted_audit(case_reference="CR-1", activity=neglect, overall=Grade.MEETS)
    submitted_audit(
        case_reference="CR-2",
        activity=neglect,
        overall=Grade.DOES_NOT_MEET,
        domain_grade=Grade.DOES_NOT_MEET,
    )
    submitted_audit(case_reference="CR-3", activity=exploitation, overall=Grade.EXCEEDS)

    assert kept(OCTOBER, activity=neglect)["audits"] == 2
    assert kept(OCTOBER, activity=neglect)["auditor_does_not_meet"] == 1
    assert kept(OCTOBER, activity=exploitation)["auditor_exceeds"] == 1
    not_met = MonthDomainFigures.objects.get(
        month=OCTOBER, activity=neglect, number=1, final_does_not_meet=True
    )
    others = MonthDomainFigures.objects.get(
        month=OCTOBER, activity=neglect, number=1, final_does_not_meet=False
    )
    assert (not_met.does_not_meet, not_met.meets) == (1, 0)
    assert (others.does_not_meet, others.meets) == (0, 1)
    assert stale_months() == []


def test_moderation_moves_a_domain_count_between_the_final_grades():
    moderator = factories.moderator()
    audit = taken_audit(moderator=moderator, overall=Grade.MEETS)
    moderation_services.moderation_record(
        audit=audit, moderator=moderator, grade=Grade.DOES_NOT_MEET, rationale="Drift"
    )

    rows = MonthDomainFigures.objects.filter(month=OCTOBER, number=1)
    assert [(r.final_does_not_meet, r.meets) for r in rows] == [(True, 1)]
    assert stale_months() == []


def test_open_months_dropped_by_the_migration_are_counted_again_after_migrating():
    """Migration audits 0019 drops the open months' figures (they gained the activity) and
    leaves the closed months' (no audits left to count); post_migrate counts the open ones."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("audits.migrations.0019_kept_figures_by_activity")
    closed = datetime.date(2020, 1, 1)
    FigureMonth.objects.create(month=closed, refreshed_at=timezone.now(), closed_at=timezone.now())
    MonthFigures.objects.create(
        month=closed, **dict.fromkeys(_counts(MonthFigures), 0) | {"audits": 4}
    )
    submitted_audit(overall=Grade.EXCEEDS)

    migration.forget_open_months(apps, None)
    assert not MonthFigures.objects.filter(month=OCTOBER).exists()
    _build_missing_figures(sender=None)

    assert kept(OCTOBER)["auditor_exceeds"] == 1
    assert MonthFigures.objects.get(month=closed).audits == 4
    assert stale_months() == []


def _counts(model) -> list[str]:
    return [
        f.name for f in model._meta.concrete_fields if isinstance(f, models.PositiveIntegerField)
    ]


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_action_done_while_its_audit_is_moderated_is_counted_once():
    """A moderation counts all its audit's actions into the kept figures before and after its
    change. An action marked done in between (by its owner, at the same moment) would be
    counted by both: the action's move waits for the audit's lock instead."""
    from audits.actions import services as action_services
    from moderation import services as moderation_module

    moderator, lead = factories.moderator(username="moderator-c"), factories.qa_lead()
    activity = factories.AuditActivityFactory(month=OCTOBER)
    audit = taken_audit(
        moderator=moderator, overall=Grade.MEETS, case_reference="CR-R3", activity=activity
    )
    # Another open action counted in the same kept row (same month, activity, due date), so
    # counting the move twice leaves a wrong count rather than one below zero (which the
    # figures would notice and rebuild).
    submitted_audit(case_reference="CR-R4", activity=activity)
    action = audit.actions.get()
    moderation_counted = threading.Event()
    bump = moderation_module.bump_revision

    def slow_bump(*args, **kwargs):
        moderation_counted.set()  # what the audit added before is counted, actions included
        time.sleep(0.5)
        return bump(*args, **kwargs)

    def moderate():
        moderation_module.moderation_record(
            audit=Audit.objects.get(pk=audit.pk),
            moderator=moderator,
            grade=Grade.EXCEEDS,
            rationale="Strong analysis.",
        )

    def mark_done():
        moderation_counted.wait(10)
        action_services.action_mark_done(action=action, by=lead, note="Chronology updated.")

    with mock.patch.object(moderation_module, "bump_revision", slow_bump):
        errors = _in_threads(moderate, mark_done)

    assert errors == []
    assert stale_months() == []
