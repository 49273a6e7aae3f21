"""The audit's section pages (audits.sections): header, twelve domains and agreed actions,
checked field by field.

Completeness (what submit needs) is the service's rule, not the form's: a draft may hold any
subset. The form only refuses values that can never be right, such as a malformed date.
"""

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.core import validators
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.forms.utils import pretty_name
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import conflicts, periods, sections
from .dates import DateInputField
from .grades import OVERALL_GRADES, Grade
from .layout import CharacterCount, Column, Layout, Row, form_helper
from .models import AgeBand, AuditActivity, CaseType, DomainGrade, Strand, Team
from .revisions import new_page_token
from .roles import is_administrator
from .rules import CASE_REFERENCE_RE, null_character_error
from .security.events import Event, record
from .services import AuditContent
from .tools import answers as tool_answers
from .tools import kinds as tool_kinds
from .tools import selectors as tool_selectors


class WithinReportDates:
    """A date field's check that its date is one the app works with (audits.periods)."""

    def __init__(self, label):
        self.label = label

    def __call__(self, value):
        if error := periods.report_date_error(value, str(self.label)):
            raise forms.ValidationError(error, code="date_out_of_range")


class SafeInputMixin:
    """What no field of the app may take, refused on the field it came in, naming that field.

    - A null character, in any field (PostgreSQL refuses it in text). Django refuses it only in
      a CharField, with a message naming no field; a choice, number or date holding one gets
      some other error. Ours replaces what the field said, so every field says the same.
    - A date outside periods.EARLIEST_REPORT_DATE to LATEST_REPORT_DATE, in any DateField,
      including fields a form adds after ``__init__``.

    The app's forms have it through AccessibleFormMixin, the filter forms through
    audits.filters.StyledFilterSet.
    """

    def full_clean(self):
        for name, field in self.fields.items():
            if isinstance(field, forms.DateField) and not any(
                isinstance(v, WithinReportDates) for v in field.validators
            ):
                field.validators.append(WithinReportDates(field.label or pretty_name(name)))
        super().full_clean()
        if not self.is_bound:
            return
        for bound in self:
            values = bound.data if isinstance(bound.data, (list, tuple)) else [bound.data]
            typed = "".join(v for v in values if isinstance(v, str))
            if error := null_character_error(typed, str(bound.label)):
                self.errors.pop(bound.name, None)
                self.add_error(
                    bound.name, forms.ValidationError(error, code="null_characters_not_allowed")
                )


class AccessibleFormMixin(SafeInputMixin):
    """A form the crispy-forms template pack renders (``{% crispy form %}``), with the project's
    error summary.

    The pack styles each widget and draws its label, hint and one error element; Django ties
    the hint and that element to the widget (aria-describedby) and marks it aria-invalid, for
    errors found after validation too (a service's refusal, added with add_error).

    ``layout()`` arranges the fields (audits.layout). A page that shows a form in parts names
    each part in ``layout_parts()`` and renders ``{% crispy form form.parts.<name> %}``. The
    page writes the <form> element, its CSRF token and buttons (audits.layout.form_helper), and
    above it the one ``_error_summary.html``, from ``error_summary()`` or the view.
    """

    # Django's own messages ("This field is required.") do not say which field they are about:
    # the error summary puts the field's label first. Forms whose messages name their field
    # ("Grade domain 4, or mark it Not applicable.") say False.
    summary_names_fields = True

    def layout(self) -> Layout:
        return Layout(*self.fields)

    def layout_parts(self) -> dict[str, Layout]:
        return {}

    @cached_property
    def helper(self):
        return form_helper(self.layout())

    @cached_property
    def parts(self):
        return {name: form_helper(layout) for name, layout in self.layout_parts().items()}

    def error_summary(self) -> list[tuple[str | None, str]]:
        return summarise_errors(self)


def field_anchor(auto_id: str, field: forms.Field | None) -> str:
    """Where an error summary link lands: the field, the first option of a choice list, or the
    first box of a date (audits.dates, a MultiWidget). ``field`` None: the id as it is."""
    widget = getattr(field, "widget", None)
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.MultiWidget)):
        return f"{auto_id}_0"
    return auto_id


def _anchor(bound_field) -> str:
    return field_anchor(bound_field.auto_id, bound_field.field)


def field_error_entries(bound_field) -> list[tuple[str, str]]:
    """(anchor, message) for each error of one field, as the error summary lists them."""
    named = getattr(bound_field.form, "summary_names_fields", True)
    label = str(bound_field.label)
    return [
        (
            _anchor(bound_field),
            # A message that already names its field (audits.dates) is not named twice.
            f"{label}: {message}"
            if named and label.lower() not in str(message).lower()
            else message,
        )
        for message in bound_field.errors
    ]


