"""The audit as a task list (audits.sections): each section's status from the submit rules, the
task list page, Check your answers with its Change links, and the submit errors there."""

import datetime
import re

import pytest
from django.urls import reverse

from audits import sections, services
from audits.grades import Grade
from audits.models import Audit, Status
from audits.rules import submit_problems
from audits.sections import TaskStatus
from tests.audits.test_views_form import complete_post, elements, post_data
from tests.helpers import complete_content, draft_audit

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)
EVERY_SECTION = ["case", *[f"domain-{n}" for n in range(1, 13)], "actions", "overall"]


def statuses(audit) -> dict:
    tasks = sections.task_list(Audit.objects.get(pk=audit.pk), today=TODAY)
    return {(t.section.slug if t.section else "check"): t.status for t in tasks}


def save(audit, by, **content):
    return services.audit_save_draft(audit=audit, by=by, content=services.AuditContent(**content))


# --- The statuses ------------------------------------------------------------------------------


def test_an_empty_draft_has_every_section_not_started_and_cannot_be_checked(owner):
    audit = save(None, owner)

    found = statuses(audit)

    assert list(found) == [*EVERY_SECTION, "check"]
    assert {found[s] for s in EVERY_SECTION} == {TaskStatus.NOT_STARTED}
    assert found["check"] == TaskStatus.CANNOT_START


def test_a_section_with_an_answer_and_a_problem_is_in_progress(owner):
    audit = save(
        None,
        owner,
        header={"case_reference": "CR-1"},
        domains={2: {"grade": Grade.MEETS}, 3: {"text": "Seen alone."}},
    )

    found = statuses(audit)

    assert found["case"] == TaskStatus.IN_PROGRESS  # no date, activity, strand, case type
    assert found["domain-2"] == TaskStatus.IN_PROGRESS  # graded, no evaluation
    assert found["domain-3"] == TaskStatus.IN_PROGRESS  # evaluation, no grade
    assert found["domain-4"] == TaskStatus.NOT_STARTED


def test_a_section_the_rules_accept_is_completed(owner):
    audit = save(None, owner, domains={2: {"grade": Grade.MEETS, "text": "Seen alone."}})
    save(audit, owner, domains={3: {"grade": Grade.NOT_APPLICABLE}})

    found = statuses(audit)

    assert found["domain-2"] == found["domain-3"] == TaskStatus.COMPLETED


def test_a_complete_audit_has_every_section_completed_and_can_be_checked(owner):
    audit = services.audit_save_draft(audit=None, by=owner, content=complete_content())

    found = statuses(audit)

    assert {found[s] for s in EVERY_SECTION} == {TaskStatus.COMPLETED}
    assert found["check"] == TaskStatus.NOT_STARTED
    assert submit_problems(audit, today=TODAY) == []


def test_actions_are_completed_with_none_once_the_overall_grade_says_none_are_needed(owner):
    audit = save(None, owner)
    assert statuses(audit)["actions"] == TaskStatus.NOT_STARTED

    save(audit, owner, header={"overall_grade": Grade.MEETS})
    assert statuses(audit)["actions"] == TaskStatus.COMPLETED

    save(audit, owner, header={"overall_grade": Grade.DOES_NOT_MEET})
    assert statuses(audit)["actions"] == TaskStatus.NOT_STARTED  # one is needed now


def test_an_action_due_before_the_audit_date_keeps_actions_in_progress(owner):
    content = complete_content()
    content.actions[0]["due_date"] = datetime.date(2026, 9, 1)
    audit = services.audit_save_draft(audit=None, by=owner, content=content)

    found = statuses(audit)

    assert found["actions"] == TaskStatus.IN_PROGRESS
    assert found["check"] == TaskStatus.CANNOT_START


def test_a_practice_flag_alone_does_not_start_the_case_section(owner):
    audit = save(None, owner, header={"is_practice": True})

    assert statuses(audit)["case"] == TaskStatus.NOT_STARTED


def test_every_problem_the_submit_rules_find_belongs_to_one_section(owner):
    """So "every section Completed" is "submit accepts it": one definition."""
    content = complete_content(overall=Grade.DOES_NOT_MEET, with_action=False)
    content.header.update({"activity": None, "feedback_date": datetime.date(2027, 1, 1)})
    content.domains[4] = {"grade": "", "text": ""}
    audit = services.audit_save_draft(audit=None, by=owner, content=content)
    problems = submit_problems(audit, today=TODAY)
    slugs = {s.slug for s in sections.sections_for(audit.tool)}

    assert {sections.section_of(p) for p in problems} == {"case", "domain-4", "actions", "overall"}
    assert all(sections.section_of(p) in slugs for p in problems)
    found = statuses(audit)
    assert {s for s in EVERY_SECTION if found[s] != TaskStatus.COMPLETED} == {
        "case",
        "domain-4",
        "actions",
        "overall",
    }


