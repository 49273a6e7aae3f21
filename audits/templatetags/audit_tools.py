"""Template tags for audits on any tool: a grade code read on its own tool's scale, and the
name of a built tool (audits.tools).

    {% load audit_tools %}
    {% tool_grade_label audit code %}   "Requires improvement" (a built tool's), "Meets good"
    {% grade_badge audit code %}        what audits/_grade.html draws, without an include
    {% built_tool_name audit %}         "Neglect thematic audit (version 2)", "" for standard
    {% status_label audit %}            "Submitted": audit.get_status_display, for a list's rows
    {% audit_rows page_obj show_auditor %}  the rows of audits/audit_list.html's table

What each tool's grades read as is looked up once per tool and request, so a list of audits
costs no query per row.
"""

from django import template
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from audits import grades
from audits.models import AuditTool, Status, ToolGrade
from audits.permissions import edit_audit_for_each
from audits.tools.kinds import STANDARD_FAMILY

register = template.Library()


def _cache(context) -> dict:
    holder = context.get("request")
    cache = getattr(holder, "_audit_tool_facts", None) if holder is not None else None
    if cache is None:
        cache = context.render_context.get("_audit_tool_facts")
    if cache is None:
        cache = {}
        context.render_context["_audit_tool_facts"] = cache
        if holder is not None:
            holder._audit_tool_facts = cache
    return cache


def _tool_facts(context, tool_id) -> dict:
    """{"standard": bool, "name": str, "labels": {code: label}} of the tool, cached on the
    request (or the rendering): one query tells every built tool apart from the standard
    (built tools are few), and one more per built tool shown reads its scale."""
    cache = _cache(context)
    if "built" not in cache:
        cache["built"] = {
            pk: str(AuditTool(name=name, version=version))
            for pk, name, version in AuditTool.objects.exclude(family=STANDARD_FAMILY).values_list(
                "pk", "name", "version"
            )
        }
    name = cache["built"].get(tool_id)
    if name is None:
        return {"standard": True, "name": "", "labels": {}}
    if tool_id not in cache:
        cache[tool_id] = dict(
            ToolGrade.objects.filter(tool_id=tool_id).values_list("code", "label")
        )
    return {"standard": False, "name": name, "labels": cache[tool_id]}


def _standard_label(code: str) -> str:
    try:
        return grades.label(code)
    except ValueError:
        return code


@register.simple_tag(takes_context=True)
def tool_grade_label(context, audit, code) -> str:
    """How ``code`` reads on the scale of ``audit``'s tool; "" for no grade."""
    if not code:
        return ""
    tool_id = getattr(audit, "tool_id", None)
    if tool_id is None:
        return _standard_label(code)
    facts = _tool_facts(context, tool_id)
    if facts["standard"]:
        return _standard_label(code)
    return facts["labels"].get(code, code)


@register.simple_tag(takes_context=True)
def tool_grade_class(context, audit, code) -> str:
    """The CSS class of a standard grade's badge; none for a built tool's own scale."""
    tool_id = getattr(audit, "tool_id", None)
    if tool_id is not None and not _tool_facts(context, tool_id)["standard"]:
        return ""
    return grades.CSS_CLASSES.get(code, "")


@register.simple_tag(takes_context=True)
def built_tool_name(context, audit) -> str:
    """The name and version of ``audit``'s tool when it is a built tool; "" for the standard."""
    tool_id = getattr(audit, "tool_id", None)
    if tool_id is None:
        return ""
    facts = _tool_facts(context, tool_id)
    return "" if facts["standard"] else facts["name"]


@register.simple_tag(takes_context=True)
def grade_badge(context, audit, code) -> str:
    """What ``{% include "audits/_grade.html" with code=... audit=... %}`` draws, without an
    include: a list page draws two per row (audits/audit_list.html). The same characters, its
    closing line break too. Each badge is drawn once per request (a page of 25 audits shows
    a handful of different ones), kept with the tool facts."""
    if code:
        tool_id = getattr(audit, "tool_id", None)
        scale = (
            tool_id
            if tool_id is not None and not _tool_facts(context, tool_id)["standard"]
            else None
        )
        badges = _cache(context).setdefault("badges", {})
        badge = badges.get((scale, code))
        if badge is None:
            badge = badges[(scale, code)] = format_html(
                '<span class="grade-badge {}">{}</span>\n',
                tool_grade_class(context, audit, code),
                tool_grade_label(context, audit, code),
            )
        return badge
    return mark_safe('<span class="app-secondary-text">Not graded</span>\n')


