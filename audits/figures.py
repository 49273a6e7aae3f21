"""The counts of reportable audits, and the copy of them kept per month.

A reportable audit is past draft and not a practice audit; its final grade is the moderated
grade where there is one, else the auditor's grade. The expressions here are the only
definition of those counts: the scrutiny report (reports.selectors) counts audits with them,
and the figures kept per month (MonthFigures, MonthDomainFigures, and the agreed actions'
MonthActionFigures) are built with them.

Why keep figures per month: a report over years of audits would otherwise read every audit
and all twelve domain grades of each (240,000 rows for 20,000 audits) each time it is shown.
The report adds up the kept figures of the whole months in its period and counts only the
days at its edges afresh (reports.selectors), so its cost hardly grows with the audits.

Keeping them right: every service that changes an audit past draft (audits.services,
moderation.services) takes what the audit adds to the figures before the change
(``audit_contribution``, counted with the same expressions from the audit's own rows) and,
in the same transaction, ``contribution_changed`` subtracts that and adds what it adds after,
under the month's lock: a submit or a moderation costs the same whatever its month holds (a
rebuild of a month of 8,000 audits took 0.65 s, inside every writer's transaction). The
agreed actions' counts are kept the same way: a change of an action's state (audits.actions)
takes what the action adds before and after (``action_contribution``, ``action_changed``). The
import, which adds many audits at once, rebuilds their months (``refresh_months``), and so
does ``python manage.py refresh_report_figures`` for all of them (after a data fix made
outside the services; ``--check`` says whether any month differs). Should an increment find a
kept row short of what it subtracts, the month is rebuilt instead.

Closed months: when the retention schedule deletes a month's audits (audits.retention), the
month is closed first (``close_months``): its figures are rebuilt one last time, and from then
on nothing rebuilds or checks it, since there are no audits left to count it from. Its kept
figures are all there is.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connections, router, transaction
from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf, TruncMonth
from django.db.models.lookups import Exact
from django.utils import timezone

from .grades import DOMAIN_CODES, OVERALL_CODES, Grade
from .models import (
    AgreedAction,
    Audit,
    DomainGrade,
    FigureMonth,
    MonthActionFigures,
    MonthDomainFigures,
    MonthFigures,
    past_draft,
)
from .periods import last_of_month, month_start
from .tools.kinds import STANDARD_FAMILY

MODERATION = ("moderated", "agreed", "raised", "lowered")


def reportable_condition(prefix: str = "") -> Q:
    """The audits a report counts: past draft, never practice, made with the standard tool
    (audits of built tools have results of their own, audits.tools.selectors). ``prefix``
    reaches the audit through a relation ("audit__" from an agreed action)."""
    return (
        past_draft(prefix)
        & ~Q(**{f"{prefix}is_practice": True})
        & Q(**{f"{prefix}tool__family": STANDARD_FAMILY})
    )


def reportable(audits: QuerySet[Audit]) -> QuerySet[Audit]:
    return audits.filter(reportable_condition()).order_by()


def _rank(field: str):
    return Case(
        When(**{field: Grade.EXCEEDS}, then=Value(3)),
        When(**{field: Grade.MEETS}, then=Value(2)),
        When(**{field: Grade.DOES_NOT_MEET}, then=Value(1)),
        default=Value(None),
        output_field=IntegerField(),
    )


def final_grade(prefix: str = "") -> Coalesce:
    """The final grade: the moderator's, else the auditor's. ``prefix`` reaches the audit
    through a relation ("audit__" from a domain grade)."""
    return Coalesce(NullIf(F(f"{prefix}moderated_grade"), Value("")), F(f"{prefix}overall_grade"))


def with_final(audits: QuerySet[Audit]) -> QuerySet[Audit]:
    """Annotate the final grade, and the ranks that say whether moderation raised it."""
    return audits.annotate(
        final=final_grade(),
        auditor_rank=_rank("overall_grade"),
        moderated_rank=_rank("moderated_grade"),
    )


def grade_counts() -> dict:
    """Aggregates over ``with_final`` audits: the grade split, moderation and its direction.
    Their names are MonthFigures' fields."""
    counts = {"audits": Count("pk")}
    for grade in OVERALL_CODES:
        counts[f"auditor_{grade}"] = Count("pk", filter=Q(overall_grade=grade))
        counts[f"final_{grade}"] = Count("pk", filter=Q(final=grade))
    counts["moderated"] = Count("pk", filter=Q(moderated_grade__gt=""))
    counts["agreed"] = Count("pk", filter=Q(moderated_rank=F("auditor_rank")))
    counts["raised"] = Count("pk", filter=Q(moderated_rank__gt=F("auditor_rank")))
    counts["lowered"] = Count("pk", filter=Q(moderated_rank__lt=F("auditor_rank")))
    return counts


