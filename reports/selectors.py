"""The figures of a scrutiny report, counted in the database in a fixed number of queries.

A report counts every audit past draft whose audit date lies in the period, never practice
audits. The final grade is the moderated grade where there is one, else the auditor's grade.
Python here only arranges the grouped rows the database returns (and adds up the counts of
groups that a figure spans, such as a strand's over its case types).
"""

import datetime
from dataclasses import dataclass

from django.db.models import (Case, CharField, Count, Exists, F, IntegerField, OuterRef, Q,
                              QuerySet, Subquery, Value, When)
from django.db.models.functions import Coalesce, NullIf

from audits.models import AgreedAction, Audit, AuditActivity, CaseType, Domain, DomainGrade
from audits.models import Grade, Status, Strand

from .periods import Period, date_range

GRADES = ("exceeds", "meets", "does_not_meet")
DOMAIN_GRADES = (*GRADES, "not_applicable")


@dataclass(frozen=True)
class ReportScope:
    """What a report covers: a period and optional filters."""

    period: Period
    activity: AuditActivity | None = None
    strand: Strand | None = None
    case_type: CaseType | None = None

    def filters_dict(self) -> dict:
        return {
            "activity": self.activity.name if self.activity else None,
            "strand": self.strand.slug if self.strand else None,
            "case_type": self.case_type.slug if self.case_type else None,
        }


def reportable_audits(scope: ReportScope, period: Period | None = None) -> QuerySet[Audit]:
    period = period or scope.period
    audits = (Audit.objects.exclude(status=Status.DRAFT).exclude(is_practice=True)
              .filter(audit_date__gte=period.start, audit_date__lte=period.end))
    if scope.activity:
        audits = audits.filter(activity=scope.activity)
    if scope.strand:
        audits = audits.filter(strand=scope.strand)
    if scope.case_type:
        audits = audits.filter(case_type=scope.case_type)
    return audits.order_by()


def _rank(field: str):
    return Case(
        When(**{field: Grade.EXCEEDS}, then=Value(3)),
        When(**{field: Grade.MEETS}, then=Value(2)),
        When(**{field: Grade.DOES_NOT_MEET}, then=Value(1)),
        default=Value(None), output_field=IntegerField(),
    )


def _with_final(audits: QuerySet[Audit]) -> QuerySet[Audit]:
    return audits.annotate(
        final=Coalesce(NullIf(F("moderated_grade"), Value("")), F("overall_grade")),
        auditor_rank=_rank("overall_grade"),
        moderated_rank=_rank("moderated_grade"),
    )


def _grade_counts() -> dict:
    """Aggregate expressions for the grade split, moderation and its direction."""
    counts = {"audits": Count("pk")}
    for grade in GRADES:
        counts[f"auditor_{grade}"] = Count("pk", filter=Q(overall_grade=grade))
        counts[f"final_{grade}"] = Count("pk", filter=Q(final=grade))
    counts["moderated"] = Count("pk", filter=Q(moderated_grade__gt=""))
    counts["agreed"] = Count("pk", filter=Q(moderated_rank=F("auditor_rank")))
    counts["raised"] = Count("pk", filter=Q(moderated_rank__gt=F("auditor_rank")))
    counts["lowered"] = Count("pk", filter=Q(moderated_rank__lt=F("auditor_rank")))
    return counts


def _split(row: dict) -> dict:
    return {
        "audits": row["audits"],
        "auditor_grades": {g: row[f"auditor_{g}"] for g in GRADES},
        "final_grades": {g: row[f"final_{g}"] for g in GRADES},
        "moderation": {k: row[k] for k in ("moderated", "agreed", "raised", "lowered")},
    }


def grade_totals(audits: QuerySet[Audit]) -> dict:
    """Counts of auditor and final grades and of moderation outcomes: one query."""
    return _split(_with_final(audits).aggregate(**_grade_counts()))


def grade_totals_by(audits: QuerySet[Audit], key: str) -> dict[str, dict]:
    """The same counts grouped by ``key`` (for example "strand__slug"): one query."""
    rows = _with_final(audits).values(key).annotate(**_grade_counts()).order_by(key)
    return {row[key]: _split(row) for row in rows if row[key] is not None}


CURRENT, PREVIOUS = "current", "previous"


def _add(total: dict, counts: dict) -> None:
    for name, count in counts.items():
        total[name] = total.get(name, 0) + count