@register.simple_tag(takes_context=True)
def status_label(context, audit) -> str:
    """``audit.get_status_display()``, the labels read once per request: Django's builds a
    dictionary of every state's translated label on each call (25 times a page of a list)."""
    cache = _cache(context)
    labels = cache.get("status_labels")
    if labels is None:
        labels = cache["status_labels"] = {value: str(label) for value, label in Status.choices}
    return labels.get(audit.status, audit.status)


# A pk no address holds, reversed once and replaced by each row's own (the pk converter takes
# digits only, so the placeholder is a number).
_PK = 9182736450


def pk_address(url_name: str):
    """``pk -> reverse(url_name, args=[pk])``, with reverse() asked once per page."""
    before, after = reverse(url_name, args=[_PK]).split(str(_PK))
    return lambda pk: f"{before}{pk}{after}"


_ROW = (
    '\n  \n  <tr class="govuk-table__row">\n'
    '    <td class="govuk-table__cell"><a class="govuk-link" href="{href}">{reference}</a>'
    "{practice}</td>\n"
    '    <td class="govuk-table__cell">{date}</td>\n'
    "    {auditor}\n"
    '    <td class="govuk-table__cell">{activity}{tool}</td>\n'
    '    <td class="govuk-table__cell">{strand}</td>\n'
    '    <td class="govuk-table__cell">{case_type}</td>\n'
    '    <td class="govuk-table__cell">{overall}</td>\n'
    '    <td class="govuk-table__cell">{final}</td>\n'
    '    <td class="govuk-table__cell">{status}</td>\n'
    "  </tr>\n  "
)
_PRACTICE = ' <strong class="govuk-tag govuk-tag--yellow">Practice</strong>'


@register.simple_tag(takes_context=True)
def audit_rows(context, audits, show_auditor) -> str:
    """The rows of audits/audit_list.html's table, the same characters its loop drew, drawn
    here: some twenty tags and lookups a row, 25 rows a page, were most of the page's cost.
    A row links to the audit's task list where the user may edit it (the rule, asked once per
    kind of audit: permissions.edit_audit_for_each), else to the audit. What rows share (a
    tool's name, a badge, a date, a state) is drawn once a page."""
    may_edit = edit_audit_for_each(context["user"])
    edit, detail = pk_address("audits:edit"), pk_address("audits:detail")
    escape = conditional_escape
    tools: dict = {}  # tool_id: what its rows show of it
    badges: dict = {}  # (tool_id, code): the badge
    dates: dict = {}
    states: dict = {}
    rows = []
    for audit in audits:
        if show_auditor:
            auditor = audit.auditor
            auditor = format_html(
                '<td class="govuk-table__cell">{}</td>',
                auditor.get_full_name() or auditor.username,
            )
        else:
            auditor = ""
        activity = audit.activity
        tool = tools.get(audit.tool_id)
        if tool is None:
            name = built_tool_name(context, audit)
            tool = tools[audit.tool_id] = (
                format_html('<br><span class="govuk-body-s">{}</span>', name) if name else ""
            )
        overall, final = audit.overall_grade, audit.final_grade
        for code in (overall, final):
            if (audit.tool_id, code) not in badges:
                badges[(audit.tool_id, code)] = grade_badge(context, audit, code)
        day = audit.audit_date
        if day not in dates:
            dates[day] = escape(date_filter(day, "j F Y") or "—")
        if audit.status not in states:
            states[audit.status] = escape(status_label(context, audit))
        rows.append(
            _ROW.format(
                href=(edit if may_edit(audit) else detail)(audit.pk),
                reference=escape(audit.case_reference or "(no reference)"),
                practice=_PRACTICE if audit.is_practice else "",
                date=dates[day],
                auditor=auditor,
                activity=escape((activity.name if activity is not None else "") or "—"),
                tool=tool,
                strand=escape(audit.strand or "—"),
                case_type=escape(audit.case_type or "—"),
                overall=badges[(audit.tool_id, overall)],
                final=badges[(audit.tool_id, final)],
                status=states[audit.status],
            )
        )
    return mark_safe("".join(rows))
