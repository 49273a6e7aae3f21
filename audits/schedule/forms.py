"""The form a QA lead plans an audit activity with."""

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy

from .. import roles
from ..dates import MONTH_YEAR, DateInputField
from ..forms import AccessibleFormMixin, active_entries
from ..layout import Column, Fieldset, Layout, Row
from ..models import (
    CaseType,
    Strand,
)


class AuditorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return roles.display_name(obj)


class ActivityForm(AccessibleFormMixin, forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=200,
        help_text=gettext_lazy("For example: Looked after children in long-term foster care."),
    )
    theme = forms.CharField(label=gettext_lazy("Theme (optional)"), max_length=300, required=False)
    month = DateInputField(
        label=gettext_lazy("Month"),
        parts=MONTH_YEAR,
        help_text=gettext_lazy("The month the activity belongs to. For example, 7 2026"),
    )
    strand = forms.ModelChoiceField(
        label=gettext_lazy("Strand (optional)"), required=False, queryset=active_entries(Strand)
    )
    case_types = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Case types (optional)"),
        required=False,
        queryset=active_entries(CaseType),
        widget=forms.CheckboxSelectMultiple,
    )
    planned_audits = forms.IntegerField(
        label=gettext_lazy("Planned number of audits"), required=False, min_value=0, max_value=1000
    )
    auditors = AuditorChoiceField(
        label=gettext_lazy("Assigned auditors"),
        required=False,
        queryset=User.objects.filter(groups__name=roles.AUDITOR, is_active=True)
        .order_by("username")
        .distinct(),
        widget=forms.CheckboxSelectMultiple,
    )
    due_date = DateInputField(label=gettext_lazy("Due date (optional)"), required=False)
    moderation_rate = forms.IntegerField(
        label=gettext_lazy("Moderation rate (%)"),
        min_value=0,
        max_value=100,
        initial=100,
        help_text=gettext_lazy("The share of submitted audits chosen at random for moderation."),
    )
    always_moderate_not_met = forms.BooleanField(
        label=gettext_lazy("Always moderate audits graded Does not meet good"),
        required=False,
        initial=True,
    )

    def layout(self):
        return Layout(
            Row(Column("name", width="two-thirds"), Column("month", width="one-third")),
            "theme",
            Row(
                Column("strand", width="one-third"),
                Column("planned_audits", width="one-third"),
                Column("due_date", width="one-third"),
            ),
            "case_types",
            "auditors",
            Fieldset(
                gettext_lazy("Moderation"),
                Row(
                    Column("moderation_rate", width="one-third"),
                    Column("always_moderate_not_met", width="two-thirds"),
                ),
            ),
        )
