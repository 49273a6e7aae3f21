"""``{% radio_items field %}``: the options of a set of radios (templates/gds/layout/radios.html),
drawn in Python.

The loop of radios.html drew each option through a dozen template variables and filters (some
450 Python calls an option, the most of any part of a section page: a domain's five grades).
This draws the same elements and attributes, character for character apart from whitespace
between elements, from the same values: ``choice.0|unlocalize``, ``stringformat:"s"`` for the
check, and an option's ``hint`` and ``divider`` looked up as the template looked them up
(tests/test_renderers.py compares the two).
"""

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


def _lookup(choice, name: str):
    """``choice.<name>`` as a template reads it: a key, then an attribute; "" when neither."""
    try:
        return choice[name]
    except (TypeError, AttributeError, KeyError, ValueError, IndexError):
        pass
    try:
        return getattr(choice, name)
    except AttributeError:
        return ""


def _as_s(value) -> str:
    """The template filter ``stringformat:"s"`` (``"%s" % value``, a tuple made a string first:
    ``str`` either way)."""
    try:
        return str(value)
    except (ValueError, TypeError):
        return ""


@register.simple_tag
def radio_items(field) -> str:
    """Each option of the bound ``field``'s radios, checked where it is the field's value."""
    name = conditional_escape(field.html_name)
    auto_id = conditional_escape(field.auto_id)
    current = _as_s(field.value())
    out = []
    for index, choice in enumerate(field.field.choices):
        value, label = choice[0], choice[1]
        option_id = f"{auto_id}_{index}"
        hint = _lookup(choice, "hint")
        checked = ' checked="checked"' if _as_s(value) == current else ""
        described = f' aria-describedby="{option_id}_hint"' if hint else ""
        out.append(
            '<div class="govuk-radios__item">'
            f'<input type="radio" name="{name}" class="govuk-radios__input" id="{option_id}"'
            f' value="{conditional_escape(str(localize(value, use_l10n=False)))}"'
            f"{checked}{described}>"
            f'<label class="govuk-label govuk-radios__label" for="{option_id}">'
            f"{conditional_escape(label)}</label>"
        )
        if hint:
            out.append(
                f'<span id="{option_id}_hint" class="govuk-hint govuk-radios__hint">'
                f"{conditional_escape(hint)}</span>"
            )
        out.append("</div>")
        divider = _lookup(choice, "divider")
        if divider:
            out.append(f'<div class="govuk-radios__divider">{conditional_escape(divider)}</div>')
    return mark_safe("\n".join(out))
