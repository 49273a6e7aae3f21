"""Rules about what a valid audit is, shared by the form, the submit service and the importer.

Pure functions: they read what they are given and write nothing.
"""

import datetime
import re
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import grades
from .grades import Grade
from .periods import last_of_month, month_start

# \Z, not $: "$" also matches before a trailing newline, so "CR-1\n" would pass.
# Explicit ASCII ranges (not \w) so accented or other non-ASCII letters are refused.
CASE_REFERENCE_RE = re.compile(r"\A[A-Za-z0-9-]{1,32}\Z")


@dataclass(frozen=True)
class Problem:
    """One reason an audit cannot be submitted, tied to the field a user must change.

    ``part`` is "header", "domain" (``index`` = domain number), "action" (``index`` = position
    of the action row, 0-based), "actions" (the list as a whole), and on a built tool
    "question" (``index`` = the number of the tool's section, ``question`` = the question's pk)
    or "agency" (``index`` = position of the agency in the activity's list, 0-based).
    """

    part: str
    field: str
    message: str
    index: int | None = None
    question: int | None = None


def case_reference_error(value: str) -> str | None:
    if not value:
        return _("Enter the case reference.")
    if not CASE_REFERENCE_RE.match(value):
        return _(
            "The case reference must be 1 to 32 letters, digits or hyphens "
            "(the case management system's ID, never a name)."
        )
    return None


def case_reference_key(value: str) -> str:
    """The form under which two case references are the same case: upper-cased.

    References are stored as typed (stripped) and compared by this key everywhere: an audit's
    earlier audits, the import's duplicates, the case list (audits.cases). References are ASCII
    (CASE_REFERENCE_RE), where Python's upper() and SQL's UPPER agree, so indexes on
    Upper("case_reference") serve the same comparison in the database.
    """
    return value.strip().upper()


def null_character_error(value: str, name: str) -> str | None:
    """The message for text holding a null character, naming it ``name``; or None.

    PostgreSQL refuses a null character in text, so one that reached a query would be a 500:
    every form field, query-string argument and command argument is checked with this first.
    """
    if "\x00" in value:
        return _("%(name)s must not contain control characters.") % {"name": name}
    return None


def parse_grade(value: str, *, allow_not_applicable: bool = True) -> str:
    """A grade code from a code or a label in any case; raises ValueError naming the problem."""
    code = grades.parse(value)
    if code is None:
        allowed = ", ".join(grades.DOMAIN_CODES if allow_not_applicable else grades.OVERALL_CODES)
        raise ValueError(
            _("“%(value)s” is not a grade (use %(allowed)s).")
            % {"value": value, "allowed": allowed}
        )
    if code == Grade.NOT_APPLICABLE and not allow_not_applicable:
        raise ValueError(_("The overall grade cannot be Not applicable."))
    return str(code)


def audit_date_error(value: datetime.date | None, *, today: datetime.date) -> str | None:
    if value is None:
        return _("Enter the audit date.")
    if value > today:
        return _("The audit date cannot be in the future.")
    return None


def activity_month_error(audit_date: datetime.date | None, activity) -> str | None:
    """The message when ``audit_date`` is outside the time of ``activity``; or None.

    An activity is a month's planned audits: an audit belongs to it when it is dated in that
    month, or after it up to the activity's due date (planned audits are often finished then).
    One filed under another month's activity counts towards the wrong month's plan. Submit
    refuses it; a draft keeps it with a warning; the CSV import of historic audits, whose
    activities may span any dates, does not ask.
    """
    if audit_date is None or activity is None:
        return None
    first = month_start(activity.month)
    month_last = last_of_month(first)
    due = activity.due_date if activity.due_date and activity.due_date > month_last else None
    if first <= audit_date <= (due or month_last):
        return None
    values = {
        "date": date_format(audit_date, "j F Y"),
        "month": date_format(first, "F Y"),
        "due": date_format(due, "j F Y") if due else "",
        "date_month": date_format(audit_date, "F"),
    }
    if due and audit_date > due:
        return (
            _(
                "The audit date (%(date)s) is after this activity's due date (%(due)s): "
                "choose the activity for %(date_month)s or correct the date."
            )
            % values
        )
    return (
        _(
            "The audit date (%(date)s) is not in this activity's month (%(month)s): choose "
            "the activity for %(date_month)s or correct the date."
        )
        % values
    )


def draft_warnings(audit) -> list[Problem]:
    """What a draft may be saved with but must put right before it is submitted (submit
    refuses each of these too): shown as a warning when the draft is saved."""
    if error := activity_month_error(audit.audit_date, audit.activity):
        return [Problem("header", "activity", error)]
    return []


