import rules
from django import template
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import timesince_filter
from django.template.loader import get_template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

from audits.models import Status
from audits.templatetags.audit_tools import pk_address

from .. import selectors
from ..forms import ExemplarForm
from ..permissions import queue_buttons_for_each

register = template.Library()


@register.inclusion_tag("moderation/_audit_panel.html", takes_context=True)
def moderation_panel(context, audit, for_print=False):
    """Moderation decision, rounds and feedback for the audit page. The panel asks the
    moderation rules which buttons to offer (``{% has_perm %}``). ``for_print`` (the audit's PDF)
    leaves the buttons and forms out but shows what the same rules let the reader see."""
    user = context["user"]
    case = getattr(audit, "moderation_case", None) if hasattr(audit, "moderation_case") else None
    return {
        "audit": audit,
        "user": user,
        "for_print": for_print,
        "case": case,
        "history": selectors.moderation_history(audit, user),
        # Say that rounds exist but are not for this reader, rather than show none silently.
        "feedback_hidden": (
            not rules.has_perm("moderation.read_feedback", user, audit)
            and audit.moderations.exists()
        ),
        "is_exemplar": hasattr(audit, "exemplar"),
        "exemplar_form": ExemplarForm(),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def unacknowledged_feedback(user) -> int:
    if not rules.has_perm("moderation.view_feedback", user):
        return 0
    return selectors.unacknowledged_feedback_count(user)


@register.simple_tag
def queue_size(user) -> int:
    if not rules.has_perm("moderation.view_queue", user):
        return 0
    return selectors.moderation_queue(user).count()


@register.inclusion_tag("moderation/_send_back_notice.html")
def send_back_notice(audit):
    """What the moderator asked the auditor to change, shown on the returned audit's form."""
    if audit is None or audit.status != "returned":
        return {"round": None}
    from ..models import Moderation

    latest = (
        audit.moderations.filter(outcome=Moderation.Outcome.RETURNED)
        .select_related("moderator")
        .order_by("-round")
        .first()
    )
    return {"round": latest}


@register.inclusion_tag("moderation/_home_moderator.html", takes_context=True)
def moderator_home(context):
    """The moderator's section of the home page (audits/home.html), for moderators only."""
    from django.utils import timezone

    user = context["user"]
    if not rules.has_perm("moderation.view_queue", user):
        return {"home": None}
    return {
        "home": selectors.moderator_home(user, now=timezone.now(), today=timezone.localdate()),
        "user": user,
    }


@register.inclusion_tag("moderation/_home_drift.html", takes_context=True)
def drift_alerts_home(context):
    """The drift alerts panel of the home page (audits/home.html), for QA leads and
    administrators only (moderation.view_drift): the auditors flagged now, or that none is.
    Two queries."""
    from .. import drift

    if not rules.has_perm("moderation.view_drift", context["user"]):
        return {"show": False}
    return {"show": True, "alerts": drift.drift_alerts(), "window": drift.window_size()}


@register.inclusion_tag("moderation/_home_feedback.html", takes_context=True)
def feedback_to_acknowledge(context):
    """The auditor's moderation feedback not yet acknowledged, for their home page: how many,
    and the latest few, each linking to its audit. Two queries."""
    user = context["user"]
    if not rules.has_perm("moderation.view_feedback", user):
        return {"count": 0}
    waiting = selectors.feedback_for(user).filter(acknowledged_at__isnull=True)
    count = waiting.count()
    return {"count": count, "latest": list(waiting[: selectors.RECENT]) if count else []}


@register.inclusion_tag("moderation/_overall_grade.html")
def overall_grade(tool, code, label=None):
    """An overall grade as a badge: the standard tool's (audits/_grade.html) or a built tool's
    own grade by name. ``label``, where the page's query already read the name."""
    from .. import scales

    standard = tool is None or tool.is_standard
    return {
        "code": code,
        "standard": standard,
        "label": "" if standard else (label or scales.label(tool, code)),
    }


_QUEUE_ROW = (
    '\n  <tr class="govuk-table__row">\n'
    '    <td class="govuk-table__cell"><a class="govuk-link" href="{href}">{reference}</a>'
    "{practice}</td>\n"
    '    <td class="govuk-table__cell">{auditor}</td>\n'
    '    <td class="govuk-table__cell">{activity}</td>\n'
    '    <td class="govuk-table__cell">{strand}</td>\n'
    '    <td class="govuk-table__cell">{overall}</td>\n'
    '    <td class="govuk-table__cell">{waiting}<br><span class="govuk-body-s">submitted {date}'
    "</span></td>\n"
    '    <td class="govuk-table__cell">{status}</td>\n'
    '    <td class="govuk-table__cell">\n      \n      \n      \n'
    '      <div class="govuk-button-group app-button-group--table">\n      {buttons}\n'
    "      </div>\n    </td>\n  </tr>\n  "
)
_PRACTICE = ' <strong class="govuk-tag govuk-tag--yellow">Practice</strong>'
_WAITING = '<strong class="govuk-tag govuk-tag--grey">Waiting</strong>'
_BEING_MODERATED = (
    '<strong class="govuk-tag govuk-tag--blue">Being moderated</strong><br>'
    '<span class="govuk-body-s">by {}</span>'
)
_TAKE = (
    '\n      <form method="post" action="{}">{}<button class="govuk-button'
    ' govuk-!-margin-bottom-0" data-module="govuk-button" type="submit">Take<span'
    ' class="govuk-visually-hidden"> audit of {}</span></button></form>\n      '
)
_MODERATE = (
    '<a class="govuk-button govuk-!-margin-bottom-0" data-module="govuk-button" href="{}">'
    'Moderate<span class="govuk-visually-hidden"> audit of {}</span></a>'
)
_RELEASE = (
    '<form method="post" action="{}">{}<button class="govuk-button govuk-button--secondary'
    ' govuk-!-margin-bottom-0" data-module="govuk-button" type="submit">Release<span'
    ' class="govuk-visually-hidden"> audit of {}</span></button></form>'
)


def _name(person) -> str:
    """``person.get_full_name|default:person.username``; "" for nobody."""
    if person is None:
        return ""
    return person.get_full_name() or person.username


@register.simple_tag(takes_context=True)
def queue_rows(context, audits, now) -> str:
    """The rows of moderation/queue.html's table, the same characters its loop drew, drawn
    here: three ``{% has_perm %}``, four addresses and some twenty lookups and filters a row
    were most of the page's cost. The rules behind the buttons are asked once per kind of audit
    (permissions.queue_buttons_for_each); each address is reversed once a page, and a grade's
    badge and a day's date drawn once."""
    buttons_for = queue_buttons_for_each(context["user"])
    detail, take = pk_address("audits:detail"), pk_address("moderation:take")
    moderate, release = pk_address("moderation:moderate"), pk_address("moderation:release")
    token = context.get("csrf_token")
    csrf = (
        format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)
        if token and token != "NOTPROVIDED"
        else ""
    )
    use_tz = context.use_tz
    escape = conditional_escape
    badges: dict = {}
    dates: dict = {}
    rows = []
    for audit in audits:
        facts = overall_grade(audit.tool, audit.overall_grade, audit.overall_grade_label)
        key = tuple(facts.values())
        badge = badges.get(key)
        if badge is None:
            badge = badges[key] = get_template("moderation/_overall_grade.html").render(facts)
        submitted = template_localtime(audit.submitted_at, use_tz)
        day = submitted.date() if submitted is not None else None
        if day not in dates:
            dates[day] = escape(date_filter(submitted, "j F Y"))
        if audit.status == Status.IN_MODERATION:
            status = format_html(_BEING_MODERATED, _name(audit.moderation_case.taken_by))
        else:
            status = _WAITING
        reference = escape(audit.case_reference)
        may_take, may_decide, may_release = buttons_for(audit)
        if may_take:
            buttons = format_html(_TAKE, take(audit.pk), csrf, reference)
        else:
            buttons = "\n      {}\n      {}\n      ".format(
                format_html(_MODERATE, moderate(audit.pk), reference) if may_decide else "",
                format_html(_RELEASE, release(audit.pk), csrf, reference) if may_release else "",
            )
        activity = audit.activity
        rows.append(
            _QUEUE_ROW.format(
                href=detail(audit.pk),
                reference=reference,
                practice=_PRACTICE if audit.is_practice else "",
                auditor=escape(_name(audit.auditor)),
                activity=escape((activity.name if activity is not None else "") or "—"),
                strand=escape(audit.strand or "—"),
                overall=badge,
                waiting=escape(timesince_filter(submitted, now)),
                date=dates[day],
                status=status,
                buttons=buttons,
            )
        )
    return mark_safe("".join(rows))
