"""``{{ code|on_scale:grade_labels }}``: a grade code by its label on the audit's own tool.

The standard tool's grades have their filters in ``vocabulary`` (``grade_label``); a built tool
grades on a scale of its own, whose labels audits.printing.grade_labels gives the PDF.
"""

from django import template

register = template.Library()


@register.filter
def on_scale(code: str, labels: dict[str, str]) -> str:
    """The label of ``code`` in ``labels``; the code itself if the scale no longer has it."""
    if not code:
        return ""
    return labels.get(code, code)
