"""The tool builder's pages (audits.tools.views): who may use them, building a tool through
them, and a tool with audits that refuses every change but a new version."""

import pytest
from django.urls import reverse

from audits import services
from audits.models import AuditTool, Question, ToolGrade, ToolSection
from audits.tools import services as tools
from audits.tools.kinds import STANDARD_FAMILY, QuestionKind
from tests.factories import AuditActivityFactory, auditor, qa_lead

pytestmark = pytest.mark.django_db

SCALE = [("Good", True), ("Requires improvement", False), ("Inadequate", False)]


def built_tool(**kwargs):
    tool = tools.tool_create(name="Neglect thematic audit", by=qa_lead(), grades=SCALE, **kwargs)
    section = tools.section_add(tool=tool, title="Recognising neglect")
    tools.question_add(section=section, text="Was neglect recognised early?", kind="graded")
    return tool


def with_an_audit(tool):
    services.audit_create(auditor=auditor(), activity=AuditActivityFactory(tool=tool))
    return tool


def scale_data(grades) -> dict:
    data = {}
    for n, (label, good) in enumerate(grades, start=1):
        data[f"grade_{n}"] = label
        if good:
            data[f"good_{n}"] = "on"
    return data


def snapshot(tool) -> dict:
    """Everything a change to the tool could touch."""
    tool.refresh_from_db()
    return {
        "tool": (tool.name, tool.description, tool.has_overall_grade, tool.is_current),
        "grades": list(ToolGrade.objects.filter(tool=tool).values_list("label", "is_good")),
        "sections": list(ToolSection.objects.filter(tool=tool).values_list("number", "title")),
        "questions": list(
            Question.objects.filter(section__tool=tool).values_list(
                "number", "text", "kind", "required", "options"
            )
        ),
    }


# --- Who may build tools ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, status",
    [
        ("owner", 403),
        ("moderator_user", 403),
        ("qa_lead_user", 200),
        ("administrator_user", 200),
        ("no_role_user", 403),
    ],
)
def test_only_qa_leads_and_administrators_reach_the_builder(client, request, who, status):
    tool = built_tool()
    client.force_login(request.getfixturevalue(who))
    for url in (
        reverse("audits:tools"),
        reverse("audits:tool_new"),
        reverse("audits:tool", args=[tool.pk]),
        reverse("audits:tool_preview", args=[tool.pk]),
        reverse("audits:tool_question_new", args=[tool.pk, tool.sections.get().pk]),
    ):
        assert client.get(url).status_code == status, url


def test_an_auditor_cannot_post_a_change(client, owner):
    tool = built_tool()
    before = snapshot(tool)
    client.force_login(owner)

    response = client.post(
        reverse("audits:tool_section_new", args=[tool.pk]), {"title": "Sneaked in"}
    )

    assert response.status_code == 403
    assert snapshot(tool) == before


def test_the_menu_offers_audit_tools_to_qa_leads_only(client, qa_lead_user, owner):
    client.force_login(qa_lead_user)
    assert reverse("audits:tools") in client.get(reverse("audits:home")).content.decode()
    client.force_login(owner)
    assert reverse("audits:tools") not in client.get(reverse("audits:home")).content.decode()


def test_signed_out_is_sent_to_sign_in(client):
    response = client.get(reverse("audits:tools"))
    assert response.status_code == 302 and reverse("login") in response.url


# --- The list ---------------------------------------------------------------------------------


def test_the_list_shows_each_tool_with_its_versions_audits_and_lock(client, qa_lead_user):
    locked = with_an_audit(built_tool())
    copy = services.tool_copy_as_new_version(source=locked)
    client.force_login(qa_lead_user)

    html = client.get(reverse("audits:tools")).content.decode()

    assert "Standard tool" in html
    assert "Neglect thematic audit" in html
    assert reverse("audits:tool", args=[locked.pk]) in html
    assert reverse("audits:tool", args=[copy.pk]) in html
    assert "Locked" in html
    assert html.index("Standard tool") < html.index("Neglect thematic audit")


def test_the_page_of_a_tool_has_no_cache(client, qa_lead_user):
    client.force_login(qa_lead_user)
    response = client.get(reverse("audits:tool", args=[built_tool().pk]))
    assert "no-store" in response["Cache-Control"]


# --- Building a tool through the pages --------------------------------------------------------


