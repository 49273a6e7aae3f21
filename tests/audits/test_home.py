"""The home page by role (audits.views.home): the auditor's work to do, the moderator's queue and
agreement, the QA lead's quarter at a glance and the administrator's accounts and tasks. A
person with several roles sees each of their sections. Each role's page makes the same number of
queries however much there is (Zulip style: django_assert_max_num_queries).
"""

import datetime
import re
from html import unescape

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from audits import periods, roles
from audits.grades import Grade
from audits.percentages import format_percent, percent
from audits.schedule import services as schedule_services
from reports.figures import report_figures
from reports.selectors import ReportScope
from reports.targets.services import target_create
from tests import factories
from tests.helpers import draft_audit, moderated_audit, submitted_audit, taken_audit

pytestmark = pytest.mark.django_db

HOME = reverse("audits:home")
TODAY = timezone.localdate()
QUARTER = periods.quarter(periods.financial_year_of(TODAY), periods.financial_quarter_of(TODAY))
# An audit date in the quarter, on or before today, whose activity's month is open for audits.
IN_QUARTER = TODAY


def _text(response) -> str:
    return re.sub(r"\s+", " ", unescape(response.content.decode()))


def _section(text: str, heading_id: str) -> str:
    start = text.index(f'id="{heading_id}"')
    end = text.find('<section class="app-home-section"', start)
    return text[start : end if end != -1 else len(text)]


# --- Auditor --------------------------------------------------------------------------------------


@pytest.fixture
def auditors_work(owner, moderator_user):
    """Drafts, a returned audit, an assigned activity past its date, feedback to acknowledge and
    an overdue action, all the owner's."""
    from moderation import services as moderation_services

    draft = draft_audit(auditor=owner, case_reference="CR-DRAFT-1", audit_date=TODAY)
    returned = taken_audit(
        moderator=moderator_user,
        auditor=owner,
        case_reference="CR-BACK-1",
        audit_date=TODAY,
        today=TODAY,
    )
    moderation_services.moderation_send_back(
        audit=returned, moderator=moderator_user, comments="Say more about the plan."
    )
    moderated = moderated_audit(
        moderator=moderator_user,
        auditor=owner,
        case_reference="CR-MOD-1",
        audit_date=TODAY,
        today=TODAY,
    )
    # An action agreed 60 days ago, due 28 days after: overdue now.
    old = TODAY - datetime.timedelta(days=60)
    overdue = submitted_audit(auditor=owner, case_reference="CR-OLD-1", audit_date=old, today=TODAY)
    activity = schedule_services.activity_create(
        name="Neglect: threshold decisions",
        month=periods.month_start(TODAY),
        planned_audits=6,
        due_date=TODAY - datetime.timedelta(days=1) if TODAY.day > 1 else TODAY,
        auditors=[owner],
    )
    return {
        "draft": draft,
        "returned": returned,
        "moderated": moderated,
        "overdue": overdue,
        "activity": activity,
    }


def test_the_auditor_sees_what_to_do(client, owner, auditors_work):
    client.force_login(owner)

    text = _text(client.get(HOME))
    mine = _section(text, "home-auditor")

    # Drafts to finish, returned first, each a link to finish it.
    drafts = mine[mine.index('id="my-drafts"') :]
    assert drafts.index("CR-BACK-1") < drafts.index("CR-DRAFT-1")
    assert reverse("audits:edit", args=[auditors_work["draft"].pk]) in drafts
    assert reverse("audits:edit", args=[auditors_work["returned"].pk]) in drafts
    assert "Returned to you" in drafts
    # The assigned activity, with its due date in words and, when passed, said so.
    activity = auditors_work["activity"]
    assigned = mine[mine.index('id="assigned-activities"') :]
    assert "Neglect: threshold decisions" in assigned
    assert f"{activity.due_date:%-d %B %Y}" in assigned
    if activity.due_date < TODAY:
        assert "Past its due date" in assigned
    # Moderation feedback to acknowledge: the moderated audit and the one sent back.
    assert "2 moderation feedback items to acknowledge" in mine
    assert reverse("moderation:feedback") in mine
    # Their actions, the overdue one flagged in words, with links to the list.
    actions = mine[mine.index('id="my-actions"') :]
    overdue_action = auditors_work["overdue"].actions.get()
    assert reverse("audits:action_detail", args=[overdue_action.pk]) in actions
    assert "Overdue</strong>" in actions
    assert "of which 1 is overdue" in mine
    assert f"?owner={owner.pk}&amp;overdue=yes" in mine or f"?owner={owner.pk}&overdue=yes" in mine
    # Not the other roles' sections.
    for other in ("home-moderator", "home-qa-lead", "home-administrator"):
        assert f'id="{other}"' not in text


def test_a_colleague_sees_none_of_the_owners_work(client, colleague, auditors_work):
    client.force_login(colleague)

    text = _text(client.get(HOME))

    for reference in ("CR-DRAFT-1", "CR-BACK-1", "CR-MOD-1", "CR-OLD-1"):
        assert reference not in text
    assert "You have no drafts to finish." in text
    assert "You have no open agreed actions." in text
    assert "moderation feedback" not in text


