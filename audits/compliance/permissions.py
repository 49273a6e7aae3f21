"""Who sees the manager compliance page."""

from django.utils.translation import gettext_lazy as _

from ..permissions import add_perm, is_administrator, is_qa_lead

add_perm(
    "audits.view_compliance",
    (is_qa_lead | is_administrator, _("Only QA leads and administrators see manager compliance.")),
)
