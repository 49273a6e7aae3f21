"""audits.tools.answers and the submit rules of a built tool's audit: each kind of question's
values, what no answer may hold, changed answers only written, required questions, statuses."""

import datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits import sections, services
from audits.models import AgencyContribution, Answer, Audit
from audits.rules import submit_problems
from audits.sections import TaskStatus
from audits.tools import answers
from audits.tools.kinds import ActivityKind, QuestionKind
from audits.workflow import AuditError
from tests.factories import auditor

from .building import (
    AUDIT_DATE,
    activity_for,
    built_draft,
    complete_content,
    every_kind_tool,
    questions,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)


@pytest.fixture
def tool():
    return every_kind_tool()


def clean(question, tool, **typed):
    return answers.clean_answer(question, tool=tool, **typed)


# --- Each kind's values ----------------------------------------------------------------------------


def test_each_kind_keeps_its_answer_in_its_own_field(tool):
    q = questions(tool)

    assert clean(q[QuestionKind.GRADED], tool, value="good", text=" Early. ")["value"] == "good"
    assert clean(q[QuestionKind.GRADED], tool, value="good", text=" Early. ")["text"] == "Early."
    assert clean(q[QuestionKind.YES_NO], tool, value="not_applicable")["value"] == "not_applicable"
    assert clean(q[QuestionKind.CHOICE], tool, value="None")["value"] == "None"
    assert clean(q[QuestionKind.NUMBER], tool, number="12.5")["number"] == Decimal("12.5")
    assert clean(q[QuestionKind.NUMBER], tool, number="1,200")["number"] == Decimal("1200")
    day = datetime.date(2026, 7, 1)
    assert clean(q[QuestionKind.DATE], tool, date=day)["date"] == day
    assert clean(q[QuestionKind.TEXT], tool, text="Seen alone.")["text"] == "Seen alone."
    # blank is a draft's right: whether it must be answered is the submit rules'
    assert clean(q[QuestionKind.GRADED], tool)["value"] == ""
    assert clean(q[QuestionKind.NUMBER], tool, number="")["number"] is None


@pytest.mark.parametrize(
    ("kind", "typed", "field"),
    [
        (QuestionKind.GRADED, {"value": "meets"}, "value"),  # the standard scale's code
        (QuestionKind.GRADED, {"value": "Good"}, "value"),  # a label is no code
        (QuestionKind.YES_NO, {"value": "maybe"}, "value"),
        (QuestionKind.CHOICE, {"value": "graded care profile"}, "value"),  # not as offered
        (QuestionKind.GRADED, {"value": "good", "text": "x" * 10_001}, "value"),
        (QuestionKind.TEXT, {"text": "x" * 10_001}, "text"),
        (QuestionKind.TEXT, {"text": "nul\x00byte"}, "text"),
        (QuestionKind.YES_NO, {"value": "yes\x00"}, "value"),
        (QuestionKind.NUMBER, {"number": "twelve"}, "number"),
        (QuestionKind.NUMBER, {"number": "NaN"}, "number"),
        (QuestionKind.NUMBER, {"number": "Infinity"}, "number"),
        (QuestionKind.NUMBER, {"number": "1.234"}, "number"),
        (QuestionKind.NUMBER, {"number": "1e30"}, "number"),
        (QuestionKind.DATE, {"date": "2026-07-01"}, "date"),  # a date, not text
        (QuestionKind.DATE, {"date": datetime.date(1850, 1, 1)}, "date"),
    ],
)
def test_what_no_answer_may_hold_is_refused_naming_the_field(tool, kind, typed, field):
    question = questions(tool)[kind]

    with pytest.raises(answers.AnswerError) as refused:
        clean(question, tool, **typed)

    assert refused.value.field == field
    assert str(refused.value)


def test_a_grade_of_another_tools_scale_is_refused(tool):
    other = every_kind_tool(name="Observation")
    from audits.tools import services as tools

    tools.tool_set_scale(tool=other, grades=[("Outstanding", True), ("Poor", False)])

    with pytest.raises(answers.AnswerError):
        clean(questions(tool)[QuestionKind.GRADED], tool, value="outstanding")