def submit_problems(
    audit, *, today: datetime.date, require_narrative: bool = True
) -> list[Problem]:
    """Everything that stops ``audit`` being submitted, in the order of the form.

    ``require_narrative`` is False only for imported historic audits, which carry no domain
    text and no actions (see the CSV contract).
    """
    problems: list[Problem] = []

    def header(field, message):
        problems.append(Problem("header", field, message))

    if error := case_reference_error(audit.case_reference):
        header("case_reference", error)
    if error := audit_date_error(audit.audit_date, today=today):
        header("audit_date", error)
    if audit.activity_id is None:
        header("activity", _("Choose the audit activity this audit belongs to."))
    else:
        problems.extend(draft_warnings(audit))
        if error := activity_tool_error(audit, audit.activity):
            header("activity", error)
    if audit.strand_id is None:
        header("strand", _("Choose the strand."))
    if audit.case_type_id is None:
        header("case_type", _("Choose the case type."))
    built = audit.tool_id is not None and not audit.tool.is_standard
    if built:
        problems.extend(_kind_problems(audit, today=today))
    if audit.feedback_date and audit.feedback_date > today:
        header("feedback_date", _("The feedback date cannot be in the future."))

    for grade in sorted(audit.domain_grades.all(), key=lambda g: g.domain.number):
        number = grade.domain.number
        if not grade.grade:
            problems.append(
                Problem(
                    "domain",
                    "grade",
                    _("Grade domain %(n)s, or mark it Not applicable.") % {"n": number},
                    number,
                )
            )
        elif require_narrative and grade.grade != Grade.NOT_APPLICABLE and not grade.text.strip():
            problems.append(
                Problem(
                    "domain",
                    "text",
                    _("Write the evaluation for domain %(n)s: every graded domain needs text.")
                    % {"n": number},
                    number,
                )
            )

    if built:
        problems.extend(_answer_problems(audit))
    if not built and not audit.overall_grade:
        header("overall_grade", _("Choose the overall grade."))
    elif built and audit.tool.has_overall_grade:
        from .tools.selectors import grade_codes

        if not audit.overall_grade:
            header("overall_grade", _("Choose the overall grade."))
        elif audit.overall_grade not in grade_codes(audit.tool):
            header("overall_grade", _("Choose one of the grades of this audit's tool."))

    actions = list(audit.actions.all())
    for index, action in enumerate(actions):
        if audit.audit_date and action.due_date and action.due_date < audit.audit_date:
            problems.append(
                Problem(
                    "action",
                    "due_date",
                    _("Action %(n)s: the date to complete it by cannot be before the audit date.")
                    % {"n": index + 1},
                    index,
                )
            )
    if require_narrative and not built and audit.overall_grade == Grade.DOES_NOT_MEET:
        if not any(a.description.strip() and a.owner.strip() and a.due_date for a in actions):
            problems.append(
                Problem(
                    "actions",
                    "",
                    _(
                        "An audit graded Does not meet good needs at least one agreed "
                        "action with who will do it and by when."
                    ),
                )
            )
    return problems


def activity_tool_error(audit, activity) -> str | None:
    """The message when ``activity`` uses another tool than ``audit`` (its answers are to the
    questions of one tool: moving it to an activity of another would leave them behind)."""
    if activity is None or audit.tool_id is None:
        return None
    if audit.tool.is_standard:
        if activity.tool_id and not activity.tool.is_standard:
            return _("This activity uses its own audit tool: start its audits from it.")
        return None
    if activity.tool_id != audit.tool_id:
        return _("Choose an activity that uses this audit's tool (%(tool)s).") % {
            "tool": audit.tool
        }
    return None


def _kind_problems(audit, *, today: datetime.date) -> list[Problem]:
    """What a built tool's audit must record for its kind of activity."""
    from .tools import kinds
    from .tools.answers import agencies_for

    kind = audit.activity.kind if audit.activity_id else ""
    problems = []

    def header(field, message):
        problems.append(Problem("header", field, message))

    if kind in kinds.OBSERVATION_KINDS:
        if not audit.observed_event.strip():
            header("observed_event", _("Say what was observed, for example a review meeting."))
        if audit.observed_on is None:
            header("observed_on", _("Enter the date observed."))
        elif audit.observed_on > today:
            header("observed_on", _("The date observed cannot be in the future."))
        if not audit.observed_practitioner.strip():
            header("observed_practitioner", _("Enter the practitioner observed."))
    if kind in kinds.EXTERNAL_AUDITOR_KINDS:
        if not audit.external_auditor.strip():
            header("external_auditor", _("Enter the independent auditor's name."))
        if not audit.external_organisation.strip():
            header("external_organisation", _("Enter the independent auditor's organisation."))
    if kind in kinds.AGENCY_KINDS:
        named = {c.agency for c in audit.agency_auditors.all() if c.auditor_name.strip()}
        for index, agency in enumerate(agencies_for(audit)):
            if agency not in named:
                problems.append(
                    Problem(
                        "agency",
                        "auditor_name",
                        _("Enter the name of the auditor for %(agency)s.") % {"agency": agency},
                        index,
                    )
                )
    return problems


def _answer_problems(audit) -> list[Problem]:
    """Each required question of a built tool's audit left unanswered, and each answer that
    no longer fits its question (a grade or an option the tool does not offer)."""
    from .tools import kinds
    from .tools.answers import is_answered, main_field, value_choices

    counting = audit.activity_id is not None and audit.activity.kind in kinds.COUNTING_KINDS
    if "answers" in getattr(audit, "_prefetched_objects_cache", {}):
        rows = audit.answers.all()
    else:  # one query, not two more per answer
        rows = audit.answers.select_related("question__section")
    answers = sorted(rows, key=lambda a: (a.question.section.number, a.question.number))
    problems = []
    for answer in answers:
        question = answer.question
        number = question.section.number
        label = f"{number}.{question.number}"

        def problem(field, message, question=question, number=number):
            problems.append(Problem("question", field, message, number, question.pk))

        if question.kind in kinds.COUNTED_KINDS and answer.value:
            if answer.value not in dict(value_choices(question, audit.tool)):
                problem(
                    "value", _("Question %(n)s: choose one of the answers offered.") % {"n": label}
                )
                continue
        answered = is_answered(question, answer)
        if question.required and not answered:
            problem(
                main_field(question),
                _("Answer question %(n)s: %(text)s") % {"n": label, "text": question.text},
            )
        if counting and question.required and answer.items_checked is None:
            problem(
                "items_checked",
                _("Question %(n)s: enter the number of items checked.") % {"n": label},
            )
    return problems
