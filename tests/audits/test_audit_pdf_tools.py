"""The audit's PDF (audits:pdf) for an audit made with a built tool: every question kind read
back from the PDF as a reader reads it (a grade by its label on the tool's own scale, "Partly",
"1 July 2026", a number, a choice, free text), the header each kind of activity records, the
agreed actions, the moderation outcome on the tool's scale, the case holder's response where one
is given; and who may download it (whoever may open the audit), with the security log's row.

The audits are made with audits.services.audit_create on an activity whose tool was built with
audits.tools.services; their answers, actions and moderation are written directly, as the brief
for this PDF asks (the built tool's form and its moderation are other pieces of work)."""

import datetime
import io
from decimal import Decimal
from types import SimpleNamespace

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from audits import printing, services
from audits.models import AgencyContribution, AgreedAction, Answer, Audit, SecurityEvent, Status
from audits.security.events import Event
from audits.tools import services as tools
from audits.tools.kinds import ActivityKind, QuestionKind
from moderation.models import Moderation
from tests import factories

pytestmark = pytest.mark.django_db

SCALE = [("Good", True), ("Requires improvement", False), ("Inadequate", False)]
AUDIT_DATE = datetime.date(2026, 7, 14)


def pdf_text(data: bytes) -> str:
    """The PDF's text with line breaks and runs of spaces folded, as a reader would read it."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def pdf_events():
    return SecurityEvent.objects.filter(event=Event.VIEWED_AUDIT_PDF)


def build_tool():
    """A thematic tool with a question of every kind, over two sections."""
    tool = tools.tool_create(name="Neglect thematic audit", by=factories.qa_lead(), grades=SCALE)
    first = tools.section_add(tool=tool, title="Recognising neglect")
    tools.question_add(section=first, text="Was neglect recognised early?", kind="graded")
    tools.question_add(section=first, text="Was a chronology kept?", kind="yes_no")
    tools.question_add(section=first, text="How many home visits were made?", kind="number")
    tools.question_add(section=first, text="When was the last visit?", kind="date")
    second = tools.section_add(tool=tool, title="Planning for the child")
    tools.question_add(
        section=second,
        text="Which assessment tool was used?",
        kind=QuestionKind.CHOICE,
        options=["Graded Care Profile", "None", "Other"],
    )
    tools.question_add(section=second, text="What would improve the plan?", kind="text")
    tools.question_add(section=second, text="Was the child seen alone?", kind="yes_no")
    return tool


# What each question is answered with, and how the PDF must print it.
ANSWERS = {
    "Was neglect recognised early?": (
        {"value": "requires_improvement", "text": "Neglect was named late, after two referrals."},
        "Requires improvement",
    ),
    "Was a chronology kept?": ({"value": "partly"}, "Partly"),
    "How many home visits were made?": ({"number": Decimal("7.50")}, "7.5"),
    "When was the last visit?": ({"date": datetime.date(2026, 7, 1)}, "1 July 2026"),
    "Which assessment tool was used?": ({"value": "Graded Care Profile"}, "Graded Care Profile"),
    "What would improve the plan?": (
        {"text": "The plan names no dates for the nursery place."},
        "The plan names no dates for the nursery place.",
    ),
    "Was the child seen alone?": ({}, "Not answered"),
}


def make_audit(*, owner, kind=ActivityKind.THEMATIC, items_checked=None, **fields):
    """A submitted audit of ``kind`` on the built tool, with every answer of ANSWERS and one
    agreed action."""
    tool = build_tool()
    activity = factories.AuditActivityFactory(tool=tool, kind=kind, name=f"Neglect {kind}")
    audit = services.audit_create(
        auditor=owner,
        activity=activity,
        case_reference="CR-55501",
        audit_date=AUDIT_DATE,
        overall_grade="good",
        overall_comments="Work with the family is steady; neglect was named late.",
        **fields,
    )
    for answer in Answer.objects.filter(audit=audit).select_related("question"):
        values, _printed = ANSWERS[answer.question.text]
        for name, value in values.items():
            setattr(answer, name, value)
        answer.items_checked = items_checked
        answer.save()
    AgreedAction.objects.create(
        audit=audit,
        description="Book a neglect screening with the health visitor",
        owner="Team manager",
        due_date=datetime.date(2026, 8, 15),
    )
    Audit.objects.filter(pk=audit.pk).update(status=Status.SUBMITTED, submitted_at=timezone.now())
    audit.refresh_from_db()
    return audit


@pytest.fixture
def audit(owner):
    return make_audit(owner=owner)


@pytest.fixture
def moderated(audit):
    """The audit moderated down one step of the tool's scale, by a named moderator."""
    moderator = factories.moderator(first_name="Mina", last_name="Osei")
    Moderation.objects.create(
        audit=audit,
        round=1,
        moderator=moderator,
        outcome=Moderation.Outcome.LOWERED,
        auditor_grade="good",
        moderated_grade="requires_improvement",
        rationale="Two referrals passed before neglect was named.",
        feedback="Name neglect at the first referral.",
        created_at=timezone.make_aware(datetime.datetime(2026, 7, 20, 10, 0)),
    )
    Audit.objects.filter(pk=audit.pk).update(
        status=Status.COMPLETED, moderated_grade="requires_improvement", moderated_by=moderator
    )
    audit.refresh_from_db()
    return audit


