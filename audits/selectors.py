"""Reads: what each user may see, and the fetch-and-check helper every audit view uses."""

import rules  # django-rules (the permissions of audits.permissions), not audits.rules
from django.core.exceptions import PermissionDenied
from django.db import connections
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Upper
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import roles
from .holders import selectors as holder_selectors
from .models import Audit, AuditTransition, Status, grades_with_domains, past_draft
from .rules import CASE_REFERENCE_RE, case_reference_key

LIST_RELATED = ("auditor", "activity", "strand", "case_type", "age_band", "team", "moderated_by")
# What an audit's pages read with it (audit_with_parts): its people, vocabularies and tool, its
# moderation case and whether it is an exemplar.
PARTS_RELATED = (
    *LIST_RELATED,
    "tool",
    "moderation_case__taken_by",
    "moderation_case__added_by",
    "exemplar",
)


def parts_prefetch(*, history: bool = True) -> tuple:
    """The audit's domains and grades, actions, risks and (``history``) transitions with who
    made them: one query each, each grade's domain and each transition's person read in the
    same query as it."""
    parts = (
        Prefetch("domain_grades", queryset=grades_with_domains()),
        "actions",
        "risk_categories",
    )
    if history:
        parts += (Prefetch("transitions", queryset=AuditTransition.objects.select_related("by")),)
    return parts


def audits_visible_to(user) -> QuerySet[Audit]:
    """Own audits in every state; every audit past draft for moderators, QA leads and admins;
    exemplars for auditors; for case holders, the audits of their own cases once submitted
    (audits.holders.selectors).

    Nobody ever sees another person's draft.
    """
    own = Q(auditor=user)
    if roles.is_case_holder(user):
        own |= holder_selectors.visible_to_case_holder(user)
    if roles.sees_all_submitted(user):
        return Audit.objects.filter(own | ~Q(status=Status.DRAFT))
    if roles.is_auditor(user):
        # Exemplars of good practice are there for every auditor to learn from.
        return Audit.objects.filter(own | Q(exemplar__isnull=False))
    return Audit.objects.filter(own)


# The attribute get_audit_for sets on an audit it read from audits_visible_to(user): that
# user's pk (permissions.may_see_audit then need not ask the same query again).
READ_AS_VISIBLE_TO = "_read_as_visible_to"

# What each action of get_audit_for asks (audits.permissions), and the 403 page's message.
AUDIT_ACTIONS = {
    "view": None,
    "edit": ("audits.edit_audit", gettext_lazy("This audit can no longer be changed.")),
    "delete": ("audits.delete_draft", gettext_lazy("Only your own drafts can be deleted.")),
}


def get_audit_for(
    user, pk, action: str = "view", *, related=(*LIST_RELATED, "tool"), prefetch=()
) -> Audit:
    """The audit ``pk`` if ``user`` may see it (else 404) and may do ``action`` (else 403).

    Actions: "view"; "edit" (change or submit: the auditor, while draft or returned);
    "delete" (the auditor, while draft).

    ``related``: the relations read with it (select_related), by default those of the audit's
    pages; an edit page names only those it reads. Each join costs PostgreSQL time planning
    the query (a few milliseconds for all of them, more than running it). ``prefetch``: what
    else is read with it (prefetch_related), so that a page showing the audit's parts
    (PARTS_RELATED, parts_prefetch) reads the audit once.
    """
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    # Only an audit's auditor may edit or delete it, and everyone sees their own audits
    # (audits_visible_to's first rule): for those actions the audit is read alone, and only
    # someone else's (refused: 404 or 403) is looked for among those the user may see.
    mine_only = action != "view"
    audits = Audit.objects.all() if mine_only else audits_visible_to(user)
    try:
        audit = audits.select_related(*related).prefetch_related(*prefetch).get(pk=pk)
    except (Audit.DoesNotExist, ValueError):
        raise Http404(_("No such audit.")) from None
    if mine_only and audit.auditor_id != user.pk:
        if not audits_visible_to(user).filter(pk=audit.pk).exists():
            raise Http404(_("No such audit."))
    if not mine_only and user.pk is not None:
        # Read from audits_visible_to(user): the query of the rule audits.view_audit (and the
        # first condition of view_history and view_holder_response) has just answered yes.
        setattr(audit, READ_AS_VISIBLE_TO, user.pk)
    if AUDIT_ACTIONS[action] is not None:
        perm, message = AUDIT_ACTIONS[action]
        if not rules.has_perm(perm, user, audit):
            raise PermissionDenied(message)
    return audit


