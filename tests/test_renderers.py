"""config.renderers.FormRenderer draws a <select> in one pass: the HTML must be exactly what
Django's own templates draw, for every kind of select the app has."""

import datetime

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates

from audits.filters import AuditFilter
from audits.forms import AuditHeaderForm
from audits.models import Audit
from config.renderers import SELECT, FormRenderer
from tests import factories

DJANGO = DjangoTemplates()
OURS = FormRenderer()


def both(widget, name, value, attrs):
    context = widget.get_context(name, value, attrs)
    return DJANGO.render(widget.template_name, context), OURS.render(widget.template_name, context)


def test_the_app_renders_forms_with_it():
    assert settings.FORM_RENDERER == "config.renderers.FormRenderer"


@pytest.mark.parametrize(
    ("widget", "value", "attrs"),
    [
        (forms.Select(choices=[("", "---"), ("a", "A & <b>"), ("b", 'B "quoted"')]), "a", {}),
        (forms.Select(choices=[(1, "One"), (2, "Two")]), None, {"disabled": True, "x": False}),
        (
            forms.SelectMultiple(choices=[("Group <1>", [("1", "One"), ("2", "Two")]), ("3", "3")]),
            ["1", "3"],
            {"aria-describedby": 'a"b', "class": "form-select is-invalid"},
        ),
        (forms.NullBooleanSelect(), True, {}),
    ],
)
def test_a_select_is_drawn_as_djangos_templates_draw_it(widget, value, attrs):
    expected, drawn = both(widget, "field", value, {"id": "id_field", **attrs})
    assert drawn == expected
    assert "<option" in drawn


@pytest.mark.django_db
def test_the_apps_model_selects_are_drawn_as_before():
    factories.AuditActivityFactory(name="Activity <&> one")
    form = AuditHeaderForm(initial={})
    audit_filter = AuditFilter({"strand": "1"}, queryset=Audit.objects.all())
    for bound in [form["activity"], form["team"], audit_filter.form["auditor"]]:
        widget = bound.field.widget
        expected, drawn = both(widget, bound.html_name, bound.value(), {"id": bound.auto_id})
        assert drawn == expected


def test_a_select_whose_options_have_their_own_template_is_left_to_the_templates():
    class Marked(forms.Select):
        option_template_name = "django/forms/widgets/radio_option.html"

    widget = Marked(choices=[("a", "A")])
    context = widget.get_context("field", "a", {"id": "id_field"})
    assert widget.template_name == SELECT
    assert OURS.render(SELECT, context) == DJANGO.render(SELECT, context)
    assert "<input" in OURS.render(SELECT, context)  # the option template was used


@pytest.mark.parametrize(
    ("widget", "value", "attrs"),
    [
        (forms.TextInput(), 'Text & <b>"quoted"</b>', {"class": "govuk-input"}),
        (forms.TextInput(), None, {"required": True, "disabled": False}),
        (forms.TextInput(), "", {"maxlength": 20, "aria-describedby": "a b"}),
        (forms.HiddenInput(), 12, {}),
        (forms.HiddenInput(), "r_-uplSyp5tqlgPT", {"data-x": 'a"b'}),
        (forms.NumberInput(), 3, {"min": 0, "step": "any"}),
        (forms.DateInput(), datetime.date(2026, 12, 7), {"class": "govuk-input"}),
        (forms.EmailInput(), "a@example.org", {"autocomplete": "email"}),
        (forms.PasswordInput(), "secret", {}),
        (forms.CheckboxInput(), True, {"class": "govuk-checkboxes__input"}),
        (forms.CheckboxInput(), False, {}),
        (forms.FileInput(), None, {}),
        (forms.Textarea(), "Line one\n\n  <script>x</script> & line two  \n", {"rows": 5}),
        (forms.Textarea(), "", {"class": "govuk-textarea", "aria-invalid": "true"}),
        (forms.Textarea(), None, {}),
    ],
)
def test_an_input_or_a_textarea_is_drawn_as_djangos_templates_draw_it(widget, value, attrs):
    expected, drawn = both(widget, "field", value, {"id": "id_field", **attrs})
    assert drawn == expected
    assert drawn.startswith(("<input", "<textarea"))


@pytest.mark.django_db
def test_a_bound_form_page_draws_its_inputs_as_before():
    form = AuditHeaderForm(data={"case_reference": "AB<1>", "audit_date_0": "7"})
    for bound in form:
        widget = bound.field.widget
        for sub_widget in getattr(widget, "widgets", [widget]):
            expected, drawn = both(
                sub_widget, bound.html_name, bound.value(), {"id": bound.auto_id}
            )
            assert drawn == expected


