"""The report's trend (figures["trend"], reports.trend) as the page and the PDF show it: a line
chart made on the server and the rows of its table. Works from the figures alone, like
reports.rendering.presentation, so a published report shows the trend it was published with
(one published before the trend existed has none, and shows no section).
"""

from django.utils.html import escape
from django.utils.translation import gettext as _

from audits.grades import GOOD
from audits.percentages import format_number, format_percent, percent
from audits.uncertainty import (
    SMALL_SAMPLE_LABEL,
    format_share,
    interval_note,
    small_sample_note,
    wilson_interval,
)

from .charts import SERIES_COLOURS, _svg


def _good(grades: dict) -> int:
    return sum(grades[g] for g in GOOD)


def trend_rows(trend: list[dict]) -> list[dict]:
    """One row a period: audits, the share at least Meets good before and after moderation
    with its interval, moderation rate, agreement and overdue actions."""
    rows = []
    for entry in trend:
        audits, moderation = entry["audits"], entry["moderation"]
        rows.append(
            {
                "label": entry.get("label") or f"{entry['start']} to {entry['end']}",
                "audits": audits,
                "small_sample": entry.get("small_sample", False),
                "good_before": format_share(_good(entry["auditor_grades"]), audits),
                "good_after": format_share(_good(entry["final_grades"]), audits),
                "moderation_rate": format_percent(percent(moderation["moderated"], audits)),
                "agreement": format_percent(percent(moderation["agreed"], moderation["moderated"])),
                "overdue_actions": entry.get("overdue_actions", 0),
            }
        )
    return rows


def _axis_label(label: str) -> tuple[str, str]:
    """A period's name on two lines under its point: "Quarter 1" / "2026/27"."""
    if " to " in label:
        first, second = label.split(" to ", 1)
        return first + " –", second
    first, _space, second = label.rpartition(" ")
    return (first, second) if first else (label, "")


def trend_chart(trend: list[dict]) -> str:
    """A line chart of the share of audits at least Meets good, by the auditor's grade and the
    final grade, one point a period, each with its 95% interval as a whisker."""
    width, height, left, right, top, bottom = 640, 300, 50, 20, 20, 80
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(trend), 1)
    series = [
        (_("Auditor's grade"), "auditor_grades", -4),
        (_("Final grade"), "final_grades", 4),
    ]

    def y_of(value) -> float:
        return top + plot_h - plot_h * float(value) / 100

    parts, described = [], []
    for tick in range(0, 101, 25):
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}%</text>'
        )
    for index, entry in enumerate(trend):
        x = left + step * index + step / 2
        first, second = _axis_label(entry.get("label", ""))
        parts.append(
            f'<text x="{x:.1f}" y="{height - bottom + 18}" text-anchor="middle">{escape(first)}'
            f'<tspan x="{x:.1f}" dy="14">{escape(second)}</tspan></text>'
        )
    for number, (name, key, offset) in enumerate(series):
        colour = SERIES_COLOURS[number % 2]
        points = []
        for index, entry in enumerate(trend):
            share = percent(_good(entry[key]), entry["audits"])
            if share is None:
                described.append(f"{entry.get('label', '')}, {name}: " + _("no audits"))
                continue
            x = left + step * index + step / 2 + offset
            points.append((x, y_of(share), share))
            interval = wilson_interval(_good(entry[key]), entry["audits"])
            low, high = y_of(interval[0]), y_of(interval[1])
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{low:.1f}" y2="{high:.1f}" '
                f'stroke="{colour}" stroke-width="1.5" stroke-opacity="0.6"/>'
            )
            described.append(
                f"{entry.get('label', '')}, {name}: "
                f"{format_share(_good(entry[key]), entry['audits'])}"
            )
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, share in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
            )
        for x, y, share in points:
            # The auditor's labels above and to the left, the final grade's below and to the
            # right, so that two equal shares do not print over each other.
            label_x, label_y, anchor = (
                (x - 6, y - 8, "end") if number == 0 else (x + 6, y + 16, "start")
            )
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
                f'<text x="{label_x:.1f}" y="{label_y:.1f}" text-anchor="{anchor}">'
                f"{format_number(share)}%</text>"
            )
        legend_x = left + number * 190
        parts.append(
            f'<rect x="{legend_x}" y="{height - 20}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{legend_x + 18}" y="{height - 10}">{escape(name)}</text>'
        )
    title = _(
        "Line chart of the share of audits at least Meets good in each period, before and after "
        "moderation; the figures are in the trend table"
    )
    return _svg(width, height, title, "; ".join(described), "".join(parts))


def trend_view(figures: dict) -> dict | None:
    """What _report_trend.html shows, or None where the figures have no trend."""
    trend = figures.get("trend")
    if not trend:
        return None
    return {
        "rows": trend_rows(trend),
        "chart": trend_chart(trend),
        "first": trend[0].get("label", ""),
        "last": trend[-1].get("label", ""),
        "small_sample_label": SMALL_SAMPLE_LABEL,
        "any_small_sample": any(entry.get("small_sample") for entry in trend),
        "small_sample_note": small_sample_note(),
        "interval_note": interval_note(),
    }
