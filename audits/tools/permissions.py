"""Who may build audit tools, registered with the audits.* rules (audits.permissions).

QA leads and administrators build tools in the app, as they plan the activities that use them.
The standard tool is only read here (its domains are changed in the admin), and a version with
audits is never changed (audits.tools.services says so when asked to change it).
"""

import rules
from django.utils.translation import gettext_lazy as _

from audits.permissions import add_perm, manages_activities

from .services import ToolLocked, tool_is_locked


@rules.predicate
def is_built_tool(_user, tool) -> bool:
    """A tool a QA lead built, not a version of the standard tool."""
    return tool is not None and not tool.is_standard


@rules.predicate
def has_no_audits(_user, tool) -> bool:
    return tool is not None and not tool_is_locked(tool)


def _locked(tool) -> str:
    return ToolLocked(tool).message


BUILDERS_ONLY = _("Only QA leads and administrators build audit tools.")

# The tools page, a tool's page and its preview.
add_perm("audits.build_tools", (manages_activities, BUILDERS_ONLY))
# Changing a version: its name, scale, sections and questions.
add_perm(
    "audits.change_tool",
    (manages_activities, BUILDERS_ONLY),
    (is_built_tool, _("The standard tool's domains are changed in the admin.")),
    (has_no_audits, _locked),
)
# Copying a version to a new one, and choosing the version new activities use.
add_perm(
    "audits.version_tool",
    (manages_activities, BUILDERS_ONLY),
    (is_built_tool, _("New versions of the standard tool are made in the admin.")),
)
