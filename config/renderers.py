"""The form renderer: Django's own (DjangoTemplates), drawing a <select> without a template per
option, and an <input> or a <textarea> without templates at all.

Django's select template includes one template per option, and each of those includes the
attributes' template: the audit list's filters (about a hundred options: activities, auditors,
case types) took two hundred template renders, a third of that page's time, and the audit
form's five selects most of its header's. This draws the same HTML, character for character,
in one pass (tests/test_renderers.py compares the two on every kind of select). An <input>
(text, hidden, number, date, e-mail, check box...) and a <textarea> took three template renders
each (the widget's, input.html, attrs.html): a section page's hidden revision fields and its text
boxes, drawn the same way in Python (issue 12: cheaper form pages). Each is drawn in Python only
while the template Django would use is Django's own (checked once per template name), so a
project template overriding one is used as before. Every other widget, and a select whose
options use their own template, is rendered by the templates as before. Crispy-forms still
draws each field round its widget.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
TEXTAREA = "django/forms/widgets/textarea.html"
# The widgets whose template is nothing but {% include "django/forms/widgets/input.html" %}.
INPUTS = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "checkbox", "color", "date", "datetime", "email", "file", "hidden", "input", "number",
        "password", "search", "tel", "text", "time", "url",
    )
)  # fmt: skip


def attributes(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: True as a bare name, False left out."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def select_html(widget: dict) -> str:
    """django/forms/widgets/select.html with select_option.html, whitespace and all."""
    out = [f'<select name="{conditional_escape(widget["name"])}"{attributes(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            out.append(
                f'\n  <option value="{conditional_escape(option["value"])}"'
                f"{attributes(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")  # the renderer strips the template's last newline
    return "".join(out)


def input_html(widget: dict) -> str:
    """django/forms/widgets/input.html."""
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(value)}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{attributes(widget["attrs"])}>'
    )


def textarea_html(widget: dict) -> str:
    """django/forms/widgets/textarea.html (its newline after the opening tag kept: HTML drops
    it, and the text is drawn as typed)."""
    value = widget["value"]
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{attributes(widget["attrs"])}>\n'
        f"{conditional_escape(value) if value else ''}</textarea>"
    )


class FormRenderer(DjangoTemplates):
    def __init__(self):
        super().__init__()
        self._djangos_own = {}

    def _is_djangos_own(self, template_name: str) -> bool:
        """Whether ``template_name`` is Django's own template, not a project's override of it."""
        own = self._djangos_own.get(template_name)
        if own is None:
            from pathlib import Path

            import django.forms

            origin = self.get_template(template_name).origin.name
            own = Path(origin).is_relative_to(Path(django.forms.__file__).parent / "templates")
            self._djangos_own[template_name] = own
        return own

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if template_name == SELECT and all(
            option["template_name"] == OPTION
            for _group, options, _index in widget["optgroups"]
            for option in options
        ):
            return select_html(widget)
        if template_name in INPUTS and self._is_djangos_own(template_name):
            return input_html(widget)
        if template_name == TEXTAREA and self._is_djangos_own(template_name):
            return textarea_html(widget)
        return super().render(template_name, context, request)
