"""Who may see and change the improvement plan: QA leads and administrators see and change
every item; an item's owner (an account) sees their own items, and changes none."""

import rules
from django.utils.translation import gettext_lazy as _

from audits.permissions import add_perm, is_administrator, is_qa_lead


@rules.predicate
def is_item_owner(user, item) -> bool:
    return item is not None and item.owner_id is not None and item.owner_id == user.pk


manages_plan = is_qa_lead | is_administrator

add_perm(
    "reports.view_plan",
    (manages_plan, _("Only QA leads and administrators see the improvement plan.")),
)
add_perm(
    "reports.change_plan",
    (manages_plan, _("Only QA leads and administrators change the improvement plan.")),
)
add_perm(
    "reports.view_plan_item",
    (
        manages_plan | is_item_owner,
        _("Only QA leads, administrators and the item's owner see a plan item."),
    ),
)