def summarise_errors(*forms_and_formsets) -> list[tuple[str | None, str]]:
    """(anchor id, message) for every error of these forms and formsets, in order, for
    ``_error_summary.html``. A form's own errors, which no field holds, link nowhere (None)."""
    entries = []
    for form in forms_and_formsets:
        if isinstance(form, forms.BaseFormSet):
            entries += [(None, message) for message in form.non_form_errors()]
            entries += summarise_errors(*form.forms)
            continue
        entries += [(None, message) for message in form.non_field_errors()]
        for bound_field in form:
            entries += field_error_entries(bound_field)
    return entries


def active_entries(model):
    return model.objects.filter(is_active=True)


class VocabularyChoiceField(forms.ModelChoiceField):
    """A strand, case type, age band or team. Only active entries are offered, but an entry an
    audit already has stays on its form after an administrator retires it (marked so), or
    saving the audit would silently empty the field."""

    def label_from_instance(self, obj):
        if not obj.is_active:
            return _("%(name)s (no longer offered)") % {"name": obj.name}
        return obj.name

    def keep(self, chosen) -> None:
        if chosen is not None and not chosen.is_active:
            model = self.queryset.model
            self.queryset = model.objects.filter(Q(is_active=True) | Q(pk=chosen.pk))


class ActivityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.month:%B %Y})"


class RevisionForm(AccessibleFormMixin, forms.Form):
    """What an edit page carries for the conflict check (audits.revisions): the revision it was
    opened at and its own token. Hidden; rendered with the page's other forms."""

    revision = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    page = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(self, data=None, *, record=None, **kwargs):
        initial = {"page": new_page_token()}
        if record is not None:
            initial["revision"] = record.revision
        super().__init__(data, initial=initial, **kwargs)

    def expected(self) -> dict:
        """The service's keyword arguments: ``expected_revision`` and ``page``."""
        return {
            "expected_revision": self.cleaned_data.get("revision"),
            "page": self.cleaned_data.get("page") or "",
        }

    def conflict_resolved(self, record) -> None:
        """After a conflict the page shows both versions; its next save is a choice made
        knowing the current one, so it carries the current revision."""
        self.data = self.data.copy()
        self.data[self.add_prefix("revision")] = str(record.revision)


class SectionRevisionForm(RevisionForm):
    """A section page's RevisionForm, carrying also the fingerprint of the section as the page
    showed it (audits.sections): a stale save may go through when the section is unchanged."""

    seen = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, data=None, *, record=None, section=None, **kwargs):
        super().__init__(data, record=record, **kwargs)
        self.section = section
        # A posted page carries the fingerprint it was drawn with; only a page drawn from the
        # record needs the record's.
        if data is None and record is not None and section is not None:
            self.initial["seen"] = sections.fingerprint(record, section)

    def expected(self) -> dict:
        return {**super().expected(), "seen": self.cleaned_data.get("seen") or ""}

    def conflict_resolved(self, record) -> None:
        super().conflict_resolved(record)
        self.data[self.add_prefix("seen")] = sections.fingerprint(record, self.section)


