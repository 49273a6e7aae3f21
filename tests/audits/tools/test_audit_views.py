"""Auditing with a built tool through the pages: the task list, each section's questions by
kind, Check your answers, submit, the read view; bad input at the field, never a 500; two pages
saving at once."""

import datetime
import re

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits.models import Answer, Audit, Status
from audits.tools.kinds import ActivityKind, QuestionKind
from tests import factories
from tests.audits.test_views_form import checked_values, elements, error_summary_links

from .building import AUDIT_DATE, activity_for, built_draft, every_kind_tool, questions

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def tool():
    return every_kind_tool()


def new_url(activity):
    return reverse("audits:new") + f"?activity={activity.pk}"


def section_url(audit, slug):
    return reverse("audits:section", args=[audit.pk, slug])


def page_token(html: str) -> dict:
    """The hidden fields a section page posts back: its revision, token and fingerprint."""
    found = {}
    for name in ("revision", "page", "seen"):
        match = re.search(rf'name="{name}" value="([^"]*)"', html)
        if match:
            found[name] = match.group(1)
    return found


def date_boxes(name, value: datetime.date) -> dict:
    return {f"{name}_day": value.day, f"{name}_month": value.month, f"{name}_year": value.year}


def activity_options(html) -> list[str]:
    select = re.search(r'<select name="activity".*?</select>', html, re.S).group(0)
    return [v for v in re.findall(r'<option value="([^"]*)"', select) if v]


def about_post(activity, **extra):
    return {
        "case_reference": "CR-8001",
        **date_boxes("audit_date", AUDIT_DATE),
        "activity": str(activity.pk),
        "strand": str(factories.strand().pk),
        "case_type": str(factories.case_type().pk),
        "age_band": str(factories.age_band().pk),
        "action": "continue",
        **extra,
    }


def section_1_post(tool, **extra):
    q = questions(tool)
    return {
        f"question-{q[QuestionKind.GRADED].pk}-value": "requires_improvement",
        f"question-{q[QuestionKind.GRADED].pk}-text": "Seen late.",
        f"question-{q[QuestionKind.YES_NO].pk}-value": "partly",
        f"question-{q[QuestionKind.CHOICE].pk}-value": "Graded Care Profile",
        "action": "continue",
        **extra,
    }


def section_2_post(tool, **extra):
    q = questions(tool)
    return {
        f"question-{q[QuestionKind.NUMBER].pk}-number": "6",
        **date_boxes(f"question-{q[QuestionKind.DATE].pk}-date", datetime.date(2026, 9, 30)),
        f"question-{q[QuestionKind.TEXT].pk}-text": "Attendance improved.",
        "action": "continue",
        **extra,
    }


ACTIONS_POST = {
    "actions-TOTAL_FORMS": "0",
    "actions-INITIAL_FORMS": "0",
    "actions-MIN_NUM_FORMS": "0",
    "actions-MAX_NUM_FORMS": "1000",
    "action": "continue",
}


# --- The whole journey ---------------------------------------------------------------------------


