"""Synthetic demo data for ``manage.py load_demo``: a year of audits and all that follows from
them, so a newcomer sees a living system.

Everything is made up. Case references are random six-digit numbers, the evaluative text is built
from a few generic sentences that speak of "the child", "the family" and "the social worker", and
no person is ever named. A seeded ``random.Random`` makes the same choices on every run; the
dates follow the day it runs, so the data always covers the past twelve months.

This module plans the schedule (two or three activities a month, each with its planned number
of audits, assigned auditors, due date and moderation rate, for the past year and the next three
months) and the audits, and runs the load. ``demo_moderation`` then moderates them and
``demo_qa`` closes a share of the agreed actions and sets the year's QA targets.

Everything goes through the services (``audits.services``, ``moderation.services``,
``audits.actions.services``, ``reports.targets.services``) so every rule holds. The one thing the
services cannot do is pretend it is last March: they stamp every row "now", so each step notes
in ``Stamps`` the moment it really happened (``Clock`` keeps each story in order and never later
than now), and at the end the timestamps (created, submitted, decided, taken, moderated,
acknowledged, closed, the transitions' ``at``) are moved back in a few bulk updates, so anything
built on the history looks like a year of work too.
"""

import calendar
import datetime
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from audits import roles, services
from audits.models import (
    AgeBand,
    Audit,
    AuditActivity,
    AuditTransition,
    CaseType,
    Grade,
    RiskCategory,
    Status,
    Strand,
    Team,
)
from audits.schedule import selectors as schedule_selectors
from audits.schedule import services as schedule_services
from demo import moderation_history as demo_moderation
from demo import qa_history as demo_qa

SEED = 2026
# Printed by the command and shown on purpose: these accounts exist only in demo databases.
DEMO_PASSWORD = "demo-password-2026"

# (username, roles, is superuser)
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
]
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


@dataclass(frozen=True)
class Theme:
    name: str
    strand: str
    case_types: tuple[str, ...]
    # Risk categories (domain 1) that come with the theme, tried first.
    risks: tuple[str, ...] = ()
    focus: str = ""  # the activity's theme: what the auditors look at in particular
    # Moderation: high-volume themes sample a share; most moderate every audit.
    rate: int = 100
    always_moderate_not_met: bool = True


THEMES = [
    Theme(
        "Looked after children in long-term foster care",
        "social_care",
        ("looked_after",),
        focus="Stability of placements and the child's voice in their care plan",
    ),
    Theme(
        "Child protection plans over 12 months",
        "social_care",
        ("child_protection",),
        ("neglect", "emotional_abuse", "domestic_abuse"),
        focus="Drift and delay: why the plan has not yet reduced the risk",
    ),
    Theme(
        "Early help step-down cases",
        "early_help",
        ("early_help",),
        focus="Whether the help offered after step-down met the needs identified",
        rate=50,
    ),
    Theme(
        "Children in need — neglect theme",
        "social_care",
        ("child_in_need", "child_protection"),
        ("neglect",),
        focus="Recognising cumulative neglect and acting on it",
    ),
    Theme(
        "Care leavers' pathway plans",
        "social_care",
        ("care_leaver", "unaccompanied_asylum_seeking"),
        focus="Pathway plans: accommodation, education and work",
    ),
    # The front door sees the most cases: a quarter are moderated, and a QA lead adds by hand
    # any that worry them.
    Theme(
        "Contacts and referrals",
        "social_care",
        ("child_in_need", "child_protection"),
        ("physical_abuse", "domestic_abuse"),
        focus="Timeliness and quality of decisions at the front door",
        rate=25,
        always_moderate_not_met=False,
    ),
    Theme(
        "Children with disabilities — short breaks",
        "social_care",
        ("children_with_disabilities", "child_in_need"),
        focus="Short breaks and how the child's communication needs are met",
    ),
    Theme(
        "Special guardianship and adoption support",
        "social_care",
        ("special_guardianship", "adoption"),
        focus="Support plans after the order and how they are reviewed",
    ),
    Theme(
        "Private fostering arrangements",
        "social_care",
        ("private_fostering", "child_in_need"),
        focus="Notification, assessment and visits within timescales",
    ),
    Theme(
        "Unaccompanied asylum seeking children",
        "social_care",
        ("unaccompanied_asylum_seeking", "looked_after"),
        ("sexual_exploitation",),
        focus="Identity, language and the risk of exploitation",
    ),
    Theme(
        "Early help — families affected by domestic abuse",
        "early_help",
        ("early_help",),
        ("domestic_abuse",),
        focus="Safety planning with the whole family",
        rate=50,
    ),
    Theme(
        "Children with no recourse to public funds",
        "social_care",
        ("no_recourse_public_funds", "child_in_need"),
        focus="Assessment of need and the support offered while status is resolved",
    ),
    Theme(
        "Early help — school attendance",
        "early_help",
        ("early_help",),
        focus="Attendance plans agreed with the school and the family",
        rate=25,
    ),
    Theme(
        "Child protection — adolescents at risk outside the home",
        "social_care",
        ("child_protection", "looked_after"),
        ("sexual_exploitation",),
        focus="Contextual safeguarding and the plan to reduce risk outside the home",
    ),
]
# Moderation grew over the year: until eight months ago no activity moderated more than half.
EARLY_RATE_CAP, EARLY_MONTHS = 50, 8