def test_items_checked_only_in_a_dip_sample_and_as_a_count(tool):
    q = questions(tool)[QuestionKind.YES_NO]

    assert clean(q, tool, value="yes", items_checked="7")["items_checked"] is None
    assert (
        answers.clean_answer(q, tool=tool, counting=True, items_checked="7")["items_checked"] == 7
    )
    for bad in ("-1", "7.5", "lots", "100001", "٣"):
        with pytest.raises(answers.AnswerError) as refused:
            answers.clean_answer(q, tool=tool, counting=True, items_checked=bad)
        assert refused.value.field == "items_checked"


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(list(QuestionKind)),
    value=st.text(max_size=300),
    number=st.text(max_size=40),
    text=st.text(max_size=50),
    items=st.text(max_size=12),
)
def test_any_typed_value_is_an_answer_or_an_answer_error(tool, kind, value, number, text, items):
    question = questions(tool)[kind]
    try:
        found = answers.clean_answer(
            question,
            tool=tool,
            counting=True,
            value=value,
            number=number,
            text=text,
            items_checked=items,
        )
    except answers.AnswerError as error:
        assert error.field in answers.ANSWER_FIELDS
    else:
        assert set(found) == set(answers.ANSWER_FIELDS)
        assert "\x00" not in found["value"] + found["text"]


def test_answers_read_as_a_person_reads_them(tool):
    q = questions(tool)
    audit = built_draft(tool=tool)
    saved = {a.question_id: a for a in audit.answers.all()}

    def read(kind):
        return answers.answer_display(q[kind], saved[q[kind].pk], tool=tool)

    assert read(QuestionKind.GRADED) == "Requires improvement"
    assert read(QuestionKind.YES_NO) == "Partly"
    assert read(QuestionKind.CHOICE) == "Graded Care Profile"
    assert read(QuestionKind.NUMBER) == "6"
    assert read(QuestionKind.DATE) == "30 September 2026"
    assert answers.answer_display(q["optional"], saved[q["optional"].pk], tool=tool) == ""


# --- The save ------------------------------------------------------------------------------------


def answer_log_entries(audit) -> int:
    kind = ContentType.objects.get_for_model(Answer)
    pks = [str(pk) for pk in audit.answers.values_list("pk", flat=True)]
    return LogEntry.objects.filter(content_type=kind, object_pk__in=pks).count()


def test_only_changed_answers_are_written_so_the_history_holds_real_changes(tool):
    owner = auditor()
    audit = built_draft(auditor=owner, tool=tool)
    before = answer_log_entries(audit)
    q = questions(tool)
    content = complete_content(tool, audit.activity)
    content.answers[q[QuestionKind.YES_NO].pk]["value"] = "yes"

    services.audit_save_draft(audit=audit, by=owner, content=content)

    assert answer_log_entries(audit) == before + 1
    assert audit.answers.get(question=q[QuestionKind.YES_NO]).value == "yes"


def test_a_bad_value_reaching_the_service_writes_nothing(tool):
    owner = auditor()
    audit = built_draft(auditor=owner, tool=tool)
    q = questions(tool)
    revision = Audit.objects.get(pk=audit.pk).revision
    content = complete_content(tool, audit.activity, case_reference="CR-CHANGED")
    content.answers[q[QuestionKind.TEXT].pk]["text"] = "changed"
    content.answers[q[QuestionKind.GRADED].pk]["value"] = "exceeds"  # not this tool's

    with pytest.raises(AuditError):
        services.audit_save_draft(audit=audit, by=owner, content=content)

    audit = Audit.objects.get(pk=audit.pk)
    assert (audit.revision, audit.case_reference) == (revision, "CR-7001")
    assert audit.answers.get(question=q[QuestionKind.TEXT]).text != "changed"


def test_a_question_of_another_tool_is_refused(tool):
    owner = auditor()
    audit = built_draft(auditor=owner, tool=tool)
    stranger = questions(every_kind_tool(name="Another"))[QuestionKind.TEXT]

    with pytest.raises(AuditError):
        services.audit_save_draft(
            audit=audit,
            by=owner,
            content=services.AuditContent(answers={stranger.pk: {"text": "Hello"}}),
        )
    assert not Answer.objects.filter(audit=audit, question=stranger).exists()


def test_an_audit_cannot_move_to_an_activity_of_another_tool(tool):
    owner = auditor()
    audit = built_draft(auditor=owner, tool=tool)
    standard_activity = activity_for(services.current_tool(), name="Standard")
    standard_activity.tool = None
    standard_activity.save()

    with pytest.raises(AuditError) as refused:
        services.audit_save_draft(
            audit=audit,
            by=owner,
            content=services.AuditContent(header={"activity": standard_activity}),
        )
    assert refused.value.field == "activity"