class AuditHeaderForm(AccessibleFormMixin, forms.Form):
    case_reference = forms.CharField(
        label=gettext_lazy("Case reference"),
        max_length=32,
        required=False,
        help_text=gettext_lazy(
            "The case management system's ID: letters, digits and hyphens. Never the child's name."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    audit_date = DateInputField(label=gettext_lazy("Audit date"), required=False)
    activity = ActivityChoiceField(
        label=gettext_lazy("Audit activity"),
        required=False,
        queryset=AuditActivity.objects.order_by("-month", "name"),
    )
    age_band = VocabularyChoiceField(
        label=gettext_lazy("Age band"), required=False, queryset=active_entries(AgeBand)
    )
    strand = VocabularyChoiceField(
        label=gettext_lazy("Strand"), required=False, queryset=active_entries(Strand)
    )
    case_type = VocabularyChoiceField(
        label=gettext_lazy("Case type"), required=False, queryset=active_entries(CaseType)
    )
    team = VocabularyChoiceField(
        label=gettext_lazy("Case holder's team"), required=False, queryset=active_entries(Team)
    )
    is_practice = forms.BooleanField(
        label=gettext_lazy("This is a practice audit (training; never counted in figures)"),
        required=False,
    )
    feedback_date = DateInputField(
        label=gettext_lazy("Date of feedback discussion"), required=False
    )
    feedback_with = forms.CharField(
        label=gettext_lazy("Discussed with"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Role, for example: case holder and team manager."),
    )
    feedback_notes = forms.CharField(
        label=gettext_lazy("Notes of the discussion"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    overall_grade = forms.ChoiceField(
        label=gettext_lazy("Overall grade"),
        required=False,
        choices=OVERALL_GRADES,
        widget=forms.RadioSelect,
    )
    overall_comments = forms.CharField(
        label=gettext_lazy("Overall comments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    VOCABULARIES = ("age_band", "strand", "case_type", "team")
    summary_names_fields = False  # the submit rules' messages name their field

    def layout_parts(self):
        # The page shows the header in parts, as on the paper tool: the case (with the earlier
        # audits of its reference after the first row), then after the domains and the
        # actions, the feedback and the overall judgement (BOTTOM_FIELDS).
        return {
            "case": Layout(
                Row(
                    Column("case_reference", width="one-half"),
                    Column("audit_date", width="one-half"),
                )
            ),
            "case_details": Layout(
                Row(
                    Column("age_band", width="one-third"),
                    Column("strand", width="one-third"),
                    Column("case_type", width="one-third"),
                ),
                Row(Column("team", width="one-half"), Column("activity", width="one-half")),
                "is_practice",
            ),
            "feedback": Layout(
                Row(
                    Column("feedback_date", width="one-third"),
                    Column("feedback_with", width="two-thirds"),
                ),
                "feedback_notes",
            ),
            "overall": Layout(
                *[f for f in ("overall_grade", "overall_comments") if f in self.fields]
            ),
            # What a built tool's audit records for its kind of activity (audits.sections).
            "kind": Layout(*[f for f in KIND_FIELDS if f in self.fields]),
        }

    def __init__(self, *args, practice_fixed: bool = False, only=None, **kwargs):
        if only is not None:
            # A section page's fields only (``only``, its names): Django deep-copies every
            # field a form declares, choices and querysets included, for each form it makes.
            self.base_fields = {n: f for n, f in type(self).base_fields.items() if n in only}
        super().__init__(*args, **kwargs)
        for name in self.VOCABULARIES:
            if name in self.fields:
                self.fields[name].keep(self.initial.get(name))
        # Once submitted, whether it is a practice audit is fixed (audits.change_practice_flag).
        self.practice_fixed = practice_fixed
        if practice_fixed and "is_practice" in self.fields:
            field = self.fields["is_practice"]
            field.help_text = _("Fixed once the audit has been submitted.")
            field.widget.attrs["disabled"] = True

    def clean_is_practice(self):
        # A browser posts nothing for a disabled box: that is no change. A tick posted all the
        # same goes on to the service, which refuses it beside this field.
        if self.practice_fixed and self.add_prefix("is_practice") not in self.data:
            return bool(self.initial.get("is_practice"))
        return self.cleaned_data["is_practice"]

    def clean_case_reference(self):
        value = self.cleaned_data["case_reference"].strip()
        if value and not CASE_REFERENCE_RE.match(value):
            raise forms.ValidationError(
                _("The case reference must be 1 to 32 letters, digits or hyphens.")
            )
        return value


class DomainForm(AccessibleFormMixin, forms.Form):
    grade = forms.ChoiceField(
        label=gettext_lazy("Grade"), required=False, choices=Grade.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=gettext_lazy("Evaluation"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    summary_names_fields = False

    def __init__(self, *args, domain, risk_categories=(), **kwargs):
        super().__init__(*args, prefix=f"domain-{domain.number}", **kwargs)
        self.domain = domain
        if risk_categories:
            self.fields["risks"] = forms.ModelMultipleChoiceField(
                label=_("Risks the child experiences or is at risk of"),
                required=False,
                queryset=risk_categories,
                widget=forms.CheckboxSelectMultiple,
            )

    def layout(self):
        risks = ["risks"] if "risks" in self.fields else []
        return Layout(*risks, "grade", "text")


class ActionForm(AccessibleFormMixin, forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(
        label=gettext_lazy("Action"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.CharField(label=gettext_lazy("By whom"), max_length=200, required=False)
    due_date = DateInputField(label=gettext_lazy("By when"), required=False)
    summary_names_fields = False

    def layout(self):
        removable = ["DELETE"] if "DELETE" in self.fields else []
        return Layout(
            "id",
            Row(
                Column("description", width="one-half"),
                Column("owner", width="one-quarter"),
                Column("due_date", width="one-quarter"),
            ),
            *removable,
        )

    def clean(self):
        data = super().clean()
        if (data.get("owner") or data.get("due_date")) and not (
            data.get("description") or ""
        ).strip():
            self.add_error("description", _("Describe the action, or remove the row."))
        return data


class ActionRows(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = gettext_lazy("Remove this action")


ActionFormSet = forms.formset_factory(ActionForm, formset=ActionRows, extra=1, can_delete=True)


# Header-form fields that the overall section shows (audits.sections).
BOTTOM_FIELDS = sections.OVERALL_FIELDS


def _kind_fields() -> dict[str, forms.Field]:
    """The header fields a built tool's audit adds for its kind of activity (audits.sections):
    made afresh for each form, as Django copies only declared fields."""
    return {
        "observed_event": forms.CharField(
            label=gettext_lazy("What was observed"),
            max_length=200,
            required=False,
            help_text=gettext_lazy("A meeting or a visit, for example a child in need review."),
        ),
        "observed_on": DateInputField(label=gettext_lazy("Date observed"), required=False),
        "observed_practitioner": forms.CharField(
            label=gettext_lazy("Practitioner observed"),
            max_length=200,
            required=False,
            help_text=gettext_lazy("Their name and role."),
        ),
        "external_auditor": forms.CharField(
            label=gettext_lazy("Independent auditor"),
            max_length=200,
            required=False,
            help_text=gettext_lazy("The name of the person who did the audit."),
        ),
        "external_organisation": forms.CharField(
            label=gettext_lazy("Their organisation"), max_length=200, required=False
        ),
    }


KIND_FIELDS = (*sections.OBSERVATION_FIELDS, *sections.EXTERNAL_FIELDS)


class QuestionForm(AccessibleFormMixin, forms.Form):
    """One question of a built tool (audits.tools), its fields by the question's kind: the
    answer (``value``, ``number``, ``date`` or ``text``), a comment beside a graded, yes/no or
    choice answer, and in a dip sample how many items the answer covers. What it may hold is
    audits.tools.answers.clean_answer's rule; whether it must be answered is the submit rules'."""

    def __init__(self, *args, question, tool, counting=False, **kwargs):
        super().__init__(*args, prefix=f"question-{question.pk}", **kwargs)
        self.question, self.tool, self.counting = question, tool, counting
        kind = question.kind
        hint = question.guidance
        if kind in tool_answers.VALUE_KINDS:
            self.fields["value"] = forms.ChoiceField(
                label=question.text,
                required=False,
                help_text=hint,
                choices=tool_answers.value_choices(question, tool),
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Choose one of the answers offered.")},
            )
            self.fields["text"] = forms.CharField(
                label=_("Comment (optional)"),
                required=False,
                max_length=tool_answers.TEXT_LIMIT,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        elif kind == tool_kinds.QuestionKind.NUMBER:
            self.fields["number"] = forms.CharField(
                label=question.text,
                required=False,
                help_text=hint,
                max_length=30,
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "decimal",
                        "spellcheck": "false",
                        "class": "govuk-input--width-10",
                    }
                ),
            )
        elif kind == tool_kinds.QuestionKind.DATE:
            example = _("For example, 1 7 2026")
            self.fields["date"] = DateInputField(
                label=question.text,
                required=False,
                help_text=f"{hint} {example}" if hint else example,
            )
        else:
            self.fields["text"] = forms.CharField(
                label=question.text,
                required=False,
                help_text=hint,
                max_length=tool_answers.TEXT_LIMIT,
                widget=forms.Textarea(attrs={"rows": 5}),
            )
        if counting:
            self.fields["items_checked"] = forms.CharField(
                label=_("Items checked"),
                required=False,
                max_length=10,
                help_text=_("How many items (referrals, files) this answer covers."),
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "numeric",
                        "spellcheck": "false",
                        "class": "govuk-input--width-5",
                    }
                ),
            )
        self.values: dict = {}

    @property
    def main_field(self) -> str:
        return tool_answers.main_field(self.question)

    def layout(self):
        names = []
        for name in self.fields:
            if name == "text" and self.question.kind == tool_kinds.QuestionKind.TEXT:
                names.append(CharacterCount("text"))
            else:
                names.append(name)
        return Layout(*names)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.values = tool_answers.clean_answer(
                self.question,
                tool=self.tool,
                counting=self.counting,
                **{name: data.get(name) for name in self.fields},
            )
        except tool_answers.AnswerError as error:
            self.add_error(error.field if error.field in self.fields else None, str(error))
        return data

    @staticmethod
    def initial_for(answer) -> dict:
        if answer is None:
            return {}
        number = answer.number
        return {
            "value": answer.value,
            # As typed, never in exponent form ("1E+1"), which the field would refuse.
            "number": "" if number is None else format(number.normalize(), "f"),
            "date": answer.date,
            "text": answer.text,
            "items_checked": "" if answer.items_checked is None else str(answer.items_checked),
        }


class AgencyForm(AccessibleFormMixin, forms.Form):
    """The auditor of one agency in a multi-agency audit: named, with no account needed."""

    auditor_name = forms.CharField(max_length=200, required=False)
    organisation = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, agency: str, index: int, **kwargs):
        super().__init__(*args, prefix=f"agency-{index}", **kwargs)
        self.agency, self.index = agency, index
        self.fields["auditor_name"].label = _("%(agency)s: auditor's name") % {"agency": agency}
        self.fields["organisation"].label = _("%(agency)s: organisation") % {"agency": agency}

    def layout(self):
        return Layout(
            Row(
                Column("auditor_name", width="one-half"),
                Column("organisation", width="one-half"),
            )
        )


class AuditFormPage:
    """The bound (or initial) forms of one section page of an audit (audits.sections), and the
    glue between them and services. The section's fields only: the header form keeps those of
    the section, the domain forms that of a domain section, the actions formset only on the
    actions section; what a page does not show, its save leaves alone. ``section`` None: every
    form (the whole audit)."""

    def __init__(
        self, *, tool, audit=None, data=None, practice_fixed=False, section=None, activity=None
    ):
        self.tool = tool
        self.audit = audit
        self.section = section
        # The activity a new audit starts in (a built tool's audit is always in one).
        self.activity = audit.activity if audit is not None and audit.activity_id else activity
        self.kind = self.activity.kind if self.activity is not None else ""
        domains = list(sections.tool_domains(tool)) if tool.is_standard else []
        if section is not None:
            domains = [d for d in domains if d.number == section.number]
        # Only domain 1 asks about risk categories: read them for its page (or the whole audit).
        shows_risks = any(d.number == 1 for d in domains)
        if shows_risks:
            prefetch_related_objects([d for d in domains if d.number == 1], "risk_categories")
        shown = section.header_fields if section is not None else None
        self.header = AuditHeaderForm(
            data, initial=self._header_initial(shown), practice_fixed=practice_fixed, only=shown
        )
        self._built_header(section)
        if section is not None:
            for name in list(self.header.fields):
                if name not in section.header_fields:
                    del self.header.fields[name]
        grades = {}
        risks = []
        # A posted page shows what was posted: the saved grades are read only for a page drawn
        # from the audit (compare_with draws the saved one afresh).
        if audit is not None and domains and data is None:
            # Kept on the audit: the page's fingerprint (SectionRevisionForm) reads it again.
            # Not in DomainGrade's order (a join of the audit and the domains), which no reader
            # of the page needs: each finds its grade by its domain.
            prefetch_related_objects(
                [audit], Prefetch("domain_grades", queryset=DomainGrade.objects.order_by())
            )
            grades = {g.domain_id: g for g in audit.domain_grades.all()}
            if shows_risks:
                risks = list(audit.risk_categories.values_list("pk", flat=True))
        self.domain_forms = []
        for domain in domains:
            grade = grades.get(domain.pk)
            initial = {"grade": grade.grade, "text": grade.text} if grade else {}
            categories = domain.risk_categories.all() if domain.number == 1 else None
            if categories is not None and categories.exists():
                initial["risks"] = risks
            else:
                categories = ()
            self.domain_forms.append(
                DomainForm(data, domain=domain, risk_categories=categories, initial=initial)
            )
        self.actions = None
        if section is None or section.kind == "actions":
            action_initial = []
            if audit is not None:
                action_initial = [
                    {
                        "id": a.pk,
                        "description": a.description,
                        "owner": a.owner,
                        "due_date": a.due_date,
                    }
                    for a in sections.auditor_actions(audit)
                ]
            self.actions = ActionFormSet(data, initial=action_initial, prefix="actions")
        self._built_forms(data, section)
        self.revision = SectionRevisionForm(data, record=audit, section=section)
        self.actions_errors: list[str] = []
        self._kept_action_forms = []

    def _built_header(self, section) -> None:
        """The header of a built tool's audit: in an activity of its tool and kind only, graded
        overall on the tool's own scale, with its kind's fields (audits.sections)."""
        activity = self.header.fields.get("activity")  # None: a section without it
        if self.tool.is_standard:
            # An activity with a tool of its own takes audits on that tool only.
            if activity is not None:
                activity.queryset = activity.queryset.filter(
                    Q(tool__isnull=True) | Q(tool__family=tool_kinds.STANDARD_FAMILY)
                )
            return
        if activity is not None:
            activity.queryset = activity.queryset.filter(tool=self.tool, kind=self.kind or "")
            activity.required = True
            activity.error_messages["required"] = _(
                "Choose the audit activity this audit belongs to."
            )
            activity.empty_label = None
        grade = self.header.fields.get("overall_grade")
        if grade is not None:
            grade.choices = tool_selectors.grade_choices(self.tool)
            grade.error_messages["invalid_choice"] = _("Choose one of the grades offered.")
        wanted = section.header_fields if section is not None else ()
        audit = self.audit
        for name, field in _kind_fields().items():
            if section is None or name in wanted:
                self.header.fields[name] = field
                if audit is not None:
                    self.header.initial[name] = getattr(audit, name)
        if audit is None and self.activity is not None:
            self.header.initial.setdefault("activity", self.activity)

    def _built_forms(self, data, section) -> None:
        """A built tool's question forms (of the section's questions) and a multi-agency
        audit's agency forms (on About the case)."""
        self.question_forms: list[QuestionForm] = []
        self.agency_forms: list[AgencyForm] = []
        if self.tool.is_standard:
            return
        counting = self.kind in tool_kinds.COUNTING_KINDS
        saved = {}
        if self.audit is not None:
            saved = {a.question_id: a for a in self.audit.answers.all()}
        for part in tool_selectors.tool_sections(self.tool):
            if section is not None and (
                section.kind != sections.QUESTIONS or section.number != part.number
            ):
                continue
            for question in part.questions.all():
                question.section = part
                self.question_forms.append(
                    QuestionForm(
                        data,
                        question=question,
                        tool=self.tool,
                        counting=counting,
                        initial=QuestionForm.initial_for(saved.get(question.pk)),
                    )
                )
        if (section is None and self.kind in tool_kinds.AGENCY_KINDS) or (
            section is not None and section.agencies
        ):
            names = (
                tool_answers.agencies_for(self.audit)
                if self.audit
                else list(self.activity.agencies if self.activity is not None else [])
            )
            kept = {}
            if self.audit is not None:
                kept = {c.agency: c for c in self.audit.agency_auditors.all()}
            for index, agency in enumerate(names):
                found = kept.get(agency)
                initial = (
                    {"auditor_name": found.auditor_name, "organisation": found.organisation}
                    if found
                    else {}
                )
                self.agency_forms.append(
                    AgencyForm(data, agency=agency, index=index, initial=initial)
                )

    def _header_initial(self, shown=None):
        """The saved header values of the fields ``shown`` (None: all of them)."""
        audit = self.audit
        if audit is None:
            return {}
        return {
            name: getattr(audit, name)
            for name in (
                "case_reference",
                "audit_date",
                "activity",
                "age_band",
                "strand",
                "case_type",
                "team",
                "is_practice",
                "feedback_date",
                "feedback_with",
                "feedback_notes",
                "overall_grade",
                "overall_comments",
            )
            if shown is None or name in shown
        }

    @property
    def is_bound(self) -> bool:
        return self.revision.is_bound

    @property
    def kind_fields(self) -> list[str]:
        """The header fields of the page that its kind of activity adds (a built tool's)."""
        return [name for name in KIND_FIELDS if name in self.header.fields]

    def is_valid(self) -> bool:
        results = [self.header.is_valid(), self.revision.is_valid()]
        if self.actions is not None:
            results.append(self.actions.is_valid())
        results += [form.is_valid() for form in self.domain_forms]
        results += [form.is_valid() for form in [*self.question_forms, *self.agency_forms]]
        return all(results)

    def content(self) -> AuditContent:
        """What was typed, as the service takes it. Call only after is_valid()."""
        header = dict(self.header.cleaned_data)
        domains, risk_ids = {}, None
        for form in self.domain_forms:
            domains[form.domain.number] = {
                "grade": form.cleaned_data.get("grade", ""),
                "text": form.cleaned_data.get("text", ""),
            }
            if "risks" in form.fields:
                risk_ids = (risk_ids or []) + [r.pk for r in form.cleaned_data.get("risks") or ()]
        if self.section is None:
            risk_ids = risk_ids or []
        actions, removed = [], []
        self._kept_action_forms = []
        for form in self.actions.forms if self.actions is not None else ():
            data = form.cleaned_data
            emptied = not any(
                (data.get("description") or "").strip() or data.get(k)
                for k in ("owner", "due_date")
            )
            if not data or data.get("DELETE") or emptied:
                # A row the page showed and the user removed or emptied goes; nothing else.
                if data and data.get("id"):
                    removed.append(data["id"])
                continue
            actions.append({k: data.get(k) for k in ("id", "description", "owner", "due_date")})
            self._kept_action_forms.append(form)
        return AuditContent(
            header=header,
            domains=domains,
            risk_category_ids=risk_ids,
            actions=actions,
            removed_action_ids=removed,
            answers={form.question.pk: form.values for form in self.question_forms},
            agencies=[{"agency": form.agency, **form.cleaned_data} for form in self.agency_forms]
            if self.agency_forms
            else None,
        )

    def saved_fields(self, audit, content: AuditContent) -> dict[str, int | str]:
        """After a save: the hidden fields the autosaving page must now hold: each kept action
        row's id (new rows have one now) and the section's new fingerprint."""
        fields = {
            form.add_prefix("id"): row["id"]
            for form, row in zip(self._kept_action_forms, content.actions)
        }
        if self.section is not None:
            fields[self.revision.add_prefix("seen")] = sections.fingerprint(audit, self.section)
        return fields

    def compare_with(self, current) -> dict:
        """After a refused save (audits.revisions): how the page differs from ``current``, the
        audit as saved now. Call after is_valid()."""
        saved = AuditFormPage(
            tool=self.tool,
            audit=current,
            practice_fixed=self.header.practice_fixed,
            section=self.section,
        )
        found = conflicts.differences(self.header, saved.header)
        for mine, theirs in zip(self.domain_forms, saved.domain_forms):
            prefix = _("Domain %(n)s: ") % {"n": mine.domain.number}
            found += conflicts.differences(mine, theirs, label_prefix=prefix)
        for mine, theirs in zip(self.question_forms, saved.question_forms):
            q = mine.question
            prefix = _("Question %(n)s: ") % {"n": f"{q.section.number}.{q.number}"}
            found += conflicts.differences(mine, theirs, label_prefix=prefix)
        for mine, theirs in zip(self.agency_forms, saved.agency_forms):
            found += conflicts.differences(mine, theirs)
        if self.actions is None:
            return {"differences": found, "other_actions": []}
        saved_actions = {a.pk: a for a in sections.auditor_actions(current)}
        on_page = set()
        for index, form in enumerate(self.actions.forms):
            data = form.cleaned_data or {}
            action = saved_actions.get(data.get("id"))
            if action is None:
                continue
            on_page.add(action.pk)
            theirs = ActionForm(
                initial={k: getattr(action, k) for k in ("description", "owner", "due_date")}
            )
            prefix = _("Action %(n)s: ") % {"n": index + 1}
            found += conflicts.differences(form, theirs, label_prefix=prefix)
        return {
            "differences": found,
            # Saved elsewhere and not on this page: they stay whatever this page saves.
            "other_actions": [a for pk, a in saved_actions.items() if pk not in on_page],
        }

    def answers(self) -> list[tuple[str, str]]:
        """(question, answer as a person reads it) for each field of the page, from the saved
        audit: the rows of the section's summary list on Check your answers."""
        rows = []
        for form in [self.header, *self.agency_forms, *self.domain_forms]:
            for bound in form:
                if isinstance(bound.field.widget, forms.HiddenInput):
                    continue
                rows.append((str(bound.label), _answer(bound.field, bound.initial)))
        saved = {a.question_id: a for a in self.audit.answers.all()} if self.question_forms else {}
        for form in self.question_forms:
            rows += question_rows(form.question, saved.get(form.question.pk), tool=self.tool)
        if self.actions is not None:
            for index, form in enumerate(self.actions.initial_forms):
                initial = form.initial
                words = initial.get("description") or ""
                if initial.get("owner"):
                    words += " — " + initial["owner"]
                if initial.get("due_date"):
                    words += ", " + _("by %(date)s") % {
                        "date": conflicts.readable(form.fields["due_date"], initial["due_date"])
                    }
                rows.append((_("Action %(n)s") % {"n": index + 1}, words))
            if not rows:
                rows.append((_("Agreed actions"), _("None")))
        return rows

    def show_problems(self, problems) -> None:
        """Put what submit refuses (audits.rules.Problem, this section's) on the page's fields,
        as errors: the section page a person reaches from Check your answers says what is
        missing there, at the field, with the error summary above. The page is not bound (it
        shows the saved audit), so each form gets an empty cleaned_data for add_error."""

        def add(form, field, message):
            if not hasattr(form, "cleaned_data"):
                form.cleaned_data = {}
            form.add_error(field if field in form.fields else None, message)

        by_number = {form.domain.number: form for form in self.domain_forms}
        by_question = {form.question.pk: form for form in self.question_forms}
        by_agency = {form.index: form for form in self.agency_forms}
        for problem in problems:
            if problem.part == "header" and problem.field in self.header.fields:
                add(self.header, problem.field, problem.message)
            elif problem.part == "question" and problem.question in by_question:
                add(by_question[problem.question], problem.field, problem.message)
            elif problem.part == "agency" and problem.index in by_agency:
                add(by_agency[problem.index], problem.field, problem.message)
            elif problem.part == "domain" and problem.index in by_number:
                add(by_number[problem.index], problem.field, problem.message)
            elif self.actions is not None and problem.part == "action":
                shown = self.actions.initial_forms
                if problem.index < len(shown):
                    add(shown[problem.index], problem.field, problem.message)
                else:
                    self.actions_errors.append(problem.message)

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor id, message) for every error on the page, in page order."""

        def field_errors(bound_fields):
            return [entry for b in bound_fields for entry in field_error_entries(b)]

        top = [b for b in self.header if b.name not in BOTTOM_FIELDS]
        bottom = [b for b in self.header if b.name in BOTTOM_FIELDS]
        summary = field_errors(top)
        for form in [*self.agency_forms, *self.domain_forms, *self.question_forms]:
            summary += [(None, m) for m in form.non_field_errors()]
            summary += field_errors(form)
        if self.actions is not None:
            summary += [
                ("actions", m) for m in self.actions_errors + list(self.actions.non_form_errors())
            ]
            for form in self.actions.forms:
                summary += field_errors(form)
        return summary + field_errors(bottom)


def question_rows(question, answer, *, tool) -> list[tuple[str, str]]:
    """The summary list rows of one answer of a built tool's audit: the answer as a person
    reads it, then its comment and the items checked where there are any."""
    rows = [(question.text, tool_answers.answer_display(question, answer, tool=tool))]
    if answer is not None and question.kind in tool_answers.VALUE_KINDS and answer.text:
        rows.append((_("Comment"), answer.text))
    if answer is not None and answer.items_checked is not None:
        rows.append((_("Items checked"), str(answer.items_checked)))
    return rows


def _answer(field, value) -> str:
    text = conflicts.readable(field, value)
    return "" if text == conflicts.readable(field, None) else text


class LoginForm(AccessibleFormMixin, AuthenticationForm):
    """The sign-in page's form (config/urls.py), rendered and summarised like every other."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy("Your username and password did not match. Try again."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        # AuthenticationForm sets the username's max_length after the field is made, so only
        # the browser kept to it: a longer name went on to authenticate() and into
        # django-axes's record of the failure, whose column holds 255 (a 500 on PostgreSQL).
        field = self.fields["username"]
        field.validators.append(validators.MaxLengthValidator(field.max_length))

    def confirm_login_allowed(self, user):
        """With LOCAL_PASSWORDS off the password form is the administrators' way in for when
        the council sign-in is down; everyone else is turned away to it."""
        super().confirm_login_allowed(user)
        if settings.LOCAL_PASSWORDS or is_administrator(user):
            return
        record(
            Event.SIGN_IN_FAILED,
            request=self.request,
            username=user.get_username(),
            changes={"reason": "local passwords are off"},
        )
        raise forms.ValidationError(local_passwords_off_message(), code="local_passwords_off")


def local_passwords_off_message() -> str:
    return _(
        "Use “Sign in with %(council)s account”: this app takes usernames and passwords only "
        "from administrators."
    ) % {"council": settings.COUNCIL_NAME}


class CaseSearchForm(AccessibleFormMixin, forms.Form):
    """Find a case by its reference, whole or its beginning (audits.selectors.find_case). Sent
    by GET from the header's box and the results page; its messages name the field."""

    summary_names_fields = False

    reference = forms.CharField(
        label=gettext_lazy("Case reference"),
        max_length=32,
        help_text=gettext_lazy("All of it or its beginning, for example CR-30"),
        error_messages={
            "required": gettext_lazy("Enter a case reference, or its beginning."),
            "max_length": gettext_lazy(
                "A case reference is at most %(limit_value)d characters (you entered "
                "%(show_value)d)."
            ),
        },
    )

    def __init__(self, *args, header: bool = False, **kwargs):
        # The header's box is on the results page too: its own ids, the same name.
        if header:
            kwargs.setdefault("auto_id", "header-search-%s")
        super().__init__(*args, **kwargs)
        if header:
            self.fields["reference"].help_text = ""
            self.fields["reference"].label = _("Find a case by reference")

    def clean_reference(self):
        reference = self.cleaned_data["reference"]
        if not CASE_REFERENCE_RE.match(reference):
            raise forms.ValidationError(
                _("A case reference has only letters, digits and hyphens, for example CR-3001."),
                code="invalid",
            )
        return reference


# Django's own password forms (config/urls.py), rendered through the pack and summarised above
# the page like every other form.


class PasswordChangeForm(AccessibleFormMixin, auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(AccessibleFormMixin, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(AccessibleFormMixin, auth_forms.SetPasswordForm):
    pass
