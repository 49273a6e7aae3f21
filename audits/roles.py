"""The roles, held as Django groups created by migration.

A user may hold several roles. Superusers count as administrators.
"""

AUDITOR = "Auditor"
MODERATOR = "Moderator"
QA_LEAD = "QA lead"
ADMINISTRATOR = "Administrator"
# A social worker (or their team manager) who reads the audits of their own cases once
# submitted, and answers them (audits.holders); nothing else.
CASE_HOLDER = "Case holder"
ALL_ROLES = (AUDITOR, MODERATOR, QA_LEAD, ADMINISTRATOR, CASE_HOLDER)


def display_name(user) -> str:
    """How pages and emails name a person: their full name, else their username."""
    return user.get_full_name() or user.get_username()


def role_names(user) -> frozenset[str]:
    """The user's role names, read once per user object (so once per request)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached = cached | {ADMINISTRATOR}
        user._role_names = cached
    return cached


def is_auditor(user) -> bool:
    return AUDITOR in role_names(user)


def is_moderator(user) -> bool:
    return MODERATOR in role_names(user)


def is_qa_lead(user) -> bool:
    return QA_LEAD in role_names(user)


def is_administrator(user) -> bool:
    return ADMINISTRATOR in role_names(user)


def is_case_holder(user) -> bool:
    return CASE_HOLDER in role_names(user)


def sees_all_submitted(user) -> bool:
    """Moderators, QA leads and administrators see every audit past draft."""
    return bool(role_names(user) & {MODERATOR, QA_LEAD, ADMINISTRATOR})


def manages_activities(user) -> bool:
    return bool(role_names(user) & {QA_LEAD, ADMINISTRATOR})