GRADE_COUNT_NAMES = tuple(grade_counts())


class MonthOf(TruncMonth):
    """The first day of a date column's month: TruncMonth, which on SQLite Django answers by
    calling a Python function once per row (about 10,000 calls, 13 ms, to rebuild one month's
    domain figures, inside the write transaction of every moderation and submit). SQLite's own
    ``date(x, 'start of month')`` gives the same 'YYYY-MM-01'. For date columns only."""

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.lhs)
        return f"date({sql}, 'start of month')", params


def not_met_in_all_applicable() -> Q:
    """A condition on audits: graded Does not meet good in every domain that applied to them.

    A domain applies unless it is graded Not applicable (or left blank). So: at least one
    domain graded Does not meet good, and none graded anything else that applies. Two Exists
    probes per audit, instead of joining every grade and grouping them by audit.
    """
    grades = DomainGrade.objects.filter(audit=OuterRef("pk"))
    not_met = grades.filter(grade=Grade.DOES_NOT_MEET)
    other = grades.exclude(grade__in=[Grade.DOES_NOT_MEET, Grade.NOT_APPLICABLE, ""])
    return Q(Exists(not_met)) & ~Q(Exists(other))


def final_does_not_meet(prefix: str = "") -> Exact:
    """Whether the audit's final grade (``final_grade``) is Does not meet good, as a value;
    ``prefix`` reaches the audit through a relation ("audit__" from a domain grade)."""
    return Exact(final_grade(prefix), Value(Grade.DOES_NOT_MEET))


# The grouped rows' names for the kept rows' columns.
KEPT_NAMES = {"activity": "activity_id", "strand": "strand_id", "case_type": "case_type_id"}


def domain_grade_counts() -> dict:
    """Aggregates over domain grades: how many of each grade."""
    return {grade: Count("pk", filter=Q(grade=grade)) for grade in DOMAIN_CODES}


def action_count_aggregates(*, today: datetime.date | None = None) -> dict:
    """Aggregates over agreed actions: raised, done (on time, late), not needed, open, and
    (given ``today``) overdue: open with a due date before ``today``. Their names are
    MonthActionFigures' fields, with ``overdue`` counted from its ``open_due_date``."""
    done = Q(state=AgreedAction.State.DONE)
    counts = {
        "raised": Count("pk"),
        "done": Count("pk", filter=done),
        "done_on_time": Count(
            "pk", filter=done & (Q(due_date__isnull=True) | Q(completed_on__lte=F("due_date")))
        ),
        "done_late": Count("pk", filter=done & Q(completed_on__gt=F("due_date"))),
        "not_needed": Count("pk", filter=Q(state=AgreedAction.State.NOT_NEEDED)),
        "open": Count("pk", filter=Q(state=AgreedAction.State.OPEN)),
    }
    if today is not None:
        counts["overdue"] = Count("pk", filter=Q(state=AgreedAction.State.OPEN, due_date__lt=today))
    return counts


ACTION_COUNT_NAMES = (*action_count_aggregates(), "overdue")


def _in_months(months: list[datetime.date], field: str = "audit_date") -> Q:
    condition = Q(pk__in=[])
    for month in months:
        condition |= Q(**{f"{field}__gte": month, f"{field}__lte": last_of_month(month)})
    return condition


def _counted(months: list[datetime.date]) -> tuple[list[dict], list[dict], list[dict]]:
    """The figures of these months counted from the audits: rows for MonthFigures,
    MonthDomainFigures and MonthActionFigures, as dicts of their fields. Three queries."""
    return (
        *_counted_where(_in_months(months)),
        _counted_actions(_in_months(months, "audit__audit_date")),
    )


