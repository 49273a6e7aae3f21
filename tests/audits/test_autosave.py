"""Autosave and the revision check on the audit's section pages, through the test client: the
JSON answers of /audits/<pk>/edit/<section>/autosave/ and /audits/new/autosave/, and the section
page's compare-and-choose. A stale save goes through when whoever saved since changed other
sections only; it is refused when they changed this one."""

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


def opened(client, audit, section="overall") -> dict:
    """The revision, page token and section fingerprint of a section page as a browser opens
    it."""
    html = client.get(section_url(audit, section)).content.decode()
    return {
        "revision": input_value(html, "revision"),
        "page": input_value(html, "page"),
        "seen": input_value(html, "seen"),
        "section": section,
    }


def section_url(audit, section):
    return reverse("audits:section", args=[audit.pk, section])


def autosave(client, audit, seen, *, section=None, **changes):
    data = post_data(**changes)
    data.pop("action")
    data.update({k: v for k, v in seen.items() if k != "section"})
    section = section or seen.get("section", "overall")
    return client.post(reverse("audits:autosave", args=[audit.pk, section]), data, **JSON)


def test_a_section_page_carries_its_revision_a_page_token_and_the_sections_fingerprint(
    auditor_client, owner
):
    audit = draft_audit(auditor=owner)

    seen = opened(auditor_client, audit, "domain-3")

    assert seen["revision"] == str(audit.revision)
    assert len(seen["page"]) >= 16
    assert len(seen["seen"]) == 32
    again = opened(auditor_client, audit, "domain-3")
    assert again["page"] != seen["page"], "one token per opening"
    assert again["seen"] == seen["seen"], "the same answers, the same fingerprint"
    assert opened(auditor_client, audit, "domain-4")["seen"] != seen["seen"]
    (form,) = elements(
        auditor_client.get(section_url(audit, "domain-3")).content.decode(),
        "form",
        id="audit-form",
    )
    assert form["data-autosave-url"] == reverse("audits:autosave", args=[audit.pk, "domain-3"])


def test_autosave_saves_the_draft_and_answers_the_new_revision(auditor_client, owner):
    audit = draft_audit(auditor=owner)
    seen = opened(auditor_client, audit, "domain-3")

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
    # The page keeps its own address (a Change link's ?return=check with it).
    assert "edit_url" not in answer
    # The page now holds the section as saved: its fingerprint is the one it opens with.
    assert answer["fields"] == {"seen": opened(auditor_client, audit, "domain-3")["seen"]}
    assert answer["fields"]["seen"] != seen["seen"]


def test_a_domains_autosave_reads_the_audit_once_to_check_and_once_locked(auditor_client, owner):
    """Issue 12: the audit is read to check access and once more, locked, to save: no second
    lock in a savepoint, no reading back the revision, no change-history read of a row whose
    header did not change (it records no revision), and only this page's relations joined."""
    from auditlog.models import LogEntry
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    audit = draft_audit(auditor=owner)
    seen = opened(auditor_client, audit, "domain-3")
    entries = LogEntry.objects.count()

    with CaptureQueriesContext(connection) as captured:
        response = autosave(
            auditor_client, audit, seen, domains={3: {"grade": Grade.MEETS, "text": "Typed."}}
        )

    assert response.status_code == 200
    sql = [q["sql"] for q in captured]
    audit_reads = [s for s in sql if s.startswith("SELECT") and 'FROM "audits_audit"' in s]
    assert len(audit_reads) == 2
    assert audit_reads[0].count(" JOIN ") == 2  # the tool and the activity
    # One transaction (a savepoint here, inside the test's own), none nested in it.
    assert len([s for s in sql if s.startswith("SAVEPOINT")]) == 1
    assert len([s for s in sql if "audits_agreedaction" in s]) == 0  # the page shows none
    assert len(sql) <= 13
    # The domain's change is in the history as before: one entry, the grade's.
    assert LogEntry.objects.count() == entries + 1


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
    data = post_data(header={"case_reference": "CR-0042"})
    data.pop("action")

    first = auditor_client.post(reverse("audits:autosave_new"), data, **JSON).json()

    audit = Audit.objects.get(auditor=owner)
    assert audit.case_reference == "CR-0042"
    assert first["edit_url"] == section_url(audit, "case")
    assert first["autosave_url"] == reverse("audits:autosave", args=[audit.pk, "case"])
    assert set(first["fields"]) == {"seen"}

    # The page fills in what it was told and autosaves again: the same draft.
    data.update({"revision": str(first["revision"]), **first["fields"]})
    data["case_reference"] = "CR-0043"
    second = auditor_client.post(first["autosave_url"], data, **JSON)

    assert second.status_code == 200
    assert Audit.objects.filter(auditor=owner).count() == 1
    audit.refresh_from_db()
    assert audit.case_reference == "CR-0043"


