"""The kept figures are kept by increments (audits.figures.contribution_changed): a writer
subtracts what its audit added before and adds what it adds now. Any sequence of the services
that change audits (submit, amend after being sent back, take, release, moderate with or
without new actions, send back, add to the queue, delete a draft) and their agreed actions
(done, not needed, reopened), over several audits of a few months and strands, leaves the kept
rows exactly what a full rebuild (``refresh_months``) makes of the same audits."""

import datetime

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits import services
from audits.actions import services as action_services
from audits.case_links import stale_links
from audits.errors import DomainError
from audits.figures import audit_contribution, contribution_changed, refresh_all
from audits.grades import Grade
from audits.models import (
    Audit,
    FigureMonth,
    MonthActionFigures,
    MonthDomainFigures,
    MonthFigures,
    Status,
)
from moderation import services as moderation_services
from tests import factories
from tests.helpers import complete_content

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)
GRADES = (Grade.EXCEEDS, Grade.MEETS, Grade.DOES_NOT_MEET)
DOMAIN = (*GRADES, Grade.NOT_APPLICABLE)
CASES = ("CR-I0", "CR-I1", "cr-i0")  # the same case typed two ways, and another
DATES = st.dates(min_value=datetime.date(2026, 8, 25), max_value=datetime.date(2026, 10, 5))


def kept_rows() -> tuple[list, list]:
    """Every kept row, without its id, in a fixed order."""

    def rows(model):
        return sorted(
            (
                tuple(sorted((k, v) for k, v in row.items() if k != "id"))
                for row in model.objects.values()
            ),
            key=repr,  # an open action's due date beside None for the others
        )

    return rows(MonthFigures), rows(MonthDomainFigures), rows(MonthActionFigures)


def rebuilt_rows() -> tuple[list, list]:
    """The rows a full rebuild makes of the audits as they are now (then rolled back)."""
    with transaction.atomic():
        refresh_all()
        rows = kept_rows()
        transaction.set_rollback(True)
    return rows


operation = st.one_of(
    st.tuples(
        st.just("new"),
        st.fixed_dictionaries(
            {
                "date": DATES,
                "grade": st.sampled_from(GRADES),
                "domain": st.sampled_from(DOMAIN),
                "practice": st.booleans(),
                "early_help": st.booleans(),
                "submit": st.booleans(),
            }
        ),
    ),
    st.tuples(
        st.sampled_from(("submit", "take", "release", "send_back", "add_to_queue", "delete")),
        st.integers(0, 5),
    ),
    st.tuples(
        st.just("moderate"),
        st.tuples(st.integers(0, 5), st.sampled_from(GRADES), st.booleans()),
    ),
    st.tuples(
        st.sampled_from(("action_done", "action_not_needed", "action_reopen")),
        st.integers(0, 5),
    ),
    st.tuples(
        st.just("amend"),
        st.tuples(
            st.integers(0, 5),
            DATES,
            st.sampled_from(GRADES),
            st.sampled_from(DOMAIN),
            st.sampled_from(CASES),
        ),
    ),
)