def test_a_built_tool_audit_from_its_activity_to_submission(auditor_client, owner, tool):
    activity = activity_for(tool, name="Neglect, October")

    html = auditor_client.get(new_url(activity)).content.decode()
    assert "Neglect thematic audit (version 1)" in html
    (form,) = elements(html, "form", id="audit-form")
    assert form["action"] == new_url(activity)
    assert form["data-autosave-url"] == reverse("audits:autosave_new") + f"?activity={activity.pk}"
    assert activity_options(html) == [str(activity.pk)]  # its tool's activities only

    response = auditor_client.post(new_url(activity), about_post(activity))
    audit = Audit.objects.get(auditor=owner)
    assert response.status_code == 302
    assert response["Location"] == section_url(audit, "section-1")
    assert audit.tool == tool and audit.activity == activity
    assert audit.answers.count() == 7

    html = auditor_client.get(reverse("audits:edit", args=[audit.pk])).content.decode()
    for title in ("1. Recognising neglect", "2. Records", "Overall grade and feedback"):
        assert title in html

    html = auditor_client.get(section_url(audit, "section-1")).content.decode()
    graded = questions(tool)[QuestionKind.GRADED]
    radios = [a["value"] for a in elements(html, "input", name=f"question-{graded.pk}-value")]
    assert radios == ["good", "requires_improvement", "inadequate"]
    assert "Look at the first contacts." in html  # the guidance, as the hint
    assert "Read the file." in html  # the section's guidance
    yes_no = questions(tool)[QuestionKind.YES_NO]
    assert [a["value"] for a in elements(html, "input", name=f"question-{yes_no.pk}-value")] == [
        "yes",
        "no",
        "partly",
        "not_applicable",
    ]
    assert not elements(html, "input", name=f"question-{graded.pk}-items_checked")

    response = auditor_client.post(section_url(audit, "section-1"), section_1_post(tool))
    assert response["Location"] == section_url(audit, "section-2")
    html = auditor_client.get(section_url(audit, "section-2")).content.decode()
    text = questions(tool)[QuestionKind.TEXT]
    (counted,) = elements(html, "div", id=f"div_id_question-{text.pk}-text")
    assert counted["data-module"] == "govuk-character-count"
    assert elements(
        html, "input", name=f"question-{questions(tool)[QuestionKind.DATE].pk}-date_day"
    )
    response = auditor_client.post(section_url(audit, "section-2"), section_2_post(tool))
    assert response["Location"] == section_url(audit, "actions")
    auditor_client.post(section_url(audit, "actions"), ACTIONS_POST)

    html = auditor_client.get(section_url(audit, "overall")).content.decode()
    assert [a["value"] for a in elements(html, "input", name="overall_grade")] == [
        "good",
        "requires_improvement",
        "inadequate",
    ]
    response = auditor_client.post(
        section_url(audit, "overall"),
        {
            "overall_grade": "requires_improvement",
            "overall_comments": "Late.",
            "action": "continue",
        },
    )
    assert response.status_code == 302

    html = auditor_client.get(reverse("audits:edit", args=[audit.pk])).content.decode()
    assert html.count("Completed") >= 5
    assert reverse("audits:check", args=[audit.pk]) in html

    html = auditor_client.get(reverse("audits:check", args=[audit.pk])).content.decode()
    for shown in ("Requires improvement", "Partly", "Graded Care Profile", "30 September 2026"):
        assert shown in html
    assert f"{section_url(audit, 'section-2')}?return=check" in html

    response = auditor_client.post(reverse("audits:check", args=[audit.pk]))
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.status in (Status.SUBMITTED, Status.COMPLETED)
    assert audit.overall_grade == "requires_improvement"

    html = auditor_client.get(reverse("audits:detail", args=[audit.pk])).content.decode()
    assert "Neglect thematic audit (version 1)" in html
    assert "Was a chronology kept?" in html and "Partly" in html
    assert "Requires improvement" in html
    assert "The twelve domains" not in html
    html = auditor_client.get(reverse("audits:mine")).content.decode()
    assert "Neglect thematic audit (version 1)" in html
    assert "Requires improvement" in html


@pytest.mark.parametrize(
    "kind",
    [
        ActivityKind.THEMATIC,
        ActivityKind.PRACTICE_OBSERVATION,
        ActivityKind.MULTI_AGENCY,
        ActivityKind.INDEPENDENT,
        ActivityKind.DIP_SAMPLE,
    ],
)
def test_the_check_page_sends_each_problem_to_its_field(auditor_client, owner, tool, kind):
    audit = built_draft(auditor=owner, tool=tool, kind=kind, complete=False)

    response = auditor_client.post(reverse("audits:check", args=[audit.pk]))

    assert response.status_code == 400
    links = re.findall(r'<a href="([^"#]+)#([^"]+)">', response.content.decode())
    graded = questions(tool)[QuestionKind.GRADED]
    assert (
        f"{section_url(audit, 'section-1')}?return=check",
        f"id_question-{graded.pk}-value_0",
    ) in links
    for url, anchor in links:
        page = auditor_client.get(url).content.decode()
        assert f'id="{anchor}"' in page, (url, anchor)
        assert anchor in error_summary_links(page)


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        (
            ActivityKind.PRACTICE_OBSERVATION,
            ["observed_event", "observed_on_day", "observed_practitioner"],
        ),
        (ActivityKind.INDEPENDENT, ["external_auditor", "external_organisation"]),
        (ActivityKind.MULTI_AGENCY, ["agency-0-auditor_name", "agency-1-organisation"]),
    ],
)
def test_about_the_case_asks_what_its_kind_of_activity_records(auditor_client, tool, kind, fields):
    activity = activity_for(tool, kind=kind)

    html = auditor_client.get(new_url(activity)).content.decode()

    for name in fields:
        assert elements(html, "input", name=name), name
    if kind == ActivityKind.MULTI_AGENCY:
        assert "Police" in html and "Health" in html