# case type -> (age bands, teams)
CASE_PROFILE = {
    "child_in_need": (
        ["under-1", "1-4", "5-9", "10-15", "16-17"],
        ["assessment-intervention-east", "assessment-intervention-west"],
    ),
    "child_protection": (
        ["under-1", "1-4", "5-9", "10-15", "16-17"],
        ["assessment-intervention-east", "assessment-intervention-west"],
    ),
    "looked_after": (["1-4", "5-9", "10-15", "10-15", "16-17"], ["children-in-care"]),
    "care_leaver": (["18-plus", "18-plus", "16-17"], ["care-leavers"]),
    "adoption": (["under-1", "1-4", "1-4", "5-9"], ["fostering-adoption"]),
    "private_fostering": (
        ["10-15", "16-17"],
        ["fostering-adoption", "assessment-intervention-west"],
    ),
    "special_guardianship": (["1-4", "5-9", "10-15"], ["fostering-adoption"]),
    "children_with_disabilities": (["5-9", "10-15", "16-17"], ["disabled-childrens-team"]),
    "unaccompanied_asylum_seeking": (
        ["10-15", "16-17", "16-17", "18-plus"],
        ["children-in-care", "care-leavers"],
    ),
    "no_recourse_public_funds": (
        ["under-1", "1-4", "5-9", "10-15"],
        ["assessment-intervention-east"],
    ),
    "early_help": (
        ["1-4", "5-9", "10-15", "16-17"],
        ["early-help-hub-north", "early-help-hub-south"],
    ),
}
RISK_SLUGS = [
    "sexual_exploitation",
    "neglect",
    "emotional_abuse",
    "sexual_abuse",
    "physical_abuse",
    "domestic_abuse",
]
# How likely a case of this type records any risk category against domain 1.
RISK_CHANCE = {
    "child_protection": 1.0,
    "child_in_need": 0.5,
    "early_help": 0.35,
    "no_recourse_public_funds": 0.3,
}