def download(client, user, audit):
    client.force_login(user)
    return client.get(reverse("audits:pdf", args=[audit.pk]))


# --- What it says --------------------------------------------------------------------------------


def test_every_answer_is_printed_by_its_kind_under_its_section(client, owner, audit):
    owner.first_name, owner.last_name = "Ada", "Okafor"
    owner.save()
    response = download(client, owner, audit)

    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Audit of case CR-55501" in text
    assert "14 July 2026" in text and "Ada Okafor" in text
    assert "Kind of audit Thematic audit" in text
    assert "Neglect thematic audit (version 1)" in text
    assert "1. Recognising neglect" in text and "2. Planning for the child" in text
    numbers = ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3"]
    for number, (question, (_values, printed)) in zip(numbers, ANSWERS.items(), strict=True):
        assert f"{number} {question} Answer {printed}" in text
    assert "Comment Neglect was named late, after two referrals." in text
    # The tool's own scale, never the standard tool's vocabulary.
    assert "Meets good" not in text and "Exceeds good" not in text
    assert "Auditor's grade Good" in text
    assert "Work with the family is steady; neglect was named late." in text
    # Not a dip sample: no items-checked lines.
    assert "Items checked" not in text
    # The standard tool's parts are not there.
    assert "The twelve domains" not in text and "Risk categories" not in text
    assert "OFFICIAL-SENSITIVE" in text


def test_the_agreed_actions_are_printed_with_owner_due_date_and_state(client, owner, audit):
    text = pdf_text(download(client, owner, audit).content)

    assert "Book a neglect screening with the health visitor" in text
    assert "Team manager" in text
    assert "15 August 2026" in text
    assert "Auditor Open" in text  # agreed by, then its state


def test_the_moderation_outcome_is_printed_on_the_tools_scale(client, owner, moderated):
    text = pdf_text(download(client, owner, moderated).content)

    assert "Moderated grade Requires improvement by Mina Osei" in text
    assert "Round 1: Grade lowered" in text
    assert "Moderator Mina Osei" in text
    assert "Date 20 July 2026" in text
    assert "Auditor's grade Good Moderated grade Requires improvement" in text
    assert "Two referrals passed before neglect was named." in text
    assert "Name neglect at the first referral." in text


