"""The submit rules: each one refuses bad input with its own problem, through audit_submit.

A draft is built the way a user builds it (audit_save_draft with complete content), one thing is
spoiled, and audit_submit must refuse with exactly that one problem and change nothing.
"""

import datetime

import pytest
from django.utils import timezone

from audits import rules, services
from audits.grades import Grade
from audits.models import Audit, AuditActivity, AuditTransition, Status
from tests import factories
from tests.helpers import complete_content

TODAY = datetime.date(2026, 11, 25)
AUDIT_DATE = datetime.date(2026, 10, 15)  # complete_content's default

pytestmark = pytest.mark.django_db


def _submit_problems(owner, content):
    """Save ``content`` as a draft, try to submit it, and return the problems it was refused with."""
    audit = services.audit_save_draft(audit=None, by=owner, content=content)
    with pytest.raises(services.AuditSubmitError) as refused:
        services.audit_submit(audit=audit, by=owner, today=TODAY)
    # A refused submit changes nothing: still a draft, no history row, never submitted.
    audit.refresh_from_db()
    assert audit.status == Status.DRAFT
    assert audit.submitted_at is None
    assert not AuditTransition.objects.filter(audit=audit).exists()
    assert str(len(refused.value.problems)) in str(refused.value)
    return refused.value.problems


def _where(problems):
    return [(p.part, p.field, p.index) for p in problems]


def ungraded_domain(c):
    c.domains[5] = {"grade": "", "text": "Some notes but no grade."}


def graded_domain_without_text(c):
    c.domains[3] = {"grade": Grade.MEETS, "text": "   \n "}


def no_overall_grade(c):
    c.header["overall_grade"] = ""


def does_not_meet_without_actions(c):
    c.header["overall_grade"] = Grade.DOES_NOT_MEET
    c.actions = []


def does_not_meet_action_without_owner(c):
    c.header["overall_grade"] = Grade.DOES_NOT_MEET
    c.actions[0]["owner"] = "  "


def does_not_meet_action_without_date(c):
    c.header["overall_grade"] = Grade.DOES_NOT_MEET
    c.actions[0]["due_date"] = None


def does_not_meet_action_without_description(c):
    c.header["overall_grade"] = Grade.DOES_NOT_MEET
    c.actions[0]["description"] = ""


def action_due_before_audit_date(c):
    c.actions[0]["due_date"] = AUDIT_DATE - datetime.timedelta(days=1)


def second_action_due_before_audit_date(c):
    c.actions.append(
        {
            "id": None,
            "description": "Hold a strategy discussion",
            "owner": "Social worker",
            "due_date": datetime.date(2026, 1, 1),
        }
    )


def audit_date_in_future(c):
    c.header["audit_date"] = TODAY + datetime.timedelta(days=1)
    c.header["activity"] = factories.AuditActivityFactory(month=datetime.date(2026, 11, 1))
    c.actions[0]["due_date"] = TODAY + datetime.timedelta(days=30)


def activity_of_another_month(c):
    c.header["activity"] = factories.AuditActivityFactory(month=datetime.date(2026, 5, 1))


def audit_date_missing(c):
    c.header["audit_date"] = None


def feedback_date_in_future(c):
    c.header["feedback_date"] = TODAY + datetime.timedelta(days=1)


def header_value(name, value):
    def spoil(c):
        c.header[name] = value

    spoil.__name__ = f"{name}={value!r}"
    return spoil


BAD_REFERENCE = "must be 1 to 32 letters, digits or hyphens"

