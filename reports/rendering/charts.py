"""Charts as SVG made on the server, so they look the same on screen and in the PDF.

Hand-written because the charts are two simple bar shapes: chart libraries either add
JavaScript and CSS that WeasyPrint ignores (pygal) or bring a large numeric stack (matplotlib).
Every label is escaped; each chart has a title and a description for screen readers. In the
tagged PDF the SVG is a Figure whose alternative text is its <title> alone (all WeasyPrint reads),
so a chart's title names the table beside it that holds the same figures.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from audits.grades import CHART_COLOURS
from audits.percentages import format_number

SERIES_COLOURS = ["#7f8c9d", "#1b3a5c"]


def _svg(width, height, title, description, body):
    key = slugify(title) or "chart"
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{key}-t {key}-d" class="chart" '
        f'font-family="DejaVu Sans, Arial, sans-serif" font-size="12">'
        f'<title id="{key}-t">{escape(title)}</title><desc id="{key}-d">{escape(description)}</desc>'
        f"{body}</svg>"
    )


def grouped_bars(
    *,
    title: str,
    categories: list[str],
    series: list[tuple[str, list[float]]],
    unit: str = "%",
    maximum: float = 100,
) -> str:
    """Vertical bars: one group per category, one bar per series (e.g. before/after)."""
    width, height, left, bottom, top = 640, 300, 50, 50, 30
    plot_h = height - bottom - top
    group_w = (width - left - 20) / max(len(categories), 1)
    bar_w = min(60, (group_w - 20) / max(len(series), 1))
    parts = []
    for tick in range(0, 101, 25):
        y = top + plot_h - plot_h * tick / 100
        parts.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#ddd"/><text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{maximum * tick / 100:.0f}{escape(unit)}</text>"
        )
    described = []
    for gi, category in enumerate(categories):
        x0 = left + gi * group_w + (group_w - bar_w * len(series)) / 2
        for si, (name, values) in enumerate(series):
            value = values[gi]
            h = plot_h * min(value, maximum) / maximum if maximum else 0
            x, y = x0 + si * bar_w, top + plot_h - h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 4:.1f}" height="{h:.1f}" '
                f'fill="{SERIES_COLOURS[si % 2]}"/>'
                f'<text x="{x + (bar_w - 4) / 2:.1f}" y="{y - 4:.1f}" '
                f'text-anchor="middle">{format_number(value)}{escape(unit)}</text>'
            )
            described.append(f"{category}, {name}: {format_number(value)}{unit}")
        parts.append(
            f'<text x="{left + gi * group_w + group_w / 2:.1f}" y="{height - bottom + 18}" '
            f'text-anchor="middle">{escape(category)}</text>'
        )
    for si, (name, _values) in enumerate(series):
        x = left + si * 190
        parts.append(
            f'<rect x="{x}" y="{height - 18}" width="12" height="12" '
            f'fill="{SERIES_COLOURS[si % 2]}"/><text x="{x + 18}" y="{height - 8}">'
            f"{escape(name)}</text>"
        )
    return _svg(width, height, title, "; ".join(described), "".join(parts))


def stacked_bars(
    *, title: str, rows: list[tuple[str, dict[str, int]]], keys: list[tuple[str, str]]
) -> str:
    """Horizontal 100% bars, one per row (e.g. a domain), split by key (e.g. grade)."""
    row_h, label_w, width, top = 22, 70, 680, 10
    height = top + row_h * len(rows) + 40
    bar_w = width - label_w - 20
    parts, described = [], []
    for ri, (label, counts) in enumerate(rows):
        y = top + ri * row_h
        total = sum(counts.get(k, 0) for k, _ in keys)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(label)}</text>'
        )
        x = label_w
        for key, _name in keys:
            n = counts.get(key, 0)
            w = bar_w * n / total if total else 0
            if w:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{row_h - 6}" '
                    f'fill="{CHART_COLOURS.get(key, "#555")}"/>'
                )
                if w > 24:
                    parts.append(
                        f'<text x="{x + w / 2:.1f}" y="{y + 14}" text-anchor="middle" '
                        f'fill="#fff">{n}</text>'
                    )
            x += w
        described.append(f"{label}: " + ", ".join(f"{name} {counts.get(k, 0)}" for k, name in keys))
    legend_y = top + row_h * len(rows) + 18
    for ki, (key, name) in enumerate(keys):
        x = label_w + ki * 150
        parts.append(
            f'<rect x="{x}" y="{legend_y - 10}" width="12" height="12" '
            f'fill="{CHART_COLOURS.get(key, "#555")}"/><text x="{x + 18}" y="{legend_y}">'
            f"{escape(name)}</text>"
        )
    return _svg(width, height, title, "; ".join(described), "".join(parts))
