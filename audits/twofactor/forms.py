"""The one field of the two-factor pages: a code."""

from django import forms
from django.utils.translation import gettext_lazy

from ..forms import AccessibleFormMixin


class SetUpCodeForm(AccessibleFormMixin, forms.Form):
    """The first code from the app, which proves it holds the secret."""

    code = forms.CharField(
        label=gettext_lazy("Code from your app"),
        max_length=20,
        help_text=gettext_lazy("The 6 digits the app shows for this account now."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={"required": gettext_lazy("Enter the 6-digit code from your app.")},
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (len(code) == 6 and code.isdigit()):
            raise forms.ValidationError(
                gettext_lazy("Enter the 6 digits your app shows, like 123456."), code="format"
            )
        return code


class VerifyCodeForm(AccessibleFormMixin, forms.Form):
    """A code from the app, or one of the recovery codes."""

    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=40,
        help_text=gettext_lazy(
            "The 6 digits your authenticator app shows now. Without your phone, use one of your "
            "recovery codes: each works once."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
        error_messages={"required": gettext_lazy("Enter the code from your app.")},
    )