def run(name, argument, audits, people, strand):
    auditor, moderator, lead = people
    if name == "new":
        content = complete_content(
            # Few cases, so that audits follow one another in a case (audits.case_links).
            case_reference=CASES[len(audits) % len(CASES)],
            audit_date=argument["date"],
            overall=argument["grade"],
            domain_grade=argument["domain"],
        )
        content.header["is_practice"] = argument["practice"]
        if argument["early_help"]:
            content.header["strand"] = strand
        audit = services.audit_save_draft(audit=None, by=auditor, content=content)
        audits.append(audit.pk)
        if argument["submit"]:
            name, argument = "submit", len(audits) - 1
        else:
            return
    index = (argument[0] if isinstance(argument, tuple) else argument) % len(audits)
    audit = Audit.objects.filter(pk=audits[index]).first()
    if audit is None:
        return
    try:
        if name == "submit":
            services.audit_submit(audit=audit, by=auditor, today=TODAY)
        elif name == "take":
            moderation_services.moderation_take(audit=audit, moderator=moderator)
        elif name == "release":
            moderation_services.moderation_release(audit=audit, moderator=moderator)
        elif name == "moderate":
            moderation_services.moderation_record(
                audit=audit,
                moderator=moderator,
                grade=argument[1],
                rationale="Weighed up.",
                actions=[{"description": "Visit again", "owner": "Team manager", "due_date": None}]
                if argument[2]
                else None,
            )
        elif name.startswith("action_"):
            action = audit.actions.order_by("pk").first()
            if action is None:
                return
            if name == "action_done":
                action_services.action_mark_done(
                    action=action, by=lead, note="Done.", completed_on=audit.audit_date
                )
            elif name == "action_not_needed":
                action_services.action_mark_not_needed(action=action, by=lead, reason="Moved.")
            else:
                action_services.action_reopen(action=action, by=lead, note="Not yet.")
        elif name == "send_back":
            moderation_services.moderation_send_back(
                audit=audit, moderator=moderator, comments="Look again."
            )
        elif name == "add_to_queue":
            moderation_services.moderation_add_to_queue(audit=audit, by=lead)
        elif name == "delete":
            services.audit_delete_draft(audit=audit, by=auditor)
        elif name == "amend":
            _, day, grade, domain, case = argument
            services.audit_save_draft(
                audit=audit,
                by=auditor,
                content=complete_content(
                    case_reference=case,
                    audit_date=day,
                    overall=grade,
                    domain_grade=domain,
                ),
            )
    except DomainError:
        pass  # not allowed from the audit's state: the service wrote nothing


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(operation, min_size=1, max_size=10))
def test_incremental_figures_equal_a_full_rebuild_after_any_sequence(operations):
    with transaction.atomic():
        try:
            people = (factories.auditor(), factories.moderator(), factories.qa_lead())
            strand = factories.strand("early_help")
            audits: list[int] = []
            seed = {
                "date": datetime.date(2026, 9, 30),
                "grade": Grade.MEETS,
                "domain": Grade.MEETS,
                "practice": False,
                "early_help": False,
                "submit": True,
            }
            run("new", seed, audits, people, strand)
            for name, argument in operations:
                run(name, argument, audits, people, strand)
                assert kept_rows() == rebuilt_rows(), (name, argument)
                assert stale_links() == 0, (name, argument)
            counted = Audit.objects.exclude(status=Status.DRAFT).exclude(is_practice=True)
            assert sum(MonthFigures.objects.values_list("audits", flat=True)) == counted.count()
        finally:
            transaction.set_rollback(True)


def test_a_change_that_moves_no_figure_writes_nothing(django_assert_num_queries):
    """Taking an audit from the queue leaves it counted as it was: four queries for what it
    adds now (grades, domains, actions, and its place among its case's audits), one for its
    case's links to compare again (none with an earlier audit here; on PostgreSQL the case's
    two locks first), no lock on its month and no write."""
    from tests.helpers import submitted_audit

    audit = submitted_audit(overall=Grade.MEETS)
    before = audit_contribution(audit)
    with django_assert_num_queries(5 if connection.vendor == "sqlite" else 7):
        contribution_changed(audit, before)
    assert before.figures and before.domains and before.actions