def test_an_overridden_input_template_is_used(tmp_path):
    """Where a project overrides Django's input template, its own template is drawn."""
    from pathlib import Path

    import django.forms

    folder = tmp_path / "django" / "forms" / "widgets"
    folder.mkdir(parents=True)
    (folder / "text.html").write_text('<input class="overridden" name="{{ widget.name }}">')
    renderer = FormRenderer()
    renderer.engine = renderer.backend(
        {
            "APP_DIRS": True,
            "DIRS": [tmp_path, Path(django.forms.__file__).parent / "templates"],
            "NAME": "overridden",
            "OPTIONS": {},
        }
    )
    context = forms.TextInput().get_context("field", "x", {"id": "id_field"})
    assert renderer.render("django/forms/widgets/text.html", context) == (
        '<input class="overridden" name="field">'
    )
    # Django's own hidden.html still comes from Django: drawn in Python, the same HTML.
    hidden = forms.HiddenInput().get_context("field", "x", {})
    assert renderer.render("django/forms/widgets/hidden.html", hidden) == DJANGO.render(
        "django/forms/widgets/hidden.html", hidden
    )


# The loop audits.templatetags.gds_radios replaced in templates/gds/layout/radios.html.
RADIO_LOOP = """{% load l10n %}{% for choice in field.field.choices %}
<div class="govuk-radios__item">
  <input type="radio" name="{{ field.html_name }}" class="govuk-radios__input" id="{{ field.auto_id }}_{{ forloop.counter0 }}" value="{{ choice.0|unlocalize }}"{% if choice.0|stringformat:"s" == field.value|stringformat:"s" %} checked="checked"{% endif %}{% if choice.hint %} aria-describedby="{{ field.auto_id }}_{{ forloop.counter0 }}_hint"{% endif %}>
  <label class="govuk-label govuk-radios__label" for="{{ field.auto_id }}_{{ forloop.counter0 }}">{{ choice.1 }}</label>
  {% if choice.hint %}<span id="{{ field.auto_id }}_{{ forloop.counter0 }}_hint" class="govuk-hint govuk-radios__hint">{{ choice.hint }}</span>{% endif %}
</div>
{% if choice.divider %}<div class="govuk-radios__divider">{{ choice.divider }}</div>{% endif %}
{% endfor %}"""  # noqa: E501


class HintedChoice(tuple):
    """A choice carrying a hint and a divider, as the template would read them."""

    hint = "A hint & <more>"
    divider = "or"


def _squeezed(html: str) -> str:
    import re

    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize(
    ("choices", "data"),
    [
        ([("", "Not graded"), ("meets", "Meets good"), ("na", "N/A <b>")], {"f": "meets"}),
        ([("", "None"), ("a", "A")], None),
        ([(1, "One"), (2, 'Two "2"'), (1000, "Thousand")], {"f": "2"}),
        ([(True, "Yes"), (False, "No")], {"f": "False"}),
        ([HintedChoice(("x", "X")), ("y", "Y")], {"f": "x"}),
    ],
)
def test_the_radio_options_are_drawn_as_the_templates_loop_drew_them(choices, data):
    from django.template import Context, Template

    class Radios(forms.Form):
        f = forms.ChoiceField(choices=choices, widget=forms.RadioSelect, required=False)

    form = Radios(data, initial={"f": choices[-1][0]})
    field = form["f"]
    ours = Template("{% load gds_radios %}{% radio_items field %}").render(
        Context({"field": field})
    )
    theirs = Template(RADIO_LOOP).render(Context({"field": field}))
    assert _squeezed(ours) == _squeezed(theirs)


@pytest.mark.django_db
def test_model_radios_are_drawn_as_the_templates_loop_drew_them():
    from django.template import Context, Template

    from audits.models import Strand

    first = Strand.objects.create(name="First & <one>", slug="first")
    Strand.objects.create(name="Second", slug="second")

    class Radios(forms.Form):
        f = forms.ModelChoiceField(queryset=Strand.objects.all(), widget=forms.RadioSelect)

    field = Radios(initial={"f": first})["f"]
    ours = Template("{% load gds_radios %}{% radio_items field %}").render(
        Context({"field": field})
    )
    theirs = Template(RADIO_LOOP).render(Context({"field": field}))
    assert _squeezed(ours) == _squeezed(theirs)
    assert 'checked="checked"' in ours
