"""The results of activities whose audits use a built tool: for each question, how the audits
answered it, and the overall grades before and after moderation.

Counted in the database in a fixed number of queries, however many audits and activities
(``activity_results``); Python only arranges the grouped rows and divides a sum by a count for a
mean. The standard tool's figures are audits.figures and reports.selectors: audits of a built
tool never enter them, and audits of the standard tool never enter these.

Every value is plain JSON data (numbers as strings, exact to the cent, dates as ISO strings), so
the period report can freeze it on publishing and the JSON report can print it. Percentages are
not stored: the page works them out with audits.percentages from these counts.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, DecimalField, Max, Min, Q, QuerySet, Sum

from audits.models import Answer, Audit, AuditActivity, AuditTool, Question, Status, ToolGrade
from audits.percentages import format_number, round_one_place

from .kinds import COUNTED_KINDS, STANDARD_FAMILY, ActivityKind, QuestionKind, YesNo

CENT = Decimal("0.01")
# Wide enough that a sum of many answers keeps every digit (Answer.number has 12).
_SUM = DecimalField(max_digits=24, decimal_places=2)


def results_condition(prefix: str = "") -> Q:
    """The audits an activity's results count: past draft, never practice, made with a built
    tool. (audits.figures.reportable_condition is the same rule for the standard tool.)"""
    return (
        ~Q(**{f"{prefix}status": Status.DRAFT})
        & ~Q(**{f"{prefix}is_practice": True})
        & ~Q(**{f"{prefix}tool__family": STANDARD_FAMILY})
    )


def built_activities() -> QuerySet[AuditActivity]:
    """Activities whose audits use a built tool."""
    return (
        AuditActivity.objects.filter(tool__isnull=False)
        .exclude(tool__family=STANDARD_FAMILY)
        .select_related("tool")
    )


def answered_condition() -> Q:
    """Whether an answer says something, by its question's kind (Answer.is_blank's rule, kind
    by kind, for the database)."""
    return (
        (Q(question__kind__in=COUNTED_KINDS) & ~Q(value=""))
        | (Q(question__kind=QuestionKind.NUMBER) & Q(number__isnull=False))
        | (Q(question__kind=QuestionKind.DATE) & Q(date__isnull=False))
        | (Q(question__kind=QuestionKind.TEXT) & ~Q(text=""))
    )


def _number(value) -> str | None:
    return None if value is None else format_number(Decimal(value).quantize(CENT))


def _mean(total, count: int) -> str | None:
    if not count or total is None:
        return None
    # To one decimal place by the app's one rounding rule, as its percentages are.
    return format_number(round_one_place(Decimal(total) / Decimal(count)))


def _iso(day) -> str | None:
    if day is None:
        return None
    if isinstance(day, str):  # some backends give an aggregate of dates as text
        return datetime.date.fromisoformat(day[:10]).isoformat()
    return day.isoformat()


def _value_labels(question: Question, scale: list[dict]) -> list[tuple[str, str]]:
    """(stored value, label) of every answer a counted question can have, in order."""
    if question.kind == QuestionKind.GRADED:
        return [(g["code"], g["label"]) for g in scale]
    if question.kind == QuestionKind.YES_NO:
        return [(c.value, str(c.label)) for c in YesNo]
    return [(option, option) for option in question.options]


def activity_results(activities, *, audits: Q | None = None) -> list[dict]:
    """The results of each of ``activities`` (built-tool activities, in the order given), from
    its audits matching ``audits`` (a condition on Audit, such as a period): seven queries, and
    one more to read ``activities`` if they are a queryset, whatever the number of activities
    and audits."""
    activities = list(activities)
    if not activities:
        return []
    ids = [a.pk for a in activities]
    audit_q = results_condition() & Q(activity__in=ids) & (audits or Q())
    audit_rows = (
        Audit.objects.filter(audit_q)
        .values("activity", "tool", "overall_grade", "moderated_grade")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_activity = defaultdict(list)
    tools_of = defaultdict(set)
    for row in audit_rows:
        by_activity[row["activity"]].append(row)
        tools_of[row["activity"]].add(row["tool"])
    for activity in activities:
        tools_of[activity.pk].add(activity.tool_id)
    tool_ids = set().union(*tools_of.values())
    tool_rows = AuditTool.objects.in_bulk(tool_ids)

    scales = defaultdict(list)
    for grade in ToolGrade.objects.filter(tool__in=tool_ids).order_by("tool", "position"):
        scales[grade.tool_id].append(
            {
                "code": grade.code,
                "label": grade.label,
                "position": grade.position,
                "is_good": grade.is_good,
            }
        )
    questions = list(
        Question.objects.filter(section__tool__in=tool_ids)
        .select_related("section__tool")
        .order_by("section__tool__version", "section__number", "number")
    )

    answer_q = Q(audit__in=Audit.objects.filter(audit_q).values("pk"))
    per_question = {
        (row["audit__activity"], row["question"]): row
        for row in Answer.objects.filter(answer_q)
        .values("audit__activity", "question")
        .annotate(
            answered_n=Count("pk", filter=answered_condition()),
            items=Sum("items_checked"),
            number_n=Count("number"),
            number_min=Min("number"),
            number_max=Max("number"),
            number_sum=Sum("number", output_field=_SUM),
            date_n=Count("date"),
            date_min=Min("date"),
            date_max=Max("date"),
        )
        .order_by()
    }
    per_value = defaultdict(dict)
    for row in (
        Answer.objects.filter(answer_q, question__kind__in=COUNTED_KINDS)
        .exclude(value="")
        .values("audit__activity", "question", "value")
        .annotate(n=Count("pk"), items=Sum("items_checked"))
        .order_by()
    ):
        per_value[(row["audit__activity"], row["question"])][row["value"]] = row
    texts = defaultdict(list)
    for row in (
        Answer.objects.filter(answer_q, question__kind=QuestionKind.TEXT)
        .exclude(text="")
        .values(
            "audit__activity",
            "question",
            "audit",
            "audit__case_reference",
            "audit__audit_date",
            "text",
        )
        .order_by("audit__audit_date", "audit__case_reference", "audit")
    ):
        texts[(row["audit__activity"], row["question"])].append(
            {
                "audit": row["audit"],
                "case_reference": row["audit__case_reference"],
                "audit_date": _iso(row["audit__audit_date"]),
                "text": row["text"],
            }
        )

    results = []
    for activity in activities:
        tool = tool_rows[activity.tool_id]
        tools = tools_of[activity.pk]
        several = len(tools) > 1
        audits_n = sum(row["n"] for row in by_activity[activity.pk])
        sections, current = [], None
        for question in questions:
            if question.section.tool_id not in tools:
                continue
            section = question.section
            if current is None or current["id"] != section.pk:
                title = section.title
                if several:
                    title = f"{title} (version {section.tool.version})"
                current = {"id": section.pk, "number": section.number, "title": title}
                current["questions"] = []
                sections.append(current)
            key = (activity.pk, question.pk)
            current["questions"].append(
                _question_result(
                    question,
                    scales[section.tool_id],
                    per_question.get(key) or {},
                    per_value.get(key) or {},
                    texts.get(key) or [],
                    audits_n,
                )
            )
        for section in sections:
            del section["id"]
        results.append(
            {
                "activity": activity.name,
                "activity_id": activity.pk,
                "month": activity.month.isoformat(),
                "kind": activity.kind,
                "kind_label": str(ActivityKind(activity.kind).label),
                "tool": tool.name,
                "tool_version": tool.version,
                "counts_items": activity.kind == ActivityKind.DIP_SAMPLE,
                "planned": activity.planned_audits,
                "audits": audits_n,
                "overall": _overall(tool, by_activity[activity.pk], scales),
                "sections": sections,
            }
        )
    return results


def _question_result(question, scale, row, values, texts, audits_n) -> dict:
    answered = row.get("answered_n", 0)
    result = {
        "number": question.number,
        "text": question.text,
        "kind": question.kind,
        "audits": audits_n,
        "answered": answered,
        "not_answered": audits_n - answered,
        "items_checked": row.get("items"),
    }
    if question.kind in COUNTED_KINDS:
        known = _value_labels(question, scale)
        rows = [
            {
                "value": value,
                "label": label,
                "count": values[value]["n"] if value in values else 0,
                "items_checked": values[value]["items"] if value in values else None,
            }
            for value, label in known
        ]
        # A value no longer among the options (never expected: a tool with audits is frozen)
        # is still shown, so the rows always add up to the audits that answered.
        known_values = {value for value, _label in known}
        rows += [
            {"value": v, "label": v, "count": r["n"], "items_checked": r["items"]}
            for v, r in sorted(values.items())
            if v not in known_values
        ]
        result["answers"] = rows
    elif question.kind == QuestionKind.NUMBER:
        n = row.get("number_n", 0)
        result["numbers"] = {
            "count": n,
            "min": _number(row.get("number_min")),
            "max": _number(row.get("number_max")),
            "mean": _mean(row.get("number_sum"), n),
        }
    elif question.kind == QuestionKind.DATE:
        result["dates"] = {
            "count": row.get("date_n", 0),
            "first": _iso(row.get("date_min")),
            "last": _iso(row.get("date_max")),
        }
    elif question.kind == QuestionKind.TEXT:
        result["texts"] = texts
    return result


def _overall(tool: AuditTool, rows: list[dict], scales) -> dict | None:
    """The overall grades before (the auditor's) and after moderation (the final grade), and
    how moderation changed them: position 1 is the best grade of a tool's scale."""
    if not tool.has_overall_grade:
        return None
    scale = scales[tool.pk]
    codes = [g["code"] for g in scale]
    position = {(tool, g["code"]): g["position"] for tool, grades in scales.items() for g in grades}
    auditor, final = dict.fromkeys(codes, 0), dict.fromkeys(codes, 0)
    moderation = {"moderated": 0, "agreed": 0, "raised": 0, "lowered": 0}
    not_graded = 0
    for row in rows:
        given, moderated, n = row["overall_grade"], row["moderated_grade"], row["n"]
        if not given:
            not_graded += n
        else:
            auditor[given] = auditor.get(given, 0) + n
        last = moderated or given
        if last:
            final[last] = final.get(last, 0) + n
        if moderated:
            moderation["moderated"] += n
            before = position.get((row["tool"], given))
            after = position.get((row["tool"], moderated))
            if before is not None and after is not None:
                key = "agreed" if after == before else "raised" if after < before else "lowered"
                moderation[key] += n
    labels = {g["code"]: g["label"] for g in scale}
    return {
        "scale": [{"code": g["code"], "label": g["label"], "is_good": g["is_good"]} for g in scale],
        "labels": {code: labels.get(code, code) for code in {*auditor, *final}},
        "auditor_grades": auditor,
        "final_grades": final,
        "not_graded": not_graded,
        "moderation": moderation,
    }
