"""The case holder's response: what it saves, what it refuses, two writers, and its history."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from audits.holders import services
from audits.holders.services import HolderError
from audits.models import ActionConfirmation, CaseHolderResponse
from audits.revisions import RevisionConflict
from tests.helpers import draft_audit, submitted_audit

pytestmark = pytest.mark.django_db

AGREED, NOT_AGREED = ActionConfirmation.Answer.AGREED, ActionConfirmation.Answer.NOT_AGREED


@pytest.fixture
def audit(world):
    return submitted_audit(auditor=world.auditor, case_reference="CR-7001")


def only_action(audit):
    (action,) = audit.actions.all()
    return action


def test_the_case_holder_records_a_response_and_answers_each_action(world, audit):
    action = only_action(audit)

    response = services.holder_response_save(
        audit=audit,
        by=world.asha_user,
        text="  I agree the chronology is behind.  ",
        answers={action.pk: (AGREED, "")},
    )

    response.refresh_from_db()
    assert response.audit == audit and response.responded_by == world.asha_user
    assert response.text == "I agree the chronology is behind."
    assert response.revision == 1
    assert [(c.action, c.answer, c.note) for c in response.confirmations.all()] == [
        (action, AGREED, "")
    ]


def test_saving_again_changes_the_one_response_and_keeps_every_version(world, audit):
    action = only_action(audit)
    first = services.holder_response_save(
        audit=audit, by=world.asha_user, text="First thoughts.", answers={action.pk: (AGREED, "")}
    )
    services.holder_response_save(
        audit=audit,
        by=world.asha_user,
        text="Second thoughts.",
        answers={action.pk: (NOT_AGREED, "The chronology was updated last week.")},
        expected_revision=first.revision,
    )

    (response,) = CaseHolderResponse.objects.filter(audit=audit)
    assert (response.text, response.revision) == ("Second thoughts.", 2)
    (confirmation,) = response.confirmations.all()
    assert (confirmation.answer, confirmation.note) == (
        NOT_AGREED,
        "The chronology was updated last week.",
    )
    texts = [
        e.changes_dict["text"]
        for e in LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(CaseHolderResponse)
        ).order_by("pk")
    ]
    assert texts == [[None, "First thoughts."], ["First thoughts.", "Second thoughts."]]
    answers = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ActionConfirmation)
    ).order_by("pk")
    assert [e.changes_dict["answer"][1] for e in answers] == [AGREED, NOT_AGREED]
    # Filed under the case, as every case record's history is.
    assert {e.additional_data["case_reference"] for e in answers} == {"CR-7001"}


def test_the_team_manager_may_answer_for_the_team(world, audit):
    response = services.holder_response_save(
        audit=audit,
        by=world.manager_user,
        text="Discussed in supervision.",
        answers={only_action(audit).pk: (AGREED, "")},
    )

    assert response.responded_by == world.manager_user


def test_not_agreeing_needs_a_note_and_nothing_is_written(world, audit):
    action = only_action(audit)

    with pytest.raises(HolderError) as refused:
        services.holder_response_save(
            audit=audit, by=world.asha_user, text="Fine.", answers={action.pk: (NOT_AGREED, " ")}
        )

    assert refused.value.field == f"action_{action.pk}_note"
    assert not CaseHolderResponse.objects.exists()


def test_every_action_must_be_answered(world, audit):
    with pytest.raises(HolderError) as refused:
        services.holder_response_save(audit=audit, by=world.asha_user, text="Fine.", answers={})

    assert refused.value.field == f"action_{only_action(audit).pk}"
    assert not CaseHolderResponse.objects.exists()


def test_an_empty_response_is_refused(world, audit):
    with pytest.raises(HolderError) as refused:
        services.holder_response_save(
            audit=audit,
            by=world.asha_user,
            text="   ",
            answers={only_action(audit).pk: (AGREED, "")},
        )

    assert refused.value.field == "text"


@pytest.mark.parametrize("who", ["ben_user", "auditor"])
def test_only_the_case_holder_or_their_manager_may_answer(world, audit, who):
    with pytest.raises(HolderError):
        services.holder_response_save(
            audit=audit,
            by=getattr(world, who),
            text="Not mine to answer.",
            answers={only_action(audit).pk: (AGREED, "")},
        )
    assert not CaseHolderResponse.objects.exists()


def test_a_draft_cannot_be_answered(world):
    draft = draft_audit(auditor=world.auditor, case_reference="CR-7001")

    with pytest.raises(HolderError):
        services.holder_response_save(
            audit=draft,
            by=world.asha_user,
            text="Too early.",
            answers={only_action(draft).pk: (AGREED, "")},
        )


def test_two_tabs_opened_before_any_response_do_not_overwrite_each_other(world, audit):
    action = only_action(audit)
    services.holder_response_save(
        audit=audit,
        by=world.asha_user,
        text="From the first tab.",
        answers={action.pk: (AGREED, "")},
        expected_revision=0,
        page="tab-one",
    )

    with pytest.raises(RevisionConflict) as conflict:
        services.holder_response_save(
            audit=audit,
            by=world.manager_user,
            text="From the manager's tab.",
            answers={action.pk: (NOT_AGREED, "Not realistic.")},
            expected_revision=0,
            page="tab-two",
        )

    assert "Asha Okafor" in str(conflict.value)
    response = CaseHolderResponse.objects.get(audit=audit)
    assert response.text == "From the first tab."
    assert response.confirmations.get().answer == AGREED


def test_a_stale_revision_is_refused_but_the_same_pages_second_save_goes_through(world, audit):
    action = only_action(audit)
    first = services.holder_response_save(
        audit=audit,
        by=world.asha_user,
        text="One.",
        answers={action.pk: (AGREED, "")},
        expected_revision=0,
        page="tab-one",
    )
    services.holder_response_save(
        audit=audit,
        by=world.asha_user,
        text="Two.",
        answers={action.pk: (AGREED, "")},
        expected_revision=first.revision,
        page="tab-one",
    )
    services.holder_response_save(  # the same page again, its revision now behind: its own save
        audit=audit,
        by=world.asha_user,
        text="Three.",
        answers={action.pk: (AGREED, "")},
        expected_revision=first.revision,
        page="tab-one",
    )
    with pytest.raises(RevisionConflict):
        services.holder_response_save(
            audit=audit,
            by=world.asha_user,
            text="Old tab.",
            answers={action.pk: (AGREED, "")},
            expected_revision=first.revision,
            page="tab-two",
        )

    assert CaseHolderResponse.objects.get(audit=audit).text == "Three."
