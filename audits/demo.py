"""Synthetic demo data for ``manage.py load_demo``: a year of audits, so a newcomer sees a living
system.

Everything is made up. Case references are random six-digit numbers, the evaluative text is built
from a few generic sentences that speak of "the child", "the family" and "the social worker", and
no person is ever named. A seeded ``random.Random`` makes the same choices on every run; the
dates follow the day it runs, so the data always covers the past twelve months.

Audits go through ``audits.services`` (``audit_save_draft`` then ``audit_submit``) so every rule
holds. The one thing the services cannot do is pretend it is last March: afterwards the
timestamps (created, submitted, the transition's ``at``) are moved back to the audit's own dates,
so anything built on the transition history looks like a year of work too.
"""

import calendar
import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from . import roles, services
from .models import (
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
    # Senior managers moderate, and they audit their own share of cases as well.
    ("moderator1", [roles.MODERATOR, roles.AUDITOR], False),
    ("moderator2", [roles.MODERATOR, roles.AUDITOR], False),
    ("qalead", [roles.QA_LEAD], False),
    ("admin", [roles.ADMINISTRATOR], True),
]
DEMO_USERNAMES = [u[0] for u in DEMO_USERS]
AUDITOR_WEIGHTS = {"auditor1": 5, "auditor2": 5, "auditor3": 4, "auditor4": 4, "auditor5": 3,
                   "auditor6": 3, "moderator1": 2, "moderator2": 2}
DRAFT_AUDITORS = ["auditor1", "auditor2", "auditor3", "auditor4", "auditor5", "auditor6",
                  "moderator1"]

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


THEMES = [
    Theme("Looked after children in long-term foster care", "social_care", ("looked_after",)),
    Theme("Child protection plans over 12 months", "social_care", ("child_protection",),
          ("neglect", "emotional_abuse", "domestic_abuse")),
    Theme("Early help step-down cases", "early_help", ("early_help",)),
    Theme("Children in need — neglect theme", "social_care", ("child_in_need", "child_protection"),
          ("neglect",)),
    Theme("Care leavers' pathway plans", "social_care",
          ("care_leaver", "unaccompanied_asylum_seeking")),
    Theme("Contacts and referrals", "social_care", ("child_in_need", "child_protection"),
          ("physical_abuse", "domestic_abuse")),
    Theme("Children with disabilities — short breaks", "social_care",
          ("children_with_disabilities", "child_in_need")),
    Theme("Special guardianship and adoption support", "social_care",
          ("special_guardianship", "adoption")),
    Theme("Private fostering arrangements", "social_care", ("private_fostering", "child_in_need")),
    Theme("Unaccompanied asylum seeking children", "social_care",
          ("unaccompanied_asylum_seeking", "looked_after"), ("sexual_exploitation",)),
    Theme("Early help — families affected by domestic abuse", "early_help", ("early_help",),
          ("domestic_abuse",)),
    Theme("Children with no recourse to public funds", "social_care",
          ("no_recourse_public_funds", "child_in_need")),
    Theme("Early help — school attendance", "early_help", ("early_help",)),
    Theme("Child protection — adolescents at risk outside the home", "social_care",
          ("child_protection", "looked_after"), ("sexual_exploitation",)),
]

# case type -> (age bands, teams)
CASE_PROFILE = {
    "child_in_need": (["under-1", "1-4", "5-9", "10-15", "16-17"],
                      ["assessment-intervention-east", "assessment-intervention-west"]),
    "child_protection": (["under-1", "1-4", "5-9", "10-15", "16-17"],
                         ["assessment-intervention-east", "assessment-intervention-west"]),
    "looked_after": (["1-4", "5-9", "10-15", "10-15", "16-17"], ["children-in-care"]),
    "care_leaver": (["18-plus", "18-plus", "16-17"], ["care-leavers"]),
    "adoption": (["under-1", "1-4", "1-4", "5-9"], ["fostering-adoption"]),
    "private_fostering": (["10-15", "16-17"],
                          ["fostering-adoption", "assessment-intervention-west"]),
    "special_guardianship": (["1-4", "5-9", "10-15"], ["fostering-adoption"]),
    "children_with_disabilities": (["5-9", "10-15", "16-17"], ["disabled-childrens-team"]),
    "unaccompanied_asylum_seeking": (["10-15", "16-17", "16-17", "18-plus"],
                                     ["children-in-care", "care-leavers"]),
    "no_recourse_public_funds": (["under-1", "1-4", "5-9", "10-15"],
                                 ["assessment-intervention-east"]),
    "early_help": (["1-4", "5-9", "10-15", "16-17"],
                   ["early-help-hub-north", "early-help-hub-south"]),
}
RISK_SLUGS = ["sexual_exploitation", "neglect", "emotional_abuse", "sexual_abuse",
              "physical_abuse", "domestic_abuse"]
