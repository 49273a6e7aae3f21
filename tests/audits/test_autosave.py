"""Autosave and the revision check on the audit form, through the test client: the JSON answers
of /audits/<pk>/autosave/ and /audits/new/autosave/, and the form's compare-and-choose page."""

import pytest
from django.urls import reverse

from audits.grades import Grade
from audits.models import AgreedAction, Audit, Status
from tests.audits.test_views_form import elements, input_value, post_data
from tests.helpers import draft_audit

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def auditor_client(client, owner):
    client.force_login(owner)
    return client


def opened(client, audit) -> dict:
    """The revision and page token of the edit page as a browser opens it."""
    html = client.get(reverse("audits:edit", args=[audit.pk])).content.decode()
    return {"revision": input_value(html, "revision"), "page": input_value(html, "page")}


def autosave(client, audit, seen, **changes):
    data = post_data(**changes)
    data.pop("action")
    data.update(seen)
    return client.post(reverse("audits:autosave", args=[audit.pk]), data, **JSON)


def test_the_edit_page_carries_its_revision_and_a_page_token(auditor_client, owner):
    audit = draft_audit(auditor=owner)

    seen = opened(auditor_client, audit)

    assert seen["revision"] == str(audit.revision)
    assert len(seen["page"]) >= 16
    assert opened(auditor_client, audit)["page"] != seen["page"], "one token per opening"
    (form,) = elements(
        auditor_client.get(reverse("audits:edit", args=[audit.pk])).content.decode(),
        "form",
        id="audit-form",
    )
    assert form["data-autosave-url"] == reverse("audits:autosave", args=[audit.pk])


def test_autosave_saves_the_draft_and_answers_the_new_revision(auditor_client, owner):
    audit = draft_audit(auditor=owner)
    seen = opened(auditor_client, audit)

    response = autosave(
        auditor_client, audit, seen, domains={3: {"grade": Grade.MEETS, "text": "Typed."}}
    )

    assert response.status_code == 200
    answer = response.json()
    audit.refresh_from_db()
    assert answer["saved"] is True
    assert answer["revision"] == audit.revision == int(seen["revision"]) + 1
    assert len(answer["saved_at_display"]) == 5  # HH:MM
    assert audit.domain_grades.get(domain__number=3).text == "Typed."
    assert audit.revised_by == owner


def test_autosave_never_runs_the_submit_rules(auditor_client, owner):
    audit = draft_audit(auditor=owner)

    response = autosave(
        auditor_client, audit, opened(auditor_client, audit), header={"overall_grade": "meets"}
    )

    assert response.status_code == 200
    audit.refresh_from_db()
    assert (audit.status, audit.overall_grade) == (Status.DRAFT, Grade.MEETS)


def test_the_first_autosave_of_a_new_audit_starts_one_draft_and_names_its_addresses(
    auditor_client, owner
):
    data = post_data(actions=[{"description": "Visit the child", "owner": "Social worker"}])
    data.pop("action")

    first = auditor_client.post(reverse("audits:autosave_new"), data, **JSON).json()

    audit = Audit.objects.get(auditor=owner)
    assert first["edit_url"] == reverse("audits:edit", args=[audit.pk])
    assert first["autosave_url"] == reverse("audits:autosave", args=[audit.pk])
    action = audit.actions.get()
    assert first["fields"] == {"actions-0-id": action.pk}

    # The page fills in what it was told and autosaves again: the same draft, the same action.
    data.update({"actions-0-id": str(action.pk), "revision": str(first["revision"])})
    data["actions-0-description"] = "Visit the child at home"
    second = auditor_client.post(first["autosave_url"], data, **JSON)

    assert second.status_code == 200
    assert Audit.objects.filter(auditor=owner).count() == 1
    assert list(audit.actions.values_list("description", flat=True)) == ["Visit the child at home"]


def test_a_stale_autosave_is_refused_naming_who_saved_and_writes_nothing(auditor_client, owner):
    audit = draft_audit(auditor=owner)
    tab_a, tab_b = opened(auditor_client, audit), opened(auditor_client, audit)
    assert autosave(auditor_client, audit, tab_a, header={"feedback_with": "A"}).status_code == 200
    audit.refresh_from_db()
    revision = audit.revision

    response = autosave(auditor_client, audit, tab_b, header={"feedback_with": "B"})

    assert response.status_code == 409
    answer = response.json()
    assert answer["error"] == "conflict"
    assert "you, in another tab or window" in answer["message"]
    audit.refresh_from_db()
    assert (audit.feedback_with, audit.revision) == ("A", revision)


def test_a_pages_own_saves_racing_each_other_are_not_a_conflict(auditor_client, owner):
    # Autosave still on its way when Save is pressed: both carry the revision the page had.
    audit = draft_audit(auditor=owner)
    seen = opened(auditor_client, audit)
    assert autosave(auditor_client, audit, seen, header={"feedback_with": "1"}).status_code == 200

    second = autosave(auditor_client, audit, seen, header={"feedback_with": "2"})

    assert second.status_code == 200
    audit.refresh_from_db()
    assert audit.feedback_with == "2"


