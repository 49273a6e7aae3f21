"""The filters of the actions page. The queryset must carry ``is_overdue``
(action_selectors.action_list does)."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from audits import roles
from audits.actions.selectors import action_owners, owned_by
from audits.filters import CaseReferenceFilter, DateInputFilter, StyledFilterSet
from audits.models import AgreedAction, AuditActivity, Team

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return roles.display_name(obj)


class OwnerFilter(django_filters.ModelChoiceFilter):
    field_class = OwnerChoiceField


class ActionFilter(StyledFilterSet):
    case_reference = CaseReferenceFilter(field="audit__case_reference")
    state = django_filters.ChoiceFilter(choices=AgreedAction.State.choices, label=_("State"))
    overdue = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_overdue", label=_("Overdue")
    )
    owner = OwnerFilter(
        queryset=get_user_model().objects.none(), method="filter_owner", label=_("Owner")
    )
    activity = django_filters.ModelChoiceFilter(
        field_name="audit__activity",
        queryset=AuditActivity.objects.order_by("-month", "name"),
        label=_("Activity"),
    )
    team = django_filters.ModelChoiceFilter(
        field_name="audit__team", queryset=Team.objects.all(), label=_("Case holder's team")
    )
    due_from = DateInputFilter(field_name="due_date", lookup_expr="gte", label=_("Due from"))
    due_to = DateInputFilter(field_name="due_date", lookup_expr="lte", label=_("Due to"))

    class Meta:
        model = AgreedAction
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only people whose actions this user may see: an auditor does not learn who else
        # has actions.
        self.filters["owner"].queryset = action_owners(user)

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(is_overdue=(value == "yes"))

    def filter_owner(self, queryset, name, value):
        return queryset.filter(owned_by(value))
