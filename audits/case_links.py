"""Where each reportable audit stands among its case's audits (audits.models.CaseLink), kept
so that the report's re-audits read pairs instead of searching for them.

The rule, one definition: the audits of a case are its reportable audits
(audits.figures.reportable_condition) that have a date and a case reference, the reference
compared upper-cased (audits.rules.case_reference_key, the index audit_case_ref_upper_idx),
in the order of their audit dates, then of their primary keys (the order they were made).
An audit's ``earlier`` is the one just before it; its ``later_date`` the date of the one just
after it.

With each link is kept how the audit compares with its earlier one (``compare``): the overall
final grade (audits.figures.final_grade) and each domain graded in both with anything but Not
applicable (matched by number), each improved, the same or declined (audits.grades.
GRADE_RANK); and the earlier audit's agreed actions, counted as the report counts them
(audits.figures.action_count_aggregates). A report then sums a period's links rather than
reading twelve grades of two audits for each re-audit. What is open and overdue depends on
the report's day, so the report counts that from the actions themselves.

Kept by:

- every service that changes an audit past draft, through audits.figures
  (``contribution_changed`` relinks the cases of an audit whose case, date, state, practice
  flag, activity, strand or case type moved, and compares again the links to and from an
  audit whose grades or actions changed: a few small queries and only the rows that change,
  whatever the database holds),
  and every change of an agreed action's state (``action_changed``);
- the CSV import, for the cases it added to, and the retention schedule, for the cases whose
  audits it deleted;
- ``relink_all`` (part of ``refresh_all``, so ``python manage.py refresh_report_figures`` repairs
  links as it repairs figures; ``stale_links`` counts the rows it would change, for ``--check``).

Two writers of one case: a relink takes a lock on each case's key for the rest of the
transaction (a PostgreSQL advisory lock; ``relink_all`` and large imports take one lock over
every case), reads the case's audits after it has the lock, and so counts the other writer's
committed audit. SQLite lets one writer in at a time. The link rows hold no foreign key
constraint in the database, so writing one never waits on a lock held on an audit row.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db import connections, router, transaction
from django.db.models import Count, F, Max, Min, Q, QuerySet, Window
from django.db.models.functions import Lag, Lead, Upper

from .figures import action_count_aggregates, final_grade, reportable_condition, update_each_row
from .grades import GRADE_RANK, OVERALL_CODES
from .models import AgreedAction, Audit, CaseLink, DomainGrade, Status
from .rules import case_reference_key

OPEN = AgreedAction.State.OPEN
IMPROVED, SAME, DECLINED = "improved", "same", "declined"
CHANGES = (IMPROVED, SAME, DECLINED)
# The link's counts of its earlier audit's actions, and the report's names for them.
EARLIER_ACTIONS = {
    f"earlier_{name}": name
    for name in ("raised", "done", "done_on_time", "done_late", "not_needed", "open")
}
# When the earlier audit's open actions with a due date fall due (see CaseLink).
OPEN_DUE = {
    "earlier_open_dated": Count("pk", filter=Q(state=OPEN, due_date__isnull=False)),
    "earlier_first_due": Min("due_date", filter=Q(state=OPEN)),
    "earlier_last_due": Max("due_date", filter=Q(state=OPEN)),
}
COMPARED = (
    "overall_change",
    *(f"domains_{change}" for change in CHANGES),
    *EARLIER_ACTIONS,
    *OPEN_DUE,
)
NOT_COMPARED = {
    "overall_change": "",
    **dict.fromkeys(COMPARED[1:], 0),
    "earlier_first_due": None,
    "earlier_last_due": None,
}
# Domains are kept as bits of a 64-bit integer: numbers 1 to 62 (a standard tool has 12).
DOMAIN_NUMBERS = range(1, 63)

# PostgreSQL advisory locks are named by two integers: (EVERY_CASE, 0) over every case,
# shared by the relinks of single cases; (ONE_CASE, hash of the key) for each case.
EVERY_CASE, ONE_CASE = 71_001, 71_002
# Above this many cases, one relink takes the lock over every case instead of one lock each
# (PostgreSQL's lock table holds a few thousand locks for all sessions).
MANY_CASES = 200
CHUNK = 500
# What a link copies of its audit, so that a report's filters read the links alone.
COPIED = ("activity_id", "strand_id", "case_type_id")
# The fields a relink writes, in this order.
PLACED = ("audit_date", "earlier_id", "later_date", *COPIED)


def _linked_audits() -> QuerySet[Audit]:
    return (
        Audit.objects.filter(reportable_condition(), audit_date__isnull=False)
        .exclude(case_reference="")
        .order_by()
    )


def _lock(keys: set[str] | None) -> None:
    """Lock these cases (None: every case) until the transaction ends."""
    connection = connections[router.db_for_write(CaseLink)]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if keys is None or len(keys) > MANY_CASES:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, 0)", [EVERY_CASE])
            return
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s, 0)", [EVERY_CASE])
        for key in sorted(keys):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [ONE_CASE, key])


@transaction.atomic(savepoint=False)
def relink_cases(references: Iterable[str]) -> None:
    """Bring the links of these cases (any spelling of their references) up to date."""
    keys = {case_reference_key(reference) for reference in references if reference}
    keys.discard("")
    if not keys:
        return
    _lock(keys)
    for chunk in _chunks(sorted(keys)):
        _relink(chunk)
        compare(_links_of(chunk))


def _links_of(keys: list[str]) -> QuerySet[CaseLink]:
    """The links of these cases' audits (upper-cased references)."""
    return CaseLink.objects.annotate(case_key=Upper("audit__case_reference")).filter(
        case_key__in=keys
    )


