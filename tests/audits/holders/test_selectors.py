"""Whose case an audit is, who is told, and which audits a case holder sees."""

import pytest

from audits import selectors as audit_selectors
from audits.holders import selectors
from audits.models import Case
from tests import factories
from tests.helpers import draft_audit, submitted_audit

from .conftest import case, case_holder_user, person

pytestmark = pytest.mark.django_db


def test_an_audit_is_matched_to_its_case_whatever_the_letter_case(world):
    audit = submitted_audit(auditor=world.auditor, case_reference="cr-7001")

    assert selectors.case_of(audit) == world.asha_case
    assert selectors.people_to_tell(audit) == [world.asha, world.manager]


def test_an_audit_of_a_case_not_on_the_case_list_tells_nobody(world):
    audit = submitted_audit(auditor=world.auditor, case_reference="CR-9999")

    assert selectors.case_of(audit) is None
    assert selectors.people_to_tell(audit) == []


def test_a_practice_audit_tells_nobody(world):
    audit = draft_audit(auditor=world.auditor, case_reference="CR-7001")
    audit.is_practice = True
    audit.save(update_fields=["is_practice"])

    assert selectors.people_to_tell(audit) == []


def test_a_team_without_a_manager_tells_the_case_holder_alone(world):
    audit = submitted_audit(auditor=world.auditor, case_reference="CR-7002")

    assert selectors.people_to_tell(audit) == [world.ben]


def test_a_manager_who_holds_the_case_is_told_once(world):
    case("CR-7003", holder=world.manager, team=world.team)
    audit = submitted_audit(auditor=world.auditor, case_reference="CR-7003")

    assert selectors.people_to_tell(audit) == [world.manager]


def test_the_address_is_the_persons_own_then_their_active_accounts():
    with_own = person("Kit Rowe", email="kit@council.test", user=factories.UserFactory())
    from_account = person("Lou Hart", user=factories.UserFactory(email="lou@council.test"))
    inactive = person("Max Bell", user=factories.UserFactory(email="max@x.test", is_active=False))
    nothing = person("Ned Fox")

    assert selectors.email_of(with_own) == "kit@council.test"
    assert selectors.email_of(from_account) == "lou@council.test"
    assert selectors.email_of(inactive) == ""
    assert selectors.email_of(nothing) == ""


def test_a_case_holder_sees_the_submitted_audits_of_their_cases_only(world):
    mine = submitted_audit(auditor=world.auditor, case_reference="Cr-7001")
    draft = draft_audit(auditor=world.auditor, case_reference="CR-7001")
    bens = submitted_audit(auditor=world.auditor, case_reference="CR-7002")
    practice = draft_audit(auditor=world.auditor, case_reference="CR-7001")
    practice.is_practice = True
    practice.save(update_fields=["is_practice"])
    from audits import services

    services.audit_submit(audit=practice, by=world.auditor, today=mine.audit_date)

    visible = set(audit_selectors.audits_visible_to(world.asha_user))
    assert visible == {mine}
    assert draft not in visible and bens not in visible and practice not in visible
    assert set(audit_selectors.audits_visible_to(world.ben_user)) == {bens}


def test_a_team_manager_sees_the_submitted_audits_of_their_teams_cases(world):
    asha_audit = submitted_audit(auditor=world.auditor, case_reference="CR-7001")
    submitted_audit(auditor=world.auditor, case_reference="CR-7002")

    assert set(audit_selectors.audits_visible_to(world.manager_user)) == {asha_audit}


def test_without_the_role_a_linked_person_sees_nothing_of_their_cases(world):
    world.asha_user.groups.clear()
    world.asha_user._role_names = None
    submitted_audit(auditor=world.auditor, case_reference="CR-7001")

    assert list(audit_selectors.audits_visible_to(world.asha_user)) == []


def test_the_role_without_a_linked_person_sees_nothing(world):
    submitted_audit(auditor=world.auditor, case_reference="CR-7001")

    assert list(audit_selectors.audits_visible_to(case_holder_user())) == []


def test_when_a_case_moves_its_new_holder_sees_its_audits_and_the_old_one_does_not(world):
    audit = submitted_audit(auditor=world.auditor, case_reference="CR-7001")
    Case.objects.filter(pk=world.asha_case.pk).update(case_holder=world.ben, team=world.other_team)

    assert list(audit_selectors.audits_visible_to(world.ben_user)) == [audit]
    assert list(audit_selectors.audits_visible_to(world.asha_user)) == []


def test_the_my_cases_list_says_which_audits_have_a_response(world):
    from audits.holders import services

    answered = submitted_audit(auditor=world.auditor, case_reference="CR-7001")
    services.holder_response_save(
        audit=answered,
        by=world.asha_user,
        text="Thank you.",
        answers={a.pk: ("agreed", "") for a in answered.actions.all()},
    )
    waiting = submitted_audit(
        auditor=world.auditor, case_reference="CR-7001", audit_date=answered.audit_date
    )

    rows = {a.pk: a.responded_at for a in selectors.my_cases_audits(world.asha_user)}
    assert set(rows) == {answered.pk, waiting.pk}
    assert rows[answered.pk] is not None and rows[waiting.pk] is None
    assert selectors.waiting_for_response(world.asha_user) == 1
