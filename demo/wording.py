"""The generic sentences the demo's evaluative text is built from. They speak of "the child",
"the family" and "the social worker"; no child is ever named."""

from audits.grades import Grade

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
