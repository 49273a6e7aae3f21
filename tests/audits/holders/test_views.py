"""The case holder's pages, and who may open what: the case holder (owner of the case), a
colleague holding other cases, their team manager, the auditor, a moderator and outsiders."""

import pytest
from django.urls import reverse

from audits.models import ActionConfirmation, CaseHolderResponse, SecurityEvent
from audits.security.events import Event
from tests import factories
from tests.helpers import draft_audit, main_menu, submitted_audit

pytestmark = pytest.mark.django_db

AGREED, NOT_AGREED = ActionConfirmation.Answer.AGREED, ActionConfirmation.Answer.NOT_AGREED


@pytest.fixture
def audit(world):
    return submitted_audit(auditor=world.auditor, case_reference="CR-7001")


def answer_form(audit, *, text="I agree with the findings.", revision=0, page="p1", **answers):
    data = {"text": text, "revision": revision, "page": page}
    for action in audit.actions.all():
        data[f"action_{action.pk}"] = answers.get("answer", AGREED)
        data[f"action_{action.pk}_note"] = answers.get("note", "")
    return data


def opened(user, audit):
    return SecurityEvent.objects.filter(
        event=Event.VIEWED_AUDIT, actor=user, case_reference=audit.case_reference
    ).count()


# --- the permission matrix --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "detail", "response_page"),
    [
        ("asha_user", 200, 200),  # holds the case
        ("manager_user", 200, 200),  # manages the case's team
        ("ben_user", 404, 404),  # holds other cases
        ("auditor", 200, 403),  # wrote the audit: reads it, does not answer for the holder
    ],
)
def test_who_may_read_and_answer_a_submitted_audit(
    client, world, audit, who, detail, response_page
):
    client.force_login(getattr(world, who))

    assert client.get(reverse("audits:detail", args=[audit.pk])).status_code == detail
    assert client.get(reverse("audits:holder_response", args=[audit.pk])).status_code == (
        response_page
    )


def test_a_moderator_reads_the_audit_but_cannot_answer_it(client, world, audit, moderator_user):
    client.force_login(moderator_user)

    assert client.get(reverse("audits:detail", args=[audit.pk])).status_code == 200
    assert client.get(reverse("audits:holder_response", args=[audit.pk])).status_code == 403
    assert (
        client.post(
            reverse("audits:holder_response", args=[audit.pk]), answer_form(audit)
        ).status_code
        == 403
    )
    assert not CaseHolderResponse.objects.exists()


def test_the_case_holder_never_sees_a_draft_of_their_case(client, world):
    draft = draft_audit(auditor=world.auditor, case_reference="CR-7001")
    client.force_login(world.asha_user)

    for name in ("audits:detail", "audits:holder_response", "audits:edit", "audits:check"):
        assert client.get(reverse(name, args=[draft.pk])).status_code == 404, name
    assert client.get(reverse("audits:my_cases")).content.decode().count("CR-7001") == 0


def test_the_case_holder_cannot_change_submit_or_delete_the_audit(client, world, audit):
    client.force_login(world.asha_user)
    before = (audit.revision, audit.status, audit.overall_comments)

    assert client.get(reverse("audits:edit", args=[audit.pk])).status_code == 403
    assert client.get(reverse("audits:section", args=[audit.pk, "about"])).status_code == 403
    assert client.post(reverse("audits:check", args=[audit.pk])).status_code == 403
    assert client.post(reverse("audits:delete", args=[audit.pk])).status_code == 403
    assert client.get(reverse("moderation:moderate", args=[audit.pk])).status_code in (403, 404)

    audit.refresh_from_db()
    assert (audit.revision, audit.status, audit.overall_comments) == before


def test_another_case_holders_answer_is_refused_and_nothing_is_written(client, world, audit):
    client.force_login(world.ben_user)

    response = client.post(reverse("audits:holder_response", args=[audit.pk]), answer_form(audit))

    assert response.status_code == 404
    assert not CaseHolderResponse.objects.exists()


