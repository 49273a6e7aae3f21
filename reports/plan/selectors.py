"""Reads of the improvement plan: what a user may see, the plan page's list, overdue items for
the home pages, a report's recommendations as lines, and the figures the next report shows
(``plan_progress``: the ``plan`` key of reports.figures.report_figures). Counts come from the
database; Python only reshapes the rows.
"""

import datetime
import re

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Count, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from audits.periods import Period
from audits.permissions import require
from reports.models import PlanItem, PlanNote, Report

Status = PlanItem.Status
OPEN_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS)


def overdue_q(today: datetime.date) -> Q:
    """Still to do and past its due date: the one definition of an overdue plan item."""
    return Q(status__in=OPEN_STATUSES, due_date__lt=today)


def on_time_q() -> Q:
    """Done by its due date."""
    return Q(status=Status.DONE, closed_on__lte=F("due_date"))


def late_q() -> Q:
    return Q(status=Status.DONE, closed_on__gt=F("due_date"))


def with_flags(queryset, *, today: datetime.date):
    return queryset.annotate(
        is_overdue=ExpressionWrapper(overdue_q(today), output_field=BooleanField())
    )


def plan_items_for(user):
    """The items ``user`` may see: all of them for QA leads and administrators, their own for an
    owner, none for anyone else."""
    if rules.has_perm("reports.view_plan", user):
        return PlanItem.objects.all()
    if not user.is_authenticated:
        return PlanItem.objects.none()
    return PlanItem.objects.filter(owner=user)


def plan_list(user, *, today: datetime.date):
    """The plan page's items, each with ``is_overdue``, its report and owner."""
    return with_flags(plan_items_for(user).select_related("report", "owner"), today=today).order_by(
        "due_date", "pk"
    )


def plan_owners():
    """The accounts that own an item, for the plan page's owner filter."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(plan_items__isnull=False)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def overdue_items(*, today: datetime.date, owner=None) -> list[PlanItem]:
    """Overdue items, the longest overdue first; only ``owner``'s when given. One query."""
    items = PlanItem.objects.filter(overdue_q(today)).select_related("report", "owner")
    if owner is not None:
        items = items.filter(owner=owner)
    return list(items.order_by("due_date", "pk"))


def get_plan_item_for(user, pk, action: str = "view") -> PlanItem:
    """The item, or 404 if ``user`` may not see it; 403 if they may see it but not change it
    (``action`` other than "view")."""
    item = (
        PlanItem.objects.select_related("report", "owner", "created_by", "revised_by")
        .filter(pk=pk)
        .first()
    )
    if item is None or not rules.has_perm("reports.view_plan_item", user, item):
        raise Http404(_("There is no such plan item."))
    if action != "view":
        require("reports.change_plan", user, error=PermissionDenied)
    return item


def item_flags(item: PlanItem, *, today: datetime.date) -> dict:
    """One item's overdue and done-on-time flags, as overdue_q and on_time_q count them."""
    return {
        "is_overdue": item.status in OPEN_STATUSES and item.due_date < today,
        "on_time": (
            item.closed_on <= item.due_date
            if item.status == Status.DONE and item.closed_on
            else None
        ),
    }


def item_history(item: PlanItem) -> tuple[list, list]:
    """The item's progress notes and status changes, oldest first."""
    notes = list(item.notes.select_related("by").order_by("at", "pk"))
    moves = list(item.transitions.select_related("by").order_by("at", "pk"))
    return notes, moves


# A line that starts a list item: "1.", "1)", "a)", "-", "*", "•".
BULLET = re.compile(r"^\s*(?:[-*•–]|\(?[0-9]{1,2}[.)]|\(?[a-z][.)])\s+", re.IGNORECASE)


def recommendation_lines(text: str) -> list[str]:
    """A report's recommendations as separate items: one per paragraph, or one per line where a
    paragraph is a list (lines that start with a number or a bullet, or a paragraph of several
    short lines). Bullets and numbers are left off."""
    items = []
    for paragraph in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip()):
        lines = [line.strip() for line in paragraph.split("\n") if line.strip()]
        if not lines:
            continue
        listed = any(BULLET.match(line) for line in lines)
        if listed:
            current: list[str] = []
            for line in lines:
                if BULLET.match(line) and current:
                    items.append(" ".join(current))
                    current = []
                current.append(BULLET.sub("", line, count=1))
            items.append(" ".join(current))
        else:
            items.append(" ".join(lines))
    return [item.strip() for item in items if item.strip()]


def report_item_titles(report: Report) -> set[str]:
    """What the report's items say already, so its recommendations are not offered twice."""
    return set(PlanItem.objects.filter(report=report).values_list("title", flat=True))


def items_of_report(report: Report, *, today: datetime.date) -> list[PlanItem]:
    return list(
        with_flags(PlanItem.objects.filter(report=report), today=today)
        .select_related("owner")
        .order_by("due_date", "pk")
    )


def in_report(period: Period):
    """The items a report of ``period`` follows up: those from reports of earlier periods
    (ended before this one ends), except items closed before this period began, which an
    earlier report has shown closed. A report never lists its own items."""
    return PlanItem.objects.filter(report__end__lt=period.end).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=period.start)
    )


def plan_progress(period: Period, *, today: datetime.date) -> dict:
    """The ``plan`` key of a report's figures: counts by status, overdue, done on time and late,
    and each item's title, status and dates (no names, no notes). Two queries."""
    items = in_report(period)
    counts = items.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=overdue_q(today)),
        done_on_time=Count("pk", filter=on_time_q()),
        done_late=Count("pk", filter=late_q()),
        **{status: Count("pk", filter=Q(status=status)) for status in Status.values},
    )
    rows = (
        with_flags(items, today=today)
        .annotate(
            on_time=ExpressionWrapper(on_time_q(), output_field=BooleanField()),
            report_title=F("report__title"),
            report_period=F("report__period_label"),
        )
        .order_by("due_date", "pk")
        .values(
            "pk",
            "title",
            "status",
            "due_date",
            "closed_on",
            "is_overdue",
            "on_time",
            "report_id",
            "report_period",
        )
    )
    return {
        "as_at": today.isoformat(),
        "total": counts["total"],
        "by_status": {status: counts[status] for status in Status.values},
        "overdue": counts["overdue"],
        "done_on_time": counts["done_on_time"],
        "done_late": counts["done_late"],
        "items": [
            {
                "id": row["pk"],
                "title": row["title"],
                "status": row["status"],
                "due": row["due_date"].isoformat(),
                "closed_on": row["closed_on"].isoformat() if row["closed_on"] else None,
                "overdue": bool(row["is_overdue"]),
                "on_time": (bool(row["on_time"]) if row["status"] == Status.DONE else None),
                "report_id": row["report_id"],
                "report_period": row["report_period"],
            }
            for row in rows
        ],
    }


def latest_notes(item_ids, *, until: datetime.datetime | None = None) -> dict[int, dict]:
    """Each item's latest progress note written by ``until`` (a published report's moment;
    None: now), as {item id: {"text", "at"}}. One query."""
    notes = PlanNote.objects.filter(item=OuterRef("pk"))
    if until is not None:
        notes = notes.filter(at__lte=until)
    notes = notes.order_by("-at", "-pk")
    rows = (
        PlanItem.objects.filter(pk__in=list(item_ids))
        .annotate(
            note_text=Subquery(notes.values("text")[:1]),
            note_at=Subquery(notes.values("at")[:1]),
        )
        .values("pk", "note_text", "note_at")
    )
    return {
        row["pk"]: {"text": row["note_text"], "at": row["note_at"]}
        for row in rows
        if row["note_text"] is not None
    }
