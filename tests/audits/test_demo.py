"""The demo data behind `make run`: a believable year of complete audits, loaded once."""

import datetime
import io
from collections import Counter

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.utils import timezone

from audits import demo, roles
from audits.models import (
    AgreedAction,
    Audit,
    AuditActivity,
    AuditTransition,
    DomainGrade,
    Grade,
    Status,
    Team,
)
from audits.rules import submit_problems
from tests import factories, helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug(settings):
    # The command refuses to make accounts with a published password unless DEBUG is on.
    settings.DEBUG = True


def load() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (
        User, Team, AuditActivity, Audit, AuditTransition, DomainGrade, AgreedAction)}


# One full load (about ten seconds) serves every check on the data, the second run included.
def test_demo_is_a_year_of_complete_audits_and_a_second_run_adds_nothing(debug, client):
    output = load()
    today = timezone.localdate()

    # A login for every role, printed, and working.
    assert demo.DEMO_PASSWORD in output
    held = set()
    for username, role_names, superuser in demo.DEMO_USERS:
        assert username in output
        user = User.objects.get(username=username)
        assert set(user.groups.values_list("name", flat=True)) == set(role_names)
        assert user.is_superuser == user.is_staff == superuser
        assert client.login(username=username, password=demo.DEMO_PASSWORD)
        client.logout()
        held.update(role_names)
    assert held == set(roles.ALL_ROLES)

    past_draft = Audit.objects.exclude(status=Status.DRAFT)
    assert past_draft.count() >= 250
    assert Audit.objects.filter(status=Status.DRAFT).count() >= 10
    assert not Audit.objects.filter(audit_date__gt=today).exists()
    year_ago = (today.replace(day=1) - datetime.timedelta(days=335)).replace(day=1)
    assert not Audit.objects.filter(audit_date__lt=year_ago).exists()

    # Re-audits: the same case again, later.
    reaudited = (past_draft.values("case_reference").annotate(n=Count("pk")).filter(n__gt=1)
                 .values_list("case_reference", flat=True))
    assert len(reaudited) >= 10
    for reference in reaudited:
        dates = list(past_draft.filter(case_reference=reference).values_list("audit_date",
                                                                             flat=True))
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
    per_month = Counter(AuditActivity.objects.filter(month__lte=today, month__gte=year_ago)
                        .values_list("month", flat=True))
    assert len(per_month) == 12
    assert set(per_month.values()) <= {2, 3}

    # Each audit past draft was genuinely complete, fits its activity and was submitted once,
    # on a date no later than today.
    audits = past_draft.select_related("activity").prefetch_related(
        "domain_grades__domain", "actions", "activity__case_types", "transitions")
    not_applicable = 0
    for audit in audits:
        assert submit_problems(audit, today=today) == []
        assert audit.strand_id == audit.activity.strand_id
        assert audit.case_type_id in {c.pk for c in audit.activity.case_types.all()}
        assert audit.audit_date >= audit.activity.month
        [transition] = audit.transitions.all()
        assert transition.to_status == Status.SUBMITTED
        assert transition.at == audit.submitted_at
        assert audit.audit_date <= audit.feedback_date <= timezone.localdate(audit.submitted_at)
        not_applicable += sum(g.grade == Grade.NOT_APPLICABLE for g in audit.domain_grades.all())
    assert not_applicable > 0
    assert not AgreedAction.objects.exclude(owner__gt="").exists()

    # Running it again (every `make run` does) adds nothing.
    before = counts()
    output = load()
    assert "Demo data already loaded" in output
    assert demo.DEMO_PASSWORD in output
    assert counts() == before


def test_a_half_loaded_database_gets_its_missing_users(debug, client):
    # Demo audits exist (so the audits are not loaded again) but most demo users do not.
    helpers.submitted_audit(auditor=factories.auditor(username="auditor1"))

    output = load()

    assert "Demo data already loaded" in output
    assert Audit.objects.count() == 1
    assert set(User.objects.values_list("username", flat=True)) == set(demo.DEMO_USERNAMES)
    assert client.login(username="qalead", password=demo.DEMO_PASSWORD)
    # An account that was already there keeps its own password.
    assert not client.login(username="auditor1", password=demo.DEMO_PASSWORD)


def test_refuses_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        load()

    assert not User.objects.exists()