RULES = [
    (ungraded_domain, ("domain", "grade", 5), "Grade domain 5, or mark it Not applicable."),
    (graded_domain_without_text, ("domain", "text", 3), "every graded domain needs text"),
    (no_overall_grade, ("header", "overall_grade", None), "Choose the overall grade."),
    (does_not_meet_without_actions, ("actions", "", None), "at least one agreed action"),
    (does_not_meet_action_without_owner, ("actions", "", None), "who will do it and by when"),
    (does_not_meet_action_without_date, ("actions", "", None), "who will do it and by when"),
    (does_not_meet_action_without_description, ("actions", "", None), "at least one agreed action"),
    (
        action_due_before_audit_date,
        ("action", "due_date", 0),
        "Action 1: the date to complete it by cannot be before the audit date.",
    ),
    (second_action_due_before_audit_date, ("action", "due_date", 1), "Action 2:"),
    (
        audit_date_in_future,
        ("header", "audit_date", None),
        "The audit date cannot be in the future.",
    ),
    (audit_date_missing, ("header", "audit_date", None), "Enter the audit date."),
    (
        feedback_date_in_future,
        ("header", "feedback_date", None),
        "feedback date cannot be in the future",
    ),
    (header_value("activity", None), ("header", "activity", None), "Choose the audit activity"),
    (
        activity_of_another_month,
        ("header", "activity", None),
        "The audit date (15 October 2026) is not in this activity's month (May 2026): "
        "choose the activity for October or correct the date.",
    ),
    (header_value("strand", None), ("header", "strand", None), "Choose the strand."),
    (header_value("case_type", None), ("header", "case_type", None), "Choose the case type."),
    (
        header_value("case_reference", ""),
        ("header", "case_reference", None),
        "Enter the case reference.",
    ),
    (header_value("case_reference", "CR 1001"), ("header", "case_reference", None), BAD_REFERENCE),
    (header_value("case_reference", " CR-1001"), ("header", "case_reference", None), BAD_REFERENCE),
    (header_value("case_reference", "CR_1001"), ("header", "case_reference", None), BAD_REFERENCE),
    (header_value("case_reference", "CRé1001"), ("header", "case_reference", None), BAD_REFERENCE),
    (
        header_value("case_reference", "CR-1001\n"),
        ("header", "case_reference", None),
        BAD_REFERENCE,
    ),
    (header_value("case_reference", "CR/1001"), ("header", "case_reference", None), BAD_REFERENCE),
    (
        header_value("case_reference", "Jo Bloggs"),
        ("header", "case_reference", None),
        BAD_REFERENCE,
    ),
]


@pytest.mark.parametrize(
    ("spoil", "where", "message"), RULES, ids=[spoil.__name__ for spoil, *_ in RULES]
)
def test_each_rule_refuses_with_its_problem(owner, spoil, where, message):
    content = complete_content()
    spoil(content)

    problems = _submit_problems(owner, content)

    assert _where(problems) == [where]
    assert message in problems[0].message


def test_an_empty_draft_lists_every_missing_thing_in_form_order(owner):
    problems = _submit_problems(owner, services.AuditContent())

    assert _where(problems) == [
        ("header", "case_reference", None),
        ("header", "audit_date", None),
        ("header", "activity", None),
        ("header", "strand", None),
        ("header", "case_type", None),
        *[("domain", "grade", n) for n in range(1, 13)],
        ("header", "overall_grade", None),
    ]
    assert all(isinstance(p, rules.Problem) for p in problems)


@pytest.mark.parametrize("reference", ["A", "7", "cr-1001", "CR-2026-000123", "A" * 32, "-"])
def test_a_good_case_reference_is_accepted(owner, reference):
    audit = services.audit_save_draft(
        audit=None, by=owner, content=complete_content(case_reference=reference)
    )
    submitted = services.audit_submit(audit=audit, by=owner, today=TODAY)
    assert submitted.status == Status.SUBMITTED


@pytest.mark.parametrize(
    ("reference", "refused"),
    [
        ("", True),
        ("A", False),
        ("A" * 32, False),
        ("A" * 33, True),
        ("1" * 33, True),
        ("CR é", True),
        ("CRé1", True),
        ("ÉCR1", True),
        ("CR٣", True),
        ("ＣＲ1", True),
        ("CR_1", True),
        ("CR 1", True),
        ("CR-1\n", True),
        ("CR-1\t", True),
    ],
)
def test_case_reference_rule(reference, refused):
    # 33 characters cannot reach the database (the column holds 32), so the length edge is
    # checked on the rule the submit service, the form and the importer share.
    assert (rules.case_reference_error(reference) is not None) is refused


