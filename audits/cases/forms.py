"""The forms a QA lead draws cases with and replaces a drawn case with.

The rules of a draw (how many, which exclusions go together, the seed's length) are the
service's (audits.cases.services), so the page and the draw_sample command refuse the same
things with the same messages; the form only reads what was typed.
"""

import secrets

from django import forms
from django.utils.translation import gettext_lazy

from ..forms import AccessibleFormMixin, active_entries
from ..layout import Column, Fieldset, Layout, Row
from ..models import CaseType, Strand, Team
from .services import Criteria


def new_seed() -> str:
    """A fresh random seed, shown on the form and recorded with the draw."""
    return secrets.token_hex(8)


class DrawForm(AccessibleFormMixin, forms.Form):
    seed = forms.CharField(
        label=gettext_lazy("Seed"),
        # The service says how long a seed may be, as the command's does.
        required=False,
        strip=True,
        help_text=gettext_lazy(
            "A new random seed is filled in for you. It is recorded with the draw: the same case "
            "list, choices and seed always draw the same cases."
        ),
    )
    size = forms.IntegerField(
        label=gettext_lazy("Number of cases"),
        required=False,
        help_text=gettext_lazy("Drawn from all the eligible cases. Fill in this or the next."),
    )
    per_team = forms.IntegerField(
        label=gettext_lazy("Number of cases per team"),
        required=False,
        help_text=gettext_lazy("Drawn from every team (all of a team's cases where it has fewer)."),
    )
    at_least_one_per_holder = forms.BooleanField(
        label=gettext_lazy("At least one case of every case holder (with a number of cases)"),
        required=False,
    )
    strands = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Strands (optional)"),
        required=False,
        queryset=active_entries(Strand),
        widget=forms.CheckboxSelectMultiple,
    )
    case_types = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Case types (optional)"),
        required=False,
        queryset=active_entries(CaseType),
        widget=forms.CheckboxSelectMultiple,
    )
    teams = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Teams (optional)"),
        required=False,
        queryset=active_entries(Team),
        widget=forms.CheckboxSelectMultiple,
    )
    exclude_audited_months = forms.IntegerField(
        label=gettext_lazy("Leave out cases audited in the last … months (optional)"),
        required=False,
        help_text=gettext_lazy("For example, 12. Audits past draft count, by their audit date."),
    )
    exclude_own_team = forms.BooleanField(
        label=gettext_lazy("Peer audit: no auditor is given a case of their own team"),
        required=False,
    )

    def layout(self):
        return Layout(
            Row(Column("seed", width="one-half")),
            Fieldset(
                gettext_lazy("How many cases"),
                Row(
                    Column("size", width="one-half"),
                    Column("per_team", width="one-half"),
                ),
                "at_least_one_per_holder",
            ),
            Fieldset(
                gettext_lazy("Which cases"),
                "strands",
                "case_types",
                "teams",
                "exclude_audited_months",
                "exclude_own_team",
            ),
        )

    def criteria(self) -> Criteria:
        data = self.cleaned_data
        return Criteria(
            size=data["size"],
            per_team=data["per_team"],
            strands=list(data["strands"]),
            case_types=list(data["case_types"]),
            teams=list(data["teams"]),
            exclude_audited_months=data["exclude_audited_months"],
            exclude_own_team=data["exclude_own_team"],
            at_least_one_per_holder=data["at_least_one_per_holder"],
        )


class ReplaceForm(AccessibleFormMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is the case withdrawn?"),
        # Required by the service, which says so in its own words.
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "For example: the case closed on 3 November, or it moved to another council."
        ),
    )
