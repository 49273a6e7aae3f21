"""The tool builder's forms: a tool, its scale, its sections and questions, and the preview.

The forms check only what can never be right as typed (a blank name, a grade ticked as good
with no name); every rule of what a tool may hold is the service's (audits.tools.services),
whose ToolError names the field it belongs beside (``add_tool_error``).
"""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.dates import DateInputField
from audits.forms import AccessibleFormMixin
from audits.layout import Column, Fieldset, Layout, Row

from .kinds import QuestionKind, YesNo
from .services import STANDARD_SCALE, ToolError

# How many grades a scale may have: the rows the scale form offers.
MAX_GRADES = 6

GUIDANCE_MAX = 5000


def _grade_fields() -> dict[str, forms.Field]:
    fields = {}
    for n in range(1, MAX_GRADES + 1):
        fields[f"grade_{n}"] = forms.CharField(
            label=gettext_lazy("Grade %(n)s (best)") % {"n": n}
            if n == 1
            else gettext_lazy("Grade %(n)s") % {"n": n},
            max_length=100,
            required=False,
        )
        fields[f"good_{n}"] = forms.BooleanField(
            label=gettext_lazy("Grade %(n)s counts as good") % {"n": n}, required=False
        )
    return fields


def scale_initial(grades) -> dict:
    """The scale fields' values for ``grades``: (label, counts as good) pairs, best first."""
    initial = {}
    for n, (label, good) in enumerate(grades, start=1):
        initial[f"grade_{n}"], initial[f"good_{n}"] = label, good
    return initial


def standard_scale_initial() -> dict:
    return scale_initial(STANDARD_SCALE)


class ScaleMixin:
    """The scale as rows of a grade's name and whether it counts as good, best first; blank
    rows are left out. ``cleaned_data["grades"]``: (label, counts as good) pairs."""

    def scale_layout(self):
        return Fieldset(
            gettext_lazy("The tool's scale"),
            *[
                Row(
                    Column(f"grade_{n}", width="two-thirds"),
                    Column(f"good_{n}", width="one-third"),
                )
                for n in range(1, MAX_GRADES + 1)
            ],
        )

    def clean_scale(self, cleaned):
        grades = []
        for n in range(1, MAX_GRADES + 1):
            label = (cleaned.get(f"grade_{n}") or "").strip()
            good = bool(cleaned.get(f"good_{n}"))
            if not label:
                if good:
                    self.add_error(
                        f"grade_{n}",
                        _("Give grade %(n)s a name, or untick “counts as good”.") % {"n": n},
                    )
                continue
            grades.append((label, good))
        cleaned["grades"] = grades
        return cleaned


class ToolDetailsForm(AccessibleFormMixin, forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name of the tool"),
        max_length=200,
        help_text=gettext_lazy("For example: Neglect thematic audit."),
    )
    description = forms.CharField(
        label=gettext_lazy("What the tool is for (optional)"),
        required=False,
        max_length=GUIDANCE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    has_overall_grade = forms.BooleanField(
        label=gettext_lazy("The auditor gives an overall grade on the tool's scale"),
        required=False,
        help_text=gettext_lazy(
            "Moderation needs an overall grade: a tool without one is not moderated."
        ),
    )

    def layout(self):
        return Layout("name", "description", "has_overall_grade")


class NewToolForm(ScaleMixin, ToolDetailsForm):
    """A new tool: its name, what it is for, whether it grades overall, and its scale."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_grade_fields())
        self.fields["has_overall_grade"].initial = True

    def layout(self):
        return Layout("name", "description", "has_overall_grade", self.scale_layout())

    def clean(self):
        return self.clean_scale(super().clean())


class ScaleForm(ScaleMixin, AccessibleFormMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_grade_fields())

    def layout(self):
        return Layout(self.scale_layout())

    def clean(self):
        return self.clean_scale(super().clean())


class SectionForm(AccessibleFormMixin, forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Title of the section"),
        max_length=300,
        help_text=gettext_lazy("For example: Recognising neglect."),
    )
    guidance = forms.CharField(
        label=gettext_lazy("Guidance for the auditor (optional)"),
        required=False,
        max_length=GUIDANCE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class QuestionForm(AccessibleFormMixin, forms.Form):
    text = forms.CharField(label=gettext_lazy("Question"), max_length=500)
    kind = forms.ChoiceField(
        label=gettext_lazy("How is it answered?"),
        choices=QuestionKind.choices,
        widget=forms.RadioSelect,
    )
    options = forms.CharField(
        label=gettext_lazy("Options of the list (for a choice from a list)"),
        required=False,
        max_length=GUIDANCE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("One option per line, in the order the auditor sees them."),
    )
    guidance = forms.CharField(
        label=gettext_lazy("Guidance for the auditor (optional)"),
        required=False,
        max_length=GUIDANCE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    required = forms.BooleanField(
        label=gettext_lazy("The auditor must answer it before submitting"),
        required=False,
        initial=True,
    )

    def clean_options(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["options"].splitlines() if line.strip()]

    def layout(self):
        return Layout("text", "kind", "options", "guidance", "required")


def question_initial(question) -> dict:
    return {
        "text": question.text,
        "kind": question.kind,
        "options": "\n".join(question.options),
        "guidance": question.guidance,
        "required": question.required,
    }


def add_tool_error(form: forms.Form, error: ToolError) -> None:
    """Put the service's refusal beside the field it names (the scale's first row for the
    scale), else at the top of the form."""
    field = error.field
    if field == "grades":
        field = "grade_1" if "grade_1" in form.fields else None
    if field not in form.fields:
        field = None
    form.add_error(field, error.message)


# --- The preview: the tool's questions as the auditor's page asks them ----------------------


class PreviewForm(AccessibleFormMixin, forms.Form):
    """The questions of a built tool as fields, one section after another, for the builder's
    preview. Nothing typed into it is saved: the page has no button to send it."""

    def __init__(self, *, tool, sections):
        super().__init__()
        self.sections = []
        grades = [(g.code, g.label) for g in tool.grades.all()]
        for section in sections:
            names = []
            for question in section.questions.all():
                name = f"q{question.pk}"
                self.fields[name] = _question_field(question, grades)
                names.append(name)
            self.sections.append((section, Layout(*names)))
        if tool.has_overall_grade and grades:
            self.fields["overall"] = forms.ChoiceField(
                label=_("Overall grade"), choices=grades, widget=forms.RadioSelect
            )

    def section_parts(self):
        from audits.layout import form_helper

        parts = [(section, form_helper(layout)) for section, layout in self.sections]
        overall = form_helper(Layout("overall")) if "overall" in self.fields else None
        return parts, overall


def _question_field(question, grades) -> forms.Field:
    label = f"{question.section.number}.{question.number} {question.text}"
    common = {"label": label, "required": question.required}
    if question.guidance:
        common["help_text"] = question.guidance
    if not question.required:
        common["label"] = _("%(question)s (optional)") % {"question": label}
    kind = question.kind
    if kind == QuestionKind.GRADED:
        return forms.ChoiceField(choices=grades, widget=forms.RadioSelect, **common)
    if kind == QuestionKind.YES_NO:
        return forms.ChoiceField(choices=YesNo.choices, widget=forms.RadioSelect, **common)
    if kind == QuestionKind.CHOICE:
        return forms.ChoiceField(
            choices=[(o, o) for o in question.options], widget=forms.RadioSelect, **common
        )
    if kind == QuestionKind.NUMBER:
        return forms.DecimalField(
            widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
            **common,
        )
    if kind == QuestionKind.DATE:
        return DateInputField(**common)
    return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), **common)