def test_another_auditor_sees_an_exemplars_grades_but_not_the_rationale(
    client, colleague, moderated
):
    from moderation.models import Exemplar

    Exemplar.objects.create(
        audit=moderated, marked_by=factories.moderator(), marked_at=timezone.now(), note="Clear"
    )
    response = download(client, colleague, moderated)

    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Moderated grade Requires improvement" in text
    assert "Two referrals passed before neglect was named." not in text
    assert "for the auditor and the moderators only" in text
    assert "Exemplar of good practice" in text


def test_a_tool_without_an_overall_grade_prints_no_grade_and_no_moderation(client, owner, audit):
    audit.tool.has_overall_grade = False
    audit.tool.save(update_fields=["has_overall_grade"])
    Audit.objects.filter(pk=audit.pk).update(overall_grade="")

    text = pdf_text(download(client, owner, audit).content)

    assert "Auditor's grade" not in text and "Moderation" not in text
    assert "Overall judgement" in text  # the comments still are


def test_a_practice_observation_says_what_was_observed_and_whom(client, owner):
    audit = make_audit(
        owner=owner,
        kind=ActivityKind.PRACTICE_OBSERVATION,
        observed_event="Looked after review",
        observed_on=datetime.date(2026, 7, 9),
        observed_practitioner="Sam Reid, social worker",
    )

    text = pdf_text(download(client, owner, audit).content)

    assert "Kind of audit Practice observation" in text
    assert "What was observed Looked after review" in text
    assert "Date observed 9 July 2026" in text
    assert "Practitioner observed Sam Reid, social worker" in text


def test_an_independent_audit_names_its_auditor(client, owner):
    audit = make_audit(
        owner=owner,
        kind=ActivityKind.INDEPENDENT,
        external_auditor="Dr Lena Marsh",
        external_organisation="Northern Practice Review Ltd",
    )

    text = pdf_text(download(client, owner, audit).content)

    assert "Independent auditor Dr Lena Marsh" in text
    assert "Their organisation Northern Practice Review Ltd" in text
    assert "What was observed" not in text


def test_a_multi_agency_audit_lists_each_agencys_auditor(client, owner):
    audit = make_audit(owner=owner, kind=ActivityKind.MULTI_AGENCY)
    AgencyContribution.objects.create(
        audit=audit, agency="Police", auditor_name="DS Kay Hill", organisation="County Police"
    )
    AgencyContribution.objects.create(
        audit=audit, agency="Health", auditor_name="Jo Bell", organisation=""
    )

    text = pdf_text(download(client, owner, audit).content)

    assert "Agencies taking part" in text
    assert "Health Jo Bell —" in text
    assert "Police DS Kay Hill County Police" in text


def test_a_dip_sample_says_how_many_items_each_answer_covers(client, owner):
    audit = make_audit(owner=owner, kind=ActivityKind.DIP_SAMPLE, items_checked=12)
    Answer.objects.filter(audit=audit, question__text="Was the child seen alone?").update(
        items_checked=None
    )

    text = pdf_text(download(client, owner, audit).content)

    assert text.count("Items checked 12") == len(ANSWERS) - 1
    assert "Was the child seen alone? Answer Not answered Items checked —" in text


# --- The case holder's response: printed only where given ---------------------------------------


def _html(audit, user, rf, **kwargs):
    request = rf.get("/")
    request.user = user
    return printing.audit_html(audit=audit, request=request, **kwargs)


def test_the_case_holders_response_is_printed_only_where_given(rf, owner, audit):
    action = audit.actions.get()
    response = SimpleNamespace(
        text="I agree; the screening is booked.",
        responded_by=SimpleNamespace(get_full_name="Priya Shah", username="pshah"),
        updated_at=datetime.datetime(2026, 7, 22, 9, 0),
        created_at=datetime.datetime(2026, 7, 21, 9, 0),
        confirmations=SimpleNamespace(
            all=[SimpleNamespace(action=action, get_answer_display="Agreed", note="")]
        ),
    )

    without = _html(audit, owner, rf)
    with_response = _html(audit, owner, rf, case_holder_response=response)

    assert "holder-response-title" not in without
    assert "The case holder's response" in with_response
    assert "I agree; the screening is booked." in with_response
    assert "Priya Shah" in with_response and "22 July 2026" in with_response
    assert "screening with the health visitor</td><td>Agreed</td>" in with_response