def test_a_new_action_rows_id_is_answered_to_the_page(auditor_client, owner):
    audit = draft_audit(auditor=owner, with_action=False)
    seen = opened(auditor_client, audit, "actions")
    data = post_data(actions=[{"description": "Visit the child", "owner": "Social worker"}])
    data.pop("action")
    data.update({k: v for k, v in seen.items() if k != "section"})

    first = auditor_client.post(
        reverse("audits:autosave", args=[audit.pk, "actions"]), data, **JSON
    ).json()

    action = audit.actions.get()
    assert first["fields"]["actions-0-id"] == action.pk
    data.update({"actions-0-id": str(action.pk), "revision": str(first["revision"])})
    data.update({"seen": first["fields"]["seen"], "actions-0-description": "Visit at home"})
    second = auditor_client.post(first["autosave_url"], data, **JSON)
    assert second.status_code == 200
    assert list(audit.actions.values_list("description", flat=True)) == ["Visit at home"]


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
    Audit.objects.filter(pk=audit.pk).update(case_reference="CR-BEFORE")
    seen = opened(auditor_client, audit, "case")

    response = autosave(
        auditor_client,
        audit,
        seen,
        header={"case_reference": "CR-AFTER", "audit_date": "2026-02-31"},
    )

    assert response.status_code == 400
    answer = response.json()
    assert answer["error"] == "invalid"
    assert [e["anchor"] for e in answer["errors"]] == ["id_audit_date_0"]  # its day box
    audit.refresh_from_db()
    assert audit.case_reference == "CR-BEFORE"
    assert str(audit.revision) == seen["revision"]


def test_a_submitted_audit_is_not_autosaved(auditor_client, owner):
    audit = draft_audit(auditor=owner)
    Audit.objects.filter(pk=audit.pk).update(status=Status.SUBMITTED, feedback_with="")

    response = autosave(
        auditor_client, audit, {}, section="overall", header={"feedback_with": "Late"}
    )

    assert response.status_code == 403
    audit.refresh_from_db()
    assert audit.feedback_with == ""


def test_a_stale_save_shows_both_versions_keeps_what_was_typed_and_writes_nothing(
    auditor_client, owner
):
    audit = draft_audit(auditor=owner)
    tab_a = opened(auditor_client, audit, "domain-2")
    tab_b = opened(auditor_client, audit, "domain-2")
    autosave(auditor_client, audit, tab_a, domains={2: {"grade": "meets", "text": "From A."}})
    audit.refresh_from_db()
    saved_revision = audit.revision

    data = post_data(domains={2: {"grade": "exceeds", "text": "From B."}})
    data.update(without_section(tab_b))
    response = auditor_client.post(section_url(audit, "domain-2"), data)

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
    data["seen"] = input_value(html, "seen")
    assert auditor_client.post(section_url(audit, "domain-2"), data).status_code == 302
    grade.refresh_from_db()
    assert grade.text == "From B."


def without_section(seen):
    return {k: v for k, v in seen.items() if k != "section"}