def test_only_case_holders_have_the_my_cases_page(client, world, audit, moderator_user):
    for user, status in ((world.asha_user, 200), (world.auditor, 403), (moderator_user, 403)):
        client.force_login(user)
        assert client.get(reverse("audits:my_cases")).status_code == status


def test_an_auditor_reading_an_exemplar_does_not_see_the_case_holders_answer(world, audit):
    import rules

    other_auditor = factories.auditor()
    assert not rules.has_perm("audits.view_holder_response", other_auditor, audit)
    assert rules.has_perm("audits.view_holder_response", world.auditor, audit)
    assert rules.has_perm("audits.view_holder_response", world.asha_user, audit)


# --- the pages ---------------------------------------------------------------------------------


def test_the_my_cases_page_lists_the_audits_and_the_menu_links_it(client, world, audit):
    submitted_audit(auditor=world.auditor, case_reference="CR-7002")
    client.force_login(world.asha_user)

    html = client.get(reverse("audits:my_cases")).content.decode()

    assert reverse("audits:detail", args=[audit.pk]) in html
    assert "CR-7002" not in html
    assert "Waiting for your response" in html
    assert "My cases&#x27; audits" in main_menu(html) or "My cases' audits" in main_menu(html)


def test_the_home_page_says_how_many_audits_wait_for_a_response(client, world, audit):
    client.force_login(world.asha_user)

    html = client.get(reverse("audits:home")).content.decode()

    assert "1 audit of your cases is waiting for your response." in html
    assert "You have no role yet" not in html


def test_every_opening_of_the_audit_and_the_response_page_is_in_the_access_log(
    client, world, audit
):
    client.force_login(world.asha_user)

    client.get(reverse("audits:detail", args=[audit.pk]))
    client.get(reverse("audits:holder_response", args=[audit.pk]))

    assert opened(world.asha_user, audit) == 2


def test_the_case_holder_answers_and_the_auditor_sees_it_on_the_audit_page(client, world, audit):
    (action,) = audit.actions.all()
    client.force_login(world.asha_user)
    page = client.get(reverse("audits:detail", args=[audit.pk])).content.decode()
    assert "Record your response" in page

    response = client.post(
        reverse("audits:holder_response", args=[audit.pk]),
        answer_form(
            audit,
            text="The chronology is now up to date.",
            answer=NOT_AGREED,
            note="Done on 1 December.",
        ),
    )

    assert response.status_code == 302
    assert response.url == reverse("audits:detail", args=[audit.pk]) + "#holder-response"
    saved = CaseHolderResponse.objects.get(audit=audit)
    assert saved.text == "The chronology is now up to date."
    assert saved.confirmations.get(action=action).note == "Done on 1 December."

    client.force_login(world.auditor)
    html = client.get(reverse("audits:detail", args=[audit.pk])).content.decode()
    assert "Case holder&#x27;s response" in html or "Case holder's response" in html
    assert "The chronology is now up to date." in html
    assert "Not agreed" in html and "Done on 1 December." in html
    assert "Record your response" not in html and "Change your response" not in html


def test_the_auditor_sees_that_no_response_has_come_yet(client, world, audit):
    client.force_login(world.auditor)

    html = client.get(reverse("audits:detail", args=[audit.pk])).content.decode()

    assert "The case holder has not responded yet." in html


