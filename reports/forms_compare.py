"""The compare page's form (GET): what to put side by side, two periods, two activities or two
teams, with an optional strand and case type for both."""

import datetime

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits import periods
from audits.dates import DateInputField
from audits.forms import AccessibleFormMixin
from audits.layout import Column, Fieldset, Layout, Row
from audits.models import AuditActivity, CaseType, Strand, Team

from .compare import ALL_DATES, Side

BY_PERIODS, BY_ACTIVITIES, BY_TEAMS = "periods", "activities", "teams"


QUICK_PICKS = [
    ("", gettext_lazy("None: I will type the dates")),
    ("quarter", gettext_lazy("This quarter against last quarter")),
    ("quarter_last_year", gettext_lazy("This quarter against the same quarter last year")),
    ("month", gettext_lazy("This month against last month")),
    ("half", gettext_lazy("This half year against the last")),
    ("year", gettext_lazy("This financial year against the last")),
]


class CompareForm(AccessibleFormMixin, forms.Form):
    by = forms.ChoiceField(
        label=gettext_lazy("Compare"),
        choices=[
            (BY_PERIODS, gettext_lazy("Two periods")),
            (BY_ACTIVITIES, gettext_lazy("Two audit activities")),
            (BY_TEAMS, gettext_lazy("Two teams")),
        ],
        widget=forms.RadioSelect,
        initial=BY_PERIODS,
        error_messages={"required": gettext_lazy("Choose what to compare.")},
    )
    quick = forms.ChoiceField(
        label=gettext_lazy("Quick pick (optional)"),
        choices=QUICK_PICKS,
        required=False,
        help_text=gettext_lazy(
            "For two activities or two teams, the later period of a quick pick is the period "
            "both are counted over. Two activities without a quick pick or dates are compared "
            "over all their audits."
        ),
    )
    start_a = DateInputField(label=gettext_lazy("First period from"), required=False)
    end_a = DateInputField(label=gettext_lazy("First period to"), required=False)
    start_b = DateInputField(label=gettext_lazy("Second period from"), required=False)
    end_b = DateInputField(label=gettext_lazy("Second period to"), required=False)
    activity_a = forms.ModelChoiceField(
        label=gettext_lazy("First activity"),
        required=False,
        queryset=AuditActivity.objects.order_by("-month", "name"),
    )
    activity_b = forms.ModelChoiceField(
        label=gettext_lazy("Second activity"),
        required=False,
        queryset=AuditActivity.objects.order_by("-month", "name"),
    )
    team_a = forms.ModelChoiceField(
        label=gettext_lazy("First team"), required=False, queryset=Team.objects.all()
    )
    team_b = forms.ModelChoiceField(
        label=gettext_lazy("Second team"), required=False, queryset=Team.objects.all()
    )
    strand = forms.ModelChoiceField(
        label=gettext_lazy("Strand (optional)"), required=False, queryset=Strand.objects.all()
    )
    case_type = forms.ModelChoiceField(
        label=gettext_lazy("Case type (optional)"), required=False, queryset=CaseType.objects.all()
    )

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def layout(self):
        return Layout(
            "by",
            "quick",
            Fieldset(
                gettext_lazy("Periods (the first is also the period of two activities or teams)"),
                Row(Column("start_a", width="one-half"), Column("end_a", width="one-half")),
                Row(Column("start_b", width="one-half"), Column("end_b", width="one-half")),
                css_class="govuk-fieldset",
            ),
            Fieldset(
                gettext_lazy("Activities or teams"),
                Row(Column("activity_a", width="one-half"), Column("activity_b", width="one-half")),
                Row(Column("team_a", width="one-half"), Column("team_b", width="one-half")),
                css_class="govuk-fieldset",
            ),
            Fieldset(
                gettext_lazy("Filters for both (optional)"),
                Row(Column("strand", width="one-half"), Column("case_type", width="one-half")),
                css_class="govuk-fieldset",
            ),
        )

    def _typed_period(self, data, suffix: str, which: str) -> periods.Period | None:
        start, end = f"start_{suffix}", f"end_{suffix}"
        for name in (start, end):
            if data.get(name) is None and name not in self.errors:
                self.add_error(
                    name,
                    _("Enter the %(which)s period's %(end)s date.")
                    % {"which": which, "end": _("first") if name == start else _("last")},
                )
        if data.get(start) is None or data.get(end) is None:
            return None
        for name in (start, end):
            if error := periods.report_date_error(data[name], str(self.fields[name].label)):
                self.add_error(name, error)
                return None
        if data[end] < data[start]:
            self.add_error(
                end,
                _("The %(which)s period must end on or after the day it starts.")
                % {"which": which},
            )
            return None
        return periods.date_range(data[start], data[end])

    def _dates_typed(self, suffix: str) -> bool:
        """Whether anything was typed in a period's date boxes (valid or not)."""
        names = (f"start_{suffix}", f"end_{suffix}")
        boxes = [f"{name}_{part}" for name in names for part in ("day", "month", "year")]
        return any(str(self.data.get(box, "")).strip() for box in boxes) or any(
            name in self.errors for name in names
        )

    def _pair(self, data, kind: str, noun: str) -> tuple:
        a, b = data.get(f"{kind}_a"), data.get(f"{kind}_b")
        if a is None:
            self.add_error(f"{kind}_a", _("Choose the first %(noun)s.") % {"noun": noun})
        if b is None:
            self.add_error(f"{kind}_b", _("Choose the second %(noun)s.") % {"noun": noun})
        return a, b

    def clean(self):
        data = super().clean()
        by, quick = data.get("by"), data.get("quick")
        if not by:
            return data
        first = second = None
        if quick:
            first, second = quick_periods(quick, self.today)
        if by == BY_PERIODS:
            if not quick:
                first = self._typed_period(data, "a", _("first"))
                second = self._typed_period(data, "b", _("second"))
            if first and second:
                data["sides"] = (Side(first.label, first), Side(second.label, second))
            return data
        if quick:
            period = second
        elif by == BY_ACTIVITIES and not self._dates_typed("a"):
            period = ALL_DATES  # two activities: all their audits, unless dates are given
        else:
            period = self._typed_period(data, "a", _("first"))
        kind, noun = ("activity", _("activity")) if by == BY_ACTIVITIES else ("team", _("team"))
        a, b = self._pair(data, kind, noun)
        if period and a and b:
            data["sides"] = (
                Side(str(a), period, **{kind: a}),
                Side(str(b), period, **{kind: b}),
            )
        return data


def quick_periods(kind: str, today: datetime.date) -> tuple[periods.Period, periods.Period]:
    """A quick pick: (the earlier period, the later one), the later one holding ``today``."""
    fy = periods.financial_year_of(today)
    quarter = periods.financial_quarter_of(today)
    if kind == "month":
        now = periods.month(today.year, today.month)
        before = periods.month(*_month_before(today))
    elif kind == "half":
        number = 1 if quarter <= 2 else 2
        now = periods.half(fy, number)
        before = periods.half(fy, 1) if number == 2 else periods.half(fy - 1, 2)
    elif kind == "year":
        now, before = periods.financial_year(fy), periods.financial_year(fy - 1)
    elif kind == "quarter_last_year":
        now, before = periods.quarter(fy, quarter), periods.quarter(fy - 1, quarter)
    else:
        now = periods.quarter(fy, quarter)
        before = periods.quarter(fy, quarter - 1) if quarter > 1 else periods.quarter(fy - 1, 4)
    return before, now


def _month_before(today: datetime.date) -> tuple[int, int]:
    first = periods.add_months(today, -1)
    return first.year, first.month
