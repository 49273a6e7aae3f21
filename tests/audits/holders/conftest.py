"""People and cases for the case-holder tests: a case list row (audits.models.Case) whose
holder is a person with (or without) an account holding the Case holder role, and a team
manager."""

import datetime
from types import SimpleNamespace

import pytest

from audits import roles
from audits.models import Case, Person, TeamManager
from tests import factories


def person(name, *, user=None, team=None, email=""):
    return Person.objects.create(name=name, user=user, team=team, email=email)


def case_holder_user(**kwargs):
    return factories.UserFactory(roles=[roles.CASE_HOLDER], **kwargs)


def case(reference, *, holder, team=None):
    """A case on the case list, held by the person ``holder``."""
    return Case.objects.create(
        case_reference=reference,
        case_holder=holder,
        team=team or holder.team or factories.TeamFactory(),
        strand=factories.strand(),
        case_type=factories.case_type(),
        open_date=datetime.date(2025, 1, 6),
    )


@pytest.fixture
def world(db):
    """A team with a manager (an account with the Case holder role), two case holders in it
    (Asha with an account, Ben with an account too), their cases CR-7001 (Asha's) and CR-7002
    (Ben's), and an auditor."""
    team = factories.TeamFactory(name="Assessment team North", slug="assessment-north")
    other_team = factories.TeamFactory(name="Assessment team South", slug="assessment-south")
    asha_user = case_holder_user(first_name="Asha", last_name="Okafor")
    ben_user = case_holder_user(first_name="Ben", last_name="Marsh")
    manager_user = case_holder_user(first_name="Mina", last_name="Das")
    asha = person("Asha Okafor", user=asha_user, team=team)
    ben = person("Ben Marsh", user=ben_user, team=other_team)
    manager = person("Mina Das", user=manager_user, team=team)
    TeamManager.objects.create(team=team, manager=manager)
    return SimpleNamespace(
        team=team,
        other_team=other_team,
        asha=asha,
        asha_user=asha_user,
        ben=ben,
        ben_user=ben_user,
        manager=manager,
        manager_user=manager_user,
        asha_case=case("CR-7001", holder=asha, team=team),
        ben_case=case("CR-7002", holder=ben, team=other_team),
        auditor=factories.auditor(first_name="Priya", last_name="Shah"),
    )