# Domain number -> (strengths, gaps, next step, agreed action, who does it, days to do it).
DOMAIN_PHRASES = {
    1: (
        [
            "Risks to the child were identified quickly and the response was proportionate.",
            "Safety planning is clear and the risks to the child are now lower.",
        ],
        [
            "Risks were known but the response was slow and there is no updated risk analysis.",
            "The impact of the risks on the child is not analysed and the plan does not say how "
            "they will be reduced.",
        ],
        "record how each risk has changed since the last review",
        "Update the risk assessment and safety plan with the family",
        "Social worker",
        14,
    ),
    2: (
        [
            "The child was seen alone and their wishes and feelings are recorded in their own words.",
            "The family, including the father, are involved and their views have shaped the work.",
        ],
        [
            "The child has not been seen alone and their views are not recorded.",
            "The views of significant males in the household have not been sought.",
        ],
        "record the direct work with the child and what it told the social worker",
        "Complete direct work with the child and record their views",
        "Social worker",
        28,
    ),
    3: (
        [
            "Management oversight is regular and gives clear direction.",
            "The reasons for key decisions are recorded and reflective.",
        ],
        [
            "There is little management oversight on file and decisions lack a recorded rationale.",
            "Recording is out of date, so it is hard to follow why decisions were made.",
        ],
        "record the rationale for decisions in supervision notes",
        "Record management oversight and the rationale for the plan",
        "Team manager",
        14,
    ),
    4: (
        [
            "The assessment is timely and analytical, with an up-to-date chronology.",
            "Parental capacity and protective factors are weighed well and lead to focused help.",
        ],
        [
            "The assessment is out of date and does not analyse the parents' capacity to change.",
            "There is no current chronology and the history is not used to understand risk.",
        ],
        "update the chronology so the assessment draws on the history",
        "Update the chronology and the assessment",
        "Social worker",
        28,
    ),
    5: (
        [
            "Agencies share information well and there is clear joint working.",
            "Partners, including school and health, contribute to the plan and attend meetings.",
        ],
        [
            "Information from health and school has not been sought or shared.",
            "Partner agencies are not clear about their part in the plan.",
        ],
        "confirm each agency's tasks at the next multi-agency meeting",
        "Convene a multi-agency meeting and confirm each agency's tasks",
        "Social worker",
        21,
    ),
    6: (
        [
            "The child's identity, culture and faith are understood and shape the support offered.",
            "Language needs were met with an interpreter and the child's identity is reflected in "
            "the plan.",
        ],
        [
            "The child's identity and cultural needs are not considered in the assessment or plan.",
            "There is no evidence that the family's first language or faith was taken into account.",
        ],
        "set out in the plan how the child's identity needs will be met",
        "Add the child's identity and cultural needs to the plan",
        "Social worker",
        28,
    ),
    7: (
        [
            "The plan is up to date, specific and measurable, and reflects the child's views.",
            "Actions in the plan are being completed and progress is reviewed.",
        ],
        [
            "The plan is generic, with actions that are not specific or time-bound.",
            "The plan has not been updated since the family's circumstances changed.",
        ],
        "make the actions in the plan specific, with clear timescales",
        "Rewrite the plan with specific, measurable actions and timescales",
        "Team manager",
        21,
    ),
    8: (
        [
            "Permanence planning started early and the child's long-term home is secure.",
            "The permanence plan was agreed at the second review and is progressing without delay.",
        ],
        [
            "There is drift in permanence planning and no agreed timescale.",
            "Options for the child's long-term home have not been explored with the family network.",
        ],
        "agree the permanence plan and its timescale at the next review",
        "Hold a permanence planning meeting and agree the timescale",
        "Team manager",
        42,
    ),
    9: (
        [
            "Reviews are held on time, the child takes part and the chair's challenge is evident.",
            "The independent reviewing officer's footprint is clear and has changed the plan.",
        ],
        [
            "Reviews have been late and the child did not take part.",
            "There is no evidence of challenge from the reviewing officer or chair.",
        ],
        "record the child's contribution to each review",
        "Bring the review forward and support the child to take part",
        "Independent reviewing officer",
        28,
    ),
    10: (
        [
            "The placement is stable and meets the child's needs, with good support for the carers.",
            "Contact with family and friends is well planned and valued by the child.",
        ],
        [
            "The placement has changed several times and the support to sustain it is unclear.",
            "Contact arrangements have not been reviewed and the child's wishes are not known.",
        ],
        "review the placement support plan with the carers",
        "Review the placement support plan with the carers",
        "Supervising social worker",
        28,
    ),
    11: (
        [
            "The young person is well prepared for adult life and lives in safe, settled "
            "accommodation.",
            "The pathway plan is current and the personal adviser is a consistent presence.",
        ],
        [
            "The young person's accommodation is not secure and the pathway plan is out of date.",
            "There is little evidence of work on independence skills.",
        ],
        "update the pathway plan with the young person",
        "Update the pathway plan with the young person",
        "Personal adviser",
        28,
    ),
    12: (
        [
            "The child's school attendance and emotional wellbeing have improved.",
            "The child is safer and the family say the help has made a difference.",
        ],
        [
            "It is not clear what has changed for the child since the work began.",
            "The child's health and education needs remain unmet.",
        ],
        "measure progress against the outcomes the plan set",
        "Set out the outcomes the plan is meant to achieve and how progress will be measured",
        "Team manager",
        28,
    ),
}
# A next step for a domain that already meets good: it must not undo the strength it follows.
NEXT_STEPS = {
    1: "record how each risk has changed since the last review",
    2: "record the direct work with the child and what it told the social worker",
    3: "make the supervision notes more reflective",
    4: "show more clearly how the analysis shapes the plan",
    5: "confirm each agency's tasks at the next multi-agency meeting",
    6: "record the child's own view of their identity",
    7: "record the child's view of progress each time the plan is reviewed",
    8: "record the child's understanding of the plan for their future",
    9: "write to the child explaining what the review decided",
    10: "review the placement support plan with the carers",
    11: "add the young person's plans for education or work to the pathway plan",
    12: "measure progress against the outcomes the plan set",
}
EXCEEDS_TAILS = [
    "This is consistently strong practice.",
    "The impact for the child is clear and well evidenced.",
    "An example of good practice to share with the team.",
]
MEETS_TAILS = [
    "To strengthen this further, {step}.",
    "The next step is to {step}.",
    "Recording is brief in places; the next step is to {step}.",
]
DOES_NOT_MEET_TAILS = [
    "The impact for the child is not evident.",
    "This leaves the child at risk of drift and delay.",
    "Action needed: {fix}.",
]
NOT_APPLICABLE_TEXT = {
    8: "Not applicable: permanence is not a consideration for this child at present.",
    9: "Not applicable: no review was due in the period audited.",
    11: "Not applicable: the child is too young for this domain.",
}
OVERALL_COMMENTS = {
    Grade.EXCEEDS: [
        "Practice on this case is consistently strong and the child's outcomes have improved.",
        "A well-managed case: the child's voice is central and the plan is making a difference.",
    ],
    Grade.MEETS: [
        "The child's needs are understood and the plan is progressing; recording could be more "
        "analytical in places.",
        "Overall good practice, with a few areas to strengthen through the agreed actions.",
        "Purposeful work with the family; the child is safer and the plan is on track.",
    ],
    Grade.DOES_NOT_MEET: [
        "The plan is not yet making a difference for the child; the agreed actions address the "
        "gaps in risk and planning.",
        "There is drift in this case; management oversight needs to be stronger and the actions "
        "completed within timescale.",
        "The child's circumstances have not improved and the assessment needs updating.",
    ],
}
REAUDIT_COMMENTS = {
    "better": "Re-audit: the actions from the previous audit were completed and practice has "
    "improved.",
    "kept": "Re-audit: the progress seen at the previous audit has been kept up.",
    "stuck": "Re-audit: the gaps found at the previous audit remain and need escalating.",
    "worse": "Re-audit: practice has slipped since the previous audit.",
}
FEEDBACK_WITH = [
    "Case holder and team manager",
    "Case holder and team manager",
    "Case holder",
    "Team manager",
    "Case holder and practice supervisor",
]
FEEDBACK_WITH_EARLY_HELP = ["Early help practitioner and team leader", "Early help practitioner"]
FEEDBACK_NOTES = [
    "Reflective discussion; the case holder agreed the actions.",
    "Feedback given in supervision; the strengths were shared with the team.",
    "",
    "",
]
# Drawn when a Meets or Exceeds audit records an action anyway.
GENERAL_ACTIONS = [
    ("Share the audit findings in team supervision", "Team manager", 28),
    ("Update the chronology", "Social worker", 28),
    ("Record the child's views at the next visit", "Social worker", 21),
]


@dataclass(eq=False)
class _Slot:
    """One activity of the schedule, decided before anything is written."""

    theme: Theme
    month: datetime.date
    months_back: int  # 0 this month, negative ahead
    auditors: list[str]
    planned: int = 0  # the planned number of audits
    shortfall: int = 0  # planned audits never submitted: the activity runs late
    activity: AuditActivity | None = None  # made once the whole schedule is planned


