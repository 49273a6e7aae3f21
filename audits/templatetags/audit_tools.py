"""Template tags for audits on any tool: a grade code read on its own tool's scale, and the
name of a built tool (audits.tools).

    {% load audit_tools %}
    {% tool_grade_label audit code %}   "Requires improvement" (a built tool's), "Meets good"
    {% grade_badge audit code %}        what audits/_grade.html draws, without an include
    {% built_tool_name audit %}         "Neglect thematic audit (version 2)", "" for standard
    {% status_label audit %}            "Submitted": audit.get_status_display, for a list's rows
    {% audit_rows page_obj show_auditor %}  the rows of audits/audit_list.html's table
    {% domain_sections audit %}         audits/audit_detail.html's domains, grades and risks
    {% history_items audit %}           audits/audit_detail.html's transitions, as list items

What each tool's grades read as is looked up once per tool and request, so a list of audits
costs no query per row.
"""

import html

from django import template
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime

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
        return _STANDARD
    if tool_id not in cache:
        cache[tool_id] = dict(
            ToolGrade.objects.filter(tool_id=tool_id).values_list("code", "label")
        )
    return {"standard": False, "name": name, "labels": cache[tool_id]}


_STANDARD = {"standard": True, "name": "", "labels": {}}


def _audit_tool_facts(context, audit) -> dict | None:
    """``_tool_facts`` of ``audit``'s tool (None for no audit or no tool): without a query
    where the audit was read with its tool, or its tool's family, and that tool is the
    standard one."""
    tool_id = getattr(audit, "tool_id", None)
    if tool_id is None:
        return None
    if getattr(audit, "tool_family", None) == STANDARD_FAMILY:  # selectors.list_rows
        return _STANDARD
    state = getattr(audit, "_state", None)
    tool = state.fields_cache.get("tool") if state is not None else None
    if tool is not None and tool.is_standard:
        return _STANDARD
    return _tool_facts(context, tool_id)


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
    facts = _audit_tool_facts(context, audit)
    if facts is None or facts["standard"]:
        return _standard_label(code)
    return facts["labels"].get(code, code)


@register.simple_tag(takes_context=True)
def tool_grade_class(context, audit, code) -> str:
    """The CSS class of a standard grade's badge; none for a built tool's own scale."""
    facts = _audit_tool_facts(context, audit)
    if facts is not None and not facts["standard"]:
        return ""
    return grades.CSS_CLASSES.get(code, "")


@register.simple_tag(takes_context=True)
def built_tool_name(context, audit) -> str:
    """The name and version of ``audit``'s tool when it is a built tool; "" for the standard."""
    facts = _audit_tool_facts(context, audit)
    return "" if facts is None or facts["standard"] else facts["name"]


@register.simple_tag(takes_context=True)
def grade_badge(context, audit, code) -> str:
    """What ``{% include "audits/_grade.html" with code=... audit=... %}`` draws, without an
    include: a list page draws two per row (audits/audit_list.html). The same characters, its
    closing line break too. Each badge is drawn once per request (a page of 25 audits shows
    a handful of different ones), kept with the tool facts."""
    if code:
        facts = _audit_tool_facts(context, audit)
        scale = audit.tool_id if facts is not None and not facts["standard"] else None
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


def _escaped(value) -> str:
    """What ``conditional_escape`` gives for text read from the database, without the check
    for lazy text Django's ``escape`` makes on every call (some 4 microseconds each; a page of
    rows escapes a hundred and fifty values)."""
    return value if isinstance(value, SafeData) else html.escape(str(value))