def test_the_fingerprint_changes_with_the_sections_answers_only(owner):
    audit = save(None, owner)
    tool = audit.tool
    domain_2, overall = (
        sections.find_section(tool, "domain-2"),
        sections.find_section(tool, "overall"),
    )
    before = sections.fingerprint(audit, domain_2), sections.fingerprint(audit, overall)

    save(audit, owner, domains={2: {"grade": Grade.MEETS}})

    audit = Audit.objects.get(pk=audit.pk)
    assert sections.fingerprint(audit, domain_2) != before[0]
    assert sections.fingerprint(audit, overall) == before[1]


# --- The task list page ------------------------------------------------------------------------


@pytest.fixture
def auditor_client(client, owner):
    client.force_login(owner)
    return client


def task_status(html, slug):
    match = re.search(rf'id="task-{slug}-status">\s*(.*?)\s*</div>', html, re.S)
    assert match, slug
    return match.group(1)


def test_the_task_list_shows_each_section_with_its_status_as_gov_uk_does(auditor_client, owner):
    audit = save(None, owner, header={"case_reference": "CR-31"})
    save(audit, owner, domains={1: {"grade": Grade.MEETS, "text": "Safe."}})

    response = auditor_client.get(reverse("audits:edit", args=[audit.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<ul class="govuk-task-list" id="task-list">' in html
    links = [
        a["href"] for a in elements(html, "a") if "govuk-task-list__link" in a.get("class", "")
    ]
    assert links == [reverse("audits:section", args=[audit.pk, s]) for s in EVERY_SECTION]
    assert task_status(html, "case") == (
        '<strong class="govuk-tag govuk-tag--light-blue">In progress</strong>'
    )
    assert task_status(html, "domain-1") == "Completed"  # plain text
    assert task_status(html, "domain-2") == (
        '<strong class="govuk-tag govuk-tag--blue">Not started</strong>'
    )
    # Check your answers is no link until every section is complete.
    assert task_status(html, "check") == "Cannot start yet"
    assert "govuk-task-list__status--cannot-start-yet" in html
    assert reverse("audits:check", args=[audit.pk]) not in html
    for name in ("About the case", "Agreed actions", "Overall grade and feedback"):
        assert name in html


def test_a_complete_audits_task_list_links_to_check_your_answers(auditor_client, owner):
    audit = draft_audit(auditor=owner)

    html = auditor_client.get(reverse("audits:edit", args=[audit.pk])).content.decode()

    assert f'href="{reverse("audits:check", args=[audit.pk])}"' in html
    assert "Cannot start yet" not in html


@pytest.mark.parametrize("who", ["colleague", "moderator_user", "qa_lead_user"])
def test_only_the_auditor_opens_the_task_list_sections_and_check_page(client, request, owner, who):
    audit = draft_audit(auditor=owner)
    client.force_login(request.getfixturevalue(who))

    for url in (
        reverse("audits:edit", args=[audit.pk]),
        reverse("audits:section", args=[audit.pk, "domain-1"]),
        reverse("audits:check", args=[audit.pk]),
    ):
        assert client.get(url).status_code in (403, 404)
    assert client.post(reverse("audits:check", args=[audit.pk])).status_code in (403, 404)
    audit.refresh_from_db()
    assert audit.status == Status.DRAFT


def test_a_section_page_links_back_to_the_task_list(auditor_client, owner):
    audit = draft_audit(auditor=owner)

    html = auditor_client.get(
        reverse("audits:section", args=[audit.pk, "actions"])
    ).content.decode()

    (back,) = elements(html, "a", **{"class": "govuk-back-link"})
    assert back["href"] == reverse("audits:edit", args=[audit.pk])
    assert "Save and continue" in html
    assert "Save and return to the task list" in html


def test_an_unknown_section_is_not_found(auditor_client, owner):
    audit = draft_audit(auditor=owner)

    for slug in ("domain-0", "domain-13", "header", "check"):
        assert (
            auditor_client.get(reverse("audits:section", args=[audit.pk, slug])).status_code == 404
        )
        assert (
            auditor_client.post(reverse("audits:autosave", args=[audit.pk, slug])).status_code
            == 404
        )


# --- Check your answers ------------------------------------------------------------------------


def test_check_your_answers_shows_each_section_as_a_summary_list_with_change_links(
    auditor_client, owner
):
    audit = draft_audit(auditor=owner, case_reference="CR-3300")
    check = reverse("audits:check", args=[audit.pk])

    response = auditor_client.get(check)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<dl class="govuk-summary-list') == len(EVERY_SECTION)
    assert "CR-3300" in html
    assert "15 October 2026" in html
    assert "Evaluation of domain 12." in html
    assert "Update the chronology — Team manager, by 12 November 2026" in html
    assert "Meets good" in html
    changes = {a["href"] for a in elements(html, "a") if a["href"].endswith("?return=check")}
    assert changes == {
        reverse("audits:section", args=[audit.pk, s]) + "?return=check" for s in EVERY_SECTION
    }
    assert "Submit audit" in html


def test_a_change_link_goes_to_the_section_and_back_to_check_your_answers(auditor_client, owner):
    audit = draft_audit(auditor=owner)
    change = reverse("audits:section", args=[audit.pk, "domain-4"]) + "?return=check"

    html = auditor_client.get(change).content.decode()
    (form,) = elements(html, "form", id="audit-form")
    assert form["action"] == change
    (back,) = elements(html, "a", **{"class": "govuk-back-link"})
    assert back["href"] == reverse("audits:check", args=[audit.pk])

    response = auditor_client.post(
        change,
        post_data(action="continue", domains={4: {"grade": Grade.EXCEEDS, "text": "Changed."}}),
    )

    assert response.status_code == 302
    assert response.url == reverse("audits:check", args=[audit.pk])
    assert audit.domain_grades.get(domain__number=4).text == "Changed."


def test_submitting_from_check_your_answers_submits_the_audit(auditor_client, owner):
    audit = draft_audit(auditor=owner)

    response = auditor_client.post(reverse("audits:check", args=[audit.pk]))

    assert response.status_code == 302
    assert response.url == reverse("audits:detail", args=[audit.pk])
    audit.refresh_from_db()
    assert audit.status == Status.SUBMITTED


def test_a_refused_submit_shows_the_error_summary_linking_to_the_section_pages(
    auditor_client, owner
):
    content = complete_content()
    content.domains[7] = {"grade": Grade.MEETS, "text": ""}
    content.header["strand"] = None
    audit = services.audit_save_draft(audit=None, by=owner, content=content)

    response = auditor_client.post(reverse("audits:check", args=[audit.pk]))

    assert response.status_code == 400
    html = response.content.decode()
    assert "<title>Error: " in html
    assert "There are 2 problems" in html
    section = reverse("audits:section", args=[audit.pk, "case"])
    assert f'<a href="{section}?return=check#id_strand">Choose the strand.</a>' in html
    domain = reverse("audits:section", args=[audit.pk, "domain-7"])
    assert f'href="{domain}?return=check#id_domain-7-text"' in html
    audit.refresh_from_db()
    assert audit.status == Status.DRAFT


def test_a_section_opened_from_check_your_answers_shows_what_submit_refuses_there(
    auditor_client, owner
):
    content = complete_content()
    content.domains[7] = {"grade": Grade.MEETS, "text": ""}
    audit = services.audit_save_draft(audit=None, by=owner, content=content)
    domain = reverse("audits:section", args=[audit.pk, "domain-7"])

    html = auditor_client.get(f"{domain}?return=check").content.decode()

    assert "<title>Error: " in html
    assert 'class="govuk-error-summary"' in html
    assert 'href="#id_domain-7-text"' in html
    assert 'id="id_domain-7-text_error"' in html
    # Opened from the task list instead, the page is a plain question page.
    plain = auditor_client.get(domain).content.decode()
    assert "govuk-error-summary" not in plain
    # Another section, with nothing missing, shows no error when opened from the check page.
    other = reverse("audits:section", args=[audit.pk, "domain-6"])
    assert "govuk-error-summary" not in auditor_client.get(f"{other}?return=check").content.decode()


def test_a_new_audit_saved_and_continued_through_every_section_is_submitted(auditor_client):
    """The journey through the client: About the case starts the draft, Save and continue goes
    down the list, the task list says Completed, Check your answers submits."""
    data = complete_post(action="continue")
    response = auditor_client.post(reverse("audits:new"), data)
    audit = Audit.objects.get()
    visited = []
    while response.url != reverse("audits:edit", args=[audit.pk]):
        visited.append(response.url)
        response = auditor_client.post(response.url, data)
        assert response.status_code == 302, response.content.decode()

    assert visited == [reverse("audits:section", args=[audit.pk, s]) for s in EVERY_SECTION[1:]]
    assert set(statuses(audit).values()) == {TaskStatus.COMPLETED, TaskStatus.NOT_STARTED}
    assert auditor_client.post(reverse("audits:check", args=[audit.pk])).status_code == 302
    audit.refresh_from_db()
    assert audit.status == Status.SUBMITTED


def test_the_submitted_audit_reads_as_summary_lists(auditor_client, owner):
    audit = draft_audit(auditor=owner)
    services.audit_submit(audit=audit, by=owner, today=TODAY)

    html = auditor_client.get(reverse("audits:detail", args=[audit.pk])).content.decode()

    assert html.count('<dl class="govuk-summary-list') >= 4
    assert "Change" not in re.sub(r"<[^>]+>", "", html).split()
