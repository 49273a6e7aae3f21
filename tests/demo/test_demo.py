"""The demo data behind `make run`: a believable year of audits and everything that follows from
them (moderation, the schedule, actions, QA targets), loaded once."""

import datetime
import io
from collections import Counter, defaultdict

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from audits import periods, roles
from audits.figures import stale_months
from audits.grades import Grade
from audits.models import (
    ActionEvent,
    AgreedAction,
    Audit,
    AuditActivity,
    AuditTransition,
    DomainGrade,
    FigureMonth,
    Status,
    Team,
)
from audits.periods import add_months, financial_year_of, quarter
from audits.rules import submit_problems
from audits.schedule import selectors as schedule_selectors
from audits.tools.kinds import STANDARD_FAMILY, ActivityKind, QuestionKind, YesNo
from demo import people
from moderation.models import DomainNote, Exemplar, Moderation, ModerationCase, SampleReason
from moderation.selectors import QUEUE_STATUSES, unacknowledged_feedback_count
from reports.models import ManualActual, Measure, Target
from reports.selectors import ReportScope, schedule_figures
from reports.targets.measures import GREEN, RED, targets_table, year_to_date
from tests import factories, helpers

pytestmark = pytest.mark.django_db

# Every table the load writes, join tables included: a second run must add to none of them.
TOUCHED = (
    User,
    User.groups.through,
    Team,
    AuditActivity,
    AuditActivity.case_types.through,
    AuditActivity.auditors.through,
    Audit,
    Audit.risk_categories.through,
    AuditTransition,
    DomainGrade,
    AgreedAction,
    ActionEvent,
    ModerationCase,
    Moderation,
    DomainNote,
    Exemplar,
    Target,
    ManualActual,
)
DECISIONS = (Moderation.Outcome.AGREED, Moderation.Outcome.RAISED, Moderation.Outcome.LOWERED)


@pytest.fixture
def debug(settings):
    # The command refuses to make accounts with a published password unless DEBUG is on.
    settings.DEBUG = True


def load() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {f"{model._meta.label}": model.objects.count() for model in TOUCHED}


# One full load (twenty seconds or so) serves every check on the data, the second run included.
def test_demo_is_a_living_year_and_a_second_run_adds_nothing(debug, client):
    output = load()
    today = timezone.localdate()

    check_logins(output, client)
    check_audits(today)
    check_early_help_every_month(today)
    check_timestamps()
    check_moderation()
    check_schedule(today)
    check_actions(today)
    check_targets(today)
    check_example_tools(today)
    # Every audit went through the services: the report figures kept per month are right.
    assert stale_months() == []
    assert FigureMonth.objects.exists()

    # Running it again (every `make run` does) adds nothing.
    before = counts()
    output = load()
    assert "Demo data already loaded" in output
    assert people.DEMO_PASSWORD in output
    assert counts() == before


def signs_in(client, username, password):
    """Signs in through the sign-in page, as a person does (django-axes, which guards it, needs
    the request that Django's client.login() would not pass)."""
    client.post(reverse("login"), {"username": username, "password": password})
    return "_auth_user_id" in client.session


def check_logins(output, client):
    assert people.DEMO_PASSWORD in output
    held = set()
    for username, role_names, superuser in people.DEMO_USERS:
        assert username in output
        user = User.objects.get(username=username)
        assert set(user.groups.values_list("name", flat=True)) == set(role_names)
        assert user.is_superuser == user.is_staff == superuser
        # A person's full name, not a username, wherever the app names them.
        assert user.first_name and user.last_name, username
        assert roles.display_name(user) == f"{user.first_name} {user.last_name}"
        assert signs_in(client, username, people.DEMO_PASSWORD)
        client.logout()
        held.update(role_names)
    assert held == set(roles.ALL_ROLES)
    names = [
        (u.first_name, u.last_name) for u in User.objects.filter(username__in=people.DEMO_USERNAMES)
    ]
    assert len(set(names)) == len(names) == len(people.DEMO_USERS)


def check_early_help_every_month(today):
    """A council audits its early help cases every month, as it does its social care ones."""
    # The eleven whole months before this one (this month may have only begun).
    months = periods.months_between(periods.add_months(today, -11), periods.add_months(today, -1))
    assert len(months) == 11
    for month in months:
        early_help = Audit.objects.exclude(status=Status.DRAFT).filter(
            strand__slug="early_help",
            audit_date__gte=month,
            audit_date__lte=periods.last_of_month(month),
        )
        assert early_help.exists(), f"no early help audit in {month:%B %Y}"


