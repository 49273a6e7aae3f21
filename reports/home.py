"""The QA lead's home page section: this financial quarter at a glance, from the report's own
figures (reports.figures.report_figures) and presentation (reports.rendering.presentation), so
the home page and a report for the quarter never disagree: the same counts, percentages, chart
and RAG ratings. Python here only picks what the page shows and adds up the activities' rows.
"""

import datetime

from audits import periods
from audits.percentages import format_percent, percent

from .figures import report_figures
from .rendering import presentation
from .selectors import ReportScope
from .targets.measures import AMBER, GREEN, GREY, RAG_LABELS, RED


def quarter_at_a_glance(*, today: datetime.date) -> dict:
    """This quarter's report figures, as the home page shows them: at most fourteen queries,
    whatever the number of audits (report_figures)."""
    year = periods.financial_year_of(today)
    period = periods.quarter(year, periods.financial_quarter_of(today))
    figures = report_figures(ReportScope(period=period), today=today, board_paper=False)
    shown = presentation.build(figures)
    activities = shown["schedule"]["in_period"]
    planned = sum(a["planned"] or 0 for a in activities)
    done = sum(a["submitted"] for a in activities if a["planned"])
    return {
        "period": period,
        "financial_year": year,
        "figures": figures,
        "audits": figures["audits"],
        "planned": planned,
        "done_of_planned": done,
        "done_percent": format_percent(percent(done, planned)),
        "activities": activities,
        "late": [_dated(a) for a in activities if a["late"]],
        "grade_table": shown["grade_table"],
        "grades_chart": shown["grades_chart"],
        "moderation": shown["moderation"],
        "actions": shown["actions"],
        "targets": [{**t, "tag": RAG_TAGS[t["rag"]]} for t in figures["targets"]],
        "targets_by_rag": _by_rag(figures["targets"]),
        "financial_year_label": periods.fy_label(year),
    }


# GOV.UK Frontend's tag colour for each rating; the tag always says the rating in words too.
RAG_TAGS = {
    RED: "govuk-tag--red",
    AMBER: "govuk-tag--yellow",
    GREEN: "govuk-tag--green",
    GREY: "govuk-tag--grey",
}


def _dated(activity: dict) -> dict:
    due = activity.get("due_date")
    return {**activity, "due": datetime.date.fromisoformat(due) if due else None}


def _by_rag(targets: list[dict]) -> list[tuple[str, str, int]]:
    """(tag class, the rating in words, how many targets have it), red, amber, green, no data."""
    return [
        (RAG_TAGS[rag], str(RAG_LABELS[rag]), n)
        for rag in (RED, AMBER, GREEN, GREY)
        if (n := sum(1 for t in targets if t["rag"] == rag))
    ]
