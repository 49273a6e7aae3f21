"""The vocabularies of audit tools as data: the one place their codes and labels are written.

The standard 12-domain tool keeps its own grade vocabulary (``audits.grades``); a tool a QA
lead builds defines its own ordered scale (``ToolGrade``) and asks questions of these kinds.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from audits.grades import Grade

# The family of the 12-domain tool: its versions are "the standard tool". Its audits, and only
# they, make the standard figures, reports and CSV contract.
STANDARD_FAMILY = "standard"


class QuestionKind(models.TextChoices):
    GRADED = "graded", _("Graded on the tool's scale")
    YES_NO = "yes_no", _("Yes, no, partly or not applicable")
    NUMBER = "number", _("A number")
    DATE = "date", _("A date")
    CHOICE = "choice", _("A choice from a list")
    TEXT = "text", _("Free text")


class YesNo(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    PARTLY = "partly", _("Partly")
    # The same words as the standard tool's "not applicable" (one definition, audits.grades).
    NOT_APPLICABLE = "not_applicable", Grade.NOT_APPLICABLE.label


# The kinds whose answer is one of a fixed set of values, counted per value in results.
COUNTED_KINDS = frozenset({QuestionKind.GRADED, QuestionKind.YES_NO, QuestionKind.CHOICE})


class ActivityKind(models.TextChoices):
    CASE_FILE = "case_file", _("Case file audit")
    THEMATIC = "thematic", _("Thematic audit")
    PRACTICE_OBSERVATION = "observation", _("Practice observation")
    MULTI_AGENCY = "multi_agency", _("Multi-agency audit")
    DIP_SAMPLE = "dip_sample", _("Dip sample")
    INDEPENDENT = "independent", _("Independent audit")


# What an audit of each kind records besides its answers (the form asks for these).
OBSERVATION_KINDS = frozenset({ActivityKind.PRACTICE_OBSERVATION})
AGENCY_KINDS = frozenset({ActivityKind.MULTI_AGENCY})
COUNTING_KINDS = frozenset({ActivityKind.DIP_SAMPLE})
EXTERNAL_AUDITOR_KINDS = frozenset({ActivityKind.INDEPENDENT})