# --- Submit rules --------------------------------------------------------------------------------


def where(problems):
    return [(p.part, p.field, p.index) for p in problems]


def test_a_complete_built_audit_has_no_problems_and_submits(tool):
    owner = auditor()
    audit = built_draft(auditor=owner, tool=tool)

    assert submit_problems(audit, today=TODAY) == []
    submitted = services.audit_submit(audit=audit, by=owner, today=TODAY)
    assert submitted.status != "draft"


def test_required_questions_must_be_answered_optional_ones_need_not(tool):
    audit = built_draft(tool=tool, complete=False)
    q = questions(tool)

    problems = submit_problems(Audit.objects.get(pk=audit.pk), today=TODAY)

    unanswered = {p.question for p in problems if p.part == "question"}
    assert unanswered == {q[k].pk for k in QuestionKind}
    assert q["optional"].pk not in unanswered
    fields = {p.question: p.field for p in problems if p.part == "question"}
    assert fields[q[QuestionKind.NUMBER].pk] == "number"
    assert fields[q[QuestionKind.DATE].pk] == "date"
    assert ("header", "overall_grade", None) in where(problems)
    # each problem belongs to its section's page
    assert {sections.section_of(p) for p in problems if p.part == "question"} == {
        "section-1",
        "section-2",
    }


def test_a_comment_alone_does_not_answer_a_graded_question(tool):
    owner = auditor()
    audit = built_draft(auditor=owner, tool=tool)
    graded = questions(tool)[QuestionKind.GRADED]
    services.audit_save_draft(
        audit=audit,
        by=owner,
        content=services.AuditContent(answers={graded.pk: {"value": "", "text": "Only a note"}}),
    )

    problems = submit_problems(Audit.objects.get(pk=audit.pk), today=TODAY)

    assert [(p.part, p.field, p.question) for p in problems] == [("question", "value", graded.pk)]


def test_a_tool_without_an_overall_grade_asks_none():
    tool = every_kind_tool(has_overall_grade=False)
    audit = built_draft(tool=tool)

    assert submit_problems(audit, today=TODAY) == []
    assert [s.slug for s in sections.sections_for(tool)][-1] == "overall"
    assert "overall_grade" not in sections.sections_for(tool)[-1].header_fields
    # its feedback may stay empty: Completed once the audit is answered, and Check may start
    found = statuses(audit)
    assert found["overall"] == TaskStatus.COMPLETED
    assert found["check"] == TaskStatus.NOT_STARTED
    assert statuses(built_draft(tool=tool, complete=False))["overall"] == TaskStatus.NOT_STARTED


def test_an_overall_grade_off_the_tools_scale_is_a_problem(tool):
    audit = built_draft(tool=tool)
    Audit.objects.filter(pk=audit.pk).update(overall_grade="meets")

    problems = submit_problems(Audit.objects.get(pk=audit.pk), today=TODAY)

    assert where(problems) == [("header", "overall_grade", None)]


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        (
            ActivityKind.PRACTICE_OBSERVATION,
            {"observed_event", "observed_on", "observed_practitioner"},
        ),
        (ActivityKind.INDEPENDENT, {"external_auditor", "external_organisation"}),
        (ActivityKind.CASE_FILE, set()),
    ],
)
def test_each_kind_of_activity_asks_its_own_header_fields(tool, kind, fields):
    owner = auditor()
    activity = activity_for(tool, kind=kind)
    content = complete_content(tool, activity)
    for name in fields:
        content.header[name] = None if name == "observed_on" else ""
    audit = services.audit_save_draft(audit=None, by=owner, content=content)

    problems = submit_problems(Audit.objects.get(pk=audit.pk), today=TODAY)

    assert {p.field for p in problems} == fields
    assert {sections.section_of(p) for p in problems} <= {"case"}
    about = sections.sections_for(tool, kind=kind)[0]
    assert set(fields) <= set(about.header_fields)


def test_a_date_observed_in_the_future_is_a_problem(tool):
    activity = activity_for(tool, kind=ActivityKind.PRACTICE_OBSERVATION)
    content = complete_content(tool, activity)
    content.header["observed_on"] = TODAY + datetime.timedelta(days=1)
    audit = services.audit_save_draft(audit=None, by=auditor(), content=content)

    assert where(submit_problems(audit, today=TODAY)) == [("header", "observed_on", None)]


