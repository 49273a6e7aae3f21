"""The report's repeated tables and its sections per audit activity drawn in Python, for
templates/reports/_report_body.html (the page and the PDF):

    {% load report_tables %}
    {% split_table rows heads table_id caption group screen %}  a split by strand or case type
    {% activity_sections sections heads filters screen %}       the sections per audit activity

A report by period has a section for each audit activity, each with two split tables and a
domain profile: thousands of cells, which drawn by includes, loops and variables were most of
the report page's time (a QA lead's draft report held a core for a fifth of a second). The
same characters the templates drew (tests/reports/test_report_tables.py keeps them to
compare), every value escaped; the values are the figures' counts (ints, written as str() as
the templates wrote them unlocalized) and the texts reports.rendering.presentation and
activity_sections write. What each value means is decided there, not here.
"""

import html
from functools import lru_cache

from django import template
from django.template.defaultfilters import pluralize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


# The texts of a report's cells are few (shares, names, labels) and each is written many times.
_escape_text = lru_cache(maxsize=4096)(html.escape)


def escape(value) -> str:
    """``value`` as ``{{ value }}`` writes it unlocalized: an int as str(), text escaped. Plain
    text is escaped by html.escape, which is what Django's escape() runs, without its lazy-text
    wrapper (a table has thousands of cells)."""
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is str:
        return _escape_text(value)
    return conditional_escape(value)


_SMALL = ' <strong class="small-sample">small sample</strong>'
_FILTERED = " and matching the report's filters"
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


def _grade_table_rows(rows) -> str:
    """One row a grade: its label, the auditor's count and share, the final count and share."""
    return "".join(
        f'<tr><th scope="row">{escape(row["label"])}</th>'
        f'<td class="num">{escape(row["auditor_count"])}</td>'
        f'<td class="num">{escape(row["auditor_share"])}</td>'
        f'<td class="num">{escape(row["final_count"])}</td>'
        f'<td class="num">{escape(row["final_share"])}</td></tr>'
        for row in rows
    )


def _of(part: dict) -> str:
    return (
        f'<td class="num">{escape(part["good"])} of {escape(part["applicable"])} '
        f'<span class="pct">{escape(part["share"])}</span></td>'
    )


def _profile_rows(rows) -> str:
    """One row a domain: among the cases graded Does not meet good and among the others, the
    audits at least Meets good of those where the domain applied, and the share."""
    return "".join(
        f'<tr><th scope="row">{escape(row["number"])}. {escape(row["title"])}</th>'
        f"{_of(row['not_met'])}{_of(row['others'])}</tr>"
        for row in rows
    )


def _domains_named(domains: list[dict]) -> str:
    """ "9. Reviews (77.6% (68–85%)); 5. Agencies work together (70.7% (61–79%))" """
    return "; ".join(
        f"{escape(d['number'])}. {escape(d['title'])} ({escape(d['good_share'])})" for d in domains
    )


