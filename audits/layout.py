"""How forms lay out their fields, in words any crispy-forms template pack can draw.

Every form renders through crispy-forms (``{% crispy form %}``): the template pack draws each
field, its label, hint and error. A form says only which fields stand side by side and how wide
each is, in the GOV.UK Design System's width names; the pack's ``layout/grid_column.html``
(``templates/gds/``) turns a width into GOV.UK Frontend's grid classes. Moving to another
pack then means giving it that one template, not changing the forms.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Row

__all__ = ["Column", "Fieldset", "Layout", "Row", "form_helper"]

WIDTHS = ("full", "three-quarters", "two-thirds", "one-half", "one-third", "one-quarter")


class Column(Div):
    """A column of a ``Row``, ``width`` one of WIDTHS."""

    template = "%s/layout/grid_column.html"

    def __init__(self, *fields, width: str, **kwargs):
        if width not in WIDTHS:
            raise ValueError(f"A column is one of {', '.join(WIDTHS)} wide, not {width!r}.")
        super().__init__(*fields, **kwargs)
        self.width = width


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