def test_an_observation_and_its_agencies_are_saved_from_the_page(auditor_client, owner, tool):
    activity = activity_for(tool, kind=ActivityKind.MULTI_AGENCY)

    response = auditor_client.post(
        new_url(activity),
        about_post(
            activity,
            **{"agency-0-auditor_name": "DC Smith", "agency-0-organisation": "County Police"},
        ),
    )

    assert response.status_code == 302
    audit = Audit.objects.get(auditor=owner)
    assert [(c.agency, c.auditor_name) for c in audit.agency_auditors.all()] == [
        ("Police", "DC Smith")
    ]


def test_a_dip_sample_asks_items_checked_for_each_question(auditor_client, owner, tool):
    audit = built_draft(auditor=owner, tool=tool, kind=ActivityKind.DIP_SAMPLE, complete=False)
    yes_no = questions(tool)[QuestionKind.YES_NO]

    html = auditor_client.get(section_url(audit, "section-1")).content.decode()
    assert elements(html, "input", name=f"question-{yes_no.pk}-items_checked")

    auditor_client.post(
        section_url(audit, "section-1"),
        {f"question-{yes_no.pk}-value": "yes", f"question-{yes_no.pk}-items_checked": "12"},
    )
    assert Answer.objects.get(audit=audit, question=yes_no).items_checked == 12


def test_the_standard_form_does_not_offer_an_activity_with_its_own_tool(auditor_client, tool):
    built = activity_for(tool)
    standard = factories.AuditActivityFactory(name="Standard October")

    html = auditor_client.get(reverse("audits:new")).content.decode()

    options = activity_options(html)
    assert str(standard.pk) in options and str(built.pk) not in options


@pytest.mark.parametrize("value", ["abc", "999999", "1" * 40, "1\x00"])
def test_a_bad_activity_in_the_address_is_not_found(auditor_client, value):
    assert auditor_client.get(reverse("audits:new"), {"activity": value}).status_code == 404
    response = auditor_client.post(reverse("audits:autosave_new") + f"?activity={value}", {})
    assert response.status_code == 404


def test_a_section_a_tool_does_not_have_is_not_found(auditor_client, owner, tool):
    audit = built_draft(auditor=owner, tool=tool)
    assert auditor_client.get(section_url(audit, "section-9")).status_code == 404
    assert auditor_client.get(section_url(audit, "domain-1")).status_code == 404


# --- Bad input ---------------------------------------------------------------------------------


