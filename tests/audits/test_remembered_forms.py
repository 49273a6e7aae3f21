"""audits.templatetags.remembered_forms: a form, or a part of it, remembered by everything it is
drawn from, draws exactly what ``{% crispy %}`` draws (the moderation page's decision form and
its rows of actions), escapes what it is given, and never shows anything stale."""

from collections import namedtuple

import pytest
from django.template import engines

from audits.grades import OVERALL_GRADES
from audits.templatetags import filter_forms
from moderation.forms import ModerationForm, moderation_actions_formset

Domain = namedtuple("Domain", "number title")
AWKWARD = "<b>&\"x'"
DOMAINS = [Domain(1, f"Risk {AWKWARD}"), Domain(2, "Plans"), Domain(12, "Outcomes")]
PARTS = ("decision", "notes", "feedback")


@pytest.fixture(autouse=True)
def nothing_remembered():
    filter_forms.forget_all()
    yield
    filter_forms.forget_all()


def drawn(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def theirs(form, part: str) -> str:
    return drawn(f"{{% load crispy_forms_tags %}}{{% crispy form form.parts.{part} %}}", form=form)


def ours(form, part: str) -> str:
    return drawn(f'{{% load remembered_forms %}}{{% remembered_crispy form "{part}" %}}', form=form)


def moderation_form(data=None, initial=None, grades=None):
    return ModerationForm(
        data,
        domains=DOMAINS,
        initial=initial or {"grade": "meets"},
        grades=grades or OVERALL_GRADES,
    )


@pytest.mark.parametrize("part", PARTS)
def test_a_part_is_drawn_as_crispy_draws_it_first_and_from_memory(part):
    first = ours(moderation_form(), part)
    assert first == theirs(moderation_form(), part)
    assert ours(moderation_form(), part) == first
    assert filter_forms._remembered


def test_what_it_draws_is_escaped():
    html = ours(moderation_form(), "notes")
    assert AWKWARD not in html
    assert "Risk &lt;b&gt;&amp;&quot;x&#x27;" in html


def test_another_value_or_scale_is_drawn_afresh():
    ours(moderation_form(), "decision")
    for form in (
        moderation_form(initial={"grade": "exceeds"}),
        moderation_form(grades=[("good", "Good"), ("inadequate", f"Inadequate {AWKWARD}")]),
    ):
        assert ours(form, "decision") == theirs(form, "decision")


def test_typed_text_is_drawn_each_time_and_never_remembered():
    typed = {"grade": "meets", "note_1": f"Typed {AWKWARD}", "feedback": "Say more"}
    for part in PARTS:
        assert ours(moderation_form(initial=typed), part) == theirs(
            moderation_form(initial=typed), part
        )
    assert "Typed &lt;b&gt;" in ours(moderation_form(initial=typed), "notes")
    remembered = repr(list(filter_forms._remembered))
    assert "Typed" not in remembered and "Say more" not in remembered


def test_a_form_with_errors_is_drawn_each_time():
    data = {"action": "record", "grade": ""}
    form = moderation_form(data=data)
    assert not form.is_valid()
    assert ours(form, "decision") == theirs(form, "decision")
    assert "Choose the moderated grade." in ours(form, "decision")
    assert not filter_forms._remembered


def test_the_rows_of_actions_are_drawn_as_crispy_draws_them():
    kept = [{"description": f"Kept {AWKWARD}", "owner": "", "due_date": ""}]
    for initial in (None, kept):
        for form in moderation_actions_formset(initial=initial):
            crispy = drawn("{% load crispy_forms_tags %}{% crispy f %}", f=form)
            remembered = "{% load remembered_forms %}{% remembered_crispy f %}"
            assert drawn(remembered, f=form) == crispy
            assert drawn(remembered, f=form) == crispy
    remembered = repr(list(filter_forms._remembered))
    assert "Kept" not in remembered
