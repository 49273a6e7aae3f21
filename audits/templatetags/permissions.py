"""``{% has_perm "moderation.take_audit" user audit as can_take %}``: a template asks a rule.

The same tag as django-rules' own (``{% load rules %}``), except that it asks the rule itself
rather than ``user.has_perm``, which Django answers yes for every active superuser before any
rule is asked. Here a superuser is an administrator and no more, so a page must not offer them
a button that the service behind it refuses (see ``audits.permissions``).
"""

import rules
from django import template

register = template.Library()


@register.simple_tag
def has_perm(perm: str, user, obj=None) -> bool:
    return rules.has_perm(perm, user, obj)
