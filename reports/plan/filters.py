"""The plan page's filters: status, owner, overdue. The queryset must carry ``is_overdue``
(selectors.plan_list does)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from audits.actions.filters import YES_NO, OwnerFilter
from audits.filters import StyledFilterSet
from reports.models import PlanItem, Report

from .selectors import plan_owners


class PlanFilter(StyledFilterSet):
    status = django_filters.ChoiceFilter(choices=PlanItem.Status.choices, label=_("Status"))
    owner = OwnerFilter(queryset=plan_owners(), label=_("Owner's account"))
    overdue = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_overdue", label=_("Overdue")
    )
    report = django_filters.ModelChoiceFilter(
        queryset=Report.objects.filter(plan_items__isnull=False).distinct(),
        label=_("From the report"),
    )

    class Meta:
        model = PlanItem
        fields = []

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(is_overdue=(value == "yes"))