def check_audits(today):
    # The standard tool's audits; the example tools' are checked in check_example_tools.
    past_draft = Audit.objects.exclude(status=Status.DRAFT).filter(tool__family=STANDARD_FAMILY)
    assert past_draft.count() >= 250
    assert Audit.objects.filter(status=Status.DRAFT).count() >= 10
    assert not Audit.objects.filter(audit_date__gt=today).exists()
    year_ago = (today.replace(day=1) - datetime.timedelta(days=335)).replace(day=1)
    assert not Audit.objects.filter(audit_date__lt=year_ago).exists()

    # Re-audits: the same case again, later.
    reaudited = (
        past_draft.values("case_reference")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("case_reference", flat=True)
    )
    assert len(reaudited) >= 10
    for reference in reaudited:
        dates = list(
            past_draft.filter(case_reference=reference).values_list("audit_date", flat=True)
        )
        assert len(set(dates)) == len(dates)

    assert set(past_draft.values_list("strand__slug", flat=True)) == {"social_care", "early_help"}
    assert past_draft.values("case_type").distinct().count() >= 6
    assert past_draft.values("auditor").distinct().count() >= 6
    grades = Counter(past_draft.values_list("overall_grade", flat=True))
    total = sum(grades.values())
    assert 0.05 <= grades[Grade.EXCEEDS] / total <= 0.15
    assert 0.45 <= grades[Grade.MEETS] / total <= 0.65
    assert 0.25 <= grades[Grade.DOES_NOT_MEET] / total <= 0.45

    # Every month of the past year has two or three activities.
    per_month = Counter(
        AuditActivity.objects.filter(
            month__lte=today, month__gte=year_ago, tool__isnull=True
        ).values_list("month", flat=True)
    )
    assert len(per_month) == 12
    assert set(per_month.values()) <= {2, 3}

    # Each audit past draft was genuinely complete and fits its activity.
    audits = past_draft.select_related("activity").prefetch_related(
        "domain_grades__domain", "actions", "activity__case_types"
    )
    not_applicable = 0
    for audit in audits:
        assert submit_problems(audit, today=today) == []
        assert audit.strand_id == audit.activity.strand_id
        assert audit.case_type_id in {c.pk for c in audit.activity.case_types.all()}
        assert audit.audit_date >= audit.activity.month
        assert audit.audit_date <= audit.feedback_date <= timezone.localdate(audit.submitted_at)
        not_applicable += sum(g.grade == Grade.NOT_APPLICABLE for g in audit.domain_grades.all())
    assert not_applicable > 0
    assert not AgreedAction.objects.exclude(owner__gt="").exists()


def check_timestamps():
    """Every back-dated stamp is in the past and in the order the story happened."""
    now = timezone.now()
    audits = {a.pk: a for a in Audit.objects.exclude(status=Status.DRAFT)}
    history = defaultdict(list)
    for row in AuditTransition.objects.order_by("audit_id", "pk"):
        history[row.audit_id].append(row)
    assert set(history) == set(audits)
    made = set()
    for pk, rows in history.items():
        audit = audits[pk]
        moments = [row.at for row in rows]
        assert moments == sorted(moments), f"{audit}: transitions out of order"
        assert audit.created_at <= moments[0] and moments[-1] <= now
        assert audit.updated_at == moments[-1]
        assert rows[0].from_status == Status.DRAFT and rows[0].to_status == Status.SUBMITTED
        assert rows[-1].to_status == audit.status
        # submitted_at is the last submission by the auditor (a QA lead's adding it to the
        # queue is not a submission).
        submissions = [
            r
            for r in rows
            if r.to_status == Status.SUBMITTED and r.from_status in (Status.DRAFT, Status.RETURNED)
        ]
        assert audit.submitted_at == submissions[-1].at
        made.update((pk, row.to_status, row.at) for row in rows)

    first = {pk: rows[0].at for pk, rows in history.items()}
    for case in ModerationCase.objects.all():
        assert case.decided_at == first[case.audit_id]
        if case.taken_at:
            assert first[case.audit_id] < case.taken_at <= now
        if case.added_at:
            assert first[case.audit_id] < case.added_at <= now
    for moderation in Moderation.objects.all():
        # Each round made its audit's transition at the same moment, after the submission.
        to = (
            Status.RETURNED
            if moderation.outcome == Moderation.Outcome.RETURNED
            else (Status.COMPLETED)
        )
        assert (moderation.audit_id, to, moderation.created_at) in made
        assert first[moderation.audit_id] < moderation.created_at <= now
        if moderation.acknowledged_at:
            assert moderation.created_at < moderation.acknowledged_at <= now
    for exemplar in Exemplar.objects.select_related("audit"):
        assert exemplar.audit.updated_at < exemplar.marked_at <= now
    for event in ActionEvent.objects.select_related("action"):
        assert event.action.created_at <= event.at <= now
    for action in AgreedAction.objects.select_related("audit"):
        assert action.created_at <= now
        assert action.created_at >= action.audit.created_at
    assert not Target.objects.filter(created_at__gt=now).exists()
    assert not ManualActual.objects.filter(entered_at__gt=now).exists()


