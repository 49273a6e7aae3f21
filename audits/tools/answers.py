"""An audit's answers to a built tool's questions: each kind's values, checked and saved.

One home for what an answer of each kind may hold (``clean_answer``, used by the section form
and again by the save, so a value that reaches the service by any road is checked the same),
when a required question counts as answered (``is_answered``), how an answer reads
(``answer_display``), and the one write (``answers_save``), which saves only the answers
whose values changed, one by one, so django-auditlog records each real change and nothing else.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from audits import periods
from audits.errors import DomainError
from audits.models import AgencyContribution, Answer, Audit, Question

from . import selectors
from .kinds import QuestionKind, YesNo

# The longest free text (a text answer or a comment) an answer takes: the page's character
# count counts to it, and the save refuses more.
TEXT_LIMIT = 10_000
# The most items a dip sample answer may say it covers.
ITEMS_LIMIT = 100_000
# The largest number a number answer holds (Answer.number: 12 digits, 2 after the point).
NUMBER_LIMIT = Decimal("9999999999.99")

# Only ASCII digits: int() and Decimal() also take other scripts' digits.
NUMBER_RE = re.compile(r"\A-?[0-9]{1,15}(\.[0-9]{1,15})?\Z")
COUNT_RE = re.compile(r"\A[0-9]{1,9}\Z")

# The fields of an Answer a save writes, in the order of the model.
ANSWER_FIELDS = ("value", "number", "date", "text", "items_checked")
# The kinds whose answer is one of a set of values, with a comment beside it in ``text``.
VALUE_KINDS = frozenset({QuestionKind.GRADED, QuestionKind.YES_NO, QuestionKind.CHOICE})


class AnswerError(DomainError):
    """A value no answer to the question can hold; ``field`` names the answer's field."""

    def __init__(self, message, *, question: Question | None = None, field: str | None = None):
        super().__init__(message, field=field)
        self.question = question


def value_choices(question: Question, tool) -> list[tuple[str, str]]:
    """(stored value, label) of each answer a graded, yes/no or choice question offers."""
    if question.kind == QuestionKind.GRADED:
        return selectors.grade_choices(tool)
    if question.kind == QuestionKind.YES_NO:
        return [(str(v), str(label)) for v, label in YesNo.choices]
    if question.kind == QuestionKind.CHOICE:
        return [(option, option) for option in question.options]
    return []