def bad_inputs(tool, other_tool):
    q = questions(tool)
    graded, yes_no, choice = (q[k].pk for k in ("graded", "yes_no", "choice"))
    number, date, text = (q[k].pk for k in ("number", "date", "text"))
    return {
        "nul in a comment": ("section-1", f"question-{graded}-text", "Seen\x00late"),
        "nul in a choice": ("section-1", f"question-{choice}-value", "None\x00"),
        "huge comment": ("section-1", f"question-{yes_no}-text", "x" * 10_001),
        "wrong choice": ("section-1", f"question-{choice}-value", "Something else"),
        "standard grade": ("section-1", f"question-{graded}-value", "meets"),
        "another tool's grade": (
            "section-1",
            f"question-{graded}-value",
            other_tool.grades.first().code,
        ),
        "words for a number": ("section-2", f"question-{number}-number", "six"),
        "huge number": ("section-2", f"question-{number}-number", "9" * 40),
        "huge text": ("section-2", f"question-{text}-text", "x" * 10_001),
        "no such day": ("section-2", f"question-{date}-date_day", "31"),
        "nul in a date": ("section-2", f"question-{date}-date_year", "2026\x00"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "nul in a comment",
        "nul in a choice",
        "huge comment",
        "wrong choice",
        "standard grade",
        "another tool's grade",
        "words for a number",
        "huge number",
        "huge text",
        "no such day",
        "nul in a date",
    ],
)
def test_bad_input_is_refused_at_its_field_and_nothing_is_written(
    auditor_client, owner, tool, case
):
    other = every_kind_tool(name="Practice observation")
    from audits.tools import services as tools

    tools.tool_set_scale(tool=other, grades=[("Outstanding", True), ("Poor", False)])
    audit = built_draft(auditor=owner, tool=tool)
    slug, name, value = bad_inputs(tool, other)[case]
    before = list(Answer.objects.filter(audit=audit).order_by("pk").values())
    revision = Audit.objects.get(pk=audit.pk).revision
    page = auditor_client.get(section_url(audit, slug)).content.decode()
    data = {**(section_1_post if slug == "section-1" else section_2_post)(tool), **page_token(page)}
    if name.endswith("_day"):
        data[name] = value
        data[name.replace("_day", "_month")] = "2"
    else:
        data[name] = value

    response = auditor_client.post(section_url(audit, slug), data)

    assert response.status_code == 400, case
    html = response.content.decode()
    field = name.rsplit("_", 1)[0] if name.endswith(("_day", "_year")) else name
    assert any(link.startswith(f"id_{field}") for link in error_summary_links(html)), case
    assert "govuk-error-message" in html
    assert list(Answer.objects.filter(audit=audit).order_by("pk").values()) == before
    assert Audit.objects.get(pk=audit.pk).revision == revision
    autosaved = auditor_client.post(reverse("audits:autosave", args=[audit.pk, slug]), data)
    assert autosaved.status_code == 400
    assert autosaved.json()["error"] == "invalid"


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(typed=st.lists(st.text(max_size=300), min_size=8, max_size=8))
def test_whatever_is_posted_to_a_question_page_it_is_never_a_500(auditor_client, owner, typed):
    tool = every_kind_tool(name="Fuzzed")
    audit = built_draft(auditor=owner, tool=tool, kind=ActivityKind.DIP_SAMPLE, complete=False)
    q = questions(tool)
    data = {
        f"question-{q['graded'].pk}-value": typed[0],
        f"question-{q['graded'].pk}-text": typed[1],
        f"question-{q['yes_no'].pk}-value": typed[2],
        f"question-{q['yes_no'].pk}-items_checked": typed[3],
        f"question-{q['choice'].pk}-value": typed[4],
        f"question-{q['number'].pk}-number": typed[5],
        f"question-{q['date'].pk}-date_day": typed[6],
        f"question-{q['text'].pk}-text": typed[7],
    }
    for slug in ("section-1", "section-2"):
        response = auditor_client.post(section_url(audit, slug), data)
        assert response.status_code in (302, 400)


# --- Autosave and two pages --------------------------------------------------------------------


def test_autosave_of_a_blank_section_saves_without_the_submit_rules(auditor_client, owner, tool):
    audit = built_draft(auditor=owner, tool=tool, complete=False)
    page = auditor_client.get(section_url(audit, "section-1")).content.decode()
    graded = questions(tool)[QuestionKind.GRADED]

    response = auditor_client.post(
        reverse("audits:autosave", args=[audit.pk, "section-1"]),
        {f"question-{graded.pk}-value": "good", **page_token(page)},
    )

    assert response.status_code == 200, response.content
    assert response.json()["saved"] is True
    assert "seen" in response.json()["fields"]
    assert Answer.objects.get(audit=audit, question=graded).value == "good"


def test_two_pages_on_different_sections_both_keep_their_work(client, owner, tool):
    client.force_login(owner)
    audit = built_draft(auditor=owner, tool=tool)
    first = page_token(client.get(section_url(audit, "section-1")).content.decode())
    second = page_token(client.get(section_url(audit, "section-2")).content.decode())
    q = questions(tool)

    one = client.post(
        section_url(audit, "section-1"),
        {**section_1_post(tool), f"question-{q['graded'].pk}-text": "From tab one", **first},
    )
    two = client.post(
        reverse("audits:autosave", args=[audit.pk, "section-2"]),
        {**section_2_post(tool), f"question-{q['text'].pk}-text": "From tab two", **second},
    )

    assert one.status_code == 302 and two.status_code == 200, two.content
    assert Answer.objects.get(audit=audit, question=q["graded"]).text == "From tab one"
    assert Answer.objects.get(audit=audit, question=q["text"]).text == "From tab two"


