"""The improvement plan's forms (crispy, GOV.UK): the recommendations confirmed as items, an
item's details, its progress. They check types; the rules are reports.plan.services', whose
errors the views put beside the field."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.actions.forms import AccountChoiceField
from audits.dates import DateInputField
from audits.forms import AccessibleFormMixin, summarise_errors
from audits.layout import Column, Layout, Row
from reports.models import PlanItem

from .services import OWNER_NAME_MAX, STATUS_MOVES, TITLE_MAX, item_errors


def _accounts():
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .order_by("first_name", "last_name", "username")
    )


class ItemFieldsMixin(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("What is to be done"),
        required=False,
        max_length=TITLE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    owner = AccountChoiceField(
        label=gettext_lazy("Owner's account"),
        required=False,
        queryset=get_user_model().objects.none(),
        empty_label=gettext_lazy("No account: name the owner below"),
        help_text=gettext_lazy("An owner with an account sees their overdue items on their home."),
    )
    owner_name = forms.CharField(
        label=gettext_lazy("Owner's name or role"),
        required=False,
        max_length=OWNER_NAME_MAX,
        help_text=gettext_lazy("For example, Head of Service, Children in Need"),
    )
    due_date = DateInputField(label=gettext_lazy("Due date"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _accounts()

    def add_service_errors(self, errors) -> None:
        for field, message in errors:
            if message:
                self.add_error(field if field in self.fields else None, message)


class RecommendationForm(AccessibleFormMixin, ItemFieldsMixin):
    """One recommendation of the report, as the QA lead confirms it."""

    include = forms.BooleanField(
        label=gettext_lazy("Make this a plan item"), required=False, initial=True
    )

    def layout(self):
        return Layout(
            "include",
            "title",
            Row(Column("owner", width="one-half"), Column("owner_name", width="one-half")),
            "due_date",
        )

    def clean(self):
        data = super().clean()
        if data.get("include") and not self.errors:
            # The service's rules, said beside the field before anything is saved.
            self.add_service_errors(
                item_errors(
                    title=data.get("title", ""),
                    due_date=data.get("due_date"),
                    owner=data.get("owner"),
                    owner_name=data.get("owner_name", ""),
                )
            )
        return data


class BaseRecommendationFormSet(forms.BaseFormSet):
    def error_summary(self) -> list[tuple[str | None, str]]:
        """Each error named by its item: "Recommendation 2: Due date: Enter the ..."."""
        entries = [(None, message) for message in self.non_form_errors()]
        for number, form in enumerate(self.forms, start=1):
            entries += [
                (anchor, _("Recommendation %(n)s: %(message)s") % {"n": number, "message": msg})
                for anchor, msg in summarise_errors(form)
            ]
        return entries

    def chosen(self) -> list[tuple[int, dict]]:
        return [
            (number, form.cleaned_data)
            for number, form in enumerate(self.forms, start=1)
            if form.cleaned_data.get("include")
        ]


RecommendationFormSet = forms.formset_factory(
    RecommendationForm,
    formset=BaseRecommendationFormSet,
    extra=0,
    max_num=60,
    validate_max=True,
    absolute_max=60,
)


class ItemForm(AccessibleFormMixin, ItemFieldsMixin):
    """An item's details (the progress is ProgressForm's)."""

    evidence = forms.CharField(
        label=gettext_lazy("Evidence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What shows it is done: a note, or a link to a document."),
    )

    def layout(self):
        return Layout(
            "title",
            Row(Column("owner", width="one-half"), Column("owner_name", width="one-half")),
            "due_date",
            "evidence",
        )

    @staticmethod
    def initial_for(item: PlanItem) -> dict:
        return {
            "title": item.title,
            "owner": item.owner_id,
            "owner_name": item.owner_name,
            "due_date": item.due_date,
            "evidence": item.evidence,
        }


class ProgressForm(AccessibleFormMixin, forms.Form):
    summary_names_fields = False  # each message says what to put right

    note = forms.CharField(
        label=gettext_lazy("Progress"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Say what progress has been made.")},
        help_text=gettext_lazy("What has been done since the last note. It is dated and kept."),
    )
    evidence = forms.CharField(
        label=gettext_lazy("Evidence (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("A note, or a link to a document that shows it."),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status after this update"),
        choices=PlanItem.Status.choices,
        widget=forms.RadioSelect,
    )
    done_on = DateInputField(
        label=gettext_lazy("Date it was done"),
        required=False,
        help_text=gettext_lazy(
            "Only when marking it done; leave empty for today. For example, 1 7 2026"
        ),
    )

    def __init__(self, *args, item: PlanItem | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if item is not None:
            # The item's status and the moves the table allows from it; the service checks
            # again, so a stale page cannot make a move the table refuses.
            allowed = {item.status} | {to for (start, to) in STATUS_MOVES if start == item.status}
            self.fields["status"].choices = [
                (code, label) for code, label in PlanItem.Status.choices if code in allowed
            ]

    def layout(self):
        return Layout("note", "evidence", "status", "done_on")

    @staticmethod
    def initial_for(item: PlanItem) -> dict:
        # Progress on an item not started means it has started.
        started = item.status == PlanItem.Status.NOT_STARTED
        return {"status": PlanItem.Status.IN_PROGRESS if started else item.status}