def _text(value, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise AnswerError(_("%(name)s must be text.") % {"name": name})
    if "\x00" in value:
        raise AnswerError(_("%(name)s must not contain control characters.") % {"name": name})
    value = value.strip()
    if len(value) > TEXT_LIMIT:
        raise AnswerError(
            _("%(name)s must be %(limit)s characters or fewer.")
            % {"name": name, "limit": number_format(TEXT_LIMIT, force_grouping=True)}
        )
    return value


def clean_number(value) -> Decimal | None:
    """A number answer: at most two decimal places and within what the answer holds."""
    if value in (None, ""):
        return None
    typed = value if isinstance(value, Decimal) else str(value).strip().replace(",", "")
    if not isinstance(typed, Decimal) and not NUMBER_RE.match(typed):
        raise AnswerError(_("Enter a number, like 12 or 3.5."), field="number")
    try:
        number = Decimal(typed)
    except (InvalidOperation, ValueError):
        raise AnswerError(_("Enter a number, like 12 or 3.5."), field="number") from None
    if not number.is_finite():
        raise AnswerError(_("Enter a number, like 12 or 3.5."), field="number")
    if number.as_tuple().exponent < -2:
        raise AnswerError(_("Enter a number with at most two decimal places."), field="number")
    if abs(number) > NUMBER_LIMIT:
        raise AnswerError(_("Enter a number below 10,000,000,000."), field="number")
    return number


def clean_items_checked(value) -> int | None:
    if value in (None, ""):
        return None
    typed = str(value).strip()
    if not COUNT_RE.match(typed) and not (typed.startswith("-") and COUNT_RE.match(typed[1:])):
        raise AnswerError(
            _("Enter how many items were checked as a whole number, like 10."),
            field="items_checked",
        )
    items = int(typed)
    if items < 0 or items > ITEMS_LIMIT:
        raise AnswerError(
            _("The number of items checked must be between 0 and %(limit)s.")
            % {"limit": number_format(ITEMS_LIMIT, force_grouping=True)},
            field="items_checked",
        )
    return items


def clean_answer(question: Question, *, tool, counting: bool = False, **typed) -> dict:
    """The answer's values (ANSWER_FIELDS) from what was typed for ``question``, or AnswerError
    naming the field. Blank is always allowed here: whether a question must be answered is the
    submit rules' (audits.rules), not a draft's. ``counting``: the audit is in a dip sample,
    whose answers say how many items they cover."""
    kind = question.kind
    values = {"value": "", "number": None, "date": None, "text": "", "items_checked": None}
    try:
        if kind in VALUE_KINDS:
            value = _text(typed.get("value"), _("The answer"))
            if value and value not in dict(value_choices(question, tool)):
                raise AnswerError(_("Choose one of the answers offered."), field="value")
            values["value"] = value
            values["text"] = _text(typed.get("text"), _("The comment"))
        elif kind == QuestionKind.NUMBER:
            values["number"] = clean_number(typed.get("number"))
        elif kind == QuestionKind.DATE:
            date = typed.get("date")
            if date is not None and not isinstance(date, datetime.date):
                raise AnswerError(_("Enter a real date."), field="date")
            if date is not None and (error := periods.report_date_error(date, _("The date"))):
                raise AnswerError(error, field="date")
            values["date"] = date
        elif kind == QuestionKind.TEXT:
            values["text"] = _text(typed.get("text"), _("The answer"))
        else:
            raise AnswerError(_("This question is of no kind the app knows."))
        if counting:
            values["items_checked"] = clean_items_checked(typed.get("items_checked"))
    except AnswerError as error:
        error.question = question
        error.field = error.field or _main_field(kind)
        raise
    return values


def _main_field(kind: str) -> str:
    return {
        QuestionKind.NUMBER: "number",
        QuestionKind.DATE: "date",
        QuestionKind.TEXT: "text",
    }.get(kind, "value")


def main_field(question: Question) -> str:
    """The field of an Answer that holds the answer to ``question`` (the rest are a comment
    and the count of items checked)."""
    return _main_field(question.kind)


def is_answered(question: Question, answer: Answer | None) -> bool:
    """Whether ``answer`` answers ``question`` (a comment alone does not)."""
    if answer is None:
        return False
    if question.kind in VALUE_KINDS:
        return bool(answer.value)
    if question.kind == QuestionKind.NUMBER:
        return answer.number is not None
    if question.kind == QuestionKind.DATE:
        return answer.date is not None
    return bool(answer.text.strip())


def answer_display(question: Question, answer: Answer | None, *, tool) -> str:
    """The answer as a person reads it ("Requires improvement", "1 July 2026", "12"), without
    its comment; "" when unanswered."""
    if not is_answered(question, answer):
        return ""
    if question.kind in VALUE_KINDS:
        return dict(value_choices(question, tool)).get(answer.value, answer.value)
    if question.kind == QuestionKind.NUMBER:
        return number_format(answer.number.normalize())
    if question.kind == QuestionKind.DATE:
        return date_format(answer.date, "j F Y")
    return answer.text


def answer_values(answer: Answer) -> dict:
    """What an answer holds, as plain values (the section's fingerprint, comparisons)."""
    return {name: getattr(answer, name) for name in ANSWER_FIELDS}


@dataclass(frozen=True)
class Saved:
    """What answers_save changed: the answers written (only those whose values changed)."""

    changed: tuple[Answer, ...]


def answers_save(*, audit: Audit, typed: dict[int, dict], counting: bool = False) -> Saved:
    """Write ``typed`` (question pk -> what was typed) to ``audit``'s answers, checked by
    ``clean_answer``; only answers whose values change are saved, each on its own so the change
    history keeps every real change. Raises AnswerError (nothing written) for a question that
    is not the audit's tool's or a value that cannot be. Call inside the audit's transaction,
    with the audit row locked."""
    if not typed:
        return Saved(())
    answers = {
        a.question_id: a
        for a in Answer.objects.select_related("question").filter(
            audit=audit, question_id__in=list(typed)
        )
    }
    questions = {
        q.pk: q for q in Question.objects.filter(section__tool_id=audit.tool_id, pk__in=list(typed))
    }
    changes = []
    for pk, values in typed.items():
        question = questions.get(pk)
        if question is None:
            raise AnswerError(_("A question answered is not one of this audit's tool."))
        clean = clean_answer(question, tool=audit.tool, counting=counting, **values)
        answer = answers.get(pk) or Answer(audit=audit, question=question)
        if answer.pk is None or answer_values(answer) != clean:
            for name, value in clean.items():
                setattr(answer, name, value)
            changes.append(answer)
    for answer in changes:
        if answer.pk is None:
            answer.save()  # a question the tool gained before its first audit (never blank)
        else:
            answer.save(update_fields=list(ANSWER_FIELDS))
    return Saved(tuple(changes))


def agencies_for(audit: Audit) -> list[str]:
    """The agencies whose auditors a multi-agency audit records, in the activity's order."""
    activity = audit.activity if audit.activity_id else None
    return [str(a) for a in (activity.agencies if activity is not None else []) if str(a).strip()]


def agencies_save(*, audit: Audit, rows: list[dict]) -> None:
    """Record each agency's auditor (``rows``: {"agency", "auditor_name", "organisation"}), one
    row per agency of the activity; changed rows only are saved, emptied rows deleted."""
    allowed = set(agencies_for(audit))
    existing = {c.agency: c for c in AgencyContribution.objects.filter(audit=audit)}
    for row in rows:
        agency = row.get("agency") or ""
        if agency not in allowed:
            raise AnswerError(
                _("%(agency)s is not an agency of this activity.") % {"agency": agency}
            )
        name = _text(row.get("auditor_name"), _("The auditor's name"))[:200]
        organisation = _text(row.get("organisation"), _("The organisation"))[:200]
        found = existing.get(agency)
        if not name and not organisation:
            if found is not None:
                found.delete()
            continue
        if found is None:
            AgencyContribution.objects.create(
                audit=audit, agency=agency, auditor_name=name, organisation=organisation
            )
        elif (found.auditor_name, found.organisation) != (name, organisation):
            found.auditor_name, found.organisation = name, organisation
            found.save(update_fields=["auditor_name", "organisation"])
