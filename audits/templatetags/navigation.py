"""The service navigation's links (templates/base.html): one tag draws a link and says which is
the current section, so the menu and aria-current never disagree; another draws the whole menu,
each item for whoever its rule lets see it."""

import rules
from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


# The addresses of views that take no arguments, by URLconf and script prefix (all they
# depend on): base.html draws some fifteen on every page, each a reverse() of its own.
_addresses: dict = {}


def address(url_name: str) -> str:
    """``reverse(url_name)`` for a view that takes no arguments, reversed once per worker."""
    key = (url_name, get_urlconf(), get_script_prefix())
    url = _addresses.get(key)
    if url is None:
        url = _addresses[key] = reverse(url_name)
    return url


@register.simple_tag(name="address")
def address_tag(url_name: str) -> str:
    """``{% address "pages:help" %}``: what ``{% url "pages:help" %}`` draws, reversed once."""
    return address(url_name)


@register.simple_tag(takes_context=True)
def nav_link(context, url_name: str, label: str, count: int = 0, count_label: str = ""):
    """A GOV.UK service navigation item, current when the page is at or under its address (the
    home page only when it is the page itself). ``count`` adds a number after the label, with
    ``count_label`` said to screen readers after it ("3 not yet acknowledged")."""
    url = address(url_name)
    path = context["request"].path
    current = path == url or (url != "/" and path.startswith(url))
    text = format_html("{}", label)
    if count:
        text = format_html(
            '{} <strong class="app-nav-count">{}<span class="govuk-visually-hidden"> {}</span>'
            "</strong>",
            label,
            count,
            count_label,
        )
    if current:
        return format_html(
            '<li class="govuk-service-navigation__item govuk-service-navigation__item--active">'
            '<a class="govuk-service-navigation__link" href="{}" aria-current="page">'
            '<strong class="govuk-service-navigation__active-fallback">{}</strong></a></li>',
            url,
            text,
        )
    return format_html(
        '<li class="govuk-service-navigation__item">'
        '<a class="govuk-service-navigation__link" href="{}">{}</a></li>',
        url,
        text,
    )


# The main menu, in order: the rule that shows an item (asked by name, so the rules of the
# apps above this one need not be imported) and the items it shows.
MENU = (
    ("audits.start_audit", (("audits:new", "Start an audit"), ("audits:mine", "My audits"))),
    ("moderation.view_feedback", (("moderation:feedback", "Feedback for me"),)),
    ("moderation.view_queue", (("moderation:queue", "Moderation queue"),)),
    ("moderation.view_statistics", (("moderation:dashboard", "Moderation statistics"),)),
    ("moderation.view_exemplars", (("moderation:exemplars", "Exemplars"),)),
    ("audits.view_my_cases_audits", (("audits:my_cases", "My cases' audits"),)),
    ("audits.view_action_list", (("audits:actions", "Actions"),)),
    ("audits.view_all_audits", (("audits:all", "All audits"),)),
    ("audits.plan_activities", (("audits:activities", "Schedule"),)),
    ("audits.build_tools", (("audits:tools", "Audit tools"),)),
    ("reports.view_reports", (("reports:list", "Reports"),)),
    ("reports.view_targets", (("reports:targets", "Targets"),)),
    ("audits.administer", (("admin:index", "Administration"),)),
    ("audits.view_security_log", (("audits:security_log", "Security log"),)),
)
# The menu item that shows a count, and what the count says to screen readers.
COUNTED = {"moderation:feedback": "not yet acknowledged"}


@register.simple_tag(takes_context=True)
def main_menu(context, feedback_count: int = 0):
    """The items of the main menu (base.html) the user may see, each a ``nav_link``: one tag
    rather than a ``{% has_perm %}`` and an ``{% if %}`` an item on every signed-in page.
    ``feedback_count`` (moderation's ``{% unacknowledged_feedback %}``) is shown beside
    Feedback for me."""
    user = context["user"]
    items = []
    for perm, links in MENU:
        if rules.has_perm(perm, user):
            for url_name, label in links:
                if url_name in COUNTED:
                    item = nav_link(
                        context,
                        url_name,
                        label,
                        count=feedback_count,
                        count_label=COUNTED[url_name],
                    )
                else:
                    item = nav_link(context, url_name, label)
                items.append(item)
    is_verified = getattr(user, "is_verified", None)
    if callable(is_verified) and is_verified():
        items.append(nav_link(context, "two_factor:recovery_codes", "Two-factor sign-in"))
    return mark_safe("\n          ".join(items))


_search_box_html: dict = {}


@register.simple_tag(takes_context=True)
def case_search_box(context):
    """The header's "Find a case" box, for whoever may search (audits.find_case); drawn by the
    template pack like every field, with ids of its own.

    On every signed-in page, and always the same: an empty form with no data of anyone's. So
    each worker draws it once (per language) and keeps it; with DEBUG on (templates edited
    while the server runs) it is drawn every time."""
    # The rule itself, not user.has_perm(): Django's model backend, asked first, would read
    # the user's model permissions from the database on every page.
    may_search = rules.has_perm("audits.find_case", context["user"])
    key = (translation.get_language(), may_search)
    html = None if settings.DEBUG else _search_box_html.get(key)
    if html is None:
        from audits.forms import CaseSearchForm

        form = CaseSearchForm(header=True) if may_search else None
        html = render_to_string("audits/_case_search_box.html", {"form": form})
        _search_box_html[key] = html
    return mark_safe(html)