# How likely a case of this type records any risk category against domain 1.
RISK_CHANCE = {"child_protection": 1.0, "child_in_need": 0.5, "early_help": 0.35,
               "no_recourse_public_funds": 0.3}

# Domain number -> (strengths, gaps, next step, agreed action, who does it, days to do it).
DOMAIN_PHRASES = {
    1: (["Risks to the child were identified quickly and the response was proportionate.",
         "Safety planning is clear and the risks to the child are now lower."],
        ["Risks were known but the response was slow and there is no updated risk analysis.",
         "The impact of the risks on the child is not analysed and the plan does not say how "
         "they will be reduced."],
        "record how each risk has changed since the last review",
        "Update the risk assessment and safety plan with the family", "Social worker", 14),
    2: (["The child was seen alone and their wishes and feelings are recorded in their own words.",
         "The family, including the father, are involved and their views have shaped the work."],
        ["The child has not been seen alone and their views are not recorded.",
         "The views of significant males in the household have not been sought."],
        "record the direct work with the child and what it told the social worker",
        "Complete direct work with the child and record their views", "Social worker", 28),
    3: (["Management oversight is regular and gives clear direction.",
         "The reasons for key decisions are recorded and reflective."],
        ["There is little management oversight on file and decisions lack a recorded rationale.",
         "Recording is out of date, so it is hard to follow why decisions were made."],
        "record the rationale for decisions in supervision notes",
        "Record management oversight and the rationale for the plan", "Team manager", 14),
    4: (["The assessment is timely and analytical, with an up-to-date chronology.",
         "Parental capacity and protective factors are weighed well and lead to focused help."],
        ["The assessment is out of date and does not analyse the parents' capacity to change.",
         "There is no current chronology and the history is not used to understand risk."],
        "update the chronology so the assessment draws on the history",
        "Update the chronology and the assessment", "Social worker", 28),
    5: (["Agencies share information well and there is clear joint working.",
         "Partners, including school and health, contribute to the plan and attend meetings."],
        ["Information from health and school has not been sought or shared.",
         "Partner agencies are not clear about their part in the plan."],
        "confirm each agency's tasks at the next multi-agency meeting",
        "Convene a multi-agency meeting and confirm each agency's tasks", "Social worker", 21),
    6: (["The child's identity, culture and faith are understood and shape the support offered.",
         "Language needs were met with an interpreter and the child's identity is reflected in "
         "the plan."],
        ["The child's identity and cultural needs are not considered in the assessment or plan.",
         "There is no evidence that the family's first language or faith was taken into account."],
        "set out in the plan how the child's identity needs will be met",
        "Add the child's identity and cultural needs to the plan", "Social worker", 28),
    7: (["The plan is up to date, specific and measurable, and reflects the child's views.",
         "Actions in the plan are being completed and progress is reviewed."],
        ["The plan is generic, with actions that are not specific or time-bound.",
         "The plan has not been updated since the family's circumstances changed."],
        "make the actions in the plan specific, with clear timescales",
        "Rewrite the plan with specific, measurable actions and timescales", "Team manager", 21),
    8: (["Permanence planning started early and the child's long-term home is secure.",
         "The permanence plan was agreed at the second review and is progressing without delay."],
        ["There is drift in permanence planning and no agreed timescale.",
         "Options for the child's long-term home have not been explored with the family network."],
        "agree the permanence plan and its timescale at the next review",
        "Hold a permanence planning meeting and agree the timescale", "Team manager", 42),
    9: (["Reviews are held on time, the child takes part and the chair's challenge is evident.",
         "The independent reviewing officer's footprint is clear and has changed the plan."],
        ["Reviews have been late and the child did not take part.",
         "There is no evidence of challenge from the reviewing officer or chair."],
        "record the child's contribution to each review",
        "Bring the review forward and support the child to take part",
        "Independent reviewing officer", 28),
    10: (["The placement is stable and meets the child's needs, with good support for the carers.",
          "Contact with family and friends is well planned and valued by the child."],
         ["The placement has changed several times and the support to sustain it is unclear.",
          "Contact arrangements have not been reviewed and the child's wishes are not known."],
         "review the placement support plan with the carers",
         "Review the placement support plan with the carers", "Supervising social worker", 28),
    11: (["The young person is well prepared for adult life and lives in safe, settled "
          "accommodation.",
          "The pathway plan is current and the personal adviser is a consistent presence."],
         ["The young person's accommodation is not secure and the pathway plan is out of date.",
          "There is little evidence of work on independence skills."],
         "update the pathway plan with the young person",
         "Update the pathway plan with the young person", "Personal adviser", 28),
    12: (["The child's school attendance and emotional wellbeing have improved.",
          "The child is safer and the family say the help has made a difference."],
         ["It is not clear what has changed for the child since the work began.",
          "The child's health and education needs remain unmet."],
         "measure progress against the outcomes the plan set",
         "Set out the outcomes the plan is meant to achieve and how progress will be measured",
         "Team manager", 28),
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
EXCEEDS_TAILS = ["This is consistently strong practice.",
                 "The impact for the child is clear and well evidenced.",
                 "An example of good practice to share with the team."]
MEETS_TAILS = ["To strengthen this further, {step}.", "The next step is to {step}.",
               "Recording is brief in places; the next step is to {step}."]
DOES_NOT_MEET_TAILS = ["The impact for the child is not evident.",
                       "This leaves the child at risk of drift and delay.",
                       "Action needed: {fix}."]
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
FEEDBACK_WITH = ["Case holder and team manager", "Case holder and team manager", "Case holder",
                 "Team manager", "Case holder and practice supervisor"]
FEEDBACK_WITH_EARLY_HELP = ["Early help practitioner and team leader", "Early help practitioner"]
FEEDBACK_NOTES = ["Reflective discussion; the case holder agreed the actions.",
                  "Feedback given in supervision; the strengths were shared with the team.",
                  "", ""]
# Drawn when a Meets or Exceeds audit records an action anyway.
GENERAL_ACTIONS = [("Share the audit findings in team supervision", "Team manager", 28),
                   ("Update the chronology", "Social worker", 28),
                   ("Record the child's views at the next visit", "Social worker", 21)]


@dataclass
class _Planned:
    """One audit to make, decided before anything is written so it can be sorted by date."""

    auditor: str
    activity: AuditActivity
    case_reference: str
    audit_date: datetime.date | None
    case_type: str
    age_band: str
    team: str
    overall: str = ""
    previous: "_Planned | None" = None
    is_draft: bool = False
    feedback_date: datetime.date | None = None
    risks: list[str] = field(default_factory=list)


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
            RiskCategory.objects.filter(domain__tool=services.current_tool())
            .values_list("slug", "pk")
        )
        self.references = iter(self.rng.sample(range(100000, 1000000), 2000))
        self.themes_of: dict[int, Theme] = {}  # activity pk -> theme

    # --- the schedule -------------------------------------------------------------------------

    def activities(self) -> tuple[list[AuditActivity], list[AuditActivity]]:
        """Two or three activities a month for the past twelve months (this month included),
        and a lighter schedule for the next two, so the schedule report has something ahead."""
        past, ahead = [], []
        for months_back in range(11, -3, -1):
            month = _month_start(self.today, months_back)
            count = 2 if months_back < 0 else self.rng.choice([2, 3, 3])
            # An activity someone already made by hand under the same name is left alone (its
            # case types may differ from the theme's): the month takes the next theme instead.
            taken = set(AuditActivity.objects.filter(month=month).values_list("name", flat=True))
            themes = [t for t in self.rng.sample(THEMES, len(THEMES)) if t.name not in taken]
            for theme in themes[:count]:
                activity = services.activity_create(
                    name=theme.name, month=month, strand=self.strands[theme.strand],
                    case_types=[self.case_types[c] for c in theme.case_types],
                    by=self.users["qalead"],
                )
                self.themes_of[activity.pk] = theme
                (ahead if months_back < 0 else past).append(activity)
        return past, ahead

    # --- what each audit will be --------------------------------------------------------------

    def _window(self, activity: AuditActivity) -> tuple[datetime.date, datetime.date]:
        return activity.month, min(_month_end(activity.month), self.today)

    def _date_in(self, start: datetime.date, end: datetime.date) -> datetime.date:
        return start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))

    def _auditor(self) -> str:
        names = list(AUDITOR_WEIGHTS)
        return self.rng.choices(names, weights=[AUDITOR_WEIGHTS[n] for n in names])[0]

    def _overall_grades(self, count: int, progress: float) -> list[str]:
        """A month's overall grades: about 10% / 55% / 35% over the year, improving a little
        month by month. Dealt as exact shares, then shuffled, so the year's split holds."""
        does_not_meet = round(count * (0.40 - 0.12 * progress))
        exceeds = round(count * (0.07 + 0.06 * progress))
        grades = ([Grade.EXCEEDS] * exceeds + [Grade.DOES_NOT_MEET] * does_not_meet
                  + [Grade.MEETS] * (count - exceeds - does_not_meet))
        self.rng.shuffle(grades)
        return grades

    def _new_case(self, activity: AuditActivity, auditor: str, audit_date) -> _Planned:
        theme = self.themes_of[activity.pk]
        case_type = self.rng.choices(
            theme.case_types, weights=[3] + [1] * (len(theme.case_types) - 1)
        )[0]
        bands, teams = CASE_PROFILE[case_type]
        planned = _Planned(
            auditor=auditor, activity=activity, case_reference=f"CR-{next(self.references)}",
            audit_date=audit_date, case_type=case_type, age_band=self.rng.choice(bands),
            team=self.rng.choice(teams),
        )
        if self.rng.random() < RISK_CHANCE.get(case_type, 0.2):
            risks = [r for r in theme.risks if self.rng.random() < 0.8]
            risks += self.rng.sample(RISK_SLUGS, self.rng.randint(0, 2))
            planned.risks = list(dict.fromkeys(risks or [self.rng.choice(RISK_SLUGS)]))
        return planned

    def plan(self, past: list[AuditActivity]) -> list[_Planned]:
        plans: list[_Planned] = []
        by_month: dict[datetime.date, list[AuditActivity]] = {}
        for activity in past:
            by_month.setdefault(activity.month, []).append(activity)
        months = sorted(by_month)
        this_month = months[-1]

        for index, month in enumerate(months):
            progress = index / (len(months) - 1)
            if month == this_month:
                # The month is under way: some audits done, most of the drafts still open.
                share = self.today.day / calendar.monthrange(month.year, month.month)[1]
                count = max(4, round(26 * share * 0.6))
            else:
                count = self.rng.randint(25, 29)
            for overall in self._overall_grades(count, progress):
                activity = self.rng.choice(by_month[month])
                planned = self._new_case(
                    activity, self._auditor(), self._date_in(*self._window(activity))
                )
                planned.overall = overall
                plans.append(planned)

        plans += self._reaudits(plans, past)
        plans += self._drafts(by_month[this_month], by_month[months[-2]])
        return plans

    def _reaudits(self, originals: list[_Planned], past: list[AuditActivity]) -> list[_Planned]:
        """About twenty cases audited again at least two months later, most often improved.

        Re-audits follow up cases that did not meet good, so those are chosen first.
        """
        def later_activities(planned):
            earliest = planned.audit_date + datetime.timedelta(days=60)
            return [
                a for a in past
                if earliest <= min(_month_end(a.month), self.today)
                and a.strand_id == planned.activity.strand_id
                and planned.case_type in self.themes_of[a.pk].case_types
            ]

        candidates = [p for p in originals if later_activities(p)]
        self.rng.shuffle(candidates)
        candidates.sort(key=lambda p: p.overall != Grade.DOES_NOT_MEET)
        chosen = candidates[:14] + self.rng.sample(candidates[14:], min(6, len(candidates[14:])))

        reaudits = []
        for previous in chosen:
            later = later_activities(previous)
            # A follow-up sits in a later round of the same theme where there is one.
            theme = self.themes_of[previous.activity.pk]
            activity = self.rng.choice([a for a in later if self.themes_of[a.pk] == theme]
                                       or later)
            start, end = self._window(activity)
            start = max(start, previous.audit_date + datetime.timedelta(days=60))
            auditor = previous.auditor if self.rng.random() < 0.5 else self._auditor()
            weights = {Grade.DOES_NOT_MEET: [0.05, 0.6, 0.35],
                       Grade.MEETS: [0.15, 0.7, 0.15],
                       Grade.EXCEEDS: [0.5, 0.45, 0.05]}[previous.overall]
            reaudits.append(_Planned(
                auditor=auditor, activity=activity, case_reference=previous.case_reference,
                audit_date=self._date_in(start, end), case_type=previous.case_type,
                age_band=previous.age_band, team=previous.team, previous=previous,
                risks=previous.risks,
                overall=self.rng.choices(
                    [Grade.EXCEEDS, Grade.MEETS, Grade.DOES_NOT_MEET], weights=weights)[0],
            ))
        return reaudits

    def _drafts(self, this_month: list[AuditActivity], last_month: list[AuditActivity]
                ) -> list[_Planned]:
        drafts = []
        for index in range(18):
            activity = self.rng.choice(this_month if index < 13 else last_month)
            planned = self._new_case(
                activity, DRAFT_AUDITORS[index % len(DRAFT_AUDITORS)],
                self._date_in(*self._window(activity)),
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
            chance = {"looked_after": 1.0, "adoption": 1.0, "special_guardianship": 1.0,
                      "unaccompanied_asylum_seeking": 0.8, "child_protection": 0.5,
                      "care_leaver": 0.4}.get(planned.case_type, 0.1)
            return self.rng.random() < chance
        if number == 9 and planned.case_type == "early_help":
            return self.rng.random() < 0.7
        return True

    def _domain_grades(self, planned: _Planned) -> dict[int, str]:
        applicable = [n for n in range(1, 13) if self._applicable(planned, n)]
        weights = {Grade.EXCEEDS: [0.55, 0.45, 0.0],
                   Grade.MEETS: [0.1, 0.72, 0.18],
                   Grade.DOES_NOT_MEET: [0.02, 0.43, 0.55]}[planned.overall]
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
            actions.append({"id": None, "description": description, "owner": owner,
                            "due_date": planned.audit_date + datetime.timedelta(days=days)})
        return actions

    def content(self, planned: _Planned) -> services.AuditContent:
        header = {
            "case_reference": planned.case_reference,
            "audit_date": planned.audit_date,
            "activity": planned.activity,
            "strand": planned.activity.strand,
            "case_type": self.case_types[planned.case_type],
            "age_band": self.age_bands[planned.age_band],
            "team": self.teams[planned.team],
        }
        risk_ids = [self.risk_ids[r] for r in planned.risks if r in self.risk_ids]
        if planned.is_draft:
            # Part-way through: the header and the first few domains.
            planned.overall = self.rng.choice([Grade.EXCEEDS, Grade.MEETS, Grade.MEETS,
                                               Grade.DOES_NOT_MEET])
            grades = self._domain_grades(planned)
            done = self.rng.randint(0, 9)
            domains = {n: {"grade": grades[n], "text": self._text(n, grades[n])}
                       for n in range(1, done + 1)}
            if done and self.rng.random() < 0.5:
                domains[done]["text"] = ""  # graded, evaluation not yet written
            return services.AuditContent(header=header, domains=domains,
                                         risk_category_ids=risk_ids if done else [])

        grades = self._domain_grades(planned)
        comment = self.rng.choice(OVERALL_COMMENTS[planned.overall])
        if planned.previous is not None:
            before = planned.previous.overall
            if planned.overall == before:
                change = "stuck" if before == Grade.DOES_NOT_MEET else "kept"
            else:
                change = "better" if _rank(planned.overall) > _rank(before) else "worse"
            comment = f"{REAUDIT_COMMENTS[change]} {comment}"
        early_help = planned.case_type == "early_help"
        planned.feedback_date = min(
            self.today, planned.audit_date + datetime.timedelta(days=self.rng.randint(0, 10)))
        header.update(
            overall_grade=planned.overall,
            overall_comments=comment,
            feedback_date=planned.feedback_date,
            feedback_with=self.rng.choice(FEEDBACK_WITH_EARLY_HELP if early_help
                                          else FEEDBACK_WITH),
            feedback_notes=self.rng.choice(FEEDBACK_NOTES),
        )
        return services.AuditContent(
            header=header,
            domains={n: {"grade": g, "text": self._text(n, g)} for n, g in grades.items()},
            risk_category_ids=risk_ids if grades[1] != Grade.NOT_APPLICABLE else [],
            actions=self._actions(planned, grades),
        )

    # --- timestamps ---------------------------------------------------------------------------

    def moment(self, day: datetime.date, now: datetime.datetime) -> datetime.datetime:
        """A working-hours time on ``day``, never later than now."""
        at = datetime.datetime.combine(
            day, datetime.time(self.rng.randint(9, 16), self.rng.randint(0, 59))
        )
        return min(timezone.make_aware(at), now)


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
            defaults={"email": f"{username}@example.test", "is_staff": superuser,
                      "is_superuser": superuser},
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


@transaction.atomic
def load_demo(*, today: datetime.date | None = None) -> DemoResult:
    """Load the demo data once; a second call only completes missing users and teams."""
    today = today or timezone.localdate()
    users, users_created = ensure_users()
    ensure_teams()
    loaded = not is_loaded()
    if loaded:
        _load_audits(today=today, users=users)
    return DemoResult(loaded=loaded, users_created=users_created, counts=_counts(today),
                      grades=_grades())


def _load_audits(*, today: datetime.date, users: dict[str, User]) -> None:
    generator = _Generator(today=today, users=users)
    past, ahead = generator.activities()
    plans = generator.plan(past)
    plans.sort(key=lambda p: (p.is_draft, p.audit_date or today, p.case_reference))

    now = timezone.now()
    made: list[tuple[Audit, _Planned]] = []
    for planned in plans:
        user = users[planned.auditor]
        audit = services.audit_save_draft(audit=None, by=user, content=generator.content(planned))
        if not planned.is_draft:
            audit = services.audit_submit(audit=audit, by=user, today=today)
        made.append((audit, planned))

    # The services stamp everything "now"; move each stamp back to the audit's own dates.
    submitted = {}
    for audit, planned in made:
        day = planned.audit_date or today
        audit.created_at = generator.moment(day, now)
        if planned.is_draft:
            audit.updated_at = max(audit.created_at, generator.moment(
                min(today, day + datetime.timedelta(days=generator.rng.randint(0, 3))), now))
        else:
            # Submitted once the feedback has been given.
            sent = min(today, planned.feedback_date
                       + datetime.timedelta(days=generator.rng.randint(0, 4)))
            audit.submitted_at = audit.updated_at = max(audit.created_at,
                                                        generator.moment(sent, now))
            submitted[audit.pk] = audit.submitted_at
    Audit.objects.bulk_update([a for a, _ in made], ["created_at", "updated_at", "submitted_at"],
                              batch_size=200)
    transitions = list(AuditTransition.objects.filter(audit_id__in=submitted))
    for row in transitions:
        row.at = submitted[row.audit_id]
    AuditTransition.objects.bulk_update(transitions, ["at"], batch_size=200)
    activities = past + ahead
    for activity in activities:
        activity.created_at = generator.moment(
            _month_start(activity.month, 1) + datetime.timedelta(days=14), now)
    AuditActivity.objects.bulk_update(activities, ["created_at"], batch_size=200)


def _counts(today: datetime.date) -> dict[str, int]:
    audits = Audit.objects.filter(auditor__username__in=DEMO_USERNAMES)
    past_draft = audits.exclude(status=Status.DRAFT)
    reaudited = (past_draft.values("case_reference").annotate(n=Count("pk")).filter(n__gt=1)
                 .count())
    return {
        "users": User.objects.filter(username__in=DEMO_USERNAMES).count(),
        "teams": Team.objects.filter(slug__in=[s for s, _ in TEAMS]).count(),
        "activities": AuditActivity.objects.filter(created_by__username="qalead").count(),
        "activities_ahead": AuditActivity.objects.filter(
            created_by__username="qalead", month__gt=today).count(),
        "audits_past_draft": past_draft.count(),
        "drafts": audits.filter(status=Status.DRAFT).count(),
        "cases_reaudited": reaudited,
    }


def _grades() -> dict[str, int]:
    rows = (Audit.objects.filter(auditor__username__in=DEMO_USERNAMES)
            .exclude(status=Status.DRAFT).values("overall_grade").annotate(n=Count("pk")))
    found = {row["overall_grade"]: row["n"] for row in rows}
    return {str(Grade(g).label): found.get(g, 0)
            for g in (Grade.EXCEEDS, Grade.MEETS, Grade.DOES_NOT_MEET)}