def test_no_action_disappears_when_a_page_that_did_not_show_it_saves(auditor_client, owner):
    audit = draft_audit(auditor=owner)
    first = audit.actions.get()
    tab_b = opened(auditor_client, audit, "actions")
    tab_a = opened(auditor_client, audit, "actions")
    autosave(
        auditor_client,
        audit,
        tab_a,
        actions=[
            {"id": str(first.pk), "description": first.description, "owner": first.owner},
            {"description": "Added in tab A"},
        ],
        initial_forms=1,
    )

    # Tab B showed the first action only, and changed it; after the conflict it saves its
    # choice: A's action stays.
    data = post_data(
        actions=[{"id": str(first.pk), "description": "Changed in tab B"}], initial_forms=1
    )
    data.update(without_section(tab_b))
    conflict = auditor_client.post(section_url(audit, "actions"), data)
    assert conflict.status_code == 409
    html = conflict.content.decode()
    assert "Added in tab A" in html
    data["revision"] = input_value(html, "revision")
    data["seen"] = input_value(html, "seen")
    assert auditor_client.post(section_url(audit, "actions"), data).status_code == 302

    assert set(audit.actions.values_list("description", flat=True)) == {
        "Changed in tab B",
        "Added in tab A",
    }


def test_a_stale_save_of_another_section_goes_through_and_leaves_the_other_change(
    auditor_client, owner
):
    audit = draft_audit(auditor=owner)
    tab_a = opened(auditor_client, audit, "domain-2")
    tab_b = opened(auditor_client, audit, "overall")
    assert (
        autosave(auditor_client, audit, tab_a, domains={2: {"grade": "meets", "text": "From A."}})
    ).status_code == 200

    # Tab B's revision is out of date, but A changed domain 2 only.
    response = autosave(auditor_client, audit, tab_b, header={"overall_comments": "From B."})

    assert response.status_code == 200
    audit.refresh_from_db()
    assert audit.overall_comments == "From B."
    assert audit.domain_grades.get(domain__number=2).text == "From A."
    assert response.json()["revision"] == audit.revision

    # The same with the page's button.
    tab_c = opened(auditor_client, audit, "domain-5")
    autosave(auditor_client, audit, tab_b, header={"overall_comments": "From B again."})
    data = post_data(action="continue", domains={5: {"grade": "exceeds", "text": "From C."}})
    data.update(without_section(tab_c))
    assert auditor_client.post(section_url(audit, "domain-5"), data).status_code == 302
    audit.refresh_from_db()
    assert audit.overall_comments == "From B again."
    assert audit.domain_grades.get(domain__number=5).text == "From C."


def test_a_stale_save_of_the_same_section_shows_only_that_sections_differences(
    auditor_client, owner
):
    audit = draft_audit(auditor=owner)
    tab_a = opened(auditor_client, audit, "overall")
    tab_b = opened(auditor_client, audit, "overall")
    autosave(
        auditor_client,
        audit,
        opened(auditor_client, audit, "case"),
        header={"case_reference": "CR-0099"},
    )
    autosave(auditor_client, audit, tab_a, header={"feedback_with": "A"})

    data = post_data(header={"feedback_with": "B", "case_reference": "CR-0100"})
    data.update(without_section(tab_b))
    response = auditor_client.post(section_url(audit, "overall"), data)

    assert response.status_code == 409
    html = response.content.decode()
    names = [b["data-use-saved"] for b in elements(html, "button") if "data-use-saved" in b]
    assert names == ["feedback_with"]
    audit.refresh_from_db()
    assert (audit.feedback_with, audit.case_reference) == ("A", "CR-0099")


def test_an_action_removed_on_the_page_is_deleted(auditor_client, owner):
    audit = draft_audit(auditor=owner, with_action=False)
    seen = opened(auditor_client, audit, "actions")
    autosave(auditor_client, audit, seen, actions=[{"description": "Remove me"}])
    action = AgreedAction.objects.get(audit=audit, description="Remove me")
    AgreedAction.objects.create(audit=audit, description="Update the chronology")

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
    data = post_data(header={"case_reference": "CR-FIRST"})
    data.pop("action")
    data["page"] = "page-of-one-new-audit"
    auditor_client.post(reverse("audits:autosave_new"), data, **JSON)
    data["case_reference"] = "CR-SECOND"

    again = auditor_client.post(reverse("audits:autosave_new"), data, **JSON)

    assert again.status_code == 200
    (audit,) = Audit.objects.filter(auditor=owner)
    assert again.json()["edit_url"] == section_url(audit, "case")
    assert audit.case_reference == "CR-SECOND"