def test_a_bad_answer_comes_back_with_everything_typed_and_an_error_summary(client, world, audit):
    (action,) = audit.actions.all()
    client.force_login(world.asha_user)

    response = client.post(
        reverse("audits:holder_response", args=[audit.pk]),
        answer_form(audit, text="Mostly fair, but see my note.", answer=NOT_AGREED, note=""),
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert f'href="#id_action_{action.pk}_note"' in html
    assert "Say why you do not agree with action 1." in html
    assert "Mostly fair, but see my note." in html
    assert not CaseHolderResponse.objects.exists()


def test_a_missing_answer_and_a_null_character_are_errors_not_500s(client, world, audit):
    client.force_login(world.asha_user)

    response = client.post(
        reverse("audits:holder_response", args=[audit.pk]),
        {"text": "Bad\x00text", "revision": "0", "page": "p"},
    )

    assert response.status_code == 400
    assert "Say whether you agree with action 1." in response.content.decode()
    assert not CaseHolderResponse.objects.exists()


def test_a_second_tab_is_told_and_shown_both_versions(client, world, audit):
    client.force_login(world.asha_user)
    url = reverse("audits:holder_response", args=[audit.pk])
    assert client.post(url, answer_form(audit, text="From tab one.", page="one")).status_code == 302

    response = client.post(url, answer_form(audit, text="From tab two.", page="two"))

    assert response.status_code == 409
    html = response.content.decode()
    assert "you, in another tab or window" in html
    assert "From tab one." in html and "From tab two." in html
    assert CaseHolderResponse.objects.get(audit=audit).text == "From tab one."
    # Saving again from the same page, now knowing the saved version, is their choice.
    current = CaseHolderResponse.objects.get(audit=audit).revision
    again = client.post(url, answer_form(audit, text="From tab two.", page="two", revision=current))
    assert again.status_code == 302
    assert CaseHolderResponse.objects.get(audit=audit).text == "From tab two."


def test_the_response_page_is_not_cached(client, world, audit):
    client.force_login(world.asha_user)

    for name in ("audits:holder_response", "audits:detail"):
        response = client.get(reverse(name, args=[audit.pk]))
        assert "no-store" in response["Cache-Control"]
    assert "no-store" in client.get(reverse("audits:my_cases"))["Cache-Control"]


def test_a_case_holder_alone_is_not_shown_other_cases_through_the_exemplars(client, world, audit):
    client.force_login(world.asha_user)

    assert client.get(reverse("moderation:exemplars")).status_code == 403
    menu = main_menu(client.get(reverse("audits:home")).content.decode())
    assert "Exemplars" not in menu
    assert "My audits" not in menu and "Start an audit" not in menu


def test_a_case_holder_who_is_also_an_auditor_keeps_the_auditors_pages(client, world, audit):
    from django.contrib.auth.models import Group

    from audits import roles

    world.asha_user.groups.add(Group.objects.get(name=roles.AUDITOR))
    client.force_login(world.asha_user)

    assert client.get(reverse("moderation:exemplars")).status_code == 200
    assert client.get(reverse("audits:my_cases")).status_code == 200
    assert client.get(reverse("audits:detail", args=[audit.pk])).status_code == 200


def test_the_case_holder_finds_their_case_and_only_theirs(client, world, audit):
    bens = submitted_audit(auditor=world.auditor, case_reference="CR-7002")
    client.force_login(world.asha_user)

    html = client.get(reverse("audits:find_case"), {"reference": "CR-70"}).content.decode()

    assert reverse("audits:detail", args=[audit.pk]) in html
    assert reverse("audits:detail", args=[bens.pk]) not in html
    assert client.get(reverse("audits:case_timeline", args=["CR-7002"])).status_code == 404
    assert client.get(reverse("audits:case_timeline", args=["cr-7001"])).status_code == 200


def test_a_qa_lead_sees_the_response_and_its_changes_in_the_audits_record(
    client, world, audit, qa_lead_user
):
    from audits.holders import services

    (action,) = audit.actions.all()
    services.holder_response_save(
        audit=audit, by=world.asha_user, text="First answer.", answers={action.pk: (AGREED, "")}
    )
    services.holder_response_save(
        audit=audit,
        by=world.asha_user,
        text="Second answer.",
        answers={action.pk: (NOT_AGREED, "Dates need to move.")},
    )
    client.force_login(qa_lead_user)

    html = client.get(reverse("audits:detail", args=[audit.pk])).content.decode()

    assert "Second answer." in html and "Dates need to move." in html
    record = html[html.index('id="record-title"') :] if 'id="record-title"' in html else html
    assert "First answer." in record  # the earlier version, in the change history
