"""The report's repeated tables drawn in Python (templates/reports/_report_body.html and
_report_activities.html, on the page and in the PDF):

    {% load report_tables %}
    {% split_table rows heads table_id caption group screen %}  a split by strand or case type
    {% grade_table_rows rows %}     the rows of an overall grades table (presentation's
                                    "grade_table")
    {% profile_rows rows %}         the rows of an activity's domain profile
                                    (activity_sections.domain_profile)

A report by period has a section for each audit activity, each with two split tables and a
domain profile: thousands of cells, which drawn by includes, loops and variables were most of
the report page's time (a QA lead's draft report held a core for a fifth of a second). The
same characters the templates drew, every value escaped; the values are the figures'
counts (ints, written as str() as the templates wrote them unlocalized) and the texts
reports.rendering.presentation writes. What each value means is decided there, not here.
"""

import html

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()



def escape(value) -> str:
    """``value`` as ``{{ value }}`` writes it unlocalized: an int as str(), text escaped. Plain
    text is escaped by html.escape, which is what Django's escape() runs, without its lazy-text
    wrapper (a table has thousands of cells)."""
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is str:
        return html.escape(value)
    return conditional_escape(value)


_SMALL = ' <strong class="small-sample">small sample</strong>'
_GRADE_COL = '<col class="split-grade">'
_HEAD = '<th scope="col" class="num">{}<br><span class="pct">n, % (95% CI)</span></th>'


def _cells(grades: list[dict]) -> str:
    return "".join(
        f'<td class="num">{escape(g["count"])} <span class="pct">{escape(g["share"])}</span></td>'
        for g in grades
    )


def _split_group(row: dict) -> str:
    name, audits = escape(row["name"]), escape(row["audits"])
    small = row["small_sample"]
    return (
        f'\n  <tbody class="split-rows{" small" if small else ""}" '
        f'data-group="{escape(row["slug"])}">\n'
        f'    <tr><th scope="row">{name}{_SMALL if small else ""}</th><td>Auditor</td>'
        f'<td class="num">{audits}</td>{_cells(row["auditor"])}</tr>\n'
        f'    <tr class="split-final"><th scope="row"><span class="split-repeat">{name}</span>'
        f'</th><td>Final</td><td class="num">{audits}</td>{_cells(row["final"])}</tr>\n'
        "  </tbody>\n  "
    )


@register.simple_tag
def split_table(rows, heads, table_id, caption, group, screen=False) -> str:
    """A split of the audits (by strand or by case type, of the period or of one audit
    activity) before and after moderation. Each group is two rows (no row spans: WeasyPrint
    then tags the PDF's cells with the wrong headers), the auditor's grades, then the final
    grades, each row named by its group; each cell the count and its share with the 95%
    interval. ``rows`` from reports.rendering.presentation.split_rows, ``heads`` the grade
    labels, ``group`` the first column's heading; ``screen`` (the report's page) puts the table
    in a region that scrolls on its own on a narrow screen."""
    caption = escape(caption)
    if rows:
        body = "".join(_split_group(row) for row in rows)
    else:
        body = f'\n  <tbody><tr><td colspan="{len(heads) + 3}">No audits.</td></tr></tbody>\n  '
    scroll = (
        f'<div class="app-table-scroll" role="region" aria-label="{caption} table" tabindex="0">'
        if screen
        else ""
    )
    return mark_safe(
        f"\n{scroll}\n"
        f'<table class="govuk-table report-table report-table--split" id="{escape(table_id)}">\n'
        f"  <caption>{caption}</caption>\n"
        '  <colgroup><col class="split-group"><col class="split-when"><col class="split-audits">'
        f"{_GRADE_COL * len(heads)}</colgroup>\n"
        f'  <thead><tr><th scope="col">{escape(group)}</th><th scope="col">Grade by</th>'
        '<th scope="col" class="num">Audits</th>'
        f"{''.join(_HEAD.format(escape(head)) for head in heads)}</tr></thead>\n"
        f"  {body}\n</table>\n{'</div>' if screen else ''}\n"
    )


@register.simple_tag
def grade_table_rows(rows) -> str:
    """One row a grade: its label, the auditor's count and share, the final count and share."""
    return mark_safe(
        "".join(
            f'<tr><th scope="row">{escape(row["label"])}</th>'
            f'<td class="num">{escape(row["auditor_count"])}</td>'
            f'<td class="num">{escape(row["auditor_share"])}</td>'
            f'<td class="num">{escape(row["final_count"])}</td>'
            f'<td class="num">{escape(row["final_share"])}</td></tr>'
            for row in rows
        )
    )


def _of(part: dict) -> str:
    return (
        f'<td class="num">{escape(part["good"])} of {escape(part["applicable"])} '
        f'<span class="pct">{escape(part["share"])}</span></td>'
    )


@register.simple_tag
def profile_rows(rows) -> str:
    """One row a domain: among the cases graded Does not meet good and among the others, the
    audits at least Meets good of those where the domain applied, and the share."""
    return mark_safe(
        "".join(
            f'<tr><th scope="row">{escape(row["number"])}. {escape(row["title"])}</th>'
            f"{_of(row['not_met'])}{_of(row['others'])}</tr>"
            for row in rows
        )
    )