def check_moderation():
    past_draft = Audit.objects.exclude(status=Status.DRAFT)
    counted = past_draft.filter(is_practice=False)
    selected = Q(moderation_case__sampled=True) | Q(moderation_case__added_by__isnull=False)

    # Moderated, unmoderated, waiting and returned audits all exist.
    assert counted.filter(moderated_grade__gt="").count() >= 150
    unmoderated = counted.filter(
        moderation_case__sampled=False, status=Status.COMPLETED, moderated_grade=""
    )
    assert unmoderated.count() >= 20
    assert set(ModerationCase.objects.values_list("reason", flat=True)) == set(SampleReason.values)
    waiting = counted.filter(selected, status__in=QUEUE_STATUSES)
    assert 10 <= waiting.count() <= 20
    assert 1 <= waiting.filter(status=Status.IN_MODERATION).count() <= 3
    returned = counted.filter(status=Status.RETURNED)
    assert returned.exists()
    for audit in returned:
        assert audit.moderations.last().outcome == Moderation.Outcome.RETURNED
        assert audit.moderation_case.taken_by is None

    # The QA lead added one audit to the queue by hand.
    [added] = ModerationCase.objects.filter(added_by__username="qalead")
    assert not added.sampled and added.audit.status in QUEUE_STATUSES

    # Mostly agreed, some lowered, a few raised; every change explained; never their own.
    outcomes = Counter(
        Moderation.objects.filter(audit__is_practice=False).values_list("outcome", flat=True)
    )
    decided = sum(outcomes[o] for o in DECISIONS)
    assert outcomes[Moderation.Outcome.AGREED] / decided >= 0.7
    assert outcomes[Moderation.Outcome.LOWERED] and outcomes[Moderation.Outcome.RAISED]
    assert not Moderation.objects.filter(outcome__in=DECISIONS[1:], rationale="").exists()
    assert not Moderation.objects.filter(feedback="").exists()
    assert not Moderation.objects.filter(moderator=F("audit__auditor")).exists()
    assert set(Moderation.objects.values_list("moderator__username", flat=True)) == {
        "moderator1",
        "moderator2",
    }
    assert DomainNote.objects.exists()
    assert AgreedAction.objects.filter(source=AgreedAction.Source.MODERATOR).exists()

    # Two rounds: sent back, resubmitted, then decided.
    two_rounds = 0
    for audit in counted.filter(moderations__outcome=Moderation.Outcome.RETURNED).distinct():
        rounds = list(audit.moderations.order_by("round"))
        if rounds[-1].outcome in DECISIONS:
            assert rounds[0].outcome == Moderation.Outcome.RETURNED
            assert rounds[0].created_at < rounds[-1].created_at
            assert rounds[0].acknowledged_at is not None
            two_rounds += 1
    assert two_rounds >= 3

    # Feedback read and unread, so home pages show what is waiting.
    auditors = User.objects.filter(audits__isnull=False).distinct()
    unread = {u.username: unacknowledged_feedback_count(u) for u in auditors}
    assert any(unread.values())
    assert Moderation.objects.filter(acknowledged_at__isnull=False).count() > sum(unread.values())

    # The newest auditor's practice audits, moderated with feedback; a few exemplars.
    practice = Audit.objects.filter(is_practice=True)
    assert 2 <= practice.count() <= 4
    assert set(practice.values_list("auditor__username", flat=True)) == {people.NEWEST_AUDITOR}
    assert not practice.exclude(status=Status.COMPLETED).exists()
    assert not practice.filter(moderated_grade="").exists()
    assert (
        not ModerationCase.objects.filter(audit__is_practice=True)
        .exclude(reason=SampleReason.PRACTICE)
        .exists()
    )
    assert 2 <= Exemplar.objects.count() <= 3
    assert not Exemplar.objects.exclude(audit__status=Status.COMPLETED).exists()
    assert not Exemplar.objects.filter(audit__is_practice=True).exists()