def test_submit_refuses_a_33_character_reference_held_in_memory(owner):
    draft = services.audit_save_draft(audit=None, by=owner, content=complete_content())
    audit = Audit.objects.prefetch_related("domain_grades__domain", "actions").get(pk=draft.pk)
    audit.case_reference = "A" * 33
    assert _where(rules.submit_problems(audit, today=TODAY)) == [("header", "case_reference", None)]
    audit.case_reference = "A" * 32
    assert rules.submit_problems(audit, today=TODAY) == []


def test_not_applicable_needs_no_text(owner):
    content = complete_content()
    content.domains[8] = {"grade": Grade.NOT_APPLICABLE, "text": ""}
    content.domains[11] = {"grade": Grade.NOT_APPLICABLE, "text": ""}
    audit = services.audit_save_draft(audit=None, by=owner, content=content)

    assert services.audit_submit(audit=audit, by=owner, today=TODAY).status == Status.SUBMITTED


@pytest.mark.parametrize("overall", [Grade.EXCEEDS, Grade.MEETS])
def test_actions_are_optional_unless_does_not_meet_good(owner, overall):
    audit = services.audit_save_draft(
        audit=None, by=owner, content=complete_content(overall=overall, with_action=False)
    )
    assert services.audit_submit(audit=audit, by=owner, today=TODAY).status == Status.SUBMITTED


def test_does_not_meet_good_with_one_complete_action_among_incomplete_ones_submits(owner):
    content = complete_content(overall=Grade.DOES_NOT_MEET)
    content.actions.insert(
        0, {"id": None, "description": "Think about it", "owner": "", "due_date": None}
    )
    audit = services.audit_save_draft(audit=None, by=owner, content=content)
    assert services.audit_submit(audit=audit, by=owner, today=TODAY).status == Status.SUBMITTED


def test_an_action_due_on_the_audit_date_and_an_audit_dated_today_are_accepted(owner):
    content = complete_content(audit_date=TODAY)
    content.actions[0]["due_date"] = TODAY
    audit = services.audit_save_draft(audit=None, by=owner, content=content)
    assert services.audit_submit(audit=audit, by=owner, today=TODAY).status == Status.SUBMITTED


def test_a_good_submit_writes_exactly_one_transition(owner):
    audit = services.audit_save_draft(audit=None, by=owner, content=complete_content())
    revision = audit.revision

    submitted = services.audit_submit(audit=audit, by=owner, today=TODAY)

    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert submitted.submitted_at is not None
    assert submitted.revision == revision + 1
    transitions = list(AuditTransition.objects.filter(audit=audit))
    assert [(t.from_status, t.to_status, t.by) for t in transitions] == [
        (Status.DRAFT, Status.SUBMITTED, owner)
    ]


def test_today_defaults_to_the_local_date(owner):
    # An audit dated tomorrow is refused without passing today=; dated today it passes.
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    audit = services.audit_save_draft(
        audit=None, by=owner, content=complete_content(audit_date=tomorrow)
    )
    with pytest.raises(services.AuditSubmitError) as refused:
        services.audit_submit(audit=audit, by=owner)
    assert _where(refused.value.problems) == [("header", "audit_date", None)]

    services.audit_save_draft(
        audit=audit, by=owner, content=complete_content(audit_date=timezone.localdate())
    )
    assert services.audit_submit(audit=audit, by=owner).status == Status.SUBMITTED


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Meets good", Grade.MEETS),
        ("MEETS", Grade.MEETS),
        (" exceeds good ", Grade.EXCEEDS),
        ("does not meet", Grade.DOES_NOT_MEET),
        ("does_not_meet", Grade.DOES_NOT_MEET),
        ("N/A", Grade.NOT_APPLICABLE),
        ("Not applicable", Grade.NOT_APPLICABLE),
    ],
)
def test_parse_grade_reads_codes_and_labels(value, code):
    assert rules.parse_grade(value) == code