def grade_totals_grouped(scope: ReportScope, previous_period: Period) -> dict:
    """The grade counts of ``scope`` in total, by strand and by case type, and the totals of
    ``previous_period`` (same filters): one query, one pass over the audits of both periods.

    The database counts each (period, strand, case type) group; every figure is a count, so
    the total, a strand's or a case type's is the sum of its groups' counts, added up here
    from at most 2 x strands x case types rows. Returns {"totals", "previous": split dict,
    "by_strand", "by_case_type": {strand_id or case_type_id: split dict}} (no None keys).
    """
    current = scope.period
    which = Case(
        When(audit_date__gte=current.start, audit_date__lte=current.end, then=Value(CURRENT)),
        When(audit_date__gte=previous_period.start, audit_date__lte=previous_period.end,
             then=Value(PREVIOUS)),
        default=Value(None), output_field=CharField())
    # The previous period ends the day before the current one starts, so the two together
    # are one date range: one range scan of the audit date index, not two.
    both = date_range(min(current.start, previous_period.start),
                      max(current.end, previous_period.end))
    rows = (_with_final(reportable_audits(scope, both)).annotate(which=which)
            .values("which", "strand", "case_type").annotate(**_grade_counts()).order_by())
    totals, previous, by_strand, by_case_type = {}, {}, {}, {}
    for row in rows:
        counts = {name: row[name] for name in row
                  if name not in ("which", "strand", "case_type")}
        if row["which"] == PREVIOUS:
            _add(previous, counts)
        elif row["which"] == CURRENT:
            _add(totals, counts)
            if row["strand"] is not None:
                _add(by_strand.setdefault(row["strand"], {}), counts)
            if row["case_type"] is not None:
                _add(by_case_type.setdefault(row["case_type"], {}), counts)
    zero = dict.fromkeys(_grade_counts(), 0)
    return {"totals": _split({**zero, **totals}), "previous": _split({**zero, **previous}),
            "by_strand": {pk: _split(row) for pk, row in by_strand.items()},
            "by_case_type": {pk: _split(row) for pk, row in by_case_type.items()}}


def domain_counts(audits: QuerySet[Audit]) -> list[dict]:
    """For each domain number: how many audits gave each grade. Two queries.

    Domains are matched by number across tool versions; titles are the newest version's.
    """
    numbers, titles = {}, {}
    for pk, number, title in (Domain.objects.order_by("number", "-tool__version")
                              .values_list("pk", "number", "title")):
        numbers[pk] = number
        titles.setdefault(number, title)
    # Grouped by domain_id, not by the number: no join to the domain table for every grade
    # row. Each tool version's domains are then added up under their number.
    counts = {g: Count("pk", filter=Q(grade=g)) for g in DOMAIN_GRADES}
    by_number = {number: dict.fromkeys(DOMAIN_GRADES, 0) for number in titles}
    for row in (DomainGrade.objects.filter(audit__in=audits).values("domain")
                .annotate(**counts).order_by()):
        entry = by_number[numbers[row["domain"]]]
        for grade in DOMAIN_GRADES:
            entry[grade] += row[grade]
    return [{"number": number, "title": titles[number], **by_number[number]}
            for number in sorted(titles)]


def not_met_in_all_applicable(audits: QuerySet[Audit]) -> int:
    """Audits graded Does not meet good in every domain that applied to them: one query.

    A domain applies unless it is graded Not applicable (or left blank). So: at least one
    domain graded Does not meet good, and none graded anything else that applies. Two
    Exists probes per audit, instead of joining every grade and grouping by audit.
    """
    grades = DomainGrade.objects.filter(audit=OuterRef("pk"))
    not_met = grades.filter(grade=Grade.DOES_NOT_MEET)
    other = grades.exclude(grade__in=[Grade.DOES_NOT_MEET, Grade.NOT_APPLICABLE, ""])
    return audits.filter(Exists(not_met), ~Exists(other)).count()


def action_counts(audits: QuerySet[Audit], *, today: datetime.date) -> dict:
    """Agreed actions on the period's audits: raised, done (on time, late), open, overdue."""
    done = Q(state=AgreedAction.State.DONE)
    return AgreedAction.objects.filter(audit__in=audits).aggregate(
        raised=Count("pk"),
        done=Count("pk", filter=done),
        done_on_time=Count("pk", filter=done & (Q(due_date__isnull=True)
                                                | Q(completed_on__lte=F("due_date")))),
        done_late=Count("pk", filter=done & Q(completed_on__gt=F("due_date"))),
        not_needed=Count("pk", filter=Q(state=AgreedAction.State.NOT_NEEDED)),
        open=Count("pk", filter=Q(state=AgreedAction.State.OPEN)),
        overdue=Count("pk", filter=Q(state=AgreedAction.State.OPEN, due_date__lt=today)),
    )