@register.simple_tag(takes_context=True)
def audit_rows(context, audits, show_auditor) -> str:
    """The rows of audits/audit_list.html's table, the same characters its loop drew, drawn
    here: some twenty tags and lookups a row, 25 rows a page, were most of the page's cost.
    A row links to the audit's task list where the user may edit it (the rule, asked once per
    kind of audit: permissions.edit_audit_for_each), else to the audit. What rows share (a
    tool's name, a badge, a date, a state) is drawn once a page."""
    may_edit = edit_audit_for_each(context["user"])
    edit, detail = pk_address("audits:edit"), pk_address("audits:detail")
    escape = _escaped
    tools: dict = {}  # tool_id: what its rows show of it
    badges: dict = {}  # (tool_id, code): the badge
    dates: dict = {}
    states: dict = {}
    rows = []
    for audit in audits:
        if show_auditor:
            # User.get_full_name(), from the names the list read (selectors.LIST_ROW_NAMES)
            name = f"{audit.auditor_first_name} {audit.auditor_last_name}".strip()
            auditor = f'<td class="govuk-table__cell">{escape(name or audit.auditor_username)}</td>'
        else:
            auditor = ""
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
                activity=escape(audit.activity_name or "—"),
                tool=tool,
                strand=escape(audit.strand_name or "—"),
                case_type=escape(audit.case_type_name or "—"),
                overall=badges[(audit.tool_id, overall)],
                final=badges[(audit.tool_id, final)],
                status=states[audit.status],
            )
        )
    return mark_safe("".join(rows))


_DOMAIN = (
    '\n<h3 class="govuk-heading-s" id="domain-{number}-title">{number}. {title}</h3>\n'
    '<dl class="govuk-summary-list" aria-labelledby="domain-{number}-title">\n  {risks}\n'
    '  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Grade</dt>'
    '<dd class="govuk-summary-list__value">{badge}</dd></div>\n'
    '  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Evaluation</dt>'
    '<dd class="govuk-summary-list__value">{text}</dd></div>\n</dl>\n'
)
_RISKS = (
    '\n  <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Risks</dt>'
    '<dd class="govuk-summary-list__value">{}</dd></div>\n  '
)


@register.simple_tag(takes_context=True)
def domain_sections(context, audit) -> str:
    """Each domain of ``audit`` with its grade and evaluation (the risks beside domain 1), the
    same characters the detail page's loop drew: some 350 Python calls a domain through the
    template, twelve domains a page. The grades, domains and risks as prefetched
    (selectors.parts_prefetch)."""
    escape = conditional_escape
    risks = list(audit.risk_categories.all())
    out = []
    for grade in audit.domain_grades.all():
        domain = grade.domain
        number = escape(domain.number)
        out.append(
            _DOMAIN.format(
                number=number,
                title=escape(domain.title),
                risks=format_html(_RISKS, mark_safe(", ".join(escape(r) for r in risks)))
                if domain.number == 1 and risks
                else "",
                badge=grade_badge(context, audit, grade.grade),
                text=linebreaksbr(grade.text, autoescape=True) or "—",
            )
        )
    return mark_safe("".join(out))


_HISTORY_ITEM = "\n  <li>{at}: {before} → {after}{by}{comment}</li>\n  "


@register.simple_tag(takes_context=True)
def history_items(context, audit) -> str:
    """Each transition of ``audit`` as a list item (when, from and to which status, by whom,
    the comment): what the detail page's loop drew, the transitions and their people as
    prefetched (selectors.parts_prefetch)."""
    escape = conditional_escape
    use_tz = context.use_tz
    labels = {value: str(label) for value, label in Status.choices}
    out = []
    for transition in audit.transitions.all():
        by = transition.by
        out.append(
            _HISTORY_ITEM.format(
                at=escape(date_filter(template_localtime(transition.at, use_tz), "j F Y, H:i")),
                before=escape(labels.get(transition.from_status, transition.from_status) or "new"),
                after=escape(labels.get(transition.to_status, transition.to_status)),
                by=format_html(" by {}", by.get_full_name() or by.username) if by else "",
                comment=format_html(" — {}", transition.comment) if transition.comment else "",
            )
        )
    return mark_safe("".join(out))
