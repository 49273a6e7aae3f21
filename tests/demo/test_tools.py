"""The demo's example tools (demo.tools), loaded on their own: quicker than the whole demo
(tests/demo/test_demo.py checks them in the full load), and shown to be the same every run."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from audits.models import Answer, Audit, AuditActivity, AuditTransition
from audits.tools.kinds import ActivityKind
from demo import tools as demo_tools
from demo.clock import Clock, Stamps
from demo.people import ensure_teams, ensure_users

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 18)


def load():
    users, _made = ensure_users()
    ensure_teams()
    now = timezone.make_aware(datetime.datetime(2026, 11, 18, 17, 0))
    stamps = Stamps()
    made = demo_tools.load(
        today=TODAY, users=users, clock=Clock(now=now, today=TODAY, seed=7), stamps=stamps
    )
    stamps.apply()
    return made


def signature() -> list:
    """What a person would see of the load: every audit's header and answers, in order."""
    rows = []
    for audit in Audit.objects.order_by("activity__month", "activity__name", "case_reference"):
        answers = list(
            Answer.objects.filter(audit=audit)
            .order_by("question__section__number", "question__number")
            .values_list("value", "number", "date", "text", "items_checked")
        )
        rows.append(
            (
                audit.activity.name,
                audit.activity.month,
                audit.case_reference,
                audit.audit_date,
                audit.auditor.username,
                audit.overall_grade,
                audit.moderated_grade,
                audit.observed_practitioner,
                audit.created_at,
                answers,
            )
        )
    return rows


def test_the_same_load_every_run():
    runs = []
    for _ in range(2):
        with transaction.atomic():
            load()
            runs.append(signature())
            transaction.set_rollback(True)
    assert runs[0] and runs[0] == runs[1]


def test_each_tool_is_used_by_an_activity_of_its_kind_with_a_story_in_order():
    made = load()

    assert len(made.tools) == 3
    kinds = set(AuditActivity.objects.values_list("kind", flat=True))
    assert kinds == {
        ActivityKind.THEMATIC,
        ActivityKind.MULTI_AGENCY,
        ActivityKind.PRACTICE_OBSERVATION,
        ActivityKind.DIP_SAMPLE,
    }
    for audit in made.audits:
        audit.refresh_from_db()
        moments = list(
            AuditTransition.objects.filter(audit=audit).order_by("pk").values_list("at", flat=True)
        )
        assert moments == sorted(moments)
        assert audit.created_at <= moments[0] == audit.submitted_at
        assert audit.updated_at == moments[-1]
        assert audit.audit_date <= TODAY
    # Past months' activities did what they planned; this month's has more to do.
    for activity in AuditActivity.objects.all():
        done = activity.audits.count()
        if activity.month < TODAY.replace(day=1):
            assert activity.planned_audits == done
        else:
            assert activity.planned_audits > done
