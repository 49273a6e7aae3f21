"""The demo's people and teams: invented staff (each with a role and a full name) and the
teams their cases belong to. No real person is meant."""

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db.models import Q

from audits import roles
from audits.models import (
    Team,
)

# Printed by the command and shown on purpose: these accounts exist only in demo databases.
DEMO_PASSWORD = "demo-password-2026"


# (username, roles, is superuser). The usernames say the role, so the demo logins are easy
# to tell apart.
DEMO_USERS = [
    ("auditor1", [roles.AUDITOR], False),
    ("auditor2", [roles.AUDITOR], False),
    ("auditor3", [roles.AUDITOR], False),
    ("auditor4", [roles.AUDITOR], False),
    ("auditor5", [roles.AUDITOR], False),
    ("auditor6", [roles.AUDITOR], False),
    # The newest auditor: joined three months ago, did practice audits first, audits now.
    ("auditor7", [roles.AUDITOR], False),
    # Senior managers moderate, and they audit their own share of cases as well.
    ("moderator1", [roles.MODERATOR, roles.AUDITOR], False),
    ("moderator2", [roles.MODERATOR, roles.AUDITOR], False),
    ("qalead", [roles.QA_LEAD], False),
    ("admin", [roles.ADMINISTRATOR], True),
    # A social worker who reads and answers the audits of their own cases (demo.holders).
    ("caseholder", [roles.CASE_HOLDER], False),
]


# Invented full names, as a council's staff list would read; no real person is meant.
DEMO_NAMES = {
    "auditor1": ("Amara", "Okafor"),
    "auditor2": ("Tom", "Whitfield"),
    "auditor3": ("Siân", "Pritchard"),
    "auditor4": ("Daniel", "Osei-Mensah"),
    "auditor5": ("Hannah", "Kowalczyk"),
    "auditor6": ("Ruth", "Ellingham"),
    "auditor7": ("Joel", "Marsden"),
    "moderator1": ("Margaret", "Doyle-Hart"),
    "moderator2": ("Imran", "Siddiqi"),
    "qalead": ("Fiona", "Carmody"),
    "admin": ("Gareth", "Llewelyn"),
    "caseholder": ("Nadia", "Brennan"),
}


DEMO_USERNAMES = [u[0] for u in DEMO_USERS]


AUDITOR_WEIGHTS = {
    "auditor1": 5,
    "auditor2": 5,
    "auditor3": 4,
    "auditor4": 4,
    "auditor5": 3,
    "auditor6": 3,
    "moderator1": 2,
    "moderator2": 2,
}


NEWEST_AUDITOR = "auditor7"


# From this month on the newest auditor takes a share of the schedule like anyone else.
CURRENT_WEIGHTS = {**AUDITOR_WEIGHTS, NEWEST_AUDITOR: 3}


DRAFT_AUDITORS = [
    "auditor1",
    "auditor2",
    "auditor3",
    "auditor4",
    "auditor5",
    "auditor6",
    "moderator1",
]


TEAMS = [
    ("assessment-intervention-east", "Assessment and intervention East"),
    ("assessment-intervention-west", "Assessment and intervention West"),
    ("children-in-care", "Children in care"),
    ("care-leavers", "Care leavers"),
    ("early-help-hub-north", "Early help hub North"),
    ("early-help-hub-south", "Early help hub South"),
    ("disabled-childrens-team", "Disabled children's team"),
    ("fostering-adoption", "Fostering and adoption"),
]


def ensure_users() -> tuple[dict[str, User], list[str]]:
    """The demo accounts, made if missing. An existing account keeps its password."""
    users, created = {}, []
    # One hash for every account: each hash costs PBKDF2's full work factor, and ten of them
    # were a third of the load's time. The shared salt does not matter for a published password.
    encoded = None
    groups = {g.name: g for g in Group.objects.filter(name__in=roles.ALL_ROLES)}
    for username, role_names, superuser in DEMO_USERS:
        first_name, last_name = DEMO_NAMES[username]
        user, made = User.objects.get_or_create(
            username=username,
            defaults={
                "email": f"{username}@example.test",
                "first_name": first_name,
                "last_name": last_name,
                "is_staff": superuser,
                "is_superuser": superuser,
            },
        )
        if not made and not (user.first_name or user.last_name):
            # A demo account from before the demo people had names.
            user.first_name, user.last_name = first_name, last_name
            user.save(update_fields=["first_name", "last_name"])
        if made:
            encoded = encoded or make_password(DEMO_PASSWORD)
            user.password = encoded
            user.save(update_fields=["password"])
            created.append(username)
        user.groups.add(*(groups[name] for name in role_names))
        users[username] = user
    return users, created


def ensure_teams() -> None:
    for order, (slug, name) in enumerate(TEAMS):
        if not Team.objects.filter(Q(slug=slug) | Q(name=name)).exists():
            Team.objects.create(slug=slug, name=name, order=order)
