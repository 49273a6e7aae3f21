"""Reads for moderation: the queue, feedback for an auditor, and agreement statistics."""

import datetime
from dataclasses import dataclass

import rules
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from audits import periods
from audits.figures import reportable
from audits.models import Answer, Audit, Status, ToolGrade
from audits.percentages import format_number
from audits.periods import Period
from audits.selectors import LIST_RELATED
from audits.tools.kinds import COUNTED_KINDS, QuestionKind, YesNo

from . import scales
from .models import Moderation
from .statistics import Agreement

QUEUE_STATUSES = (Status.SUBMITTED, Status.IN_MODERATION)
# How many of the latest moderation rounds the moderator's home page lists.
RECENT = 5


def moderation_queue(moderator) -> QuerySet[Audit]:
    """Audits chosen for moderation and not yet decided, oldest submission first.

    A moderator's own audits are never offered to them.
    """
    return (
        Audit.objects.filter(status__in=QUEUE_STATUSES)
        .filter(Q(moderation_case__sampled=True) | Q(moderation_case__added_by__isnull=False))
        .exclude(auditor=moderator)
        .select_related(*LIST_RELATED, "tool", "moderation_case__taken_by")
        .annotate(overall_grade_label=tool_grade_label("overall_grade"))
        .order_by("submitted_at", "pk")
    )


# What a row of the queue's page reads (templatetags.moderation_tags.queue_rows, with the
# columns its buttons' rules read: the auditor, the status, the case's selection and who took
# it): not the audit's notes and comments, nor the people's passwords.
QUEUE_ROW_RELATED = ("auditor", "activity", "strand", "tool", "moderation_case__taken_by")
QUEUE_ROW_COLUMNS = (
    "case_reference",
    "is_practice",
    "auditor_id",
    "auditor__first_name",
    "auditor__last_name",
    "auditor__username",
    "activity__name",
    "strand__name",
    "tool__family",
    "overall_grade",
    "submitted_at",
    "status",
    "moderation_case__sampled",
    "moderation_case__added_by",
    "moderation_case__taken_by__first_name",
    "moderation_case__taken_by__last_name",
    "moderation_case__taken_by__username",
)


def queue_rows(queue: QuerySet[Audit]) -> QuerySet[Audit]:
    """``queue`` (moderation_queue, filtered) reading only what the queue page's rows show:
    fewer joins, columns and objects for its 25 rows."""
    return queue.select_related(None).select_related(*QUEUE_ROW_RELATED).only(*QUEUE_ROW_COLUMNS)


def tool_grade_label(field: str, tool: str = "tool") -> Subquery:
    """The name of a built tool's grade held in ``field`` (None for the standard tool, whose
    names are audits.grades'), read in the same query as the audits."""
    return Subquery(
        ToolGrade.objects.filter(tool=OuterRef(tool), code=OuterRef(field)).values("label")[:1]
    )


def feedback_for(auditor) -> QuerySet[Moderation]:
    return (
        Moderation.objects.filter(audit__auditor=auditor)
        .select_related("audit", "moderator")
        .annotate(moderated_grade_label=tool_grade_label("moderated_grade", "audit__tool"))
        .order_by("-created_at")
    )


def unacknowledged_feedback_count(auditor) -> int:
    return Moderation.objects.filter(audit__auditor=auditor, acknowledged_at__isnull=True).count()


def moderation_history(audit: Audit, user) -> list[Moderation]:
    """The audit's moderation rounds, oldest first, or none where ``user`` may not read them
    (moderation.read_feedback)."""
    if not rules.has_perm("moderation.read_feedback", user, audit):
        return []
    return list(
        audit.moderations.select_related("moderator")
        .prefetch_related("notes__domain")
        .order_by("round")
    )


