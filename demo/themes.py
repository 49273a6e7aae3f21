"""What the demo council audits: the themes of its monthly activities, and for each case type
the age bands, teams and risks its cases have."""

from dataclasses import dataclass


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


# Moderation grew over the year: until eight months ago no activity moderated more than half.
EARLY_RATE_CAP, EARLY_MONTHS = 50, 8
