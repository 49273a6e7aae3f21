"""The form a case holder answers an audit of their case with: their response, and for each
agreed action whether they agree (and, if not, why)."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..forms import AccessibleFormMixin, RevisionForm
from ..layout import CharacterCount, Fieldset, Layout
from ..models import ActionConfirmation
from .services import NOTE_MAX_LENGTH, RESPONSE_MAX_LENGTH, answer_field


class ResponseForm(AccessibleFormMixin, forms.Form):
    """``actions``: the audit's agreed actions, each given a question of its own."""

    text = forms.CharField(
        label=gettext_lazy("Your response to the audit"),
        max_length=RESPONSE_MAX_LENGTH,
        help_text=gettext_lazy(
            "What you make of the audit's findings: what you agree with, what you would add, "
            "and anything the auditor should know."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": gettext_lazy("Enter your response to the audit.")},
    )

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.actions = list(actions)
        for number, action in enumerate(self.actions, start=1):
            name = answer_field(action.pk)
            short = (
                action.description
                if len(action.description) <= 80
                else (action.description[:79] + "…")
            )
            self.fields[name] = forms.ChoiceField(
                label=_("Do you agree with action %(n)s, “%(action)s”?")
                % {"n": number, "action": short},
                choices=[
                    (ActionConfirmation.Answer.AGREED, _("Yes, I agree")),
                    (ActionConfirmation.Answer.NOT_AGREED, _("No, I do not agree")),
                ],
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Say whether you agree with action %(n)s.") % {"n": number}
                },
            )
            self.fields[name + "_note"] = forms.CharField(
                label=_("Note on action %(n)s (optional if you agree)") % {"n": number},
                help_text=_("If you do not agree, say why."),
                max_length=NOTE_MAX_LENGTH,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    # The messages above say what they are about: no label before them in the error summary.
    summary_names_fields = False

    def layout(self):
        parts = [CharacterCount("text")]
        for number, action in enumerate(self.actions, start=1):
            name = answer_field(action.pk)
            parts.append(
                Fieldset(
                    _("Agreed action %(n)s") % {"n": number},
                    name,
                    name + "_note",
                )
            )
        return Layout(*parts)

    def clean(self):
        cleaned = super().clean()
        for action in self.actions:
            name = answer_field(action.pk)
            if (
                cleaned.get(name) == ActionConfirmation.Answer.NOT_AGREED
                and not (cleaned.get(name + "_note") or "").strip()
            ):
                self.add_error(
                    name + "_note",
                    _("Say why you do not agree with action %(n)s.")
                    % {"n": self.actions.index(action) + 1},
                )
        return cleaned

    def answers(self) -> dict[int, tuple[str, str]]:
        """The service's ``answers``: action id -> (answer, note)."""
        return {
            action.pk: (
                self.cleaned_data.get(answer_field(action.pk)) or "",
                self.cleaned_data.get(answer_field(action.pk) + "_note") or "",
            )
            for action in self.actions
        }


def initial_of(response, actions) -> dict:
    """The form's values from the saved ``response`` (None: nothing saved yet)."""
    if response is None:
        return {}
    initial = {"text": response.text}
    saved = {c.action_id: c for c in response.confirmations.all()}
    for action in actions:
        confirmation = saved.get(action.pk)
        if confirmation is not None:
            initial[answer_field(action.pk)] = confirmation.answer
            initial[answer_field(action.pk) + "_note"] = confirmation.note
    return initial


class ResponseRevisionForm(RevisionForm):
    """The response page's revision: 0 when it showed no response yet, so a response someone
    saved in the meantime (another tab, the team manager) is not overwritten silently."""

    revision = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, data=None, *, record=None, **kwargs):
        super().__init__(data, record=record, **kwargs)
        if record is None:
            self.initial["revision"] = 0
