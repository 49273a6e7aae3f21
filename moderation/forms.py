from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.forms import AccessibleFormMixin, ActionForm
from audits.grades import OVERALL_GRADES
from audits.layout import Column, Layout, Row


class ModerationForm(AccessibleFormMixin, forms.Form):
    grade = forms.ChoiceField(
        label=gettext_lazy("Moderated overall grade"),
        required=False,
        choices=OVERALL_GRADES,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("Leave the auditor's grade to agree with it."),
    )
    rationale = forms.CharField(
        label=gettext_lazy("Rationale for a changed grade"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Required when you raise or lower the grade."),
    )
    feedback = forms.CharField(
        label=gettext_lazy("Feedback to the auditor"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("When sending the audit back, say what should change."),
    )
    summary_names_fields = False

    def __init__(self, *args, domains=(), draft=False, grades=None, **kwargs):
        super().__init__(*args, **kwargs)
        # A built tool's own scale (moderation.scales.choices), best first.
        if grades is not None:
            self.fields["grade"].choices = list(grades)
        # An autosaved draft is whatever has been typed so far: no decision rules yet.
        self.draft = draft
        self.domain_numbers = []
        for domain in domains:
            name = f"note_{domain.number}"
            self.fields[name] = forms.CharField(
                label=f"{domain.number}. {domain.title}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.domain_numbers.append(domain.number)

    def layout_parts(self):
        # The page shows the notes on domains in a panel, and the additional actions (a
        # formset) before the feedback.
        return {
            "decision": Layout("grade", "rationale"),
            "notes": Layout(*(f"note_{n}" for n in self.domain_numbers)),
            "feedback": Layout("feedback"),
        }

    def note_fields(self):
        return [self[f"note_{n}"] for n in self.domain_numbers]

    def domain_notes(self) -> dict[int, str]:
        return {n: self.cleaned_data.get(f"note_{n}", "") for n in self.domain_numbers}

    def draft_content(self, actions) -> dict:
        """What the moderator has typed, as moderation_save_draft keeps it (JSON). Call after
        is_valid(), with the additional actions' formset, also valid."""
        rows = [
            {
                "description": f.cleaned_data.get("description") or "",
                "owner": f.cleaned_data.get("owner") or "",
                "due_date": f.cleaned_data["due_date"].isoformat()
                if f.cleaned_data.get("due_date")
                else "",
            }
            for f in actions.forms
            if f.cleaned_data
        ]
        return {
            "grade": self.cleaned_data.get("grade") or "",
            "rationale": self.cleaned_data.get("rationale") or "",
            "feedback": self.cleaned_data.get("feedback") or "",
            "notes": {str(n): text for n, text in self.domain_notes().items() if text},
            "actions": [row for row in rows if any(row.values())],
        }

    @staticmethod
    def initial_from_draft(draft: dict) -> tuple[dict, list[dict]]:
        """(the form's initial, the action rows' initial) from a kept draft."""
        initial = {k: draft.get(k, "") for k in ("grade", "rationale", "feedback")}
        initial.update({f"note_{n}": text for n, text in (draft.get("notes") or {}).items()})
        return initial, list(draft.get("actions") or ())

    def clean(self):
        data = super().clean()
        if self.draft:
            return data
        if self.data.get("action") == "send_back" and not (data.get("feedback") or "").strip():
            self.add_error(
                "feedback", _("Say what the auditor should change before sending it back.")
            )
        if self.data.get("action") != "send_back" and not data.get("grade"):
            self.add_error("grade", _("Choose the moderated grade."))
        return data


class ModerationActionForm(ActionForm):
    """A row of additional actions, in the page's narrow column."""

    def layout(self):
        return Layout(
            "id",
            "description",
            Row(Column("owner", width="one-half"), Column("due_date", width="one-half")),
        )


ModerationActionFormSet = forms.formset_factory(ModerationActionForm, extra=3, can_delete=False)


def moderation_actions_formset(data=None, initial=None):
    """Three blank rows for additional actions (after any kept in a draft); the blank ones are
    ignored."""
    return ModerationActionFormSet(data, initial=initial, prefix="actions")


class ExemplarForm(AccessibleFormMixin, forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Why it is a good example (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
