"""Dates typed as UK users write them: the GOV.UK date input (day, month and year boxes).

One widget and one field for every form of the app, and a filter for its django-filter lists.
The browser's own picker (``<input type="date">``) reads and writes dates in the computer's
locale, so the same form looks different on two desks and a screen reader says it differently
again; the GOV.UK pattern is three plain boxes with their own labels.

The field is a ``forms.DateField``, so everything that knows date fields still does:
SafeInputMixin adds its range check (audits.periods) and its null-character check, and
django-filter filters with it. Its messages name the field and the problem, as the GOV.UK
Design System asks ("Audit date must include a year", "Audit date must be a real date"),
because an error summary and a screen reader's list of errors read them out of context.

Parsing never raises anything but a ValidationError, whatever is posted: huge numbers, words,
other scripts' digits, null characters (tests/fuzz). A single ISO date posted under the field's
own name (``audit_date=2026-07-01``: a bookmarked list URL, a script, an older page) is still
understood, as the parts it stands for.
"""

import datetime
import re

from django import forms
from django.utils.translation import gettext_lazy as _

DAY, MONTH, YEAR = "day", "month", "year"
DAY_MONTH_YEAR = (DAY, MONTH, YEAR)
MONTH_YEAR = (MONTH, YEAR)

PART_LABELS = {DAY: _("Day"), MONTH: _("Month"), YEAR: _("Year")}
PART_WIDTHS = {DAY: 2, MONTH: 2, YEAR: 4}

# Only ASCII digits: str.isdigit() and int() also take other scripts' digits and superscripts.
NUMBER = re.compile(r"\A[0-9]{1,9}\Z")
ISO_DATE = re.compile(r"\A\s*([0-9]{1,9})-([0-9]{1,9})(?:-([0-9]{1,9}))?\s*\Z")


class DateInputWidget(forms.MultiWidget):
    """Day, month and year boxes (or month and year), posted as ``<name>_day``,
    ``<name>_month`` and ``<name>_year``; their ids are ``<id>_0``, ``<id>_1`` …, the first
    being where an error summary's link lands. The pack draws the boxes, each with its label,
    inside a fieldset (templates/gds/layout/multifield.html)."""

    use_fieldset = True

    def __init__(self, parts=DAY_MONTH_YEAR, attrs=None):
        self.parts = tuple(parts)
        widgets = {
            part: forms.TextInput(
                attrs={
                    "class": f"govuk-input govuk-date-input__input "
                    f"govuk-input--width-{PART_WIDTHS[part]}",
                    "inputmode": "numeric",
                    "autocomplete": "off",
                    "spellcheck": "false",
                }
            )
            for part in self.parts
        }
        super().__init__(widgets, attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for part, subwidget in zip(self.parts, context["widget"]["subwidgets"], strict=True):
            subwidget["part_label"] = PART_LABELS[part]
            # Django marks each box aria-invalid when the field has an error: show it too.
            if subwidget["attrs"].get("aria-invalid") == "true":
                subwidget["attrs"]["class"] += " govuk-input--error"
        return context

    def subwidgets(self, name, value, attrs=None):
        # One BoundWidget per box (Django's MultiWidget gives one for the whole), so the pack's
        # template draws each box beside its own label.
        yield from self.get_context(name, value, attrs)["widget"]["subwidgets"]

    def decompress(self, value):
        if isinstance(value, str):
            parsed = _parse_iso(value)
            value = None if parsed is None else dict(zip(DAY_MONTH_YEAR, parsed, strict=True))
        elif isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date):
            value = {DAY: str(value.day), MONTH: str(value.month), YEAR: str(value.year)}
        if isinstance(value, dict):
            return [value[part] for part in self.parts]
        return [None] * len(self.parts)

    def value_from_datadict(self, data, files, name):
        if not any(f"{name}_{part}" in data for part in self.parts) and name in data:
            # One value under the field's own name: the field parses it as an ISO date.
            return data.get(name)
        return super().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and super().value_omitted_from_data(data, files, name)


def _parse_iso(raw: str) -> list[str] | None:
    """``YYYY-MM-DD`` or ``YYYY-MM`` as [day, month, year] strings (day "1" for a month)."""
    match = ISO_DATE.match(raw)
    if not match:
        return None
    year, month, day = match.groups()
    return [day or "1", month, year]


class DateInputField(forms.DateField):
    """A date typed in GOV.UK date input boxes. ``parts=MONTH_YEAR`` asks for a month only and
    means its first day."""

    widget = DateInputWidget

    def __init__(self, *, parts=DAY_MONTH_YEAR, **kwargs):
        self.parts = tuple(parts)
        kwargs.setdefault("widget", DateInputWidget(parts=self.parts))
        kwargs.setdefault(
            "help_text",
            _("For example, 1 7 2026")
            if self.parts == DAY_MONTH_YEAR
            else _("For example, 7 2026"),
        )
        super().__init__(**kwargs)

    def _name(self) -> str:
        return str(self.label or _("Date"))

    def _error(self, message, code):
        return forms.ValidationError(message, code=code)

    def validate(self, value):
        if value in self.empty_values and self.required:
            message = _("Enter the %(name)s") % {"name": _lower_first(self._name())}
            raise self._error(message, "required")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, (list, tuple)):
            typed = ["" if v is None else str(v).strip() for v in value]
        else:
            parsed = _parse_iso(str(value))
            if parsed is None:
                raise self._error(self._not_real(), "invalid")
            typed = parsed if self.parts == DAY_MONTH_YEAR else parsed[1:]
        if len(typed) != len(self.parts):
            raise self._error(self._not_real(), "invalid")
        by_part = dict(zip(self.parts, typed, strict=True))
        if not any(by_part.values()):
            return None
        missing = [part for part in self.parts if not by_part[part]]
        if missing:
            raise self._error(self._missing(missing), "incomplete")
        wrong = [part for part in self.parts if not NUMBER.match(by_part[part])]
        if wrong:
            raise self._error(self._not_real(), "invalid")
        if len(by_part[YEAR]) != 4:
            raise self._error(
                _("%(name)s must have a year of 4 numbers, for example 2026")
                % {"name": self._name()},
                "invalid_year",
            )
        try:
            return datetime.date(
                int(by_part[YEAR]), int(by_part[MONTH]), int(by_part.get(DAY, "1"))
            )
        except (ValueError, OverflowError):
            raise self._error(self._not_real(), "invalid") from None

    def _not_real(self) -> str:
        if self.parts == MONTH_YEAR:
            return _("%(name)s must be a real month") % {"name": self._name()}
        return _("%(name)s must be a real date") % {"name": self._name()}

    def _missing(self, missing) -> str:
        words = [str(PART_LABELS[part]).lower() for part in missing]
        joined = words[0] if len(words) == 1 else " and ".join([", ".join(words[:-1]), words[-1]])
        return _("%(name)s must include a %(parts)s") % {"name": self._name(), "parts": joined}

    def has_changed(self, initial, data):
        try:
            return super().has_changed(initial, data)
        except (TypeError, ValueError):
            return True


def _lower_first(text: str) -> str:
    """'Audit date' → 'audit date', but an abbreviation stays as it is ('QA date')."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]
