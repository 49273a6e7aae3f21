"""The questions an administrator asks the security log."""

from django import forms
from django.utils.translation import gettext_lazy

from ..dates import DateInputField
from ..forms import AccessibleFormMixin
from ..layout import Column, Layout, Row
from .selectors import LogQuery


class LogQueryForm(AccessibleFormMixin, forms.Form):
    case_reference = forms.CharField(
        label=gettext_lazy("Case reference"),
        max_length=32,
        required=False,
        help_text=gettext_lazy("Who has looked at or changed this case."),
    )
    user = forms.CharField(
        label=gettext_lazy("Username"),
        max_length=150,
        required=False,
        help_text=gettext_lazy("What this person saw and changed."),
    )
    since = DateInputField(label=gettext_lazy("From"), required=False)
    until = DateInputField(label=gettext_lazy("To (inclusive)"), required=False)

    def layout(self):
        return Layout(
            Row(
                Column("case_reference", width="one-quarter"),
                Column("user", width="one-quarter"),
                Column("since", width="one-quarter"),
                Column("until", width="one-quarter"),
            )
        )

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error(
                "until", gettext_lazy("The end date must be on or after the start date.")
            )
        return cleaned

    def query(self) -> LogQuery:
        data = self.cleaned_data
        return LogQuery(
            since=data.get("since"),
            until=data.get("until"),
            user=(data.get("user") or "").strip(),
            case_reference=(data.get("case_reference") or "").strip(),
        )
