"""How forms lay out their fields, in words any crispy-forms template pack can draw.

Every form renders through crispy-forms (``{% crispy form %}``): the template pack draws each
field, its label, hint and error. A form says only which fields stand side by side and how wide
each is, in the GOV.UK Design System's width names; the pack's ``layout/grid_column.html``
(``templates/gds/``) turns a width into GOV.UK Frontend's grid classes. Moving to another
pack then means giving it that one template, not changing the forms.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Fieldset, Layout, Row
from crispy_forms.utils import TEMPLATE_PACK

__all__ = ["CharacterCount", "Column", "Fieldset", "Layout", "Row", "form_helper"]

WIDTHS = ("full", "three-quarters", "two-thirds", "one-half", "one-third", "one-quarter")


class Column(Div):
    """A column of a ``Row``, ``width`` one of WIDTHS."""

    template = "%s/layout/grid_column.html"

    def __init__(self, *fields, width: str, **kwargs):
        if width not in WIDTHS:
            raise ValueError(f"A column is one of {', '.join(WIDTHS)} wide, not {width!r}.")
        super().__init__(*fields, **kwargs)
        self.width = width


class CharacterCount(Field):
    """A text field that counts the characters left as they are typed, up to the form field's
    own ``max_length`` (the GOV.UK Design System's character count). The pack's
    ``layout/character_count.html`` draws it; without JavaScript its hint still says the limit,
    and the form still refuses a longer text."""

    template = "%s/layout/character_count.html"

    def __init__(self, field: str):
        super().__init__(field)

    def render(self, form, context, template_pack=TEMPLATE_PACK, extra_context=None, **kwargs):
        bound = form[self.fields[0]]
        limit = bound.field.max_length
        if not limit:
            raise ValueError(f"{bound.name} has no max_length for a character count to count to.")
        # The field is described by its hint and its error, as Django names them, and by the
        # count's message; an aria-describedby given to the widget replaces Django's, so all
        # three are named here, in the order the page shows them.
        described = [f"{bound.auto_id}_helptext"] if bound.help_text else []
        described += [f"{bound.auto_id}_error"] if bound.errors else []
        described.append(f"{bound.auto_id}-info")
        return self.get_rendered_fields(
            form,
            context,
            template_pack,
            template=self.get_template_name(template_pack),
            attrs={**self.attrs, "aria-describedby": " ".join(described)},
            extra_context={**(extra_context or {}), "max_characters": limit},
            **kwargs,
        )


def form_helper(layout: Layout) -> FormHelper:
    """The helper of a form, or of one part of it, that the page shows inside its own <form>.

    The page writes the <form> element (``novalidate``, its id and action), the CSRF token and
    the buttons: several forms may share one <form>, as on the audit page, and one page has one
    error summary above them all (``_error_summary.html``).
    """
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = layout
    return helper