def grade_change(before: str, after: str) -> str:
    difference = GRADE_RANK[after] - GRADE_RANK[before]
    return IMPROVED if difference > 0 else DECLINED if difference < 0 else SAME


def _chunks(items: list) -> Iterator[list]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _comparisons(pairs: dict[int, int]) -> dict[int, dict]:
    """{audit: its earlier audit} -> {audit: the COMPARED fields}. Three queries."""
    ids = set(pairs) | set(pairs.values())
    finals = dict(
        Audit.objects.filter(pk__in=ids).annotate(final=final_grade()).values_list("pk", "final")
    )
    grades: dict[int, dict] = defaultdict(dict)
    for audit, number, grade in DomainGrade.objects.filter(
        audit__in=ids, grade__in=OVERALL_CODES, domain__number__in=DOMAIN_NUMBERS
    ).values_list("audit_id", "domain__number", "grade"):
        grades[audit][number] = grade
    actions = {
        row.pop("audit"): row
        for row in AgreedAction.objects.filter(audit__in=set(pairs.values()))
        .values("audit")
        .annotate(**action_count_aggregates(), **OPEN_DUE)
        .order_by()
    }
    compared = {}
    for audit, earlier in pairs.items():
        values = dict(NOT_COMPARED)
        before, after = finals.get(earlier), finals.get(audit)
        if before in GRADE_RANK and after in GRADE_RANK:
            values["overall_change"] = grade_change(before, after)
        for number, grade in grades[audit].items():
            if number in grades[earlier]:
                values[f"domains_{grade_change(grades[earlier][number], grade)}"] |= 1 << number
        counted = actions.get(earlier, {})
        for field, name in EARLIER_ACTIONS.items():
            values[field] = counted.get(name, 0)
        for field in OPEN_DUE:
            values[field] = counted.get(field, values[field])
        compared[audit] = values
    return compared


def compare(links: QuerySet[CaseLink], *, write: bool = True) -> int:
    """Compare again each of these links' audits with its earlier one, and write the links
    whose comparison changed (``write=False``: only count them). Returns how many differ."""
    rows = list(links.order_by("audit_id").values_list("audit_id", "earlier_id", *COMPARED))
    differing = []
    for chunk in _chunks(rows):
        wanted = _comparisons({row[0]: row[1] for row in chunk if row[1] is not None})
        for audit, _earlier, *kept in chunk:
            values = wanted.get(audit, NOT_COMPARED)
            if [values[name] for name in COMPARED] != kept:
                differing.append(CaseLink(audit_id=audit, **values))
    if write and differing:
        update_each_row(CaseLink, list(COMPARED), differing)
    return len(differing)


def _touching(pk: int) -> QuerySet[CaseLink]:
    """The links of an audit and of the audit after it."""
    return CaseLink.objects.filter(Q(audit_id=pk) | Q(earlier_id=pk))