def check_schedule(today):
    activities = list(AuditActivity.objects.prefetch_related("auditors"))
    for activity in activities:
        assert activity.planned_audits, activity
        assert 1 <= len(activity.auditors.all()) <= 3
        month_end = add_months(activity.month, 1) - datetime.timedelta(days=1)
        assert activity.due_date == month_end + datetime.timedelta(days=14)
        assert activity.theme
    rates = {a.moderation_rate for a in activities}
    assert 100 in rates and rates & {25, 50}
    assert not all(a.always_moderate_not_met for a in activities)

    # The next three months are planned, with auditors.
    this_month = today.replace(day=1)
    for ahead in (1, 2, 3):
        month = add_months(this_month, ahead)
        assert AuditActivity.objects.filter(month=month, auditors__isnull=False).exists()
    # Every auditor, the newest included, has work assigned now or later.
    for user in User.objects.filter(groups__name=roles.AUDITOR):
        assert schedule_selectors.assigned_activities(user, today=today).exists(), user.username

    # One or two past activities are late; the others did what they planned.
    with_counts = schedule_selectors.activities_with_counts(today=today)
    assert 1 <= with_counts.filter(is_late=True).count() <= 2
    assert all(
        a.planned_audits == a.audits_done or a.is_late
        for a in with_counts.filter(month__lt=this_month)
    )

    scope = ReportScope(year_to_date(financial_year_of(today), today=today))
    assert schedule_figures(scope, today=today)["coming"]


def check_actions(today):
    actions = AgreedAction.objects.exclude(audit__status=Status.DRAFT)
    states = Counter(actions.values_list("state", flat=True))
    assert set(states) == set(AgreedAction.State.values)
    assert states[AgreedAction.State.DONE] > states[AgreedAction.State.NOT_NEEDED]
    open_ = actions.filter(state=AgreedAction.State.OPEN)
    assert open_.filter(due_date__lt=today).exists()  # overdue
    assert open_.filter(
        due_date__gte=today, due_date__lte=today + datetime.timedelta(days=7)
    ).exists()
    done = actions.filter(state=AgreedAction.State.DONE)
    assert done.filter(completed_on__lte=F("due_date")).exists()  # on time
    assert done.filter(completed_on__gt=F("due_date")).exists()  # late
    assert not done.filter(Q(completed_on__isnull=True) | Q(state_note="")).exists()
    assert not done.filter(completed_on__lt=F("audit__audit_date")).exists()
    assert not actions.filter(state=AgreedAction.State.NOT_NEEDED, state_note="").exists()
    # Each closed action has the one event that closed it; open ones have none.
    assert ActionEvent.objects.count() == actions.exclude(state=AgreedAction.State.OPEN).count()
    assert not ActionEvent.objects.exclude(to_state=F("action__state")).exists()


def check_targets(today):
    year = financial_year_of(today)
    targets = Target.objects.filter(financial_year=year)
    assert 6 <= targets.count() <= 8
    measures = set(targets.values_list("measure", flat=True))
    assert Measure.MANUAL in measures and len(measures) >= 5
    past_quarters = [quarter(year, n) for n in (1, 2, 3, 4) if quarter(year, n).end < today]
    for target in targets.filter(measure=Measure.MANUAL):
        assert [(a.start, a.end) for a in target.actuals.all()] == [
            (q.start, q.end) for q in past_quarters
        ]
    table = targets_table(ReportScope(year_to_date(year, today=today)), financial_year=year)
    colours = Counter(row["rag"] for row in table)
    assert colours[GREEN] and colours[RED], colours


