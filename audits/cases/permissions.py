"""Who may draw cases, see and change the draws, and start an audit from a case allocated to
them: rules registered like the others (audits.permissions), asked by name."""

import rules
from django.utils.translation import gettext_lazy as _

from ..permissions import add_perm, is_auditor, manages_activities


@rules.predicate
def is_allocated_to_user(user, drawn_case) -> bool:
    """The case was allocated to the user in a draw."""
    return drawn_case is not None and drawn_case.auditor_id == user.pk


@rules.predicate
def is_not_withdrawn(_user, drawn_case) -> bool:
    return drawn_case is not None and drawn_case.withdrawn_at is None


# Drawing the cases of an activity, seeing its draws and replacing a drawn case are part of
# planning it (audits.plan_activities).
add_perm(
    "audits.draw_sample",
    (manages_activities, _("Only QA leads and administrators draw cases for an activity.")),
)
add_perm(
    "audits.start_allocated_case",
    (is_auditor, _("Only auditors can write audits.")),
    (is_allocated_to_user, _("This case is allocated to another auditor.")),
    (is_not_withdrawn, _("The case has been withdrawn from the draw.")),
)