def _activity_section(s: dict, heads, filtered: bool, screen) -> str:
    sid, name, audits = escape(s["id"]), escape(s["name"]), escape(s["audits"])
    audits_s = pluralize(s["audits"])
    small = _SMALL if s["small_sample"] else ""
    moderation = s["moderation"]
    month = f" ({escape(s['month_label'])})" if s["month_label"] else ""
    out = [
        f'\n<section class="report-section activity-section" aria-labelledby="r-act-{sid}" '
        f'id="act-{sid}">\n'
        f'  <h2 id="r-act-{sid}">Audit activity: {name}{month}</h2>\n'
        f"  <p>{audits} case{audits_s} audited with the case file audit tool, dated in the period"
        f"{_FILTERED if filtered else ''}.{small}</p>\n"
        "  " + "".join(f'<p class="headline">{escape(line)}</p>' for line in s["headline"]) + "\n"
        f"  <p>{escape(moderation['moderated'])} of {audits} audit{audits_s} were moderated (a "
        f"moderation rate of {escape(moderation['rate'])}). Moderators agreed with the "
        f"auditor's grade in {escape(moderation['agreed'])}, raised it in "
        f"{escape(moderation['raised'])} and lowered it in {escape(moderation['lowered'])}.</p>\n"
        f'  <h3 id="act{sid}-grades-heading">{name}: overall grades</h3>\n'
        + (
            f'  <div class="app-table-scroll" role="region" aria-label="Overall grades of {name} '
            'table" tabindex="0">\n'
            if screen
            else "  \n"
        )
        + f'  <table class="govuk-table report-table report-table--fixed" id="act{sid}-grades">\n'
        f"    <caption>Overall grades of the {audits} case{audits_s} audited in {name}, before "
        f"and after moderation{small}</caption>\n"
        '    <colgroup><col class="grades-label"><col class="grades-count"><col '
        'class="grades-share"><col class="grades-count"><col class="grades-share"></colgroup>\n'
        '    <thead><tr><th scope="col">Grade</th><th scope="col" class="num">Auditor\'s grade'
        '</th><th scope="col" class="num">% (95% interval)</th><th scope="col" class="num">'
        'Final grade</th><th scope="col" class="num">% (95% interval)</th></tr></thead>\n'
        "    <tbody>\n"
        f"    {_grade_table_rows(s['grade_table'])}\n"
        f'    <tr class="total"><th scope="row">Total</th><td class="num">{audits}</td><td></td>'
        f'<td class="num">{audits}</td><td></td></tr>\n'
        "    </tbody>\n"
        "  </table>\n"
        f"  {'</div>' if screen else ''}\n"
        f'  <h3 id="act{sid}-split-heading">{name}: by strand and case type</h3>\n'
        f"  {split_table(s['by_strand_rows'], heads, s['strand_table_id'], s['strand_caption'], 'Strand', screen)}\n"  # noqa: E501
        f"  {split_table(s['by_case_type_rows'], heads, s['case_type_table_id'], s['case_type_caption'], 'Case type', screen)}\n"  # noqa: E501
    ]
    note = s["notes"]["small_sample_note"]
    out.append(f'  <p class="small-sample-note">{escape(note)}</p>\n' if note else "  \n")
    out.append(f'  <h3 id="act{sid}-domains-heading">{name}: domains</h3>\n')
    if s["strongest"]:
        out.append(
            "  \n"
            "  <p><strong>Strongest domains</strong> (share of applicable audits at least Meets "
            f"good, 95% interval): {_domains_named(s['strongest'])}.</p>\n"
            f"  <p><strong>Weakest domains:</strong> {_domains_named(s['weakest'])}.</p>\n"
            "  \n"
        )
    else:
        out.append("  \n")
    not_met = s["not_met_in_all_applicable_domains"]
    out.append(
        f'  <p id="act{sid}-not-met">{escape(not_met)} audit{pluralize(not_met)} did not meet '
        f"good in any domain that applied to {pluralize(not_met, 'it,them')}.</p>\n"
    )
    if s["profile"]:
        out.append(
            "  \n"
            + (
                '  <div class="app-table-scroll" role="region" aria-label="Domains of the cases '
                f'that did not meet good in {name} table" tabindex="0">\n'
                if screen
                else "  \n"
            )
            + '  <table class="govuk-table report-table report-table--fixed '
            f'report-table--profile" id="act{sid}-profile">\n'
            f"    <caption>{escape(s['profile_caption'])}</caption>\n"
            '    <colgroup><col class="profile-domain"><col class="profile-share"><col '
            'class="profile-share"></colgroup>\n'
            '    <thead><tr><th scope="col">Domain</th><th scope="col" class="num">Final grade '
            f'Does not meet good ({escape(s["final_not_met"])})<br><span class="pct">at least '
            'Meets, of applicable (95% CI)</span></th><th scope="col" class="num">Other cases '
            f'({escape(s["others"])})<br><span class="pct">at least Meets, of applicable (95% '
            "CI)</span></th></tr></thead>\n"
            f"    <tbody>{_profile_rows(s['profile'])}</tbody>\n"
            "  </table>\n"
            f"  {'</div>' if screen else ''}\n"
            "  \n"
        )
    else:
        out.append(
            f"  \n  <p>No case in {name} was graded Does not meet good after moderation.</p>\n  \n"
        )
    out.append("</section>\n")
    return "".join(out)


@register.simple_tag
def activity_sections(sections, heads, filters, screen=False) -> str:
    """The report's sections per audit activity of the case file audit tool
    (reports.activities, reports.rendering.activity_sections), as councils lay out their board
    papers: each activity's cases, headline, moderation, overall grades, split by strand and
    case type, strongest and weakest domains, and the domains of its cases graded Does not
    meet good beside the others. ``sections`` from activity_sections.section_views, ``heads``
    the grade labels, ``filters`` the figures' (a report filtered by strand or case type says
    so); ``screen`` puts each table in a region that scrolls on its own."""
    filters = filters or {}
    filtered = bool(filters.get("strand") or filters.get("case_type"))
    return mark_safe(
        "\n" + "".join(_activity_section(s, heads, filtered, screen) for s in sections) + "\n"
    )