def test_a_multi_agency_audit_names_each_agencys_auditor(tool):
    owner = auditor()
    activity = activity_for(tool, kind=ActivityKind.MULTI_AGENCY)
    audit = services.audit_save_draft(
        audit=None, by=owner, content=complete_content(tool, activity)
    )
    assert submit_problems(audit, today=TODAY) == []
    assert sorted(
        AgencyContribution.objects.filter(audit=audit).values_list("agency", flat=True)
    ) == [
        "Health",
        "Police",
    ]

    # emptied: the row goes, and submit asks for it
    services.audit_save_draft(
        audit=audit,
        by=owner,
        content=services.AuditContent(
            agencies=[{"agency": "Health", "auditor_name": "", "organisation": ""}]
        ),
    )

    problems = submit_problems(Audit.objects.get(pk=audit.pk), today=TODAY)
    assert where(problems) == [("agency", "auditor_name", 1)]
    assert "Health" in problems[0].message
    with pytest.raises(AuditError):
        services.audit_save_draft(
            audit=audit,
            by=owner,
            content=services.AuditContent(
                agencies=[{"agency": "Probation", "auditor_name": "X", "organisation": ""}]
            ),
        )


def test_a_dip_sample_asks_how_many_items_each_required_answer_covers(tool):
    owner = auditor()
    activity = activity_for(tool, kind=ActivityKind.DIP_SAMPLE)
    content = complete_content(tool, activity)
    yes_no = questions(tool)[QuestionKind.YES_NO]
    content.answers[yes_no.pk]["items_checked"] = None
    audit = services.audit_save_draft(audit=None, by=owner, content=content)

    problems = submit_problems(Audit.objects.get(pk=audit.pk), today=TODAY)

    assert [(p.field, p.question) for p in problems] == [("items_checked", yes_no.pk)]


# --- Statuses and fingerprints -------------------------------------------------------------------


def statuses(audit) -> dict:
    tasks = sections.task_list(Audit.objects.get(pk=audit.pk), today=TODAY)
    return {(t.section.slug if t.section else "check"): t.status for t in tasks}


def test_the_task_list_of_a_built_audit_follows_its_rules(tool):
    owner = auditor()
    audit = built_draft(auditor=owner, tool=tool, complete=False)

    found = statuses(audit)
    assert list(found) == ["case", "section-1", "section-2", "actions", "overall", "check"]
    assert found["section-1"] == TaskStatus.NOT_STARTED
    assert found["check"] == TaskStatus.CANNOT_START

    graded = questions(tool)[QuestionKind.GRADED]
    services.audit_save_draft(
        audit=audit,
        by=owner,
        content=services.AuditContent(answers={graded.pk: {"value": "good"}}),
    )
    found = statuses(audit)
    assert found["section-1"] == TaskStatus.IN_PROGRESS
    assert found["section-2"] == TaskStatus.NOT_STARTED

    services.audit_save_draft(audit=audit, by=owner, content=complete_content(tool, audit.activity))
    found = statuses(audit)
    assert set(found.values()) == {TaskStatus.COMPLETED, TaskStatus.NOT_STARTED}
    assert found["check"] == TaskStatus.NOT_STARTED  # may start: every section Completed
    assert all(found[s] == TaskStatus.COMPLETED for s in found if s != "check")


def test_a_sections_fingerprint_covers_its_own_answers_only(tool):
    owner = auditor()
    audit = built_draft(auditor=owner, tool=tool)
    first, second = sections.sections_for(tool)[1:3]
    before = (sections.fingerprint(audit, first), sections.fingerprint(audit, second))

    text = questions(tool)[QuestionKind.TEXT]
    services.audit_save_draft(
        audit=audit,
        by=owner,
        content=services.AuditContent(answers={text.pk: {"text": "Changed."}}),
    )
    audit = Audit.objects.get(pk=audit.pk)

    assert sections.fingerprint(audit, first) == before[0]
    assert sections.fingerprint(audit, second) != before[1]


def test_an_audit_date_outside_the_activity_month_still_warns(tool):
    activity = activity_for(tool)
    content = complete_content(tool, activity)
    content.header["audit_date"] = AUDIT_DATE.replace(month=8)
    audit = services.audit_save_draft(audit=None, by=auditor(), content=content)

    assert where(submit_problems(audit, today=TODAY)) == [("header", "activity", None)]
