"""The forms of an action's page: mark it done or no longer needed, reopen it, give it to
someone else."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy

from audits import roles
from audits.dates import DateInputField
from audits.forms import AccessibleFormMixin
from audits.layout import Column, Layout, Row


class ActionPageForm(AccessibleFormMixin, forms.Form):
    summary_names_fields = False  # each message says what to put right


class MarkDoneForm(ActionPageForm):
    note = forms.CharField(
        label=gettext_lazy("What was done"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Say what was done.")},
    )
    completed_on = DateInputField(
        label=gettext_lazy("Date it was done"),
        required=False,
        help_text=gettext_lazy("Leave empty for today. For example, 1 7 2026"),
    )

    def layout(self):
        return Layout("note", Row(Column("completed_on", width="one-third")))


class NotNeededForm(ActionPageForm):
    reason = forms.CharField(
        label=gettext_lazy("Why it is no longer needed"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Say why the action is no longer needed.")},
    )


class ReopenForm(ActionPageForm):
    note = forms.CharField(
        label=gettext_lazy("Why it is reopened"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Say why the action is reopened.")},
    )


class AccountChoiceField(forms.ModelChoiceField):
    """Any account, named with its username too: two people may share a name."""

    def label_from_instance(self, obj):
        name = roles.display_name(obj)
        return name if name == obj.get_username() else f"{name} ({obj.get_username()})"


class AssignForm(ActionPageForm):
    assignee = AccountChoiceField(
        label=gettext_lazy("Owner"),
        required=False,
        queryset=get_user_model()
        .objects.filter(is_active=True)
        .order_by("first_name", "last_name", "username"),
        empty_label=gettext_lazy("The auditor who agreed it"),
        help_text=gettext_lazy(
            "The person who answers for the action: they can mark it done "
            "and they get its reminders."
        ),
    )

    def layout(self):
        return Layout(Row(Column("assignee", width="one-half")))