def _relink(keys: list[str]) -> None:
    wanted: dict[int, list] = {}
    previous = None
    rows = (
        _linked_audits()
        .annotate(case_key=Upper("case_reference"))
        .filter(case_key__in=keys)
        .order_by("case_key", "audit_date", "pk")
        .values_list("pk", "case_key", "audit_date", *COPIED)
    )
    for pk, key, day, *copied in rows:
        earlier = None
        if previous is not None and previous[1] == key:
            earlier = previous[0]
            wanted[earlier][2] = day
        wanted[pk] = [day, earlier, None, *copied]
        previous = (pk, key)
    kept = {pk: placed for pk, *placed in _links_of(keys).values_list("audit_id", *PLACED)}
    gone = kept.keys() - wanted.keys()
    if gone:
        CaseLink.objects.filter(audit_id__in=gone).delete()
    CaseLink.objects.bulk_create(
        CaseLink(audit_id=pk, **dict(zip(PLACED, placed, strict=True)))
        for pk, placed in wanted.items()
        if pk not in kept
    )
    moved = [
        CaseLink(audit_id=pk, **dict(zip(PLACED, placed, strict=True)))
        for pk, placed in wanted.items()
        if pk in kept and kept[pk] != placed
    ]
    if moved:
        update_each_row(CaseLink, list(PLACED), moved)


def _wanted() -> QuerySet:
    """Every link as the rule makes it: (audit, *PLACED)."""
    case = [Upper("case_reference")]
    order = [F("audit_date").asc(), F("pk").asc()]
    return (
        _linked_audits()
        .annotate(
            earlier_pk=Window(Lag("pk"), partition_by=case, order_by=order),
            next_date=Window(Lead("audit_date"), partition_by=case, order_by=order),
        )
        .values_list("pk", "audit_date", "earlier_pk", "next_date", *COPIED)
    )


def _kept() -> QuerySet:
    return CaseLink.objects.order_by().values_list("audit_id", *PLACED)


@transaction.atomic
def relink_all() -> int:
    """Make every link anew from the audits (one statement), then compare each audit with its
    earlier one; returns how many links there are."""
    _lock(None)
    CaseLink.objects.all().delete()
    connection = connections[router.db_for_write(CaseLink)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(CaseLink._meta.get_field(name).column) for name in ("audit", *PLACED))
    sql, params = _wanted().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(CaseLink._meta.db_table)} ({columns}) {sql}", params)
    compare(CaseLink.objects.filter(earlier__isnull=False))
    return CaseLink.objects.count()


def stale_links() -> int:
    """How many audits' links differ from the rule (missing, extra or wrong); 0 when all are
    right."""
    missing = _wanted().difference(_kept()).values_list("pk", flat=True)
    extra = _kept().difference(_wanted()).values_list("audit_id", flat=True)
    wrong = {*missing, *extra}
    return len(wrong) + compare(CaseLink.objects.exclude(audit_id__in=wrong), write=False)


def links_missing() -> bool:
    """Whether audits that should have links have none at all (a database from before they
    were kept): one probe each."""
    return not CaseLink.objects.exists() and _linked_audits().exists()


def audit_changed(pk: int, before: tuple | None, after: tuple | None) -> None:
    """``contribution_changed``'s part: after a change to audit ``pk``, relink the case it was
    in and the one it is in now when its place (``audit_place``) moved, else compare again
    the links to and from it (its grades or actions may have changed)."""
    keys = {case_reference_key(place[0]) for place in (before, after) if place} - {""}
    if not keys:
        return
    if before != after:
        relink_cases(keys)
        return
    _lock(keys)
    compare(_touching(pk))


def actions_changed(audit_pk: int) -> None:
    """``action_changed``'s part: compare again the link of the audit after this one."""
    reference = Audit.objects.filter(pk=audit_pk).values_list("case_reference", flat=True)
    key = case_reference_key(reference.first() or "")
    if key:
        _lock({key})
        compare(CaseLink.objects.filter(earlier_id=audit_pk))


def audit_place(pk: int) -> tuple | None:
    """What decides an audit's links: its case reference, date, whether it is past draft, its
    practice flag (its tool, the rest of the rule, never changes), and what its link copies
    of it (COPIED). One query."""
    row = (
        Audit.objects.filter(pk=pk)
        .values_list("case_reference", "audit_date", "status", "is_practice", *COPIED)
        .first()
    )
    if row is None:
        return None
    reference, day, status, practice, *copied = row
    return reference, day, status != Status.DRAFT, practice, *copied
