"""The month the manager compliance page ends at."""

import datetime

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy

from ..forms import AccessibleFormMixin
from ..periods import add_months

MONTHS_BACK = 24
MONTHS_AHEAD = 3
SHOWN = 3


def month_choices(today: datetime.date) -> list[tuple[str, str]]:
    return [
        (f"{month:%Y-%m}", date_format(month, "F Y"))
        for month in (add_months(today, n) for n in range(MONTHS_AHEAD, -MONTHS_BACK - 1, -1))
    ]


class ComplianceMonthForm(AccessibleFormMixin, forms.Form):
    month = forms.ChoiceField(
        label=gettext_lazy("Up to the month"),
        help_text=gettext_lazy("The page shows that month and the two before it."),
    )

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = month_choices(today)

    def last_month(self) -> datetime.date:
        year, month = self.cleaned_data["month"].split("-")
        return datetime.date(int(year), int(month), 1)
