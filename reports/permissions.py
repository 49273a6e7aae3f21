"""Who may read and write scrutiny reports and QA targets: one predicate per rule, registered as
``reports.<verb>`` (see ``audits.permissions``)."""

import rules
from django.utils.translation import gettext_lazy as _

from audits.permissions import add_perm, is_administrator, is_moderator, is_qa_lead


@rules.predicate
def is_unpublished(_user, report) -> bool:
    """A draft report: publishing fixes its figures, narrative and PDF for good."""
    return report is not None and not report.is_published


add_perm(
    "reports.view_reports",
    (is_qa_lead | is_administrator, _("Only QA leads and administrators see reports.")),
)
add_perm("reports.write_reports", (is_qa_lead, _("Only QA leads write and publish reports.")))
# The narrative form of one report: a QA lead, while it is a draft.
add_perm(
    "reports.change_report",
    (is_qa_lead, _("Only QA leads write and publish reports.")),
    (is_unpublished, _("This report can no longer be changed.")),
)
add_perm(
    "reports.view_targets",
    (is_qa_lead | is_administrator, _("Only QA leads and administrators see QA targets.")),
)
add_perm(
    "reports.set_targets",
    (is_qa_lead, _("Only QA leads set QA targets and enter their actual values.")),
)
# The home page's "this quarter at a glance" (reports.home), which the QA lead acts on.
add_perm("reports.view_quarter", (is_qa_lead, _("This quarter at a glance is for QA leads.")))
# An activity's results page (reports.views.activity_results): its answers, grades and the
# free text written on its cases.
add_perm(
    "reports.view_activity_results",
    (
        is_qa_lead | is_moderator | is_administrator,
        _("Only QA leads, moderators and administrators see an activity's results."),
    ),
)

# The improvement plan's rules (reports.plan.permissions), registered with these.
from .plan import permissions as _plan_permissions  # noqa: E402, F401