def test_a_qa_lead_builds_a_tool_with_a_scale_sections_and_questions(client, qa_lead_user):
    client.force_login(qa_lead_user)

    response = client.post(
        reverse("audits:tool_new"),
        {
            "name": "Domestic abuse thematic audit",
            "description": "Cases where domestic abuse was a factor.",
            "has_overall_grade": "on",
            **scale_data(SCALE),
        },
    )
    tool = AuditTool.objects.get(name="Domestic abuse thematic audit")
    assert response.status_code == 302 and response.url == reverse("audits:tool", args=[tool.pk])
    assert tool.created_by == qa_lead_user and tool.version == 1 and tool.is_current
    assert list(tool.grades.values_list("label", "is_good")) == SCALE

    client.post(
        reverse("audits:tool_section_new", args=[tool.pk]),
        {"title": "Risk", "guidance": "Read the strategy discussions."},
    )
    section = tool.sections.get()
    for kind in QuestionKind.values:
        data = {"text": f"A {kind} question", "kind": kind, "guidance": "", "required": "on"}
        if kind == QuestionKind.CHOICE:
            data["options"] = "DASH\nSafeLives\n\nOther\n"
        response = client.post(
            reverse("audits:tool_question_new", args=[tool.pk, section.pk]), data
        )
        assert response.status_code == 302, response.content.decode()

    assert list(section.questions.values_list("number", "kind")) == list(
        enumerate(QuestionKind.values, start=1)
    )
    assert section.questions.get(kind="choice").options == ["DASH", "SafeLives", "Other"]

    page = client.get(reverse("audits:tool", args=[tool.pk])).content.decode()
    assert "A choice question" in page and "SafeLives" in page
    preview = client.get(reverse("audits:tool_preview", args=[tool.pk])).content.decode()
    for label in ("Requires improvement", "Partly", "SafeLives", "Overall grade", "1.6 A text"):
        assert label in preview


def test_the_standard_scale_fills_the_rows_and_keeps_what_was_typed(client, qa_lead_user):
    client.force_login(qa_lead_user)

    response = client.post(
        reverse("audits:tool_new"),
        {"name": "Supervision audit", "standard_scale": "1", "has_overall_grade": "on"},
    )

    html = response.content.decode()
    assert response.status_code == 200 and not AuditTool.objects.filter(name="Supervision audit")
    assert 'value="Supervision audit"' in html
    for label in ("Exceeds good", "Meets good", "Does not meet good"):
        assert f'value="{label}"' in html
    assert "There is a problem" not in html