def _counted_actions(condition: Q) -> list[dict]:
    """MonthActionFigures' rows for the agreed actions matching ``condition`` of reportable
    audits: by the audit's month, activity, strand and case type, and the due date of the open
    ones (None for the others), so that "overdue on the report's day" can be counted. One
    query."""
    return _shaped_actions(_action_query(condition))


def _shaped_actions(rows) -> list[dict]:
    return [{KEPT_NAMES.get(k, k): v for k, v in row.items()} for row in rows]


def _action_query(condition: Q) -> QuerySet:
    """The counting query of ``_counted_actions`` (a values queryset, not yet run)."""
    return (
        AgreedAction.objects.filter(reportable_condition("audit__"), condition)
        .values(
            month=MonthOf("audit__audit_date"),
            activity=F("audit__activity"),
            strand=F("audit__strand"),
            case_type=F("audit__case_type"),
            open_due_date=Case(
                When(state=AgreedAction.State.OPEN, then=F("due_date")),
                default=Value(None),
                output_field=DateField(),
            ),
        )
        .annotate(**action_count_aggregates())
        .order_by()
    )


def _counted_where(condition: Q) -> tuple[list[dict], list[dict]]:
    """The grade and domain rows of the reportable audits matching ``condition`` (some
    months, or one audit: what that audit adds to its month's figures)."""
    figures, domains = _count_queries(condition)
    return _shaped(list(figures), list(domains))


def _count_queries(condition: Q) -> tuple[QuerySet, QuerySet]:
    """The two counting queries of ``_counted_where`` (values querysets, not yet run)."""
    audits = reportable(Audit.objects.filter(condition))
    figures = (
        with_final(audits)
        .annotate(month=MonthOf("audit_date"))
        .values("month", "activity", "strand", "case_type")
        .annotate(
            **grade_counts(),
            not_met_in_all_applicable=Count("pk", filter=not_met_in_all_applicable()),
        )
        .order_by()
    )
    domains = (
        DomainGrade.objects.filter(audit__in=audits)
        .values(
            month=MonthOf("audit__audit_date"),
            activity=F("audit__activity"),
            strand=F("audit__strand"),
            case_type=F("audit__case_type"),
            number=F("domain__number"),
            final_does_not_meet=final_does_not_meet("audit__"),
        )
        .annotate(**domain_grade_counts())
        .order_by()
    )
    return figures, domains


def _shaped(figures: list[dict], domains: list[dict]) -> tuple[list[dict], list[dict]]:
    rename = KEPT_NAMES
    return (
        [{rename.get(k, k): v for k, v in row.items()} for row in figures],
        [
            {rename.get(k, k): v for k, v in row.items()}
            for row in domains
            if any(row[g] for g in DOMAIN_CODES)
        ],
    )


# Stands in for the audit's pk in the compiled queries of ``_one_audit_queries``: no audit has
# a negative pk, and no other parameter of those queries is a number below zero.
_AUDIT_PK_PLACEHOLDER = -7_351_902_148


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    names: tuple[str, ...]  # the columns of each row, as the values queryset names them
    audit_pk_at: tuple[int, ...]  # where the audit's pk goes among ``params``

    def rows(self, using: str, pk: int) -> list[dict]:
        params = list(self.params)
        for position in self.audit_pk_at:
            params[position] = pk
        with connections[using].cursor() as cursor:
            cursor.execute(self.sql, params)
            return [dict(zip(self.names, row, strict=True)) for row in cursor.fetchall()]


_one_audit_compiled: dict[tuple[str, str], tuple[_Compiled, ...]] = {}


