import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits import periods
from audits.dates import MONTH_YEAR, DateInputField
from audits.forms import AccessibleFormMixin
from audits.layout import CharacterCount, Column, Fieldset, Layout, Row
from audits.models import AuditActivity, CaseType, Strand


def _financial_years():
    current = periods.financial_year_of(timezone.localdate())
    return [(y, periods.fy_label(y)) for y in range(current + 1, current - 6, -1)]


class PeriodForm(AccessibleFormMixin, forms.Form):
    """A month, a financial quarter or half, a financial year, or any date range."""

    KINDS = [
        ("quarter", gettext_lazy("A quarter")),
        ("half", gettext_lazy("A half year")),
        ("year", gettext_lazy("A financial year")),
        ("month", gettext_lazy("A month")),
        ("range", gettext_lazy("Any dates")),
    ]
    kind = forms.ChoiceField(
        label=gettext_lazy("Report on"), choices=KINDS, widget=forms.RadioSelect, initial="quarter"
    )
    financial_year = forms.TypedChoiceField(
        label=gettext_lazy("Financial year (April to March)"),
        coerce=int,
        required=False,
        choices=(),
    )
    quarter = forms.TypedChoiceField(
        label=gettext_lazy("Quarter"),
        coerce=int,
        required=False,
        choices=[
            (1, "Q1 (April to June)"),
            (2, "Q2 (July to September)"),
            (3, "Q3 (October to December)"),
            (4, "Q4 (January to March)"),
        ],
    )
    half = forms.TypedChoiceField(
        label=gettext_lazy("Half year"),
        coerce=int,
        required=False,
        choices=[(1, "H1 (April to September)"), (2, "H2 (October to March)")],
    )
    month = DateInputField(label=gettext_lazy("Month"), required=False, parts=MONTH_YEAR)
    start = DateInputField(label=gettext_lazy("From"), required=False)
    end = DateInputField(label=gettext_lazy("To"), required=False)
    activity = forms.ModelChoiceField(
        label=gettext_lazy("Activity (optional)"),
        required=False,
        queryset=AuditActivity.objects.order_by("-month", "name"),
    )
    strand = forms.ModelChoiceField(
        label=gettext_lazy("Strand (optional)"), required=False, queryset=Strand.objects.all()
    )
    case_type = forms.ModelChoiceField(
        label=gettext_lazy("Case type (optional)"), required=False, queryset=CaseType.objects.all()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["financial_year"].choices = _financial_years()
        self.fields["financial_year"].initial = periods.financial_year_of(timezone.localdate())

    def period_layout(self) -> Layout:
        """The period chooser, shared by the forms built on this one."""
        return Layout(
            "kind",
            Row(
                Column("financial_year", width="one-third"),
                Column("quarter", width="one-third"),
                Column("half", width="one-third"),
            ),
            Row(
                Column("month", width="one-third"),
                Column("start", width="one-third"),
                Column("end", width="one-third"),
            ),
        )

    def layout(self):
        return Layout(
            self.period_layout(),
            Fieldset(
                gettext_lazy("Filters (optional)"),
                Row(
                    Column("activity", width="one-third"),
                    Column("strand", width="one-third"),
                    Column("case_type", width="one-third"),
                ),
                # GOV.UK's fieldset class: a bare fieldset is as wide as its widest option
                # list, wider than a phone.
                css_class="govuk-fieldset",
            ),
        )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        try:
            data["period"] = self._period(kind, data)
        except ValueError as error:
            self.add_error("end" if kind == "range" else "kind", str(error))
        return data

    def _missing_message(self, name: str) -> str:
        # "Choose the to." says nothing: the dates of a range say which end is missing.
        if name == "start":
            return _("Enter the first day the report covers.")
        if name == "end":
            return _("Enter the last day the report covers.")
        return _("Choose the %(field)s.") % {"field": str(self.fields[name].label).lower()}

    def _period(self, kind, data) -> periods.Period | None:
        fy = data.get("financial_year")
        need = {
            "quarter": ("financial_year", "quarter"),
            "half": ("financial_year", "half"),
            "year": ("financial_year",),
            "month": ("month",),
            "range": ("start", "end"),
        }
        missing = [name for name in need.get(kind, ()) if data.get(name) in (None, "")]
        for name in missing:
            if name in self.errors:
                continue  # typed but refused (a malformed or out-of-range date): that says why
            self.add_error(name, self._missing_message(name))
        if missing or not kind:
            return None
        if kind == "quarter":
            return periods.quarter(fy, data["quarter"])
        if kind == "half":
            return periods.half(fy, data["half"])
        if kind == "year":
            return periods.financial_year(fy)
        if kind == "month":
            day: datetime.date = data["month"]
            return periods.month(day.year, day.month)
        return periods.date_range(data["start"], data["end"])


class NarrativeForm(AccessibleFormMixin, forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=200,
        error_messages={
            "required": gettext_lazy("Enter the report's title."),
            "max_length": gettext_lazy(
                "The title must be %(limit_value)d characters or fewer (it has %(show_value)d)."
            ),
        },
    )
    summary = forms.CharField(
        label=gettext_lazy("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    findings = forms.CharField(
        label=gettext_lazy("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    recommendations = forms.CharField(
        label=gettext_lazy("Recommendations"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    summary_names_fields = False  # the title's messages name it

    def layout(self):
        return Layout(CharacterCount("title"), "summary", "findings", "recommendations")