def test_a_malformed_value_is_refused_naming_the_field_and_nothing_is_saved(auditor_client, owner):
    audit = draft_audit(auditor=owner)
    Audit.objects.filter(pk=audit.pk).update(feedback_with="Before")
    seen = opened(auditor_client, audit)

    response = autosave(
        auditor_client,
        audit,
        seen,
        header={"feedback_with": "After", "audit_date": "2026-02-31"},
    )

    assert response.status_code == 400
    answer = response.json()
    assert answer["error"] == "invalid"
    assert [e["anchor"] for e in answer["errors"]] == ["id_audit_date_0"]  # its day box
    audit.refresh_from_db()
    assert audit.feedback_with == "Before"
    assert str(audit.revision) == seen["revision"]


def test_a_submitted_audit_is_not_autosaved(auditor_client, owner):
    audit = draft_audit(auditor=owner)
    Audit.objects.filter(pk=audit.pk).update(status=Status.SUBMITTED, feedback_with="")

    response = autosave(auditor_client, audit, {}, header={"feedback_with": "Late"})

    assert response.status_code == 403
    audit.refresh_from_db()
    assert audit.feedback_with == ""


def test_a_stale_save_shows_both_versions_keeps_what_was_typed_and_writes_nothing(
    auditor_client, owner
):
    audit = draft_audit(auditor=owner)
    tab_a, tab_b = opened(auditor_client, audit), opened(auditor_client, audit)
    autosave(auditor_client, audit, tab_a, domains={2: {"grade": "meets", "text": "From A."}})
    audit.refresh_from_db()
    saved_revision = audit.revision

    data = post_data(domains={2: {"grade": "exceeds", "text": "From B."}})
    data.update(tab_b)
    response = auditor_client.post(reverse("audits:edit", args=[audit.pk]), data)

    assert response.status_code == 409
    html = response.content.decode()
    assert "This was saved from another page since you opened it" in html
    assert "you, in another tab or window" in html
    # B's words are still in the field; A's are offered beside it.
    assert "From B.</textarea>" in html
    (use_a,) = elements(html, "button", **{"data-use-saved": "domain-2-text"})
    assert use_a["data-values"] == '["From A."]'
    (use_grade,) = elements(html, "button", **{"data-use-saved": "domain-2-grade"})
    assert use_grade["data-values"] == '["meets"]'
    grade = audit.domain_grades.get(domain__number=2)
    assert (grade.grade, grade.text) == ("meets", "From A.")
    # The next save is B's choice, made seeing both: it carries the current revision.
    assert input_value(html, "revision") == str(saved_revision)
    assert input_value(html, "page") == tab_b["page"]

    data["revision"] = str(saved_revision)
    assert auditor_client.post(reverse("audits:edit", args=[audit.pk]), data).status_code == 302
    grade.refresh_from_db()
    assert grade.text == "From B."


def test_no_action_disappears_when_a_page_that_did_not_show_it_saves(auditor_client, owner):
    audit = draft_audit(auditor=owner)
    tab_b = opened(auditor_client, audit)
    tab_a = opened(auditor_client, audit)
    autosave(auditor_client, audit, tab_a, actions=[{"description": "Added in tab A"}])

    # Tab B saw no action; after the conflict it saves its choice: A's action stays.
    data = post_data(header={"feedback_with": "Tab B"})
    data.update(tab_b)
    conflict = auditor_client.post(reverse("audits:edit", args=[audit.pk]), data)
    assert conflict.status_code == 409
    assert "Added in tab A" in conflict.content.decode()
    data["revision"] = input_value(conflict.content.decode(), "revision")
    auditor_client.post(reverse("audits:edit", args=[audit.pk]), data)

    audit.refresh_from_db()
    assert audit.feedback_with == "Tab B"
    # Neither the draft's first action nor A's was on B's page; both stay.
    assert set(audit.actions.values_list("description", flat=True)) == {
        "Update the chronology",
        "Added in tab A",
    }


def test_an_action_removed_on_the_page_is_deleted(auditor_client, owner):
    audit = draft_audit(auditor=owner)
    seen = opened(auditor_client, audit)
    autosave(auditor_client, audit, seen, actions=[{"description": "Remove me"}])
    action = AgreedAction.objects.get(audit=audit, description="Remove me")

    autosave(
        auditor_client,
        audit,
        seen,
        actions=[{"id": str(action.pk), "description": "Remove me", "DELETE": "on"}],
        initial_forms=1,
    )

    assert not AgreedAction.objects.filter(pk=action.pk).exists()
    assert audit.actions.filter(description="Update the chronology").exists()


def test_a_new_audits_first_autosave_asked_again_saves_to_the_draft_it_started(
    auditor_client, owner
):
    # The first answer was lost on the way back: the page retries the same request.
    data = post_data(header={"feedback_with": "First try"})
    data.pop("action")
    data["page"] = "page-of-one-new-audit"
    auditor_client.post(reverse("audits:autosave_new"), data, **JSON)
    data["feedback_with"] = "Second try"

    again = auditor_client.post(reverse("audits:autosave_new"), data, **JSON)

    assert again.status_code == 200
    (audit,) = Audit.objects.filter(auditor=owner)
    assert again.json()["edit_url"] == reverse("audits:edit", args=[audit.pk])
    assert audit.feedback_with == "Second try"