def check_example_tools(today):
    """The three example tools, each used by activities of its kind with filled answers."""
    from audits.models import AgencyContribution, Answer, AuditTool
    from demo.tools import TOOLS

    tools = {t.name: t for t in AuditTool.objects.exclude(family=STANDARD_FAMILY)}
    assert set(tools) == {spec.name for spec in TOOLS}
    neglect = tools["Neglect thematic audit"]
    observation = tools["Practice observation: child in need or looked after review"]
    lado = tools["LADO referrals dip sample"]
    assert list(neglect.grades.values_list("label", flat=True)) == [
        "Good",
        "Requires improvement",
        "Inadequate",
    ]
    assert observation.grades.count() == 4 and observation.has_overall_grade
    assert not lado.has_overall_grade and not lado.grades.exists()
    kinds = set(
        Answer.objects.filter(audit__tool__in=tools.values()).values_list(
            "question__kind", flat=True
        )
    )
    assert kinds == set(QuestionKind.values)

    kinds_of = {
        neglect: {ActivityKind.THEMATIC, ActivityKind.MULTI_AGENCY},
        observation: {ActivityKind.PRACTICE_OBSERVATION},
        lado: {ActivityKind.DIP_SAMPLE},
    }
    for tool, expected in kinds_of.items():
        assert tool.is_current and tool.created_by.username == "qalead"
        assert set(tool.activities.values_list("kind", flat=True)) == expected
        audits = Audit.objects.filter(tool=tool)
        assert audits.count() >= 5
        assert not audits.exclude(status=Status.COMPLETED).exists()
        assert not audits.filter(audit_date__gt=today).exists()
        codes = set(tool.grades.values_list("code", flat=True))
        for audit in audits.prefetch_related("answers__question"):
            assert audit.activity.tool_id == tool.pk
            assert audit.case_reference.startswith("CR-")
            for answer in audit.answers.all():
                kind = answer.question.kind
                if kind == QuestionKind.GRADED:
                    assert answer.value in codes
                elif kind == QuestionKind.YES_NO:
                    assert answer.value in YesNo.values
                elif kind == QuestionKind.CHOICE:
                    assert answer.value in answer.question.options
                elif answer.question.required:
                    assert not answer.is_blank, answer
            if tool.has_overall_grade:
                assert audit.overall_grade in codes
                assert audit.moderated_grade in codes | {""}
                assert bool(audit.moderated_grade) == bool(audit.moderated_by_id)
            else:
                assert audit.overall_grade == audit.moderated_grade == ""
    # Some graded audits moderated, some not; one moved a grade.
    graded = Audit.objects.filter(tool__in=[neglect, observation])
    assert graded.filter(moderated_grade__gt="").exists()
    assert graded.filter(moderated_grade="").exists()

    observed = Audit.objects.filter(tool=observation)
    assert not observed.filter(Q(observed_event="") | Q(observed_practitioner="")).exists()
    assert not observed.filter(observed_on__isnull=True).exists()
    dip = Answer.objects.filter(audit__tool=lado)
    assert not dip.filter(items_checked__isnull=True).exists()
    assert not Answer.objects.filter(audit__tool__in=[neglect, observation], items_checked__gt=0)
    multi = AuditActivity.objects.get(kind=ActivityKind.MULTI_AGENCY)
    assert multi.agencies == ["Police", "Health", "Education"]
    for audit in multi.audits.all():
        assert set(
            AgencyContribution.objects.filter(audit=audit).values_list("agency", flat=True)
        ) == set(multi.agencies)

    # The standard figures count none of them.
    from audits.figures import reportable

    assert not reportable(Audit.objects.exclude(tool__family=STANDARD_FAMILY)).exists()


def test_a_half_loaded_database_gets_its_missing_users(debug, client):
    # Demo audits exist (so the audits are not loaded again) but most demo users do not.
    helpers.submitted_audit(auditor=factories.auditor(username="auditor1"))

    output = load()

    assert "Demo data already loaded" in output
    assert Audit.objects.count() == 1
    assert set(User.objects.values_list("username", flat=True)) == set(people.DEMO_USERNAMES)
    assert signs_in(client, "qalead", people.DEMO_PASSWORD)
    client.logout()
    # An account that was already there keeps its own password.
    assert not signs_in(client, "auditor1", people.DEMO_PASSWORD)


def test_refuses_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        load()

    assert not User.objects.exists()