def my_audits(user) -> QuerySet[Audit]:
    return Audit.objects.filter(auditor=user).select_related(*LIST_RELATED)


# The columns a row of a list of audits shows (audits/audit_list.html, drawn by
# templatetags.audit_tools.audit_rows, with the edit rule's auditor and status).
LIST_ROW_COLUMNS = (
    "case_reference",
    "is_practice",
    "audit_date",
    "auditor_id",
    "tool_id",
    "overall_grade",
    "moderated_grade",
    "status",
)
# The names of the audit's relations a row shows, each (relation, column): read as values on
# the audit, one object a row rather than five, and never a person's password read.
LIST_ROW_NAMES = {
    "auditor_first_name": ("auditor", "first_name"),
    "auditor_last_name": ("auditor", "last_name"),
    "auditor_username": ("auditor", "username"),
    "activity_name": ("activity", "name"),
    "strand_name": ("strand", "name"),
    "case_type_name": ("case_type", "name"),
    # The standard tool's rows need nothing more of it (templatetags.audit_tools).
    "tool_family": ("tool", "family"),
}


def _name_subquery(connection, relation: str, column: str) -> RawSQL:
    """``column`` of the row the list's audit points to by ``relation`` (NULL where it points
    nowhere), as a subquery on its primary key, written straight from the models' tables and
    columns. The outer audit is the list query's own table, never aliased (the cells of every
    column are tested on both databases)."""
    quote = connection.ops.quote_name
    key = Audit._meta.get_field(relation)
    model = key.related_model
    return RawSQL(
        f"SELECT {quote(model._meta.get_field(column).column)} "
        f"FROM {quote(model._meta.db_table)} "
        f"WHERE {quote(model._meta.pk.column)} = "
        f"{quote(Audit._meta.db_table)}.{quote(key.column)}",
        (),
        output_field=model._meta.get_field(column),
    )


def _list_row_names(connection) -> dict:
    """LIST_ROW_NAMES as expressions. On PostgreSQL each is a subquery on the row's key: joined,
    the five tables made it plan for longer (2.2 ms on every list page) than it then took to
    run the query (0.3 ms); written by the ORM, the subqueries cost as much Python time. SQLite
    plans a join at next to no cost."""
    if connection.vendor != "postgresql":
        return {name: F(f"{rel}__{column}") for name, (rel, column) in LIST_ROW_NAMES.items()}
    return {
        name: _name_subquery(connection, rel, column)
        for name, (rel, column) in LIST_ROW_NAMES.items()
    }


def list_rows(page: QuerySet[Audit]) -> list[Audit]:
    """The audits of one page of a list (``page``: the list's queryset, sliced), with what
    their rows show. The page is chosen from the audits' own columns (the filters, the order,
    the offset) and only its own rows are joined to the names: joined in the one query, a page
    deep in a filtered list joined every audit it skipped too, and a filter that sorts what it
    finds joined all of them (and on PostgreSQL only the names' subqueries, _list_row_names)."""
    ordering = page.query.order_by or Audit._meta.ordering
    return list(
        Audit.objects.filter(pk__in=page.values("pk"))
        .only(*LIST_ROW_COLUMNS)
        .annotate(**_list_row_names(connections[page.db]))
        .order_by(*ordering)
    )


