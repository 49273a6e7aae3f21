import copy

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import EMPTY_VALUES, RegexValidator
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from . import roles, selectors
from .dates import DateInputField
from .forms import AccessibleFormMixin
from .grades import OVERALL_GRADES
from .layout import Column, Layout, Row
from .models import Audit, AuditActivity, CaseType, Status, Strand
from .rules import CASE_REFERENCE_RE


class DateInputFilter(django_filters.DateFilter):
    """A date typed in GOV.UK date input boxes (audits.dates)."""

    field_class = DateInputField


class PersonChoiceField(forms.ModelChoiceField):
    """People by name (roles.display_name), not username."""

    def label_from_instance(self, obj):
        return roles.display_name(obj)


class PersonFilter(django_filters.ModelChoiceFilter):
    field_class = PersonChoiceField


class CaseReferenceFilter(django_filters.CharFilter):
    """A case reference, or its beginning, whatever the case (selectors.with_case_reference_
    prefix, an index read). ``field`` is the reference's path from the list's rows."""

    def __init__(self, *, field="case_reference", **kwargs):
        self.reference_field = field
        kwargs.setdefault("label", _("Case reference"))
        kwargs.setdefault("help_text", _("All of it or its beginning, for example CR-10"))
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault(
            "validators",
            [
                RegexValidator(
                    CASE_REFERENCE_RE,
                    _("Case reference must be letters, numbers and hyphens only"),
                )
            ],
        )
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return selectors.with_case_reference_prefix(qs, value, field=self.reference_field)


class FilterForm(AccessibleFormMixin, forms.Form):
    """A list page's filters, side by side (``_filter_form.html`` shows them)."""

    def layout(self):
        # A date's three boxes need a third of the row to sit on one line.
        return Layout(
            Row(
                *(
                    Column(
                        name,
                        width="one-third" if isinstance(field, DateInputField) else "one-quarter",
                    )
                    for name, field in self.fields.items()
                )
            )
        )


class _DeclaredFilters(dict):
    """A FilterSet's declared filters (``base_filters``), copied for each FilterSet made.

    django-filter deep-copies them, querysets, choices and labels and all: some 2,300 Python
    calls for the audit list's, on every request. Each FilterSet needs its own filters (it sets
    their ``parent``, may change their ``extra``, which its form's fields are made from, and
    caches the field it makes), not its own copies of what they hold: nothing changes a filter's
    queryset or choices in place (a ModelChoiceField takes ``queryset.all()``, a ChoiceField a
    list of its own; a FilterSet's ``__init__`` replaces them). So each filter is copied with
    its own ``extra``, and a filter with a ``method`` gets a FilterMethod of its own (the
    declared one's would call the declared filter, whose ``parent`` is no FilterSet)."""

    def __deepcopy__(self, memo):
        filters = {}
        for name, declared in self.items():
            copied = copy.copy(declared)
            copied.__dict__.pop("_field", None)  # each FilterSet makes its own field
            copied.extra = dict(declared.extra)
            if declared.method is not None:
                copied.method = declared.method
            filters[name] = copied
        return filters


class StyledFilterSet(django_filters.FilterSet):
    """A FilterSet whose form renders through crispy like every form of the app, and refuses
    what every form of the app refuses (FilterForm, so SafeInputMixin). django-filter leaves a
    filter with an error out of the list; the error is shown on the filter form."""

    # The model choice filters whose queryset is the same for every request and user (declared
    # on the class, never changed by __init__): templatetags.filter_forms reads their rows on
    # each request but makes their SQL once per worker.
    fixed_choices: tuple[str, ...] = ()

    @classmethod
    def get_filters(cls):
        return _DeclaredFilters(super().get_filters())

    def get_form_class(self):
        form_class = type(
            f"{type(self).__name__}Form",
            (FilterForm, super().get_form_class()),
            {"filterset_class": type(self)},
        )
        form_class.base_fields = _FieldsOfOneForm(form_class.base_fields)
        return form_class


class _FieldsOfOneForm(dict):
    """The fields of a filter form's class, which django-filter makes for one FilterSet and
    its one form: each made afresh from the FilterSet's own filters. A form deep-copies its
    class's fields so that two forms never share one; these have one form, so it takes them
    as they are (the copy was some 1,500 Python calls a request on the audit list)."""

    def __deepcopy__(self, memo):
        return dict(self)


class AuditFilter(StyledFilterSet):
    case_reference = CaseReferenceFilter()
    date_from = DateInputFilter(
        field_name="audit_date", lookup_expr="gte", label=_("Audit date from")
    )
    date_to = DateInputFilter(field_name="audit_date", lookup_expr="lte", label=_("Audit date to"))
    activity = django_filters.ModelChoiceFilter(
        queryset=AuditActivity.objects.order_by("-month", "name"), label=_("Activity")
    )
    strand = django_filters.ModelChoiceFilter(queryset=Strand.objects.all(), label=_("Strand"))
    case_type = django_filters.ModelChoiceFilter(
        queryset=CaseType.objects.all(), label=_("Case type")
    )
    overall_grade = django_filters.ChoiceFilter(
        choices=OVERALL_GRADES, label=_("Overall grade (auditor)")
    )
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("State"))
    # Who has audits: one index probe per person (Exists), where a join with DISTINCT read
    # every audit on each page of the list. Only what a person's label is drawn from (their
    # names): the filter form's key reads these columns on every request
    # (templatetags.filter_forms), and a sign-in changes the rest.
    auditor = PersonFilter(
        queryset=get_user_model()
        .objects.filter(Exists(Audit.objects.filter(auditor=OuterRef("pk"))))
        .only("first_name", "last_name", "username")
        .order_by("first_name", "last_name", "username"),
        label=_("Auditor"),
    )

    fixed_choices = ("activity", "strand", "case_type", "auditor")

    class Meta:
        model = Audit
        fields = []

    def __init__(self, *args, show_auditor=True, drafts=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_auditor:
            del self.filters["auditor"]
        if not drafts:
            self.filters["status"].extra["choices"] = [
                c for c in Status.choices if c[0] != Status.DRAFT
            ]


def warm_audit_filters() -> int:
    """The audit lists' filter forms (all audits, my audits), drawn before a worker's first
    request (config/warmup.py; templatetags.filter_forms.warm). Returns how many forms."""
    from .templatetags.filter_forms import warm

    queryset = Audit.objects.none()
    return sum(
        warm(lambda data, options=options: AuditFilter(data, queryset=queryset, **options))
        for options in ({"show_auditor": True, "drafts": False}, {"show_auditor": False})
    )
