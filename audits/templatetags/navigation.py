"""The service navigation's links (templates/base.html): one tag draws a link and says which is
the current section, so the menu and aria-current never disagree."""

import rules
from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_link(context, url_name: str, label: str, count: int = 0, count_label: str = ""):
    """A GOV.UK service navigation item, current when the page is at or under its address (the
    home page only when it is the page itself). ``count`` adds a number after the label, with
    ``count_label`` said to screen readers after it ("3 not yet acknowledged")."""
    url = reverse(url_name)
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