def test_the_cost_of_a_submit_does_not_grow_with_its_month(django_assert_max_num_queries):
    """A fixed number of queries whatever the month holds: four for what the audit adds now
    (grades, domains, actions, its place), two to create and lock its month, one to read the
    kept rows of each kind it changes, and the writes of those rows (a submit that is a month's
    first audit of its kind only inserts); then its case's links: its audits, their links, and
    the link written (on PostgreSQL two locks more)."""
    from tests.helpers import submitted_audit

    auditor = factories.auditor()
    for n in range(8):
        submitted_audit(auditor=auditor, case_reference=f"CR-M{n}")
    audit = services.audit_save_draft(
        audit=None, by=auditor, content=complete_content(case_reference="CR-M9")
    )
    before = audit_contribution(audit)
    Audit.objects.filter(pk=audit.pk).update(status=Status.SUBMITTED)
    with django_assert_max_num_queries(18):
        contribution_changed(audit, before)
    assert kept_rows() == rebuilt_rows()


def test_figures_made_stale_outside_the_services_are_rebuilt_not_made_negative():
    from tests.helpers import submitted_audit

    audit = submitted_audit(overall=Grade.MEETS)
    MonthFigures.objects.all().delete()  # as a restore of some tables might leave them
    MonthDomainFigures.objects.all().delete()
    moderator = factories.moderator()
    if audit.status == Status.COMPLETED:
        moderation_services.moderation_add_to_queue(audit=audit, by=factories.qa_lead())
    moderation_services.moderation_take(audit=audit, moderator=moderator)
    moderation_services.moderation_record(
        audit=audit, moderator=moderator, grade=Grade.DOES_NOT_MEET, rationale="Weighed up."
    )
    assert kept_rows() == rebuilt_rows()
    assert FigureMonth.objects.count() == 1


def test_one_audits_contribution_is_counted_as_the_reports_queries_count_it():
    """audit_contribution runs the counting queries compiled once (audits.figures
    _one_audit_queries); what it reads is what the querysets themselves give, for audits of
    every kind: moderated to another grade, not met in every domain, practice, and draft."""
    from django.db.models import Q

    from audits.figures import (
        ACTIONS_KEY,
        DOMAINS_KEY,
        FIGURES_KEY,
        Contribution,
        _counted_actions,
        _counted_where,
        _keyed,
    )
    from tests.helpers import draft_audit, moderated_audit, submitted_audit

    audits = [
        moderated_audit(grade=Grade.EXCEEDS, case_reference="CR-C1"),
        submitted_audit(
            overall=Grade.DOES_NOT_MEET,
            domain_grade=Grade.DOES_NOT_MEET,
            case_reference="CR-C2",
            audit_date=datetime.date(2026, 9, 3),
        ),
        draft_audit(case_reference="CR-C3"),
    ]
    practice = submitted_audit(case_reference="CR-C4")
    Audit.objects.filter(pk=practice.pk).update(is_practice=True)
    for audit in [*audits, practice]:
        audit.refresh_from_db()
        figures, domains = _counted_where(Q(pk=audit.pk))
        actions = _counted_actions(Q(audit=audit.pk))
        expected = Contribution(
            _keyed(figures, FIGURES_KEY),
            _keyed(domains, DOMAINS_KEY),
            _keyed(actions, ACTIONS_KEY),
            (
                audit.case_reference,
                audit.audit_date,
                audit.status != Status.DRAFT,
                audit.is_practice,
                audit.activity_id,
                audit.strand_id,
                audit.case_type_id,
            ),
        )
        assert audit_contribution(audit) == expected
    counted = audit_contribution(audits[1])
    ((month, _activity, _strand, _case_type),) = counted.figures
    assert month == datetime.date(2026, 9, 1)
    assert next(iter(counted.figures.values()))["not_met_in_all_applicable"] == 1
    # The key's values are the kept rows' own: a date for the open action's due date, and
    # True (not SQLite's 1) for domains of a case finally graded Does not meet good.
    ((*_, due),) = counted.actions
    assert due == audits[1].actions.get().due_date
    assert {key[-1] for key in counted.domains} == {True}
    assert all(type(key[-1]) is bool for key in counted.domains)
    for uncounted in (audits[2], practice):
        counted = audit_contribution(uncounted)
        assert (counted.figures, counted.domains, counted.actions) == ({}, {}, {})