def all_audits(user) -> QuerySet[Audit]:
    """Every audit past draft, for the roles that see them all; nothing for anyone else."""
    if not roles.sees_all_submitted(user):
        return Audit.objects.none()
    return Audit.objects.filter(past_draft()).select_related(*LIST_RELATED)


def audit_with_parts(audit: Audit) -> Audit:
    """The audit with its domains, grades, risks and actions loaded in a fixed number of queries."""
    return (
        Audit.objects.select_related(*PARTS_RELATED)
        .prefetch_related(*parts_prefetch())
        .get(pk=audit.pk)
    )


def of_case(queryset: QuerySet[Audit], case_reference: str) -> QuerySet[Audit]:
    """The audits of ``queryset`` whose case reference is ``case_reference``, whatever the case.

    Compared upper-cased on both sides, the expression of the index audit_case_ref_upper_idx,
    so PostgreSQL and SQLite read that index; ``case_reference__iexact`` would read every
    audit. References are ASCII (CASE_REFERENCE_RE), where Python's and SQL's UPPER agree.
    """
    return queryset.alias(case_reference_upper=Upper("case_reference")).filter(
        case_reference_upper=case_reference_key(case_reference)
    )


# The greatest character of a case reference once upper-cased (CASE_REFERENCE_RE: letters, digits
# and hyphens), in code-point order (SQLite; PostgreSQL with the C collation) and in the usual
# locales' collations alike, where digits come before letters and a hyphen is passed over.
_LAST_CHARACTER = "Z"
CASE_REFERENCE_LENGTH = Audit._meta.get_field("case_reference").max_length


def of_case_prefix(queryset: QuerySet[Audit], prefix: str) -> QuerySet[Audit]:
    """The audits of ``queryset`` whose case reference starts with ``prefix``, whatever the
    case (a whole reference is a prefix of itself).

    Bounded on both sides on the upper-cased reference, so the database reads the range of the
    index audit_case_ref_upper_idx that holds the prefix: every reference starting with it sorts
    at or after it, and at or before it followed by more Zs than any reference has characters.
    A LIKE on the expression (``__startswith``) alone would read every audit (SQLite, and
    PostgreSQL under any collation but C); here it only drops what a locale's collation lets
    into the range without the prefix (with hyphens passed over, "CR-3" sorts among "CR3…").
    """
    upper = prefix.upper()
    ceiling = upper + _LAST_CHARACTER * (CASE_REFERENCE_LENGTH + 1 - len(upper))
    return queryset.alias(case_reference_upper=Upper("case_reference")).filter(
        case_reference_upper__gte=upper,
        case_reference_upper__lte=ceiling,
        case_reference_upper__startswith=upper,
    )


def find_case(*, user, reference: str) -> QuerySet[Audit]:
    """The audits ``user`` may see whose case reference is or starts with ``reference`` (any
    case), by case reference then audit date. ``reference`` must match CASE_REFERENCE_RE (the
    search form's check): nothing else can match, and a null character must not reach a query.
    """
    if not CASE_REFERENCE_RE.match(reference):
        return Audit.objects.none()
    return (
        of_case_prefix(audits_visible_to(user), reference)
        .select_related("auditor", "activity")
        .order_by("case_reference_upper", "audit_date", "pk")
    )


def case_search_summary(audits: QuerySet[Audit]) -> dict:
    """How many cases ``audits`` (find_case's) holds and how many of its audits are past draft
    (what the case timeline shows): one query."""
    return audits.order_by().aggregate(
        cases=Count(Upper("case_reference"), distinct=True),
        past_draft=Count("pk", filter=~Q(status=Status.DRAFT)),
    )


# Above every character a case reference holds once upper-cased ([A-Z0-9-], CASE_REFERENCE_RE).
_AFTER_REFERENCE_CHARACTERS = "~"