def _one_audit_queries(using: str) -> tuple[_Compiled, _Compiled, _Compiled]:
    """``_count_queries`` and ``_action_query`` for one audit, compiled once per database.
    Building and compiling those querysets is about 4 ms of Python (their SQL runs in a tenth
    of that), and every
    submit, moderation and change of a counted audit counts its audit twice while it holds the
    database's write lock (``contribution_changed``); the SQL does not depend on the audit, only
    its one parameter does."""
    key = (using, connections[using].vendor)
    if key not in _one_audit_compiled:
        compiled = []
        querysets = (
            *_count_queries(Q(pk=_AUDIT_PK_PLACEHOLDER)),
            _action_query(Q(audit=_AUDIT_PK_PLACEHOLDER)),
        )
        for queryset in querysets:
            query = queryset.query
            sql, params = query.get_compiler(using).as_sql()
            at = tuple(
                i
                for i, value in enumerate(params)
                if type(value) is int and value == _AUDIT_PK_PLACEHOLDER
            )
            if not at:  # pragma: no cover - a change to _count_queries would show here first
                raise RuntimeError("The audit's pk is not a parameter of its counting query.")
            # The order ValuesIterable reads them in.
            names = (
                tuple(query.selected)
                if query.selected
                else (
                    *query.extra_select,
                    *query.values_select,
                    *query.annotation_select,
                )
            )
            compiled.append(_Compiled(sql, tuple(params), names, at))
        _one_audit_compiled[key] = tuple(compiled)
    return _one_audit_compiled[key]


@transaction.atomic
def refresh_months(months: Iterable[datetime.date | None]) -> None:
    """Rebuild the kept figures of these months (any day of each; None is ignored) from the
    audits, as this transaction sees them. Closed months are left as they are."""
    months = sorted({month_start(day) for day in months if day is not None})
    if not months:
        return
    now = timezone.now()
    FigureMonth.objects.bulk_create(
        [FigureMonth(month=m, refreshed_at=now) for m in months], ignore_conflicts=True
    )
    # Lock the months, in order, so that concurrent refreshes of a month queue up; each then
    # counts what the ones before it committed (and sees a month closed meanwhile).
    closed = {
        month
        for month, closed_at in FigureMonth.objects.select_for_update()
        .filter(month__in=months)
        .order_by("month")
        .values_list("month", "closed_at")
        if closed_at is not None
    }
    months = [m for m in months if m not in closed]
    if not months:
        return
    FigureMonth.objects.filter(month__in=months).update(refreshed_at=now)
    for model, rows in zip(KEPT_MODELS, _counted(months), strict=True):
        model.objects.filter(month__in=months).delete()
        model.objects.bulk_create([model(**row) for row in rows], batch_size=500)


def closed_months() -> set[datetime.date]:
    return set(FigureMonth.objects.filter(closed_at__isnull=False).values_list("month", flat=True))


def _months_with_audits_or_figures() -> set[datetime.date]:
    """The months that are not closed and have kept figures or audits."""
    months = set(FigureMonth.objects.values_list("month", flat=True))
    months.update(
        Audit.objects.filter(audit_date__isnull=False)
        .annotate(month=MonthOf("audit_date"))
        .values_list("month", flat=True)
        .distinct()
        .order_by()
    )
    return months - closed_months()


def stale_months() -> list[datetime.date]:
    """The months whose kept figures differ from a fresh count of their audits. Closed months
    are not asked: their audits are gone and their kept figures are all there is."""
    months = sorted(_months_with_audits_or_figures())
    if not months:
        return []
    fresh = _counted(months)
    kept = [
        list(model.objects.filter(month__in=months).values("month", *_fields(model)))
        for model in KEPT_MODELS
    ]

    def by_month(rows):
        grouped = {}
        for row in rows:
            grouped.setdefault(row["month"], []).append(
                tuple(sorted((k, v) for k, v in row.items()))
            )
        return {month: sorted(values) for month, values in grouped.items()}

    stale = set()
    for counted, stored in zip(fresh, kept, strict=True):
        counted, stored = by_month(counted), by_month(stored)
        stale.update(m for m in set(counted) | set(stored) if counted.get(m) != stored.get(m))
    return sorted(stale)


def _fields(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if f.name not in ("id", "month")]


@dataclass(frozen=True)
class Contribution:
    """What one audit adds to the kept figures, as the report's own expressions count it:
    {FIGURES_KEY values: MonthFigures' counts} and {DOMAINS_KEY values: MonthDomainFigures'
    counts}, and {ACTIONS_KEY values: MonthActionFigures' counts} of its agreed actions.
    Empty for a draft or a practice audit, which no figure counts. ``place`` is what decides
    the audit's links to its case's other audits (audits.case_links.audit_place)."""

    figures: dict
    domains: dict
    actions: dict
    place: tuple | None = None


