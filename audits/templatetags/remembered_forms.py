"""``{% remembered_crispy form %}`` and ``{% remembered_crispy form "part" %}``: what
``{% crispy form %}`` and ``{% crispy form form.parts.part %}`` draw, remembered in this process
by everything it is drawn from, as the filter forms are (filter_forms, whose key and memory
this shares).

The moderation page draws its decision form in three parts and three blank rows of actions
through the template pack: some 40,000 Python calls, more than the rest of the page. Opened
afresh, as it nearly always is, every part is the same for every audit of a tool (the same
domains, the same scale, the auditor's grade checked): drawn once per worker, then handed out.

The key holds each field the part draws (filter_forms.field_key: its name, id, label, hint,
kind, attributes, choices and value) with the form's classes, prefix and language. Not
remembered, so drawn each time: a form with an error, a part with typed text in a free-text
box (a draft a moderator kept), and anything while DEBUG is on.
"""

from crispy_forms.utils import render_crispy_form
from django import template
from django.conf import settings
from django.utils.safestring import mark_safe

from .filter_forms import field_key, form_key, remembered

register = template.Library()


def _key(form, part, helper) -> tuple | None:
    if settings.DEBUG or form.errors:
        return None
    names = tuple(pointer.name for pointer in helper.layout.get_field_names())
    fields = tuple(field_key(form, form[name]) for name in names)
    if None in fields:
        return None
    return (*form_key(form), "crispy", part, names, fields)


@register.simple_tag
def remembered_crispy(form, part: str = ""):
    """``form`` (or its layout part ``part``, AccessibleFormMixin.parts) as the template pack
    draws it, remembered while nothing it is drawn from changes."""
    helper = form.parts[part] if part else form.helper
    key = _key(form, part, helper)
    if key is None:
        return mark_safe(render_crispy_form(form, helper=helper))
    return mark_safe(remembered(key, lambda: render_crispy_form(form, helper=helper)))