def with_case_reference_prefix(queryset, prefix: str, *, field: str = "case_reference"):
    """The rows of ``queryset`` whose case reference (through ``field``: "audit__case_reference"
    for actions) is ``prefix`` or starts with it, whatever the case: a list's "Case reference"
    filter, so "CR-30" finds CR-30, CR-301 and cr-3017.

    A range on the upper-cased reference, the expression of audit_case_ref_upper_idx, so the
    database reads that index (tests/audits/test_case_reference_filter.py EXPLAINs it); a LIKE
    alone would read every audit unless the index had a pattern operator class. Every reference
    starting with the prefix sorts between it and the prefix followed by "~" in byte order:
    SQLite's, and PostgreSQL's in a C-collated database. Under a linguistic collation (en_GB),
    which sorts hyphens as if absent, the range can leave some out; startswith keeps every row
    it returns exact.
    """
    prefix = prefix.strip().upper()
    return queryset.alias(case_reference_upper=Upper(field)).filter(
        case_reference_upper__gte=prefix,
        case_reference_upper__lt=prefix + _AFTER_REFERENCE_CHARACTERS,
        case_reference_upper__startswith=prefix,
    )


EARLIER_COLUMNS = ("case_reference", "audit_date", "overall_grade", "moderated_grade", "status")


def earlier_audits(*, case_reference: str, user, exclude_pk=None, before=None) -> list[dict]:
    """Earlier audits of the same case, past draft, oldest first.

    Each row says whether ``user`` may open it; those they may not are shown as a date only,
    so an auditor still learns the case was audited before.
    """
    if not CASE_REFERENCE_RE.match(case_reference or ""):
        # No audit past draft has such a reference; and a null character, as typed or in a
        # hand-made query string, must not reach the query (PostgreSQL refuses it).
        return []
    qs = of_case(Audit.objects.all(), case_reference).exclude(status=Status.DRAFT)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if before:
        qs = qs.filter(Q(audit_date__lte=before) | Q(audit_date__isnull=True))
    # Whether the user may open each, asked of audits_visible_to in the same query; and only
    # the columns audits/_earlier_audits.html shows (its date, final grade and reference).
    rows = (
        qs.only(*EARLIER_COLUMNS)
        .annotate(visible=Exists(audits_visible_to(user).filter(pk=OuterRef("pk"))))
        .order_by("audit_date", "pk")
    )
    return [{"audit": a, "visible": a.visible} for a in rows]


def status_counts(queryset) -> dict[str, int]:
    """How many audits of ``queryset`` are in each status, in one query."""
    counts = {status: 0 for status in Status.values}
    for row in queryset.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def case_timeline(*, case_reference: str, user) -> list[dict]:
    """Every audit of a case past draft that ``user`` may see, oldest first, each with the
    domains whose grade changed since the audit before and that audit's actions and outcome.

    Four queries whatever the number of audits: audits, grades, actions, and the user's roles.
    """
    if not CASE_REFERENCE_RE.match(case_reference):
        return []  # as in earlier_audits: nothing can match, and a null character must not query
    audits = list(
        of_case(audits_visible_to(user), case_reference)
        .exclude(status=Status.DRAFT)
        .select_related("auditor", "activity")
        .prefetch_related("domain_grades__domain", "actions")
        .order_by("audit_date", "pk")
    )
    timeline, previous = [], None
    for audit in audits:
        grades = {g.domain.number: g for g in audit.domain_grades.all()}
        changes = []
        if previous is not None:
            before = {g.domain.number: g for g in previous.domain_grades.all()}
            for number, grade in sorted(grades.items()):
                old = before.get(number)
                if old is not None and old.grade != grade.grade:
                    changes.append(
                        {
                            "number": number,
                            "title": grade.domain.title,
                            "before": old.get_grade_display() or "—",
                            "after": grade.get_grade_display() or "—",
                        }
                    )
        timeline.append(
            {
                "audit": audit,
                "changes": changes,
                "previous_actions": list(previous.actions.all()) if previous else [],
            }
        )
        previous = audit
    return timeline
