"""Forms for QA targets. They check types only; the rules (which measures take a domain, what a
percentage may be) are reports.targets.services', whose errors the views put beside the field."""

from django import forms
from django.utils.translation import gettext_lazy

from audits.dates import DateInputField
from audits.forms import AccessibleFormMixin
from audits.layout import CharacterCount, Column, Layout, Row
from audits.models import Domain
from audits.periods import fy_label
from reports.forms import PeriodForm
from reports.models import Measure, Target


def _domain_choices():
    titles = {}
    for number, title in Domain.objects.order_by("number", "-tool__version").values_list(
        "number", "title"
    ):
        titles.setdefault(number, title)
    return [("", gettext_lazy("Not a domain measure"))] + [
        (n, f"{n}. {titles[n]}" if n in titles else str(n)) for n in range(1, 13)
    ]


class TargetForm(AccessibleFormMixin, forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=200,
        help_text=gettext_lazy(
            "As the board will read it, for example “% of assessments graded "
            "good in case file audits”."
        ),
    )
    measure = forms.ChoiceField(label=gettext_lazy("Measure"), choices=Measure.choices)
    domain_number = forms.TypedChoiceField(
        label=gettext_lazy("Domain"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=(),
        help_text=gettext_lazy("Only for the two domain measures."),
    )
    direction = forms.ChoiceField(
        label=gettext_lazy("The actual should be"),
        choices=Target.Direction.choices,
        widget=forms.RadioSelect,
        initial=Target.Direction.AT_LEAST,
    )
    target_value = forms.DecimalField(
        label=gettext_lazy("Target (%)"),
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    amber_tolerance = forms.DecimalField(
        label=gettext_lazy("Amber tolerance (percentage points)"),
        max_digits=5,
        decimal_places=2,
        initial=0,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        help_text=gettext_lazy(
            "How far the actual may miss the target and still be amber. 0 means any miss is red."
        ),
    )
    order = forms.IntegerField(
        label=gettext_lazy("Position in the table"),
        min_value=0,
        max_value=999,
        initial=0,
        required=False,
        help_text=gettext_lazy("Lower numbers come first."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain_number"].choices = _domain_choices()

    def layout(self):
        return Layout(
            CharacterCount("name"),
            Row(Column("measure", width="one-half"), Column("domain_number", width="one-half")),
            "direction",
            Row(
                Column("target_value", width="one-third"),
                Column("amber_tolerance", width="one-third"),
                Column("order", width="one-third"),
            ),
        )

    @classmethod
    def initial_for(cls, target: Target) -> dict:
        return {
            "name": target.name,
            "measure": target.measure,
            "domain_number": target.domain_number,
            "direction": target.direction,
            "target_value": target.target_value,
            "amber_tolerance": target.amber_tolerance,
            "order": target.order,
        }


class CheckpointForm(AccessibleFormMixin, forms.Form):
    """An in-year checkpoint: its date and the target by then. The rules (the date in the
    target's year, one checkpoint a date, a percentage) are the service's."""

    date = DateInputField(
        label=gettext_lazy("Checkpoint date"),
        required=False,
        help_text=gettext_lazy(
            "For example, 30 9 2026. It must be in the target's financial year."
        ),
    )
    target_value = forms.DecimalField(
        label=gettext_lazy("Target by that date (%)"),
        max_digits=5,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )

    def layout(self):
        return Layout("date", Row(Column("target_value", width="one-third")))

    @classmethod
    def initial_for(cls, checkpoint) -> dict:
        return {"date": checkpoint.date, "target_value": checkpoint.target_value}


class ManualActualForm(PeriodForm):
    """The period, picked as for a report (without the report's filters), and the value."""

    activity = None
    strand = None
    case_type = None
    value = forms.DecimalField(
        label=gettext_lazy("Actual value (%)"),
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )

    field_order = ["kind", "financial_year", "quarter", "half", "month", "start", "end", "value"]

    def __init__(self, *args, financial_year: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].label = gettext_lazy("The value is for")
        if financial_year is not None:
            choices = dict(self.fields["financial_year"].choices)
            if financial_year not in choices:
                self.fields["financial_year"].choices = [
                    (financial_year, fy_label(financial_year)),
                    *self.fields["financial_year"].choices,
                ]
            self.fields["financial_year"].initial = financial_year

    def layout(self):
        return Layout(self.period_layout(), Row(Column("value", width="one-third")))


class YearForm(AccessibleFormMixin, forms.Form):
    """The year switcher of the targets page (a GET form)."""

    year = forms.TypedChoiceField(label=gettext_lazy("Financial year"), coerce=int, choices=())

    def __init__(self, *args, years: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = years
