"""Builders for the case list tests."""

import datetime

from audits.models import Audit, AuditTool, Case, Person, Team
from tests import factories


def team(slug: str) -> Team:
    return factories.TeamFactory(slug=slug, name=slug.title())


def person(name: str, team_: Team, user=None) -> Person:
    return Person.objects.create(name=name, team=team_, user=user)


def case(reference: str, *, holder: Person, team_: Team | None = None, **kwargs) -> Case:
    values = {
        "strand": factories.strand(),
        "case_type": factories.case_type(),
        "age_band": factories.age_band(),
        "open_date": datetime.date(2025, 1, 6),
        **kwargs,
    }
    return Case.objects.create(
        case_reference=reference, case_holder=holder, team=team_ or holder.team, **values
    )


def audit_of(reference: str, *, audit_date: datetime.date, status="completed", auditor=None):
    """An audit row of the case: all a draw's exclusion reads (its status and date)."""
    return Audit.objects.create(
        tool=AuditTool.objects.get(is_current=True),
        auditor=auditor or factories.auditor(),
        status=status,
        case_reference=reference,
        audit_date=audit_date,
    )
