"""The grade vocabulary: one definition of codes, labels, order, short labels and classes."""

import pytest
from django.template import Context, Template
from django.utils import translation

from audits import grades
from audits.grades import Grade


def test_the_scales_are_best_first():
    assert grades.OVERALL_CODES == ("exceeds", "meets", "does_not_meet")
    assert grades.DOMAIN_CODES == (*grades.OVERALL_CODES, "not_applicable")
    assert [grades.GRADE_RANK[c] for c in grades.OVERALL_CODES] == [3, 2, 1]
    assert grades.GOOD == (Grade.EXCEEDS, Grade.MEETS)


def test_labels_and_short_labels():
    assert grades.label("does_not_meet") == "Does not meet good"
    assert grades.label("") == ""
    assert grades.short_label("not_applicable") == "N/A"
    assert set(grades.SHORT_LABELS) == set(grades.DOMAIN_CODES)
    assert set(grades.CHART_COLOURS) == set(grades.DOMAIN_CODES)


def test_labels_are_translated_lazily():
    label = Grade.MEETS.label
    assert not isinstance(label, str)  # a lazy proxy, resolved in the active language
    with translation.override("en-gb"):
        assert str(label) == "Meets good"


@pytest.mark.parametrize(
    "typed, code",
    [
        ("meets", "meets"),
        ("Meets good", "meets"),
        ("  EXCEEDS GOOD ", "exceeds"),
        ("does not meet", "does_not_meet"),
        ("N/A", "not_applicable"),
        ("na", "not_applicable"),
        ("Not applicable", "not_applicable"),
        ("good", None),
        ("", None),
        (None, None),
    ],
)
def test_parse(typed, code):
    assert grades.parse(typed) == code


def test_templates_ask_the_vocabulary():
    rendered = Template(
        "{{ code|grade_label }}|{{ code|grade_class }}|{{ code|grade_short_label }}"
        "|{{ value|percentage }}"
    ).render(Context({"code": "does_not_meet", "value": 31.25}))
    assert rendered == "Does not meet good|grade-does_not_meet|Does not meet|31.3%"
