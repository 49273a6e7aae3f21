"""The form a QA lead plans an audit activity with."""

from django import forms
from django.contrib.auth.models import User
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import roles
from ..dates import MONTH_YEAR, DateInputField
from ..forms import AccessibleFormMixin, active_entries
from ..layout import Column, Fieldset, Layout, Row
from ..models import (
    AuditTool,
    CaseType,
    Strand,
)
from ..tools.kinds import STANDARD_FAMILY, ActivityKind


class AuditorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return roles.display_name(obj)


class ToolChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, tool):
        if tool.is_current:
            return _("%(name)s, version %(version)s (current)") % {
                "name": tool.name,
                "version": tool.version,
            }
        return _("%(name)s, version %(version)s") % {"name": tool.name, "version": tool.version}


def tools_for_activities(keep: AuditTool | None = None):
    """The tools an activity may use besides the standard one: every version of a built tool
    that has questions, current versions first. ``keep``: the activity's own tool, offered
    even where it would not be (a standard version an administrator set)."""
    usable = Q(sections__questions__isnull=False) & ~Q(family=STANDARD_FAMILY)
    if keep is not None:
        usable |= Q(pk=keep.pk)
    return AuditTool.objects.filter(usable).distinct().order_by("-is_current", "name", "-version")


class ActivityForm(AccessibleFormMixin, forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=200,
        help_text=gettext_lazy("For example: Looked after children in long-term foster care."),
    )
    theme = forms.CharField(label=gettext_lazy("Theme (optional)"), max_length=300, required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of activity"),
        choices=ActivityKind.choices,
        initial=ActivityKind.CASE_FILE,
        required=False,
        widget=forms.RadioSelect,
    )
    tool = ToolChoiceField(
        label=gettext_lazy("Audit tool"),
        required=False,
        queryset=AuditTool.objects.none(),
        empty_label=gettext_lazy("The standard tool (12 domains)"),
        help_text=gettext_lazy(
            "The tool and version the activity's audits are made with. Build tools under "
            "Audit tools."
        ),
    )
    agencies = forms.CharField(
        label=gettext_lazy("Agencies taking part (for a multi-agency audit)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("One agency per line. For example: Police, Health, Education."),
    )
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

    def __init__(self, *args, tool: AuditTool | None = None, tool_fixed: str = "", **kwargs):
        """``tool``: the activity's tool, kept on offer. ``tool_fixed``: why the tool can no
        longer change (the activity has audits); the field then shows it and takes nothing."""
        super().__init__(*args, **kwargs)
        self.fields["tool"].queryset = tools_for_activities(keep=tool)
        if tool_fixed:
            self.fields["tool"].disabled = True
            self.fields["tool"].help_text = tool_fixed

    def clean_kind(self):
        return self.cleaned_data["kind"] or ActivityKind.CASE_FILE

    def clean_agencies(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["agencies"].splitlines() if line.strip()]

    def layout(self):
        return Layout(
            Row(Column("name", width="two-thirds"), Column("month", width="one-third")),
            "theme",
            "kind",
            "tool",
            "agencies",
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