def _as_date(value) -> datetime.date:
    # SQLite gives the month (MonthOf) as text; PostgreSQL's DATE_TRUNC, read without the
    # ORM's converters (``_one_audit_queries``), as midnight of that day.
    if isinstance(value, datetime.datetime):
        return value.date()
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


# How a key's value read without the ORM's converters (``_one_audit_queries``: SQLite's dates
# as text, its booleans as 0 and 1) becomes the value a kept row holds.
_KEY_VALUE = {
    "month": _as_date,
    "open_due_date": lambda value: None if value is None else _as_date(value),
    "final_does_not_meet": bool,
}


def _keyed(rows: list[dict], key: tuple[str, ...]) -> dict:
    keyed = {}
    for row in rows:
        values = {name: value for name, value in row.items() if name not in key}
        keyed[tuple(_KEY_VALUE.get(name, _same)(row[name]) for name in key)] = values
    return keyed


def _same(value):
    return value


FIGURES_KEY = ("month", "activity_id", "strand_id", "case_type_id")
DOMAINS_KEY = (*FIGURES_KEY, "number", "final_does_not_meet")
ACTIONS_KEY = (*FIGURES_KEY, "open_due_date")
# Each kept model, its key, and the count that says a row is empty (None: all of them).
KEPT = (
    (MonthFigures, FIGURES_KEY, "audits"),
    (MonthDomainFigures, DOMAINS_KEY, None),
    (MonthActionFigures, ACTIONS_KEY, "raised"),
)
KEPT_MODELS = tuple(model for model, _key, _size in KEPT)


def audit_contribution(audit: Audit) -> Contribution:
    """What ``audit`` adds to the kept figures now, as the database holds it: two queries
    over the audit and its twelve grades, whatever its month holds. A writer takes it after
    locking the audit and before changing it, and passes it to ``contribution_changed``."""
    from .case_links import audit_place  # case_links counts with this module's rule

    if audit.pk is None:
        return Contribution({}, {}, {})
    using = router.db_for_read(Audit, instance=audit)
    figures, domains, actions = (
        compiled.rows(using, audit.pk) for compiled in _one_audit_queries(using)
    )
    figures, domains = _shaped(figures, domains)
    actions = _shaped_actions(actions)
    return Contribution(
        _keyed(figures, FIGURES_KEY),
        _keyed(domains, DOMAINS_KEY),
        _keyed(actions, ACTIONS_KEY),
        audit_place(audit.pk),
    )


def action_contribution(action: AgreedAction) -> Contribution:
    """What one agreed action adds to the kept action counts now: one query. A writer takes
    it after locking the action and before changing it, and passes it to ``action_changed``."""
    return Contribution({}, {}, _keyed(_counted_actions(Q(pk=action.pk)), ACTIONS_KEY))


def action_changed(action: AgreedAction, before: Contribution) -> None:
    """``contribution_changed`` for a change to one agreed action (locked by the caller)."""
    from .case_links import actions_changed

    _apply_changes(before, action_contribution(action))
    actions_changed(action.audit_id)


def _difference(before: dict, after: dict) -> dict:
    changes = {}
    for key in before.keys() | after.keys():
        old, new = before.get(key, {}), after.get(key, {})
        delta = {name: new.get(name, 0) - old.get(name, 0) for name in old.keys() | new.keys()}
        if any(delta.values()):
            changes[key] = delta
    return changes


def contribution_changed(audit: Audit, before: Contribution) -> None:
    """Bring the kept figures up to date after a change to ``audit`` (locked by the caller,
    changed in this transaction): subtract what it added before (``before``, from
    ``audit_contribution``), add what it adds now. Its months' rows are locked as a rebuild
    locks them, so concurrent writers of a month queue (for milliseconds, not a rebuild);
    the cost does not grow with the audits of the month. A change that moves no figure (a
    moderator taking an audit) writes nothing. Should a kept row not hold what is to be
    subtracted (figures made stale outside the services), the month is rebuilt instead. An
    audit that moved case, date, state, practice flag, activity, strand or case type has its
    cases relinked, and the links to and from any other audit changed are compared again
    (audits.case_links)."""
    from .case_links import audit_changed

    after = audit_contribution(audit)
    _apply_changes(before, after)
    audit_changed(audit.pk, before.place, after.place)


