"""audits.tools.selectors: a grade code reads on its own tool's scale."""

import pytest

from audits import services
from audits.tools import selectors
from audits.tools import services as tools
from tests.factories import qa_lead

pytestmark = pytest.mark.django_db

SCALE = [("Good", True), ("Requires improvement", False), ("Inadequate", False)]


def test_a_built_tools_codes_read_as_its_own_labels():
    tool = tools.tool_create(name="Observation", by=qa_lead(), grades=SCALE)

    assert selectors.grade_label(tool, "requires_improvement") == "Requires improvement"
    assert selectors.grade_choices(tool) == [
        ("good", "Good"),
        ("requires_improvement", "Requires improvement"),
        ("inadequate", "Inadequate"),
    ]
    assert selectors.grade_is_good(tool, "good")
    assert not selectors.grade_is_good(tool, "inadequate")
    assert selectors.grade_label(tool, "") == ""
    # a standard code is no grade of this tool
    assert selectors.grade_label(tool, "meets") == "meets"
    assert not selectors.grade_is_good(tool, "meets")


def test_the_standard_tools_codes_read_as_the_standard_labels():
    tool = services.current_tool()

    assert selectors.grade_label(tool, "does_not_meet") == "Does not meet good"
    assert selectors.grade_codes(tool) == ("exceeds", "meets", "does_not_meet")
    assert selectors.grade_is_good(tool, "meets")
    assert selectors.grade_label(tool, "nonsense") == "nonsense"