# --- Moderator ------------------------------------------------------------------------------------


def test_the_moderator_sees_the_queue_outcomes_and_agreement(client, moderator_user):
    moderator_user.first_name, moderator_user.last_name = "Mo", "Reyes"
    moderator_user.save()
    waiting = submitted_audit(case_reference="CR-WAIT-1", audit_date=IN_QUARTER, today=TODAY)
    submitted_audit(case_reference="CR-WAIT-2", audit_date=IN_QUARTER, today=TODAY)
    moderated_audit(
        moderator=moderator_user, case_reference="CR-AGREED", audit_date=IN_QUARTER, today=TODAY
    )
    moderated_audit(
        moderator=moderator_user,
        case_reference="CR-LOWERED",
        audit_date=IN_QUARTER,
        today=TODAY,
        grade=Grade.DOES_NOT_MEET,
    )
    client.force_login(moderator_user)

    text = _section(_text(client.get(HOME)), "home-moderator")

    assert "2 audits" in text
    assert "Case CR-WAIT-1" in text  # submitted first, waiting longest
    assert reverse("audits:detail", args=[waiting.pk]) in text
    assert "waiting less than a day" in text
    assert reverse("moderation:queue") in text
    recent = text[text.index('id="recent-outcomes"') :]
    assert recent.index("CR-LOWERED") < recent.index("CR-AGREED")
    assert "Grade lowered" in recent and "Agreed with the auditor" in recent
    assert "Mo Reyes" in recent
    assert "agreed with the auditor's grade in 1 of 2 moderated audits (50.0%)" in text
    assert f"date_from={QUARTER.start:%Y-%m-%d}" in text


# --- QA lead --------------------------------------------------------------------------------------


@pytest.fixture
def quarter(qa_lead_user, moderator_user):
    moderated_audit(
        moderator=moderator_user,
        case_reference="CR-Q-1",
        audit_date=IN_QUARTER,
        today=TODAY,
        grade=Grade.DOES_NOT_MEET,
    )
    submitted_audit(case_reference="CR-Q-2", audit_date=IN_QUARTER, today=TODAY)
    submitted_audit(
        case_reference="CR-Q-3", audit_date=IN_QUARTER, today=TODAY, overall=Grade.EXCEEDS
    )
    late = factories.AuditActivityFactory(
        name="Late activity",
        month=periods.month_start(TODAY),
        planned_audits=9,
        due_date=TODAY - datetime.timedelta(days=3),
    )
    target_create(
        by=qa_lead_user,
        financial_year=periods.financial_year_of(TODAY),
        name="Good or better",
        measure="good_or_better",
        direction="at_least",
        target_value="90",
        amber_tolerance=0,
    )
    return late


def test_the_qa_lead_sees_the_quarter_from_the_reports_own_figures(client, qa_lead_user, quarter):
    client.force_login(qa_lead_user)

    text = _section(_text(client.get(HOME)), "home-qa-lead")
    figures = report_figures(ReportScope(period=QUARTER), today=TODAY)

    assert QUARTER.label in text
    assert figures["audits"] == 3
    moderated = figures["moderation"]["moderated"]
    rate = format_percent(percent(moderated, figures["audits"]))
    assert f"{rate}: {moderated} of 3 audits moderated" in text
    # Grades before and after moderation: the table and, beside it, the report's chart.
    grades = text[text.index('id="quarter-grades"') :]
    assert "Does not meet good" in grades
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in text
    assert "Bar chart of the overall grades before and after moderation" in text
    # The RAG rating in words, not colour alone: 2 of 3 meet good, against at least 90%.
    assert 'govuk-tag govuk-tag--red">Red</strong>' in text
    # Late activities, and planned against done.
    late = text[text.index('id="quarter-late"') :]
    assert "Late activity" in late
    assert f"{quarter.due_date:%-d %B %Y}" in late
    assert "planned audits submitted" in text or "planned audit submitted" in text
    # Links to act on each.
    for url in (
        reverse("audits:activities"),
        reverse("moderation:dashboard"),
        reverse("audits:actions") + "?overdue=yes",
        reverse("reports:targets"),
        reverse("reports:new"),
    ):
        assert url in text, url


def test_the_qa_lead_sees_no_auditor_or_moderator_section(client, qa_lead_user):
    client.force_login(qa_lead_user)

    text = _text(client.get(HOME))

    assert 'id="home-qa-lead"' in text
    for other in ("home-auditor", "home-moderator", "home-administrator"):
        assert f'id="{other}"' not in text


# --- Administrator --------------------------------------------------------------------------------


def _failed_task(when):
    return DBTaskResult.objects.create(
        status=TaskResultStatus.FAILED,
        task_path="audits.actions.tasks.send_action_email",
        args_kwargs={"args": [], "kwargs": {}},
        priority=0,
        queue_name="default",
        backend_name="default",
        enqueued_at=when,
        finished_at=when,
        exception_class_path="audits.background.TaskFailed",
        traceback="",
    )