def test_two_pages_on_one_section_the_second_compares_and_chooses(client, owner, tool):
    client.force_login(owner)
    audit = built_draft(auditor=owner, tool=tool)
    first = page_token(client.get(section_url(audit, "section-1")).content.decode())
    second = page_token(client.get(section_url(audit, "section-1")).content.decode())
    graded = questions(tool)["graded"]
    comment = f"question-{graded.pk}-text"

    client.post(
        section_url(audit, "section-1"), {**section_1_post(tool), comment: "Tab one", **first}
    )
    refused = client.post(
        section_url(audit, "section-1"), {**section_1_post(tool), comment: "Tab two", **second}
    )

    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Question 1.1: Comment (optional)" in html
    assert "Tab one" in html and "Tab two" in html  # the saved version and what was typed
    assert Answer.objects.get(audit=audit, question=graded).text == "Tab one"
    autosaved = client.post(
        reverse("audits:autosave", args=[audit.pk, "section-1"]),
        {**section_1_post(tool), comment: "Tab two", **second},
    )
    assert autosaved.status_code == 409 and autosaved.json()["error"] == "conflict"

    # the page now carries the current revision: saving is a choice made seeing both
    chosen = page_token(html)
    kept = client.post(
        section_url(audit, "section-1"), {**section_1_post(tool), comment: "Tab two", **chosen}
    )
    assert kept.status_code == 302
    assert Answer.objects.get(audit=audit, question=graded).text == "Tab two"


def test_a_returned_built_audit_keeps_its_answers_on_the_page(auditor_client, owner, tool):
    audit = built_draft(auditor=owner, tool=tool)
    Audit.objects.filter(pk=audit.pk).update(status=Status.RETURNED)
    graded = questions(tool)["graded"]

    html = auditor_client.get(section_url(audit, "section-1")).content.decode()

    assert checked_values(html, f"question-{graded.pk}-value") == ["requires_improvement"]


def test_the_new_audit_page_offers_the_auditors_activities_with_their_own_tool(
    auditor_client, owner, tool
):
    assigned = activity_for(
        tool, name="Neglect, assigned", month=datetime.date.today().replace(day=1)
    )
    assigned.auditors.add(owner)
    activity_for(tool, name="Neglect, someone else's", month=datetime.date.today().replace(day=1))

    html = auditor_client.get(reverse("audits:new")).content.decode()

    assert f'href="{new_url(assigned)}"' in html
    assert "someone else" not in html


def test_the_task_list_costs_the_same_queries_for_more_questions(
    auditor_client, owner, django_assert_max_num_queries
):
    small = built_draft(auditor=owner, tool=every_kind_tool(name="Small"))
    big_tool = every_kind_tool(name="Big")
    from audits.tools import services as tools

    extra = tools.section_add(tool=big_tool, title="More")
    for n in range(15):
        tools.question_add(section=extra, text=f"Question {n}?", kind=QuestionKind.YES_NO)
    big = built_draft(auditor=owner, tool=big_tool)

    def queries(audit):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert auditor_client.get(reverse("audits:edit", args=[audit.pk])).status_code == 200
        return len(captured)

    queries(small)  # warm: sessions, permissions
    assert queries(big) <= queries(small) + 2  # one more section, not one more per question


@pytest.mark.parametrize("grade", ["meets", "outstanding", "Good", "good\x00"])
def test_an_overall_grade_off_the_tools_scale_is_refused_at_the_field(
    auditor_client, owner, tool, grade
):
    audit = built_draft(auditor=owner, tool=tool)

    response = auditor_client.post(
        section_url(audit, "overall"), {"overall_grade": grade, "action": "continue"}
    )

    assert response.status_code == 400
    assert error_summary_links(response.content.decode()) == ["id_overall_grade_0"]
    assert Audit.objects.get(pk=audit.pk).overall_grade == "good"