# --- How an answer is written --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "fields", "expected"),
    [
        ("graded", {"value": "inadequate"}, "Inadequate"),
        ("graded", {"value": "gone_from_scale"}, "gone_from_scale"),
        ("yes_no", {"value": "not_applicable"}, "Not applicable"),
        ("yes_no", {"value": "yes", "text": "a comment"}, "Yes"),
        ("number", {"number": Decimal("12.00")}, "12"),
        ("number", {"number": Decimal("100")}, "100"),
        ("number", {"number": Decimal("0.25")}, "0.25"),
        ("number", {"number": Decimal("0")}, "0"),
        ("date", {"date": datetime.date(2027, 1, 31)}, "31 January 2027"),
        ("choice", {"value": "Other"}, "Other"),
        ("text", {"text": "Free words"}, "Free words"),
        ("graded", {}, ""),
        ("yes_no", {}, ""),
        ("number", {}, ""),
        ("date", {}, ""),
        ("text", {}, ""),
    ],
)
def test_an_answer_is_written_as_a_reader_reads_it(kind, fields, expected):
    from audits.models import Question
    from audits.tools.answers import answer_display

    tool = tools.tool_create(
        name="Reading answers",
        by=factories.qa_lead(),
        grades=[("Good", True), ("Inadequate", False)],
    )
    question = Question(kind=kind, options=["Other", "None"])

    assert answer_display(question, Answer(question=question, **fields), tool=tool) == expected


def test_the_grade_labels_come_from_the_audits_own_tool(audit):
    assert printing.grade_labels(audit.tool) == {
        "good": "Good",
        "requires_improvement": "Requires improvement",
        "inadequate": "Inadequate",
    }
    assert printing.grade_labels(services.current_tool())["meets"] == "Meets good"


# --- Who may download it: whoever may open the audit ---------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("owner", 200),
        ("colleague", 404),
        ("no_role_user", 404),
        ("qa_lead_user", 200),
    ],
)
def test_whoever_may_open_the_audit_may_download_it(client, request, audit, who, expected):
    user = request.getfixturevalue(who)

    response = download(client, user, audit)

    assert response.status_code == expected
    assert pdf_events().filter(actor=user).count() == (1 if expected == 200 else 0)
    if expected == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["Cache-Control"] == "no-store, private"
        assert response["Content-Disposition"] == (
            'attachment; filename="audit-CR-55501-2026-07-14.pdf"'
        )
        row = pdf_events().get(actor=user)
        assert row.case_reference == "CR-55501" and row.object == f"audit {audit.pk}"
    else:
        assert b"CR-55501" not in response.content
        assert not pdf_events().exists()


def test_nobody_but_the_auditor_downloads_a_built_tool_draft(client, owner, moderator_user, audit):
    Audit.objects.filter(pk=audit.pk).update(status=Status.DRAFT)

    assert download(client, moderator_user, audit).status_code == 404
    assert not pdf_events().exists()
    assert download(client, owner, audit).status_code == 200


def test_the_html_takes_as_many_queries_for_three_rounds_as_for_one(rf, owner, moderated):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        audit = Audit.objects.select_related("tool", "activity", "auditor").get(pk=moderated.pk)
        with CaptureQueriesContext(connection) as captured:
            _html(audit, owner, rf)
        return len(captured)

    queries()  # what is read once per user (their roles) is read now, not in the count
    one_round = queries()
    first = moderated.moderations.get()
    for number in (2, 3):
        first.pk, first.round = None, number
        first.moderator = factories.moderator()
        first.save()

    assert queries() == one_round