def _apply_changes(before: Contribution, after: Contribution) -> None:
    changes = [
        _difference(before.figures, after.figures),
        _difference(before.domains, after.domains),
        _difference(before.actions, after.actions),
    ]
    if not any(changes):
        return
    months = _lock_months({key[0] for change in changes for key in change})
    stale = set()
    for (model, key, size), change in zip(KEPT, changes, strict=True):
        change = {values: delta for values, delta in change.items() if values[0] in months}
        stale |= _apply(model, key, change, size)
    if stale:
        refresh_months(stale)


def _lock_months(months: set[datetime.date]) -> set[datetime.date]:
    """Create and lock these months' FigureMonth rows, in order (as ``refresh_months`` does);
    returns those not closed."""
    FigureMonth.objects.bulk_create(
        [FigureMonth(month=m, refreshed_at=timezone.now()) for m in sorted(months)],
        ignore_conflicts=True,
    )
    return {
        month
        for month, closed_at in FigureMonth.objects.select_for_update()
        .filter(month__in=months)
        .order_by("month")
        .values_list("month", "closed_at")
        if closed_at is None
    }


def _apply(model, key: tuple[str, ...], changes: dict, size: str | None) -> set[datetime.date]:
    """Add ``changes`` ({key: {field: delta}}) to ``model``'s kept rows: rows that reach
    nothing are deleted (a rebuild keeps none), missing ones created. Returns the months
    whose rows would go below zero (stale), leaving them for a rebuild."""
    if not changes:
        return set()
    # One term per month, strand and case type (a domain row's key adds the domain's number):
    # a condition of twelve terms, one per domain, cost more to compile than its rows to read.
    condition = Q(pk__in=[])
    for values in {values[: len(FIGURES_KEY)] for values in changes}:
        condition |= Q(**dict(zip(FIGURES_KEY, values, strict=True)))
    rows = {
        tuple(getattr(row, name) for name in key): row for row in model.objects.filter(condition)
    }
    counts = [name for name in _fields(model) if name not in key]
    stale, updated, created, emptied = set(), [], [], []
    for values, delta in changes.items():
        row = rows.get(values) or model(
            **dict(zip(key, values, strict=True)), **dict.fromkeys(counts, 0)
        )
        new = {name: getattr(row, name) + delta.get(name, 0) for name in counts}
        if any(value < 0 for value in new.values()):
            stale.add(values[0])
            continue
        for name, value in new.items():
            setattr(row, name, value)
        if (new[size] if size else sum(new.values())) == 0:
            if row.pk is not None:
                emptied.append(row.pk)
        elif row.pk is None:
            created.append(row)
        else:
            updated.append(row)
    if emptied:
        model.objects.filter(pk__in=emptied).delete()
    if updated:
        update_each_row(model, counts, updated)
    if created:
        model.objects.bulk_create(created)
    return stale


def update_each_row(model, names: list[str], rows: list) -> None:
    """bulk_update(rows, names), as one statement run for each row: bulk_update's CASE WHEN
    for twelve domain rows of ten counts took 4-5 ms of Python to build and compile, inside
    the writer's transaction. The kept figures have no signals or history to miss."""
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(model._meta.db_table),
        ", ".join(f"{quote(model._meta.get_field(name).column)} = %s" for name in names),
        quote(model._meta.pk.column),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[*(getattr(row, n) for n in names), row.pk] for row in rows])


def refresh_all() -> int:
    """Rebuild every month that has figures or audits, and every case's links
    (audits.case_links); returns how many months."""
    from .case_links import relink_all

    months = _months_with_audits_or_figures()
    refresh_months(months)
    relink_all()
    return len(months)


@transaction.atomic
def close_months(months: Iterable[datetime.date]) -> list[datetime.date]:
    """Close these months (any day of each) before their audits are deleted: rebuild their
    figures from the audits one last time, keep their agreed actions' counts, and mark them
    closed so nothing rebuilds them again. Months already closed stay as they are. Returns
    the months closed now."""
    months = sorted({month_start(day) for day in months})
    refresh_months(months)  # creates and locks the months' rows, and skips closed ones
    months = sorted(set(months) - closed_months())
    if not months:
        return []
    FigureMonth.objects.filter(month__in=months).update(closed_at=timezone.now())
    return months
