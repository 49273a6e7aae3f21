"""The figures of a scrutiny report, counted in the database in a fixed number of queries.

A report counts every audit past draft whose audit date lies in the period, never practice
audits. The final grade is the moderated grade where there is one, else the auditor's grade.
Python here only arranges the grouped rows the database returns.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, NullIf

from audits.models import AgreedAction, Audit, AuditActivity, CaseType, Domain, DomainGrade
from audits.models import Grade, Status, Strand

from .periods import Period

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


def domain_counts(audits: QuerySet[Audit]) -> list[dict]:
    """For each domain number: how many audits gave each grade. Two queries.

    Domains are matched by number across tool versions; titles are the newest version's.
    """
    counts = {g: Count("pk", filter=Q(grade=g)) for g in DOMAIN_GRADES}
    rows = {row["domain__number"]: row for row in
            DomainGrade.objects.filter(audit__in=audits).values("domain__number")
            .annotate(**counts).order_by("domain__number")}
    titles = {}
    for number, title in (Domain.objects.order_by("number", "-tool__version")
                          .values_list("number", "title")):
        titles.setdefault(number, title)
    result = []
    for number in sorted(titles):
        row = rows.get(number, {})
        entry = {"number": number, "title": titles[number]}
        entry.update({g: row.get(g, 0) for g in DOMAIN_GRADES})
        result.append(entry)
    return result


def not_met_in_all_applicable(audits: QuerySet[Audit]) -> int:
    """Audits graded Does not meet good in every domain that applied to them: one query."""
    applicable = ~Q(domain_grades__grade__in=[Grade.NOT_APPLICABLE, ""])
    return (audits.annotate(
                applicable=Count("domain_grades", filter=applicable),
                not_met=Count("domain_grades",
                              filter=Q(domain_grades__grade=Grade.DOES_NOT_MEET)))
            .filter(applicable__gt=0, applicable=F("not_met")).count())


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
        return (qs.annotate(auditor_count=Count("auditors", distinct=True))
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

    At most seventeen queries, whatever the number of audits (four for the QA targets).
    """
    audits = reportable_audits(scope)
    totals = grade_totals(audits)
    by_strand = grade_totals_by(audits, "strand__slug")
    by_case_type = grade_totals_by(audits, "case_type__slug")
    previous_period = scope.period.previous()
    previous = grade_totals(reportable_audits(scope, previous_period))
    strand_names = dict(Strand.objects.order_by("order").values_list("slug", "name"))
    return {
        "start": scope.period.start.isoformat(),
        "end": scope.period.end.isoformat(),
        "audits": totals["audits"],
        "auditor_grades": totals["auditor_grades"],
        "final_grades": totals["final_grades"],
        "moderation": totals["moderation"],
        "by_strand": {slug: by_strand.get(slug, _split_zero()) for slug in strand_names},
        "by_case_type": {
            slug: {"audits": row["audits"], "final_grades": row["final_grades"],
                   "auditor_grades": row["auditor_grades"]}
            for slug, row in by_case_type.items()
        },
        "domains": domain_counts(audits),
        "not_met_in_all_applicable_domains": not_met_in_all_applicable(audits),
        "actions": action_counts(audits, today=today),
        "schedule": schedule_figures(scope, today=today),
        "targets": _targets(scope),
        "previous": {"start": previous_period.start.isoformat(),
                     "end": previous_period.end.isoformat(), **previous},
        "filters": scope.filters_dict(),
        "names": {
            "strands": strand_names,
            "case_types": dict(CaseType.objects.filter(slug__in=list(by_case_type))
                               .values_list("slug", "name")),
        },
        "period_label": scope.period.label,
    }


def _split_zero() -> dict:
    zero = {g: 0 for g in GRADES}
    return {"audits": 0, "auditor_grades": dict(zero), "final_grades": dict(zero),
            "moderation": {"moderated": 0, "agreed": 0, "raised": 0, "lowered": 0}}