@dataclass
class _Planned:
    """One audit to make, decided before anything is written so it can be sorted by date."""

    auditor: str
    slot: _Slot
    case_reference: str
    audit_date: datetime.date | None
    case_type: str
    age_band: str
    team: str
    overall: str = ""
    previous: "_Planned | None" = None
    is_draft: bool = False
    is_practice: bool = False
    feedback_date: datetime.date | None = None
    risks: list[str] = field(default_factory=list)
    grades: dict[int, str] = field(default_factory=dict)  # domain number -> grade


@dataclass
class DemoResult:
    loaded: bool  # False when the demo data was already there
    users_created: list[str]
    counts: dict[str, int]
    grades: dict[str, int]


def _month_start(day: datetime.date, months_back: int) -> datetime.date:
    index = day.year * 12 + (day.month - 1) - months_back
    return datetime.date(index // 12, index % 12 + 1, 1)


def _month_end(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` shared as evenly as it goes between ``parts``; the odd ones fall at random."""
    shares = [total // parts] * parts
    for index in rng.sample(range(parts), total % parts):
        shares[index] += 1
    return shares


class _Generator:
    def __init__(self, *, today: datetime.date, users: dict[str, User]):
        self.rng = random.Random(SEED)
        self.today = today
        self.users = users
        self.strands = {s.slug: s for s in Strand.objects.all()}
        self.case_types = {c.slug: c for c in CaseType.objects.all()}
        self.age_bands = {a.slug: a for a in AgeBand.objects.all()}
        self.teams = {t.slug: t for t in Team.objects.filter(slug__in=[s for s, _ in TEAMS])}
        self.risk_ids = dict(
            RiskCategory.objects.filter(domain__tool=services.current_tool()).values_list(
                "slug", "pk"
            )
        )
        self.references = iter(self.rng.sample(range(100000, 1000000), 2000))

    # --- the schedule -------------------------------------------------------------------------

    def schedule(self) -> list[_Slot]:
        """Two or three activities a month for the past twelve months (this month included) and
        the next three, each with one to three assigned auditors."""
        slots = []
        for months_back in range(11, -4, -1):
            month = _month_start(self.today, months_back)
            # An activity someone already made by hand under the same name is left alone (its
            # case types may differ from the theme's): the month takes the next theme instead.
            taken = set(AuditActivity.objects.filter(month=month).values_list("name", flat=True))
            themes = [t for t in self.rng.sample(THEMES, len(THEMES)) if t.name not in taken]
            for theme in themes[: self.rng.choice([2, 3, 3])]:
                weights = CURRENT_WEIGHTS if months_back <= 0 else AUDITOR_WEIGHTS
                slots.append(
                    _Slot(
                        theme=theme,
                        month=month,
                        months_back=months_back,
                        auditors=self._assign(weights, self.rng.choice([1, 2, 2, 3])),
                    )
                )
        ahead = [s for s in slots if s.months_back < 0]
        for slot in ahead:
            slot.planned = self.rng.randint(8, 11)
        self._cover(ahead)
        return slots

    @staticmethod
    def _cover(ahead: list[_Slot]) -> None:
        """Everyone, the newest auditor included, gets work in the coming months: added where
        an activity has room, else in the place of someone with another activity ahead."""
        for name in CURRENT_WEIGHTS:
            if any(name in s.auditors for s in ahead):
                continue
            slot = min(ahead, key=lambda s: len(s.auditors))
            if len(slot.auditors) < 3:
                slot.auditors.append(name)
                continue
            load = Counter(n for s in ahead for n in s.auditors)
            slot, busy = next((s, n) for s in ahead for n in s.auditors if load[n] > 1)
            slot.auditors[slot.auditors.index(busy)] = name

    def _assign(self, weights: dict[str, int], count: int) -> list[str]:
        names = list(weights)
        chosen: list[str] = []
        while len(chosen) < count:
            name = self.rng.choices(names, weights=[weights[n] for n in names])[0]
            if name not in chosen:
                chosen.append(name)
        return chosen

    def make_activities(self, slots: list[_Slot]) -> None:
        """Every activity through the service, its plan counted from the audits planned."""
        for slot in slots:
            theme = slot.theme
            rate = (
                theme.rate if slot.months_back < EARLY_MONTHS else min(theme.rate, EARLY_RATE_CAP)
            )
            slot.activity = schedule_services.activity_create(
                name=theme.name,
                month=slot.month,
                theme=theme.focus,
                strand=self.strands[theme.strand],
                case_types=[self.case_types[c] for c in theme.case_types],
                auditors=[self.users[n] for n in slot.auditors],
                planned_audits=slot.planned + slot.shortfall,
                due_date=_month_end(slot.month) + datetime.timedelta(days=14),
                moderation_rate=rate,
                always_moderate_not_met=theme.always_moderate_not_met,
                by=self.users["qalead"],
            )

    # --- what each audit will be --------------------------------------------------------------

    def _window(self, slot: _Slot) -> tuple[datetime.date, datetime.date]:
        return slot.month, min(_month_end(slot.month), self.today)

    def _date_in(self, start: datetime.date, end: datetime.date) -> datetime.date:
        return start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))

    def _auditor(self, slot: _Slot | None = None) -> str:
        # Mostly the auditors assigned to the activity; now and then someone covers for them.
        if slot is not None and self.rng.random() < 0.9:
            return self.rng.choice(slot.auditors)
        names = list(AUDITOR_WEIGHTS)
        return self.rng.choices(names, weights=[AUDITOR_WEIGHTS[n] for n in names])[0]

    def _overall_grades(self, count: int, progress: float) -> list[str]:
        """A month's overall grades: about 10% / 55% / 35% over the year, improving a little
        month by month. Dealt as exact shares, then shuffled, so the year's split holds."""
        does_not_meet = round(count * (0.40 - 0.12 * progress))
        exceeds = round(count * (0.07 + 0.06 * progress))
        grades = (
            [Grade.EXCEEDS] * exceeds
            + [Grade.DOES_NOT_MEET] * does_not_meet
            + [Grade.MEETS] * (count - exceeds - does_not_meet)
        )
        self.rng.shuffle(grades)
        return grades

    def _new_case(self, slot: _Slot, auditor: str, audit_date) -> _Planned:
        theme = slot.theme
        case_type = self.rng.choices(
            theme.case_types, weights=[3] + [1] * (len(theme.case_types) - 1)
        )[0]
        bands, teams = CASE_PROFILE[case_type]
        planned = _Planned(
            auditor=auditor,
            slot=slot,
            case_reference=f"CR-{next(self.references)}",
            audit_date=audit_date,
            case_type=case_type,
            age_band=self.rng.choice(bands),
            team=self.rng.choice(teams),
        )
        if self.rng.random() < RISK_CHANCE.get(case_type, 0.2):
            risks = [r for r in theme.risks if self.rng.random() < 0.8]
            risks += self.rng.sample(RISK_SLUGS, self.rng.randint(0, 2))
            planned.risks = list(dict.fromkeys(risks or [self.rng.choice(RISK_SLUGS)]))
        return planned

    def plan(self, slots: list[_Slot]) -> list[_Planned]:
        """Every audit of the past year, and each past activity's plan to match: what was
        planned was done, but for one or two activities that ran late and this month's, which
        is under way."""
        plans: list[_Planned] = []
        by_month: dict[datetime.date, list[_Slot]] = {}
        for slot in slots:
            if slot.months_back >= 0:
                by_month.setdefault(slot.month, []).append(slot)
        months = sorted(by_month)
        this_month = months[-1]

        for index, month in enumerate(months):
            progress = index / (len(months) - 1)
            month_slots = by_month[month]
            count = self.rng.randint(25, 29)
            if month == this_month:
                # The month is under way: the plan is whole, some audits done.
                for slot, share in zip(month_slots, _split(count, len(month_slots), self.rng)):
                    slot.planned = share
                share = self.today.day / calendar.monthrange(month.year, month.month)[1]
                count = max(4, round(26 * share * 0.6))
            dealt = [
                slot
                for slot, n in zip(month_slots, _split(count, len(month_slots), self.rng))
                for _ in range(n)
            ]
            self.rng.shuffle(dealt)
            for overall, slot in zip(self._overall_grades(count, progress), dealt):
                planned = self._new_case(
                    slot, self._auditor(slot), self._date_in(*self._window(slot))
                )
                planned.overall = overall
                plans.append(planned)

        plans += self._reaudits(plans, [s for s in slots if s.months_back >= 0])
        for planned in plans:
            if planned.slot.month != this_month:
                planned.slot.planned += 1
        # Late: the due date has passed with fewer audits submitted than planned.
        for months_back in self.rng.sample(range(2, 6), 2):
            late = self.rng.choice([s for s in slots if s.months_back == months_back])
            late.shortfall = self.rng.randint(2, 3)

        plans += self._practice(slots)
        plans += self._drafts(by_month[this_month], by_month[months[-2]])
        return plans

    def _reaudits(self, originals: list[_Planned], past: list[_Slot]) -> list[_Planned]:
        """About twenty cases audited again at least two months later, most often improved.

        Re-audits follow up cases that did not meet good, so those are chosen first.
        """

        def later_slots(planned):
            earliest = planned.audit_date + datetime.timedelta(days=60)
            return [
                s
                for s in past
                if earliest <= min(_month_end(s.month), self.today)
                and s.theme.strand == planned.slot.theme.strand
                and planned.case_type in s.theme.case_types
            ]

        candidates = [p for p in originals if later_slots(p)]
        self.rng.shuffle(candidates)
        candidates.sort(key=lambda p: p.overall != Grade.DOES_NOT_MEET)
        chosen = candidates[:14] + self.rng.sample(candidates[14:], min(6, len(candidates[14:])))

        reaudits = []
        for previous in chosen:
            later = later_slots(previous)
            # A follow-up sits in a later round of the same theme where there is one.
            slot = self.rng.choice([s for s in later if s.theme == previous.slot.theme] or later)
            start, end = self._window(slot)
            start = max(start, previous.audit_date + datetime.timedelta(days=60))
            auditor = previous.auditor if self.rng.random() < 0.5 else self._auditor(slot)
            weights = {
                Grade.DOES_NOT_MEET: [0.05, 0.6, 0.35],
                Grade.MEETS: [0.15, 0.7, 0.15],
                Grade.EXCEEDS: [0.5, 0.45, 0.05],
            }[previous.overall]
            reaudits.append(
                _Planned(
                    auditor=auditor,
                    slot=slot,
                    case_reference=previous.case_reference,
                    audit_date=self._date_in(start, end),
                    case_type=previous.case_type,
                    age_band=previous.age_band,
                    team=previous.team,
                    previous=previous,
                    risks=previous.risks,
                    overall=self.rng.choices(
                        [Grade.EXCEEDS, Grade.MEETS, Grade.DOES_NOT_MEET], weights=weights
                    )[0],
                )
            )
        return reaudits

    def _practice(self, slots: list[_Slot]) -> list[_Planned]:
        """The newest auditor's practice audits, three and two months ago: the first graded
        more generously than the evidence allows, as first audits often are."""
        practice = []
        for months_back, overall in ((3, Grade.MEETS), (3, Grade.MEETS), (2, Grade.EXCEEDS)):
            slot = self.rng.choice([s for s in slots if s.months_back == months_back])
            planned = self._new_case(slot, NEWEST_AUDITOR, self._date_in(*self._window(slot)))
            planned.overall, planned.is_practice = overall, True
            practice.append(planned)
        return practice

    def _drafts(self, this_month: list[_Slot], last_month: list[_Slot]) -> list[_Planned]:
        drafts = []
        for index in range(18):
            slot = self.rng.choice(this_month if index < 13 else last_month)
            planned = self._new_case(
                slot,
                DRAFT_AUDITORS[index % len(DRAFT_AUDITORS)],
                self._date_in(*self._window(slot)),
            )
            planned.is_draft = True
            if self.rng.random() < 0.15:
                planned.audit_date = None  # started, date not yet typed in
            drafts.append(planned)
        return drafts

    # --- the content of one audit -------------------------------------------------------------

    def _applicable(self, planned: _Planned, number: int) -> bool:
        older = planned.age_band in ("16-17", "18-plus")
        if number == 11:
            return older or planned.case_type == "care_leaver"
        if number == 8:
            chance = {
                "looked_after": 1.0,
                "adoption": 1.0,
                "special_guardianship": 1.0,
                "unaccompanied_asylum_seeking": 0.8,
                "child_protection": 0.5,
                "care_leaver": 0.4,
            }.get(planned.case_type, 0.1)
            return self.rng.random() < chance
        if number == 9 and planned.case_type == "early_help":
            return self.rng.random() < 0.7
        return True

    def _domain_grades(self, planned: _Planned) -> dict[int, str]:
        applicable = [n for n in range(1, 13) if self._applicable(planned, n)]
        weights = {
            Grade.EXCEEDS: [0.55, 0.45, 0.0],
            Grade.MEETS: [0.1, 0.72, 0.18],
            Grade.DOES_NOT_MEET: [0.02, 0.43, 0.55],
        }[planned.overall]
        scale = [Grade.EXCEEDS, Grade.MEETS, Grade.DOES_NOT_MEET]
        grades = {n: self.rng.choices(scale, weights=weights)[0] for n in applicable}

        # Keep the overall grade believable against the domains it sums up.
        if planned.overall == Grade.EXCEEDS:
            while sum(g == Grade.EXCEEDS for g in grades.values()) < len(applicable) / 2:
                grades[self.rng.choice(applicable)] = Grade.EXCEEDS
        elif planned.overall == Grade.MEETS:
            for n in applicable:
                if sum(g == Grade.DOES_NOT_MEET for g in grades.values()) <= len(applicable) // 4:
                    break
                if grades[n] == Grade.DOES_NOT_MEET:
                    grades[n] = Grade.MEETS
        else:
            if self.rng.random() < 0.06:  # nothing applicable met good
                grades = dict.fromkeys(applicable, Grade.DOES_NOT_MEET)
            grades[1 if self.rng.random() < 0.5 else 12] = Grade.DOES_NOT_MEET
            while sum(g == Grade.DOES_NOT_MEET for g in grades.values()) < 4:
                grades[self.rng.choice(applicable)] = Grade.DOES_NOT_MEET
        return {n: grades.get(n, Grade.NOT_APPLICABLE) for n in range(1, 13)}

    def _text(self, number: int, grade: str) -> str:
        strengths, gaps, fix, *_ = DOMAIN_PHRASES[number]
        if grade == Grade.NOT_APPLICABLE:
            return NOT_APPLICABLE_TEXT.get(number, "Not applicable to this case.")
        if grade == Grade.EXCEEDS:
            return " ".join([*strengths, self.rng.choice(EXCEEDS_TAILS)])
        if grade == Grade.MEETS:
            tail = self.rng.choice(MEETS_TAILS).format(step=NEXT_STEPS[number])
            return f"{self.rng.choice(strengths)} {tail}"
        said = gaps if self.rng.random() < 0.4 else [self.rng.choice(gaps)]
        return " ".join([*said, self.rng.choice(DOES_NOT_MEET_TAILS).format(fix=fix)])

    def _actions(self, planned: _Planned, grades: dict[int, str]) -> list[dict]:
        early_help = planned.case_type == "early_help"
        rows = []
        if planned.overall == Grade.DOES_NOT_MEET:
            weak = [n for n, g in grades.items() if g == Grade.DOES_NOT_MEET]
            picked = self.rng.sample(weak, min(len(weak), self.rng.randint(1, 3)))
            rows = [DOMAIN_PHRASES[n][3:] for n in sorted(picked)]
        elif self.rng.random() < (0.45 if planned.overall == Grade.MEETS else 0.1):
            rows = [self.rng.choice(GENERAL_ACTIONS)]
        actions = []
        for description, owner, days in rows:
            if early_help and owner == "Social worker":
                owner = "Early help practitioner"
            actions.append(
                {
                    "id": None,
                    "description": description,
                    "owner": owner,
                    "due_date": planned.audit_date + datetime.timedelta(days=days),
                }
            )
        return actions

    def content(self, planned: _Planned) -> services.AuditContent:
        header = {
            "case_reference": planned.case_reference,
            "audit_date": planned.audit_date,
            "activity": planned.slot.activity,
            "strand": planned.slot.activity.strand,
            "case_type": self.case_types[planned.case_type],
            "age_band": self.age_bands[planned.age_band],
            "team": self.teams[planned.team],
        }
        risk_ids = [self.risk_ids[r] for r in planned.risks if r in self.risk_ids]
        if planned.is_draft:
            # Part-way through: the header and the first few domains.
            planned.overall = self.rng.choice(
                [Grade.EXCEEDS, Grade.MEETS, Grade.MEETS, Grade.DOES_NOT_MEET]
            )
            grades = self._domain_grades(planned)
            done = self.rng.randint(0, 9)
            domains = {
                n: {"grade": grades[n], "text": self._text(n, grades[n])}
                for n in range(1, done + 1)
            }
            if done and self.rng.random() < 0.5:
                domains[done]["text"] = ""  # graded, evaluation not yet written
            return services.AuditContent(
                header=header, domains=domains, risk_category_ids=risk_ids if done else []
            )

        grades = planned.grades = self._domain_grades(planned)
        comment = self.rng.choice(OVERALL_COMMENTS[planned.overall])
        if planned.is_practice:
            comment = f"Practice audit. {comment}"
        if planned.previous is not None:
            before = planned.previous.overall
            if planned.overall == before:
                change = "stuck" if before == Grade.DOES_NOT_MEET else "kept"
            else:
                change = "better" if _rank(planned.overall) > _rank(before) else "worse"
            comment = f"{REAUDIT_COMMENTS[change]} {comment}"
        early_help = planned.case_type == "early_help"
        planned.feedback_date = min(
            self.today, planned.audit_date + datetime.timedelta(days=self.rng.randint(0, 10))
        )
        header.update(
            overall_grade=planned.overall,
            overall_comments=comment,
            feedback_date=planned.feedback_date,
            feedback_with=self.rng.choice(
                FEEDBACK_WITH_EARLY_HELP if early_help else FEEDBACK_WITH
            ),
            feedback_notes=self.rng.choice(FEEDBACK_NOTES),
            is_practice=planned.is_practice,
        )
        return services.AuditContent(
            header=header,
            domains={n: {"grade": g, "text": self._text(n, g)} for n, g in grades.items()},
            risk_category_ids=risk_ids if grades[1] != Grade.NOT_APPLICABLE else [],
            actions=self._actions(planned, grades),
        )


def _rank(grade: str) -> int:
    return {Grade.EXCEEDS: 3, Grade.MEETS: 2, Grade.DOES_NOT_MEET: 1}[grade]


def ensure_users() -> tuple[dict[str, User], list[str]]:
    """The demo accounts, made if missing. An existing account keeps its password."""
    users, created = {}, []
    # One hash for every account: each hash costs PBKDF2's full work factor, and ten of them
    # were a third of the load's time. The shared salt does not matter for a published password.
    encoded = None
    groups = {g.name: g for g in Group.objects.filter(name__in=roles.ALL_ROLES)}
    for username, role_names, superuser in DEMO_USERS:
        user, made = User.objects.get_or_create(
            username=username,
            defaults={
                "email": f"{username}@example.test",
                "is_staff": superuser,
                "is_superuser": superuser,
            },
        )
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


def is_loaded() -> bool:
    return Audit.objects.filter(auditor__username__in=DEMO_USERNAMES).exists()


class Clock:
    """Back-dated moments: working hours on a day, or a little after another moment. Never
    later than the load began, and with its own seeded choices."""

    def __init__(self, *, now: datetime.datetime, today: datetime.date, seed: int):
        self.now = now
        self.today = today
        self.rng = random.Random(seed)

    def on(self, day: datetime.date) -> datetime.datetime:
        at = datetime.datetime.combine(
            day, datetime.time(self.rng.randint(9, 16), self.rng.randint(0, 59))
        )
        return min(timezone.make_aware(at), self.now)

    def after(
        self,
        start: datetime.datetime,
        *,
        days: tuple[int, int] = (0, 0),
        minutes: tuple[int, int] | None = None,
    ) -> datetime.datetime:
        """``minutes`` after ``start``, or working hours ``days`` later: always strictly after
        ``start`` (which must be before now) and never after now, so a story told in steps
        stays in order however close to today it runs."""
        if minutes:
            at = start + datetime.timedelta(minutes=self.rng.randint(*minutes))
        else:
            day = timezone.localdate(start) + datetime.timedelta(days=self.rng.randint(*days))
            at = self.on(min(day, self.today))
            if at <= start:
                at = start + datetime.timedelta(minutes=self.rng.randint(10, 120))
        if at >= self.now:
            at = start + (self.now - start) / 2
        return at


class Stamps:
    """When each thing happened. The services stamp every row "now"; the loader notes here the
    moment each should carry, and ``apply`` writes them all back in a few bulk updates."""

    def __init__(self):
        # audit pk -> the moment of each of its transitions, in the order the services made them
        self.transitions: dict[int, list[datetime.datetime]] = defaultdict(list)
        self.rows: dict[type, dict[int, dict]] = defaultdict(dict)

    def transition(self, audit: Audit, at: datetime.datetime) -> datetime.datetime:
        self.transitions[audit.pk].append(at)
        return at

    def set(self, obj, **fields) -> None:
        self.set_pk(type(obj), obj.pk, **fields)

    def set_pk(self, model: type, pk: int, **fields) -> None:
        self.rows[model].setdefault(pk, {}).update(fields)

    def get(self, obj, name: str):
        return self.rows[type(obj)][obj.pk][name]

    def apply(self) -> None:
        for audit_pk, moments in self.transitions.items():
            self.set_pk(Audit, audit_pk, updated_at=moments[-1])
        rows = (
            AuditTransition.objects.filter(audit_id__in=list(self.transitions))
            .order_by("audit_id", "pk")
            .values_list("pk", "audit_id")
        )
        made: dict[int, list[int]] = defaultdict(list)
        for pk, audit_id in rows:
            made[audit_id].append(pk)
        for audit_pk, moments in self.transitions.items():
            if len(made[audit_pk]) != len(moments):  # the loader's bookkeeping is wrong
                raise RuntimeError(
                    f"Audit {audit_pk}: {len(made[audit_pk])} transitions made, "
                    f"{len(moments)} moments noted."
                )
            for pk, at in zip(made[audit_pk], moments):
                self.set_pk(AuditTransition, pk, at=at)
        for model, by_pk in self.rows.items():
            groups: dict[tuple, list] = defaultdict(list)
            for pk, fields in by_pk.items():
                groups[tuple(sorted(fields))].append(model(pk=pk, **fields))
            for names, objs in groups.items():
                model.objects.bulk_update(objs, list(names), batch_size=250)


@transaction.atomic
def load_demo(*, today: datetime.date | None = None) -> DemoResult:
    """Load the demo data once; a second call only completes missing users and teams."""
    today = today or timezone.localdate()
    users, users_created = ensure_users()
    ensure_teams()
    loaded = not is_loaded()
    if loaded:
        _load(today=today, users=users)
    return DemoResult(
        loaded=loaded, users_created=users_created, counts=_counts(today), grades=_grades()
    )


def _load(*, today: datetime.date, users: dict[str, User]) -> None:
    clock = Clock(now=timezone.now(), today=today, seed=SEED + 1)
    stamps = Stamps()
    generator = _Generator(today=today, users=users)
    slots = generator.schedule()
    plans = generator.plan(slots)
    generator.make_activities(slots)
    for slot in slots:
        # Planned in the middle of the month before.
        stamps.set(
            slot.activity,
            created_at=clock.on(_month_start(slot.month, 1) + datetime.timedelta(days=14)),
        )
    made = _make_audits(generator, plans, today=today, users=users, clock=clock, stamps=stamps)
    submitted = [
        (audit, planned.grades, planned.is_practice)
        for audit, planned in made
        if not planned.is_draft
    ]
    decided = demo_moderation.moderate(
        submitted=submitted, users=users, clock=clock, stamps=stamps, rng=random.Random(SEED + 3)
    )
    demo_qa.close_actions(
        audits=[audit for audit, *_ in submitted],
        users=users,
        clock=clock,
        stamps=stamps,
        decided=decided,
        rng=random.Random(SEED + 4),
    )
    demo_qa.set_targets(today=today, by=users["qalead"], clock=clock, stamps=stamps)
    stamps.apply()


def _make_audits(
    generator: _Generator,
    plans: list[_Planned],
    *,
    today: datetime.date,
    users: dict[str, User],
    clock: Clock,
    stamps: Stamps,
) -> list[tuple[Audit, _Planned]]:
    """Every audit through the services, oldest first; each submission draws from one seeded
    random stream, so the same audits are chosen for moderation on every run."""
    sampling = random.Random(SEED + 2)
    plans.sort(key=lambda p: (p.is_draft, p.audit_date or today, p.case_reference))
    made: list[tuple[Audit, _Planned]] = []
    for planned in plans:
        user = users[planned.auditor]
        audit = services.audit_save_draft(audit=None, by=user, content=generator.content(planned))
        if not planned.is_draft:
            audit = services.audit_submit(audit=audit, by=user, today=today, rng=sampling)
        made.append((audit, planned))

    for audit, planned in made:
        day = planned.audit_date or today
        created = clock.on(day)
        if planned.is_draft:
            stamps.set(
                audit,
                created_at=created,
                updated_at=max(
                    created,
                    clock.on(min(today, day + datetime.timedelta(days=clock.rng.randint(0, 3)))),
                ),
            )
            continue
        # Submitted once the feedback has been given.
        sent = min(today, planned.feedback_date + datetime.timedelta(days=clock.rng.randint(0, 4)))
        submitted = max(created, clock.on(sent))
        stamps.set(audit, created_at=created, submitted_at=submitted)
        stamps.transition(audit, submitted)
        if audit.status == Status.COMPLETED:  # not chosen for moderation: completed at once
            stamps.transition(audit, submitted)
    return made


def _counts(today: datetime.date) -> dict[str, int]:
    audits = Audit.objects.filter(auditor__username__in=DEMO_USERNAMES)
    past_draft = audits.exclude(status=Status.DRAFT)
    reaudited = past_draft.values("case_reference").annotate(n=Count("pk")).filter(n__gt=1).count()
    activities = schedule_selectors.activities_with_counts(today=today).filter(
        created_by__username="qalead"
    )
    return {
        "users": User.objects.filter(username__in=DEMO_USERNAMES).count(),
        "teams": Team.objects.filter(slug__in=[s for s, _ in TEAMS]).count(),
        "activities": activities.count(),
        "activities_ahead": activities.filter(month__gt=today).count(),
        "activities_late": activities.filter(is_late=True).count(),
        "audits_past_draft": past_draft.count(),
        "drafts": audits.filter(status=Status.DRAFT).count(),
        "cases_reaudited": reaudited,
        **demo_moderation.counts(audits),
        **demo_qa.counts(audits, today=today),
    }


def _grades() -> dict[str, int]:
    rows = (
        Audit.objects.filter(auditor__username__in=DEMO_USERNAMES)
        .exclude(status=Status.DRAFT)
        .values("overall_grade")
        .annotate(n=Count("pk"))
    )
    found = {row["overall_grade"]: row["n"] for row in rows}
    return {
        str(Grade(g).label): found.get(g, 0)
        for g in (Grade.EXCEEDS, Grade.MEETS, Grade.DOES_NOT_MEET)
    }