def agreement_statistics(audits: QuerySet[Audit]) -> dict:
    """Agreement overall, per auditor, per activity, per team (the audit's, the case holder's)
    and per moderator, for the countable audits of ``audits``.

    Eight queries whatever the number of audits: four passes over the audits grouped by key and
    pair of grades (per auditor, per activity, per team, and per moderator over the moderated
    ones), each followed by one reading the labels of the keys found; Python only arranges the
    grouped rows. Every audit has an
    auditor, so the overall figures are the per-auditor ones added up (as
    ``overall_agreement`` counts them).
    An audit is moderated when it has a moderated grade, whether moderated here or imported.
    A moderator's row counts the audits they moderated only, so its audits are its moderated.
    """
    base = reportable(audits)
    moderated = Q(moderated_grade__gt="")
    per_auditor = _grouped(base, moderated, "auditor_id", person_fields("auditor"), _auditor_label)
    overall = Agreement(label="All audits")
    for agreement in per_auditor:
        overall.audits += agreement.audits
        for i, row in enumerate(agreement.matrix):
            for j, n in enumerate(row):
                overall.matrix[i][j] += n
    return {
        "overall": overall,
        "per_auditor": per_auditor,
        "per_activity": _grouped(
            base, moderated, "activity_id", ("activity__name", "activity__month"), _activity_label
        ),
        "per_team": _grouped(base, moderated, "team_id", ("team__name",), _team_label),
        # A moderator's row counts the audits they moderated only.
        "per_moderator": _grouped(
            base.filter(moderated),
            moderated,
            "moderated_by_id",
            person_fields("moderated_by"),
            _moderator_label,
        ),
    }


def person_fields(relation: str) -> tuple[str, str, str]:
    """The fields that name a person, through ``relation`` ("auditor") or, "", a User's own."""
    prefix = f"{relation}__" if relation else ""
    return (f"{prefix}first_name", f"{prefix}last_name", f"{prefix}username")


def person_label(row, relation: str) -> str:
    # As audits.roles.display_name names a person (User.get_full_name, else the username),
    # from the grouped row rather than a User.
    first, last, username = (row[f] for f in person_fields(relation))
    full = f"{first or ''} {last or ''}".strip()
    return full or username


def _auditor_label(row) -> str:
    return person_label(row, "auditor")


def _moderator_label(row) -> str:
    if row["moderated_by_id"] is None:
        return str(_("(no moderator recorded)"))
    return person_label(row, "moderated_by")


def _team_label(row) -> str:
    return row["team__name"] if row["team_id"] is not None else str(_("(no team)"))


def overall_agreement(audits: QuerySet[Audit]) -> Agreement:
    """Agreement over all the countable audits of ``audits``: one query."""
    base = reportable(audits)
    overall = Agreement(label="All audits")
    # One pass: every audit counted by its pair of grades; the moderated pairs fill the matrix.
    for row in base.values("overall_grade", "moderated_grade").annotate(n=Count("pk")).order_by():
        overall.audits += row["n"]
        if row["moderated_grade"]:
            overall.add(row["overall_grade"], row["moderated_grade"], row["n"])
    return overall


@dataclass(frozen=True)
class ModeratorHome:
    waiting: int  # audits in the moderator's queue
    oldest: Audit | None  # the one waiting longest, with ``submitted_at``
    waiting_days: int | None  # whole days it has waited
    recent: list  # the latest moderation rounds (any moderator's), newest first
    quarter: Period  # the financial quarter of today
    agreement: Agreement  # of the audits dated in that quarter


def moderator_home(moderator, *, now: datetime.datetime, today: datetime.date) -> ModeratorHome:
    """The moderator's queue, what moderators decided lately and how often they agreed with
    the auditors this quarter (the statistics dashboard's figure): five queries."""
    queue = moderation_queue(moderator)
    waiting = queue.order_by().aggregate(n=Count("pk"))["n"]
    oldest = queue.first() if waiting else None
    days = None
    if oldest is not None and oldest.submitted_at is not None:
        days = (now - oldest.submitted_at).days
    quarter = periods.quarter(periods.financial_year_of(today), periods.financial_quarter_of(today))
    recent = list(
        Moderation.objects.select_related("audit", "moderator").order_by("-created_at", "-pk")[
            :RECENT
        ]
    )
    in_quarter = Audit.objects.filter(audit_date__gte=quarter.start, audit_date__lte=quarter.end)
    return ModeratorHome(
        waiting=waiting,
        oldest=oldest,
        waiting_days=days,
        recent=recent,
        quarter=quarter,
        agreement=overall_agreement(in_quarter),
    )


