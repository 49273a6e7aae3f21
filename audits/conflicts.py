"""Compare and choose: what a page's typed values and the saved version differ in, field by field.

When a save is refused as out of date (audits.revisions), the page comes back with everything the
user typed still in its fields and, above them, each field the saved version holds differently:
the saved value as a person reads it, and as the field's inputs take it, so one button can put
it into the field ("Use the saved version"). Whatever the user then saves is their choice.
"""

import datetime
import json
from dataclasses import dataclass

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Difference:
    anchor: str  # the field's id on the page
    label: str
    name: str  # the field's name in the form's data
    saved: str  # the saved version, as a person reads it
    mine: str  # what the page holds
    # The saved version as the field's inputs take it; for a field of several inputs (a GOV.UK
    # date input's boxes) a dict of each input's name to its values.
    values: tuple[str, ...] | dict[str, list[str]]

    @property
    def values_json(self) -> str:
        return json.dumps(self.values if isinstance(self.values, dict) else list(self.values))


def differences(mine: forms.Form, saved: forms.Form, *, label_prefix: str = "") -> list[Difference]:
    """Each field of the validated ``mine`` whose value differs from the unbound ``saved``
    (the same form made from the record as it is now)."""
    found = []
    for bound in mine:
        hidden = isinstance(bound.field.widget, forms.HiddenInput)
        if hidden or bound.field.disabled or bound.name not in saved.fields:
            continue
        saved_value = saved[bound.name].initial
        if not bound.field.has_changed(saved_value, bound.data):
            continue
        widget = bound.field.widget
        several = isinstance(widget, forms.MultiWidget)
        found.append(
            Difference(
                anchor=f"{bound.auto_id}_0" if several else bound.auto_id,
                label=f"{label_prefix}{bound.label}",
                name=bound.html_name,
                saved=readable(bound.field, saved_value),
                mine=readable(bound.field, mine.cleaned_data.get(bound.name)),
                values=(
                    {
                        f"{bound.html_name}{suffix}": [part or ""]
                        for suffix, part in zip(
                            widget.widgets_names, widget.decompress(saved_value), strict=True
                        )
                    }
                    if several
                    else input_values(bound.field, saved_value)
                ),
            )
        )
    return found


def conflict_context(conflict, revision_form, mine: forms.Form, saved: forms.Form) -> dict:
    """What templates/_conflict.html needs after ``conflict`` refused the save of the page whose
    form is ``mine`` (``saved``: the same form made from the record as it is now). The page's
    RevisionForm then carries the current revision: its next save is a choice made seeing both."""
    revision_form.conflict_resolved(conflict.record)
    return {"conflict": conflict, "comparison": {"differences": differences(mine, saved)}}


def readable(field: forms.Field, value) -> str:
    """A field's value as the page would show it to a person."""
    if value in (None, "", [], ()):
        return _("(blank)")
    if isinstance(field, forms.BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.date):
        return date_format(value, "j F Y")
    if isinstance(field, forms.ModelMultipleChoiceField):
        chosen = field.queryset.filter(pk__in=_pks(value))
        return ", ".join(field.label_from_instance(obj) for obj in chosen) or _("(blank)")
    if isinstance(field, forms.ModelChoiceField):
        obj = value if hasattr(value, "pk") else field.queryset.filter(pk=value).first()
        return field.label_from_instance(obj) if obj is not None else _("(blank)")
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(value, value))
    return str(value)


def input_values(field: forms.Field, value) -> tuple[str, ...]:
    """The value as the field's inputs take it: a select's option, the ticked boxes' values."""
    if isinstance(field, forms.BooleanField):
        return ("on",) if value else ()
    if value in (None, ""):
        return ("",)
    if isinstance(field, forms.ModelMultipleChoiceField):
        return tuple(str(pk) for pk in _pks(value))
    if hasattr(value, "pk"):
        return (str(value.pk),)
    if isinstance(value, datetime.date):
        return (value.isoformat(),)
    return (str(value),)


def _pks(values) -> list:
    return [getattr(v, "pk", v) for v in values or ()]
