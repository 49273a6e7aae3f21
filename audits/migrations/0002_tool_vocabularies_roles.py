"""Version 1 of the audit tool, the starting vocabularies and the four role groups.

The wording is this project's own summary of what each domain asks an auditor to look at.
"""

from django.db import migrations

TOOL_NAME = "Children's case file audit tool"

DOMAINS = [
    (
        "Risk is recognised, acted on and reduced without delay",
        "Look at whether the risks to the child were spotted early, whether the response matched "
        "them, and whether they are now lower. Record which kinds of harm the child faces or may "
        "face, using the risk categories below.",
    ),
    (
        "The child, young person and family take a real part in the work",
        "Did the work make a difference because the family were involved? Were fathers and other "
        "significant men heard? Was the child seen, and seen on their own? Is there a stable "
        "relationship with a worker, and is direct work with the child on file?",
    ),
    (
        "Decisions are sound and made in time",
        "Is management oversight visible and does it give direction? Are the reasons for decisions "
        "written down? Is the recording clear, complete and reflective?",
    ),
    (
        "Assessments are timely, thorough and analytical, and lead to focused help",
        "Check the family history and a current chronology, and whether the assessment weighs "
        "risks, needs, strengths that protect the child and the parents' capacity to change.",
    ),
    (
        "Agencies work together well",
        "Is there evidence of joint working and of information being shared between agencies, "
        "and did it help the child?",
    ),
    (
        "Diversity is considered and makes a difference",
        "Has the work taken account of the child's age, disability, ethnicity, faith or belief, "
        "gender, identity, language, race and sexual orientation, and did that change the help?",
    ),
    (
        "Plans are good quality",
        "Is the plan current and timely, with specific and measurable steps that are being carried "
        "out, and was it shaped by what the child and parents said?",
    ),
    (
        "Permanence is reached without delay and fits the child's assessed needs",
        "Consider progress towards a permanent home, including adoption and getting the child "
        "ready for a new placement.",
    ),
    (
        "The child takes part in regular reviews that work",
        "Are reviews held on time, does the child take part, and is there evidence that the "
        "independent reviewing officer or conference chair challenged and changed things?",
    ),
    (
        "The placement is good, whether at home or in care",
        "Look at matching, stability, contact with family and friends, and the support given to "
        "keep the placement going.",
    ),
    (
        "Young people are ready for independence and live somewhere suitable",
        "Is the young person being prepared for adult life, and is their home safe, settled and "
        "affordable?",
    ),
    (
        "The help has improved the child's outcomes",
        "What has changed for the child: learning, physical health, emotional wellbeing, links in "
        "the community and safety?",
    ),
]

RISK_CATEGORIES = [
    ("sexual_exploitation", "Sexual exploitation"),
    ("neglect", "Neglect"),
    ("emotional_abuse", "Emotional abuse"),
    ("sexual_abuse", "Sexual abuse"),
    ("physical_abuse", "Physical abuse"),
    ("domestic_abuse", "Domestic abuse"),
]

STRANDS = [("social_care", "Social care"), ("early_help", "Early help")]

CASE_TYPES = [
    ("child_in_need", "Child in need"),
    ("child_protection", "Child protection"),
    ("looked_after", "Looked after"),
    ("care_leaver", "Care leaver"),
    ("adoption", "Adoption"),
    ("private_fostering", "Private fostering"),
    ("special_guardianship", "Special guardianship"),
    ("children_with_disabilities", "Children with disabilities"),
    ("unaccompanied_asylum_seeking", "Unaccompanied asylum seeking"),
    ("no_recourse_public_funds", "No recourse to public funds"),
    ("early_help", "Early help"),
]

AGE_BANDS = [
    ("under-1", "Under 1"),
    ("1-4", "1-4"),
    ("5-9", "5-9"),
    ("10-15", "10-15"),
    ("16-17", "16-17"),
    ("18-plus", "18+"),
]

ROLES = ["Auditor", "Moderator", "QA lead", "Administrator"]


def forwards(apps, schema_editor):
    AuditTool = apps.get_model("audits", "AuditTool")
    Domain = apps.get_model("audits", "Domain")
    RiskCategory = apps.get_model("audits", "RiskCategory")
    Group = apps.get_model("auth", "Group")

    tool, _ = AuditTool.objects.get_or_create(
        version=1, defaults={"name": TOOL_NAME, "is_current": True}
    )
    for number, (title, guidance) in enumerate(DOMAINS, start=1):
        domain, _ = Domain.objects.get_or_create(
            tool=tool, number=number, defaults={"title": title, "guidance": guidance}
        )
        if number == 1:
            for order, (slug, name) in enumerate(RISK_CATEGORIES):
                RiskCategory.objects.get_or_create(
                    domain=domain, slug=slug, defaults={"name": name, "order": order}
                )

    for model_name, rows in (("Strand", STRANDS), ("CaseType", CASE_TYPES), ("AgeBand", AGE_BANDS)):
        model = apps.get_model("audits", model_name)
        for order, (slug, name) in enumerate(rows):
            model.objects.get_or_create(slug=slug, defaults={"name": name, "order": order})

    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