@pytest.mark.parametrize("value", ["", "good", "outstanding", None])
def test_parse_grade_refuses_what_is_not_a_grade(value):
    with pytest.raises(ValueError, match="is not a grade"):
        rules.parse_grade(value)


def test_parse_grade_refuses_not_applicable_as_an_overall_grade():
    with pytest.raises(ValueError, match="cannot be Not applicable"):
        rules.parse_grade("n/a", allow_not_applicable=False)


# --- The activity's month ------------------------------------------------------------------------

MAY = datetime.date(2026, 5, 1)
NOT_IN_MAY = (
    "The audit date (3 March 2026) is not in this activity's month (May 2026): "
    "choose the activity for March or correct the date."
)


@pytest.mark.parametrize(
    ("audit_date", "month", "due_date", "message"),
    [
        (datetime.date(2026, 5, 1), MAY, None, None),
        (datetime.date(2026, 5, 31), MAY, None, None),
        # An activity whose month was entered as another day than the first counts the same.
        (datetime.date(2026, 5, 2), datetime.date(2026, 5, 20), None, None),
        (datetime.date(2026, 3, 3), MAY, None, NOT_IN_MAY),
        (datetime.date(2026, 3, 3), MAY, datetime.date(2026, 6, 10), NOT_IN_MAY),
        (datetime.date(2026, 4, 30), MAY, None, "(30 April 2026) is not in this activity's month"),
        (datetime.date(2026, 6, 1), MAY, None, "(1 June 2026) is not in this activity's month"),
        (datetime.date(2025, 5, 15), MAY, None, "choose the activity for May or correct"),
        # A month's planned audits may be finished after the month, by the due date.
        (datetime.date(2026, 6, 10), MAY, datetime.date(2026, 6, 10), None),
        (
            datetime.date(2026, 6, 11),
            MAY,
            datetime.date(2026, 6, 10),
            "The audit date (11 June 2026) is after this activity's due date (10 June 2026): "
            "choose the activity for June or correct the date.",
        ),
        # A due date inside the month does not shorten it.
        (datetime.date(2026, 5, 30), MAY, datetime.date(2026, 5, 15), None),
    ],
)
def test_an_audit_belongs_to_its_activitys_month_or_up_to_its_due_date(
    audit_date, month, due_date, message
):
    activity = AuditActivity(name="Neglect thematic audit", month=month, due_date=due_date)

    error = rules.activity_month_error(audit_date, activity)

    if message is None:
        assert error is None
    else:
        assert error is not None and message in error


def test_a_draft_keeps_another_months_activity_and_is_warned_submit_refuses_it(owner):
    may = factories.AuditActivityFactory(name="Neglect thematic audit", month=MAY)
    content = complete_content(audit_date=datetime.date(2026, 3, 3), activity=may)

    # The draft is saved as typed: drafts never lose what was entered.
    draft = services.audit_save_draft(audit=None, by=owner, content=content)
    draft.refresh_from_db()
    assert (draft.audit_date, draft.activity) == (datetime.date(2026, 3, 3), may)
    assert rules.draft_warnings(draft) == [rules.Problem("header", "activity", NOT_IN_MAY)]

    problems = _submit_problems(owner, content)
    assert problems == [rules.Problem("header", "activity", NOT_IN_MAY)]


def test_no_activity_or_no_date_is_its_own_problem_not_a_month_one(owner):
    content = complete_content()
    content.header["audit_date"] = None
    problems = _submit_problems(owner, content)
    assert _where(problems) == [("header", "audit_date", None)]
    assert rules.activity_month_error(None, AuditActivity(month=MAY)) is None
    assert rules.activity_month_error(datetime.date(2026, 3, 3), None) is None