def test_a_tool_with_an_overall_grade_needs_a_scale(client, qa_lead_user):
    client.force_login(qa_lead_user)

    response = client.post(
        reverse("audits:tool_new"), {"name": "No scale", "has_overall_grade": "on"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html and "Give the scale" in html
    assert 'href="#id_grade_1"' in html
    assert not AuditTool.objects.filter(name="No scale").exists()


def test_a_tool_without_an_overall_grade_needs_no_scale(client, qa_lead_user):
    client.force_login(qa_lead_user)
    client.post(reverse("audits:tool_new"), {"name": "LADO dip sample"})
    tool = AuditTool.objects.get(name="LADO dip sample")
    assert not tool.has_overall_grade and not tool.grades.exists()


@pytest.mark.parametrize(
    "grades, message",
    [
        ([("Good", True), ("good", False)], "same name"),
        ([("Good", True)], "at least two grades"),
    ],
)
def test_a_bad_scale_is_refused_at_the_field(client, qa_lead_user, grades, message):
    tool = built_tool()
    before = snapshot(tool)
    client.force_login(qa_lead_user)

    response = client.post(reverse("audits:tool_scale", args=[tool.pk]), scale_data(grades))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot(tool) == before


def test_a_good_grade_with_no_name_is_refused(client, qa_lead_user):
    tool = built_tool()
    client.force_login(qa_lead_user)

    response = client.post(
        reverse("audits:tool_scale", args=[tool.pk]),
        {**scale_data(SCALE), "good_5": "on"},
    )

    assert response.status_code == 400
    assert "Give grade 5 a name" in response.content.decode()


def test_the_scale_page_changes_the_scale(client, qa_lead_user):
    tool = built_tool()
    client.force_login(qa_lead_user)
    scale = [("Outstanding", True), ("Good", True), ("Requires improvement", False)]

    response = client.post(reverse("audits:tool_scale", args=[tool.pk]), scale_data(scale))

    assert response.status_code == 302
    assert list(tool.grades.values_list("label", "is_good")) == scale


def test_a_choice_with_one_option_is_refused_beside_the_options(client, qa_lead_user):
    tool = built_tool()
    section = tool.sections.get()
    client.force_login(qa_lead_user)

    response = client.post(
        reverse("audits:tool_question_new", args=[tool.pk, section.pk]),
        {"text": "Which plan?", "kind": "choice", "options": "Only one", "required": "on"},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_options"' in html and "at least two options" in html
    # what was typed stays
    assert "Which plan?" in html and "Only one" in html
    assert section.questions.count() == 1


def test_a_graded_question_on_a_tool_without_a_scale_is_refused_beside_the_kind(
    client, qa_lead_user
):
    tool = tools.tool_create(name="Dip sample", by=qa_lead(), has_overall_grade=False)
    section = tools.section_add(tool=tool, title="Referrals")
    client.force_login(qa_lead_user)

    response = client.post(
        reverse("audits:tool_question_new", args=[tool.pk, section.pk]),
        {"text": "How good?", "kind": "graded"},
    )

    assert response.status_code == 400
    assert 'href="#id_kind_0"' in response.content.decode()
    assert not section.questions.exists()


def test_editing_and_removing_questions_and_sections(client, qa_lead_user):
    tool = built_tool()
    section = tool.sections.get()
    question = section.questions.get()
    client.force_login(qa_lead_user)

    client.post(
        reverse("audits:tool_question_edit", args=[tool.pk, question.pk]),
        {"text": "Was it recognised?", "kind": "yes_no", "guidance": "Look early."},
    )
    question.refresh_from_db()
    assert (question.text, question.kind, question.required, question.guidance) == (
        "Was it recognised?",
        "yes_no",
        False,
        "Look early.",
    )

    client.post(
        reverse("audits:tool_section_edit", args=[tool.pk, section.pk]), {"title": "Neglect"}
    )
    section.refresh_from_db()
    assert section.title == "Neglect"

    confirm = client.get(reverse("audits:tool_question_remove", args=[tool.pk, question.pk]))
    assert confirm.status_code == 200 and "Was it recognised?" in confirm.content.decode()
    client.post(reverse("audits:tool_question_remove", args=[tool.pk, question.pk]))
    assert not section.questions.exists()

    client.post(reverse("audits:tool_section_remove", args=[tool.pk, section.pk]))
    assert not tool.sections.exists()


def test_a_question_of_another_tool_is_not_found(client, qa_lead_user):
    tool = built_tool()
    other = built_tool()
    client.force_login(qa_lead_user)
    question = other.sections.get().questions.get()

    response = client.get(reverse("audits:tool_question_edit", args=[tool.pk, question.pk]))

    assert response.status_code == 404


def test_bad_input_is_never_a_server_error(client, qa_lead_user):
    tool = built_tool()
    section = tool.sections.get()
    client.force_login(qa_lead_user)

    for url, data in [
        (reverse("audits:tool_new"), {"name": "x\x00y", "grade_1": "A" * 500}),
        (reverse("audits:tool_scale", args=[tool.pk]), {"grade_1": "\x00"}),
        (
            reverse("audits:tool_question_new", args=[tool.pk, section.pk]),
            {"text": "", "kind": "nonsense"},
        ),
        (reverse("audits:tool_section_new", args=[tool.pk]), {"title": "T" * 400}),
        (reverse("audits:tool_edit", args=[tool.pk]), {"name": ""}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 400, url
        assert "govuk-error-summary" in response.content.decode()


# --- A tool with audits -----------------------------------------------------------------------


def test_a_locked_tool_refuses_every_change_through_the_pages(client, qa_lead_user):
    tool = with_an_audit(built_tool())
    section = tool.sections.get()
    question = section.questions.get()
    before = snapshot(tool)
    client.force_login(qa_lead_user)

    page = client.get(reverse("audits:tool", args=[tool.pk])).content.decode()
    assert "This version cannot be changed" in page and "has audits" in page
    assert "Make a new version" in page
    assert reverse("audits:tool_section_new", args=[tool.pk]) not in page

    changes = [
        (reverse("audits:tool_edit", args=[tool.pk]), {"name": "Renamed"}),
        (reverse("audits:tool_scale", args=[tool.pk]), scale_data([("A", True), ("B", False)])),
        (reverse("audits:tool_section_new", args=[tool.pk]), {"title": "More"}),
        (reverse("audits:tool_section_edit", args=[tool.pk, section.pk]), {"title": "Changed"}),
        (reverse("audits:tool_section_remove", args=[tool.pk, section.pk]), {}),
        (
            reverse("audits:tool_question_new", args=[tool.pk, section.pk]),
            {"text": "Anything else?", "kind": "text"},
        ),
        (
            reverse("audits:tool_question_edit", args=[tool.pk, question.pk]),
            {"text": "Changed?", "kind": "text"},
        ),
        (reverse("audits:tool_question_remove", args=[tool.pk, question.pk]), {}),
    ]
    for url, data in changes:
        for response in (client.get(url, follow=True), client.post(url, data, follow=True)):
            assert "has audits, so it cannot be changed" in response.content.decode(), url
            assert response.status_code in (200, 302), url
    assert snapshot(tool) == before


def test_a_tool_locked_after_the_page_was_opened_says_why_at_the_top(client, qa_lead_user):
    """Someone started an audit in between: the service refuses, the form shows it."""
    tool = built_tool()
    section = tool.sections.get()
    client.force_login(qa_lead_user)
    assert (
        client.get(reverse("audits:tool_question_new", args=[tool.pk, section.pk])).status_code
        == 200
    )
    with_an_audit(tool)

    # The page's own check runs first; the service holds the rule too (tests/.../test_services).
    response = client.post(
        reverse("audits:tool_question_new", args=[tool.pk, section.pk]),
        {"text": "Late", "kind": "text"},
        follow=True,
    )

    assert "has audits, so it cannot be changed" in response.content.decode()
    assert section.questions.count() == 1


def test_a_new_version_from_the_page_then_made_current(client, qa_lead_user):
    tool = with_an_audit(built_tool())
    client.force_login(qa_lead_user)

    response = client.post(reverse("audits:tool_new_version", args=[tool.pk]))

    copy = AuditTool.objects.get(family=tool.family, version=2)
    assert response.status_code == 302 and response.url == reverse("audits:tool", args=[copy.pk])
    assert not copy.is_current
    page = client.get(response.url).content.decode()
    assert "Make this version current" in page
    assert reverse("audits:tool_section_new", args=[copy.pk]) in page

    # The copy can change; the original still cannot.
    client.post(
        reverse("audits:tool_question_new", args=[copy.pk, copy.sections.get().pk]),
        {"text": "Anything else?", "kind": "text"},
    )
    assert copy.sections.get().questions.count() == 2
    assert tool.sections.get().questions.count() == 1

    response = client.post(reverse("audits:tool_make_current", args=[copy.pk]))
    assert response.status_code == 302
    copy.refresh_from_db()
    tool.refresh_from_db()
    assert copy.is_current and not tool.is_current
    assert AuditTool.objects.get(family=STANDARD_FAMILY, is_current=True)


def test_a_version_with_no_questions_cannot_be_made_current(client, qa_lead_user):
    tool = built_tool()
    copy = services.tool_copy_as_new_version(source=tool)
    tools.section_remove(section=copy.sections.get())
    client.force_login(qa_lead_user)

    response = client.post(reverse("audits:tool_make_current", args=[copy.pk]), follow=True)

    assert "no questions" in response.content.decode()
    copy.refresh_from_db()
    assert not copy.is_current


def test_version_buttons_are_post_only_and_for_builders(client, owner):
    tool = built_tool()
    client.force_login(owner)
    assert client.post(reverse("audits:tool_new_version", args=[tool.pk])).status_code == 403
    assert client.get(reverse("audits:tool_new_version", args=[tool.pk])).status_code == 405
    assert AuditTool.objects.filter(family=tool.family).count() == 1


def test_the_standard_tool_is_read_only_here(client, qa_lead_user):
    standard = services.current_tool()
    client.force_login(qa_lead_user)

    page = client.get(reverse("audits:tool", args=[standard.pk])).content.decode()
    assert "changed in the admin" in page
    assert standard.domains.first().title in page
    assert reverse("audits:tool_new_version", args=[standard.pk]) not in page

    response = client.post(reverse("audits:tool_edit", args=[standard.pk]), {"name": "Mine now"})
    assert response.status_code == 302
    assert client.post(reverse("audits:tool_new_version", args=[standard.pk])).status_code == 403
    standard.refresh_from_db()
    assert standard.name != "Mine now"
    assert AuditTool.objects.filter(family=STANDARD_FAMILY).count() == 1
