"""The council's groups and the app's roles: OIDC_GROUP_ROLES read and applied.

The format is ``Group=Role`` pairs separated by semicolons, several roles for one group
separated by commas:

    OIDC_GROUP_ROLES="CFA-QA-Leads=QA lead;CFA-Auditors=Auditor;CFA-Managers=Moderator,Auditor"

Group names are matched exactly as the provider sends them (Entra ID sends the groups' object
IDs unless told otherwise). Role names are those of audits.roles, in any letter case.

Imported by config/settings.py, so nothing here may need the app registry.
"""

from django.core.exceptions import ImproperlyConfigured

from audits.roles import ALL_ROLES

SETTING = "OIDC_GROUP_ROLES"

_ROLE_BY_FOLDED_NAME = {role.casefold(): role for role in ALL_ROLES}


def parse_group_roles(text: str) -> dict[str, frozenset[str]]:
    """The mapping written in ``text``; ImproperlyConfigured naming the variable on bad input."""
    mapping: dict[str, frozenset[str]] = {}
    for number, pair in enumerate((p.strip() for p in text.split(";")), start=1):
        if not pair:
            continue  # a trailing semicolon, or an empty value
        group, equals, roles_text = pair.partition("=")
        group = group.strip()
        if not equals or not group:
            raise _bad(f"pair {number} ({pair!r}) is not Group=Role")
        if group in mapping:
            raise _bad(f"group {group!r} is named twice; list all its roles once, comma-separated")
        roles = set()
        for name in (r.strip() for r in roles_text.split(",")):
            role = _ROLE_BY_FOLDED_NAME.get(name.casefold())
            if role is None:
                raise _bad(
                    f"{name!r} (for group {group!r}) is not a role; the roles are "
                    + ", ".join(repr(r) for r in ALL_ROLES)
                )
            roles.add(role)
        mapping[group] = frozenset(roles)
    return mapping


def _bad(problem: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(
        f"{SETTING} is not valid: {problem}. Write it as Group=Role pairs separated by "
        f'semicolons, for example "CFA-QA-Leads=QA lead;CFA-Auditors=Auditor".'
    )


def roles_for_groups(groups, mapping: dict[str, frozenset[str]]) -> frozenset[str]:
    """The roles the groups give: the union of each mapped group's roles."""
    roles: set[str] = set()
    for group in groups:
        roles |= mapping.get(group, frozenset())
    return frozenset(roles)