def _activity_rows(activities) -> list[dict]:
    return [{"month": a.month.isoformat(), "name": a.name, "theme": a.theme,
             "strand": a.strand.name if a.strand else None,
             "planned": a.planned_audits, "submitted": a.audits_done,
             "completed": a.audits_completed, "auditors": a.auditor_count,
             "due_date": a.due_date.isoformat() if a.due_date else None, "late": a.is_late}
            for a in activities]


def schedule_figures(scope: ReportScope, *, today: datetime.date) -> dict:
    """Planned against done for the period's activities, and the plan for the three months
    after it. Two queries."""
    from audits.selectors import activities_with_counts
    from .periods import add_months

    def scoped(qs):
        if scope.activity:
            qs = qs.filter(pk=scope.activity.pk)
        if scope.strand:
            qs = qs.filter(Q(strand=scope.strand) | Q(strand__isnull=True))
        # A correlated count, so that joining the auditors does not multiply the audits
        # that activities_with_counts counts.
        return (qs.annotate(auditor_count=Coalesce(Subquery(
                    AuditActivity.auditors.through.objects.filter(auditactivity=OuterRef("pk"))
                    .order_by().values("auditactivity").annotate(n=Count("*")).values("n"),
                    output_field=IntegerField()), 0))
                .prefetch_related(None).order_by("month", "name"))

    period = scope.period
    coming_start = add_months(period.end.replace(day=1), 1)
    coming_end = add_months(coming_start, 2)
    return {
        "in_period": _activity_rows(scoped(activities_with_counts(
            today=today, start=period.start.replace(day=1), end=period.end))),
        "coming": _activity_rows(scoped(activities_with_counts(
            today=today, start=coming_start, end=coming_end))),
    }


def _targets(scope: ReportScope) -> list[dict]:
    # reports.targets builds on this module, so it is imported when needed.
    from .targets import targets_table

    return targets_table(scope)


def report_figures(scope: ReportScope, *, today: datetime.date) -> dict:
    """Every figure of the report, as plain data (the JSON contract plus what pages show).

    At most thirteen queries, whatever the number of audits (four of them for the QA targets):
    ten with no targets set.
    """
    audits = reportable_audits(scope)
    previous_period = scope.period.previous()
    grouped = grade_totals_grouped(scope, previous_period)
    totals = grouped["totals"]
    strands = list(Strand.objects.order_by("order").values_list("pk", "slug", "name"))
    by_strand = {slug: grouped["by_strand"].get(pk) or _split_zero()
                 for pk, slug, name in strands}
    # Every case type (a short list), in its own order, to name the ones the audits have;
    # the figures by case type are in slug order (Python's, the same as SQLite's and as a
    # PostgreSQL database with the C collation would sort them).
    case_types = list(CaseType.objects.values_list("pk", "slug", "name"))
    slugs = {pk: slug for pk, slug, name in case_types}
    by_case_type = {slugs[pk]: row for pk, row in grouped["by_case_type"].items()}
    return {
        "start": scope.period.start.isoformat(),
        "end": scope.period.end.isoformat(),
        "audits": totals["audits"],
        "auditor_grades": totals["auditor_grades"],
        "final_grades": totals["final_grades"],
        "moderation": totals["moderation"],
        "by_strand": by_strand,
        "by_case_type": {
            slug: {"audits": row["audits"], "final_grades": row["final_grades"],
                   "auditor_grades": row["auditor_grades"]}
            for slug, row in sorted(by_case_type.items())
        },
        "domains": domain_counts(audits),
        "not_met_in_all_applicable_domains": not_met_in_all_applicable(audits),
        "actions": action_counts(audits, today=today),
        "schedule": schedule_figures(scope, today=today),
        "targets": _targets(scope),
        "previous": {"start": previous_period.start.isoformat(),
                     "end": previous_period.end.isoformat(), **grouped["previous"]},
        "filters": scope.filters_dict(),
        "names": {
            "strands": {slug: name for pk, slug, name in strands},
            "case_types": {slug: name for pk, slug, name in case_types if slug in by_case_type},
        },
        "period_label": scope.period.label,
    }


def _split_zero() -> dict:
    zero = {g: 0 for g in GRADES}
    return {"audits": 0, "auditor_grades": dict(zero), "final_grades": dict(zero),
            "moderation": {"moderated": 0, "agreed": 0, "raised": 0, "lowered": 0}}