def test_the_administrator_sees_accounts_lockouts_and_failed_tasks(client, administrator_user):
    factories.auditor()
    factories.auditor()
    factories.UserFactory()  # no role yet
    now = timezone.now()
    AccessAttempt.objects.create(
        username="locked.out",
        ip_address="192.0.2.7",
        user_agent="test",
        failures_since_start=5,
        attempt_time=now,
    )
    AccessAttempt.objects.create(
        username="one.slip", ip_address="192.0.2.8", user_agent="test", failures_since_start=1
    )
    _failed_task(now)
    client.force_login(administrator_user)

    text = _section(_text(client.get(HOME)), "home-administrator")

    by_role = text[text.index('id="users-by-role"') :]
    assert re.search(r"Auditor</dt> <dd[^>]*>2 people", by_role)
    assert re.search(r"Administrator</dt> <dd[^>]*>1 person", by_role)
    assert re.search(r"No role yet</dt> <dd[^>]*>1 person", by_role)
    assert "Needs a role" in by_role
    locked = text[text.index('id="locked-out"') :]
    assert "locked.out" in locked and "192.0.2.7" in locked
    assert "one.slip" not in text
    assert "send_action_email" in text
    assert f"{now:%-d %B %Y}" in text
    assert reverse("admin:axes_accessattempt_changelist") in text
    assert reverse("admin:django_tasks_database_dbtaskresult_changelist") in text


def test_nothing_to_report_says_so(client, administrator_user):
    client.force_login(administrator_user)

    text = _text(client.get(HOME))

    assert "No sign-in is being refused." in text
    assert "No background task has failed in the last 7 days." in text


# --- Several roles, no role -----------------------------------------------------------------------


def test_someone_with_every_role_sees_every_section_in_order(client):
    everyone = factories.UserFactory(roles=list(roles.ALL_ROLES))
    client.force_login(everyone)

    text = _text(client.get(HOME))

    positions = [
        text.index(f'id="{section}"')
        for section in ("home-auditor", "home-moderator", "home-qa-lead", "home-administrator")
    ]
    assert positions == sorted(positions)
    assert text.count("<h1") == 1


def test_someone_without_a_role_is_told_to_ask_for_one(client, no_role_user):
    client.force_login(no_role_user)

    text = _text(client.get(HOME))

    assert "You have no role yet." in text
    assert 'class="app-home-section"' not in text


# --- Query counts do not grow with the data -------------------------------------------------------


def _more_of_everything(n, *, auditor, moderator, qa_lead):
    for i in range(n):
        draft_audit(auditor=auditor, case_reference=f"CR-D-{n}-{i}")
        submitted_audit(
            auditor=auditor, case_reference=f"CR-S-{n}-{i}", audit_date=IN_QUARTER, today=TODAY
        )
        moderated_audit(
            moderator=moderator,
            auditor=auditor,
            case_reference=f"CR-M-{n}-{i}",
            audit_date=IN_QUARTER,
            today=TODAY,
        )
        factories.AuditActivityFactory(
            name=f"Activity {n}-{i}",
            month=periods.month_start(TODAY),
            planned_audits=3,
            due_date=TODAY - datetime.timedelta(days=1),
        ).auditors.add(auditor)
        factories.UserFactory(roles=[roles.AUDITOR])
        AccessAttempt.objects.create(
            username=f"locked{n}-{i}",
            ip_address="192.0.2.9",
            user_agent="t",
            failures_since_start=6,
        )
        _failed_task(timezone.now())
        target_create(
            by=qa_lead,
            financial_year=periods.financial_year_of(TODAY),
            name=f"Target {n}-{i}",
            measure="moderation_rate",
            direction="at_least",
            target_value="20",
            amber_tolerance=0,
        )


# The most queries each role's home page may make: the session, the user and their roles, and
# each section's fixed reads (audits.home, moderation.selectors.moderator_home,
# reports.home.quarter_at_a_glance; one for anyone's own overdue improvement plan items).
@pytest.mark.parametrize(
    "who, most",
    [("auditor", 16), ("moderator", 14), ("qa_lead", 24), ("administrator", 13)],
)
def test_each_roles_home_makes_the_same_queries_however_much_there_is(
    client, who, most, django_assert_max_num_queries
):
    auditor = factories.auditor()
    moderator = factories.moderator()
    qa_lead = factories.qa_lead()
    people = {
        "auditor": auditor,
        "moderator": moderator,
        "qa_lead": qa_lead,
        "administrator": factories.administrator(),
    }
    client.force_login(people[who])
    _more_of_everything(1, auditor=auditor, moderator=moderator, qa_lead=qa_lead)
    client.get(HOME)
    with django_assert_max_num_queries(most) as few:
        assert client.get(HOME).status_code == 200
    _more_of_everything(6, auditor=auditor, moderator=moderator, qa_lead=qa_lead)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(HOME).status_code == 200