def _activity_label(row) -> str:
    if row["activity__name"] is None:
        return "(no activity)"
    return f"{row['activity__name']} ({row['activity__month']:%B %Y})"


def _grouped(base, moderated, key: str, label_fields, make_label) -> list[Agreement]:
    """Agreement per value of ``key`` (a foreign key of the audit, such as "auditor_id"), each
    labelled by ``make_label`` from ``label_fields`` ("auditor__username", ...).

    Two queries: one pass over the audits grouped by the key and the pair of grades (every
    audit counted, the moderated ones, ``moderated``, into the matrix), then the labels of the
    keys found, read from the related table rather than joined to every audit (a million of
    them in a region's decade)."""
    groups: dict = {}
    pairs = base.values(key, "overall_grade", "moderated_grade").annotate(
        n=Count("pk"), is_moderated=Count("pk", filter=moderated)
    )
    for row in pairs.order_by():
        agreement = groups.setdefault(row[key], Agreement())
        agreement.audits += row["n"]
        if row["is_moderated"]:
            agreement.add(row["overall_grade"], row["moderated_grade"], row["is_moderated"])
    relation = Audit._meta.get_field(key).name  # "auditor_id" -> "auditor"
    prefix = f"{relation}__"
    fields = [name.removeprefix(prefix) for name in label_fields]
    related = Audit._meta.get_field(relation).related_model
    labels = {
        row["pk"]: {prefix + name: row[name] for name in fields}
        for row in related.objects.filter(pk__in=[k for k in groups if k is not None]).values(
            "pk", *fields
        )
    }
    for pk, agreement in groups.items():
        agreement.label = make_label({key: pk, **labels.get(pk, dict.fromkeys(label_fields))})
    return sorted(groups.values(), key=lambda a: a.label.lower())


def exemplars():
    from .models import Exemplar

    return Exemplar.objects.select_related(
        "audit__activity", "audit__case_type", "audit__strand", "marked_by"
    ).order_by("-marked_at")


def answers_for_moderation(audit: Audit) -> list[dict]:
    """A built tool's audit as the moderator reads it: its sections, each with every question
    and the answer given (a grade's or a choice's name, a number, a date, text), the
    auditor's comment and, in a dip sample, the items checked. Empty for the standard tool,
    whose domains the page shows itself. Two queries."""
    if audit.tool.is_standard:
        return []
    yes_no = dict(YesNo.choices)
    sections: list[dict] = []
    for answer in Answer.objects.filter(audit=audit).select_related("question__section"):
        question = answer.question
        if not sections or sections[-1]["number"] != question.section.number:
            sections.append(
                {"number": question.section.number, "title": question.section.title, "rows": []}
            )
        if question.kind == QuestionKind.GRADED:
            shown = scales.label(audit.tool, answer.value)
        elif question.kind == QuestionKind.YES_NO:
            shown = str(yes_no.get(answer.value, answer.value))
        elif question.kind == QuestionKind.CHOICE:
            shown = answer.value
        elif question.kind == QuestionKind.NUMBER:
            shown = "" if answer.number is None else format_number(answer.number)
        elif question.kind == QuestionKind.DATE:
            shown = f"{answer.date:%-d %B %Y}" if answer.date else ""
        else:
            shown = answer.text
        sections[-1]["rows"].append(
            {
                "number": f"{question.section.number}.{question.number}",
                "question": question.text,
                "answer": shown,
                "comment": answer.text if question.kind in COUNTED_KINDS else "",
                "items_checked": answer.items_checked,
            }
        )
    return sections
