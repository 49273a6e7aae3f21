"""The demo's example audit tools, built as a QA lead builds them, and a few months of their use.

Three tools (issue 14): a neglect thematic audit graded Good / Requires improvement /
Inadequate, a practice observation of a child in need or looked after review on a scale of its
own, and a LADO referrals dip sample with no overall grade. Each is built through
audits.tools.services and used by activities of the matching kind (audits.schedule.services)
over the last few months; their audits are made with audits.services.audit_create, filled in,
submitted and, for the graded tools, some moderated.

The answers are written straight to the rows audit_create made and the audits moved through
audits.workflow.transition: the submit rules and moderation for built tools are another part
of the app's work, and the demo must load whatever they decide. Nothing here touches the
standard tool's audits, so the standard figures and the rest of the demo are as before (built
tools' audits are never in the standard figures: audits.figures.reportable_condition).

Everything is invented: the tools' wording, the practitioners observed and the agencies'
auditors. Cases are known only by references in the demo's style ("CR-" and six digits), drawn
from their own seeded stream and never one the standard demo already uses.
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import Count, Q

from audits import services
from audits.models import (
    AgeBand,
    AgencyContribution,
    Answer,
    Audit,
    AuditActivity,
    AuditTool,
    CaseType,
    Status,
    Strand,
    Team,
)
from audits.periods import add_months, last_of_month, month_start
from audits.schedule import services as schedule_services
from audits.tools import services as tool_services
from audits.tools.kinds import STANDARD_FAMILY, ActivityKind, QuestionKind, YesNo
from audits.workflow import transition
from demo.clock import Clock, Stamps
from demo.themes import CASE_PROFILE
from moderation.models import ModerationCase
from moderation.services import moderation_on_submit

# The demo's tools choose from their own stream, so the rest of the demo is what it was.
TOOLS_SEED = 2026 + 20

GRADED, YES_NO, NUMBER, DATE, CHOICE, TEXT = (
    QuestionKind.GRADED,
    QuestionKind.YES_NO,
    QuestionKind.NUMBER,
    QuestionKind.DATE,
    QuestionKind.CHOICE,
    QuestionKind.TEXT,
)


@dataclass(frozen=True)
class QuestionSpec:
    text: str
    kind: str
    guidance: str = ""
    required: bool = True
    options: tuple[str, ...] = ()
    numbers: tuple[int, int] = (0, 10)  # a NUMBER question's answers, lowest to highest
    texts: tuple[str, ...] = ()  # a TEXT question's answers (or comments on a graded one)


@dataclass(frozen=True)
class ToolSpec:
    key: str
    name: str
    description: str
    scale: tuple[tuple[str, bool], ...]
    sections: tuple[tuple[str, str, tuple[QuestionSpec, ...]], ...]
    has_overall_grade: bool = True


@dataclass(frozen=True)
class ActivitySpec:
    tool: str  # a ToolSpec key
    kind: str
    name: str
    theme: str
    months_back: int  # 0: this month
    done: int  # audits submitted
    auditors: tuple[str, ...]
    strand: str | None = "social_care"
    case_types: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    planned_extra: int = 0  # planned but not yet done (this month's activities only)


NEGLECT = ToolSpec(
    key="neglect",
    name="Neglect thematic audit",
    description=(
        "A thematic audit of how well the service recognises cumulative neglect and acts on "
        "it, graded on the inspection scale."
    ),
    scale=(("Good", True), ("Requires improvement", False), ("Inadequate", False)),
    sections=(
        (
            "Recognising neglect",
            "Read the assessment, the chronology and the last three months of case notes.",
            (
                QuestionSpec(
                    "How well was neglect recognised and named in the assessment?",
                    GRADED,
                    "Good: the assessment names neglect, its history and its impact on the child.",
                    texts=(
                        "The assessment names neglect and sets out its history clearly.",
                        "Neglect is mentioned but its history is not analysed.",
                        "The assessment describes the home but does not name neglect.",
                    ),
                ),
                QuestionSpec("Is there an up-to-date chronology?", YES_NO),
                QuestionSpec(
                    "Which neglect assessment tool was used?",
                    CHOICE,
                    options=("Graded Care Profile 2", "Neglect screening toolkit", "Other", "None"),
                ),
                QuestionSpec(
                    "Date of the most recent home visit",
                    DATE,
                    "The last visit recorded in the case notes.",
                    required=False,
                ),
            ),
        ),
        (
            "Impact on the child",
            "",
            (
                QuestionSpec(
                    "How well is the child's daily experience of neglect understood?",
                    GRADED,
                    texts=(
                        "The child's day is described from their point of view.",
                        "The child was seen but their experience is not recorded.",
                    ),
                ),
                QuestionSpec(
                    "Are the child's health needs (dental, immunisations, development) met?",
                    YES_NO,
                ),
                QuestionSpec(
                    "What difference has the plan made for the child?",
                    TEXT,
                    texts=(
                        "Attendance at school has improved and the child is gaining weight.",
                        "Home conditions improved for a time but have slipped back since.",
                        "Little change yet: the plan's actions are not specific enough.",
                        "The family engaged with the parenting programme; the child's "
                        "routines are more settled.",
                    ),
                ),
            ),
        ),
    ),
)

OBSERVATION = ToolSpec(
    key="observation",
    name="Practice observation: child in need or looked after review",
    description=(
        "An observation of a review meeting: how the practitioner prepared the child and "
        "family, led the meeting and heard the child."
    ),
    scale=(
        ("Outstanding", True),
        ("Good", True),
        ("Requires improvement", False),
        ("Inadequate", False),
    ),
    sections=(
        (
            "Before the meeting",
            "",
            (
                QuestionSpec("Were the child's views gathered before the meeting?", YES_NO),
                QuestionSpec("How well were the child and family prepared?", GRADED),
            ),
        ),
        (
            "The meeting",
            "Observe the whole meeting; note what you see and hear, not what you expect.",
            (
                QuestionSpec("How well did the practitioner lead the meeting?", GRADED),
                QuestionSpec("Was the child's voice heard in the meeting?", YES_NO),
                QuestionSpec("How many professionals took part?", NUMBER, numbers=(2, 7)),
                QuestionSpec(
                    "What went well?",
                    TEXT,
                    texts=(
                        "The practitioner summarised the plan in plain words the parents "
                        "could follow.",
                        "The child's views were read out in their own words.",
                        "Agencies were held to account for their actions from the last review.",
                    ),
                ),
                QuestionSpec(
                    "What would make the practice even better?",
                    TEXT,
                    texts=(
                        "Agree dates for each action before the meeting ends.",
                        "Check the family understood the plan before closing.",
                        "Give the young person a chance to speak before the professionals.",
                    ),
                ),
            ),
        ),
    ),
)

LADO = ToolSpec(
    key="lado",
    name="LADO referrals dip sample",
    description=(
        "A monthly compliance check of referrals to the local authority designated officer "
        "(LADO) against the timescales of the safeguarding partnership's procedures."
    ),
    scale=(),
    has_overall_grade=False,
    sections=(
        (
            "The referral",
            "Check each referral in the sample; answer Partly where some met the standard.",
            (
                QuestionSpec("Was the referral acknowledged within one working day?", YES_NO),
                QuestionSpec(
                    "Was the initial consideration held within five working days?", YES_NO
                ),
                QuestionSpec(
                    "Working days from referral to initial consideration (longest in the sample)",
                    NUMBER,
                    numbers=(1, 12),
                ),
                QuestionSpec("Was the employer told of the outcome in writing?", YES_NO),
            ),
        ),
        (
            "The outcome",
            "",
            (
                QuestionSpec(
                    "Outcome of the allegation (most of the sample)",
                    CHOICE,
                    options=(
                        "Substantiated",
                        "Unsubstantiated",
                        "Unfounded",
                        "False",
                        "Malicious",
                    ),
                ),
                QuestionSpec("Date the last referral in the sample closed", DATE, required=False),
                QuestionSpec(
                    "Notes for the QA lead",
                    TEXT,
                    required=False,
                    texts=(
                        "Two referrals waited for police checks before the initial consideration.",
                        "All employers were written to within the timescale.",
                        "",
                    ),
                ),
            ),
        ),
    ),
)

TOOLS = (NEGLECT, OBSERVATION, LADO)

ACTIVITIES = (
    ActivitySpec(
        "neglect",
        ActivityKind.THEMATIC,
        "Neglect thematic audit",
        "Cumulative neglect in child in need and child protection cases",
        months_back=3,
        done=4,
        auditors=("auditor1", "auditor3"),
        case_types=("child_in_need", "child_protection"),
    ),
    ActivitySpec(
        "neglect",
        ActivityKind.MULTI_AGENCY,
        "Multi-agency neglect audit",
        "Neglect: what each agency knew and did",
        months_back=2,
        done=3,
        auditors=("auditor2",),
        case_types=("child_protection",),
        agencies=("Police", "Health", "Education"),
    ),
    ActivitySpec(
        "neglect",
        ActivityKind.THEMATIC,
        "Neglect thematic audit",
        "Cumulative neglect in child in need and child protection cases",
        months_back=1,
        done=4,
        auditors=("auditor4", "auditor5"),
        case_types=("child_in_need", "child_protection"),
    ),
    ActivitySpec(
        "observation",
        ActivityKind.PRACTICE_OBSERVATION,
        "Observations of reviews",
        "Child in need and looked after reviews",
        months_back=2,
        done=3,
        auditors=("moderator1", "moderator2"),
        case_types=("child_in_need", "looked_after"),
    ),
    ActivitySpec(
        "observation",
        ActivityKind.PRACTICE_OBSERVATION,
        "Observations of reviews",
        "Child in need and looked after reviews",
        months_back=1,
        done=3,
        auditors=("moderator1", "moderator2"),
        case_types=("child_in_need", "looked_after"),
    ),
    ActivitySpec(
        "observation",
        ActivityKind.PRACTICE_OBSERVATION,
        "Observations of reviews",
        "Child in need and looked after reviews",
        months_back=0,
        done=1,
        planned_extra=2,
        auditors=("moderator1", "moderator2"),
        case_types=("child_in_need", "looked_after"),
    ),
    ActivitySpec(
        "lado",
        ActivityKind.DIP_SAMPLE,
        "LADO referrals dip sample",
        "Timeliness of responses to allegations against staff",
        months_back=3,
        done=2,
        auditors=("auditor6",),
        strand=None,
    ),
    ActivitySpec(
        "lado",
        ActivityKind.DIP_SAMPLE,
        "LADO referrals dip sample",
        "Timeliness of responses to allegations against staff",
        months_back=2,
        done=2,
        auditors=("auditor6",),
        strand=None,
    ),
    ActivitySpec(
        "lado",
        ActivityKind.DIP_SAMPLE,
        "LADO referrals dip sample",
        "Timeliness of responses to allegations against staff",
        months_back=1,
        done=2,
        auditors=("auditor6",),
        strand=None,
    ),
)

# Invented practitioners and agency auditors: no real person is meant.
PRACTITIONERS = (
    "Priya Raman",
    "Owen Tregarthen",
    "Keisha Addo",
    "Lewis McAllister",
    "Bethan Rhys",
    "Marek Nowicki",
)
OBSERVED_EVENTS = {
    "child_in_need": "Child in need review meeting",
    "looked_after": "Looked after review",
}
AGENCY_AUDITORS = {
    "Police": ("DS Carol Penhaligon", "Example Constabulary, public protection unit"),
    "Health": ("Nadia Farouk", "Example Integrated Care Board, safeguarding team"),
    "Education": ("Martin Ashdown", "Example Borough Council, education safeguarding"),
}
FEEDBACK_WITH = "The social worker and their team manager"
MODERATORS = ("moderator1", "moderator2")

# How the answers lean in an audit whose practice was strong, middling or weak.
LEANS = ("strong", "middling", "weak")
YES_NO_WEIGHTS = {
    "strong": {YesNo.YES: 8, YesNo.PARTLY: 1, YesNo.NO: 0, YesNo.NOT_APPLICABLE: 1},
    "middling": {YesNo.YES: 5, YesNo.PARTLY: 3, YesNo.NO: 2, YesNo.NOT_APPLICABLE: 1},
    "weak": {YesNo.YES: 2, YesNo.PARTLY: 3, YesNo.NO: 5, YesNo.NOT_APPLICABLE: 0},
}


@dataclass
class Made:
    tools: dict[str, AuditTool] = field(default_factory=dict)
    activities: list[AuditActivity] = field(default_factory=list)
    audits: list[Audit] = field(default_factory=list)


def build_tools(*, by: User) -> dict[str, AuditTool]:
    """The three example tools, built through the services as the builder's pages build them."""
    tools = {}
    for spec in TOOLS:
        tool = tool_services.tool_build(
            name=spec.name,
            by=by,
            description=spec.description,
            has_overall_grade=spec.has_overall_grade,
            grades=spec.scale,
        )
        for title, guidance, questions in spec.sections:
            section = tool_services.section_add(tool=tool, title=title, guidance=guidance)
            for q in questions:
                tool_services.question_add(
                    section=section,
                    text=q.text,
                    kind=q.kind,
                    guidance=q.guidance,
                    required=q.required,
                    options=list(q.options),
                )
        tools[spec.key] = tool
    return tools


class _Loader:
    def __init__(self, *, today, users, clock: Clock, stamps: Stamps):
        self.today, self.users, self.clock, self.stamps = today, users, clock, stamps
        self.rng = random.Random(TOOLS_SEED)
        self.strands = {s.slug: s for s in Strand.objects.all()}
        self.case_types = {c.slug: c for c in CaseType.objects.all()}
        self.age_bands = {a.slug: a for a in AgeBand.objects.all()}
        self.teams = {t.slug: t for t in Team.objects.all()}
        used = set(Audit.objects.values_list("case_reference", flat=True))
        self.references = (
            f"CR-{n}" for n in self.rng.sample(range(100000, 1000000), 400) if f"CR-{n}" not in used
        )
        self.specs = {spec.key: spec for spec in TOOLS}

    def load(self) -> Made:
        made = Made()
        qa_lead = self.users["qalead"]
        made.tools = build_tools(by=qa_lead)
        first = add_months(month_start(self.today), -max(a.months_back for a in ACTIVITIES) - 1)
        for tool in made.tools.values():
            self.stamps.set(tool, created_at=self.clock.on(first))
        for spec in ACTIVITIES:
            month = add_months(month_start(self.today), -spec.months_back)
            if AuditActivity.objects.filter(name=spec.name, month=month).exists():
                continue  # someone planned one by hand under the name: left alone
            activity = schedule_services.activity_create(
                name=spec.name,
                month=month,
                by=qa_lead,
                theme=spec.theme,
                kind=spec.kind,
                tool=made.tools[spec.tool],
                agencies=list(spec.agencies),
                strand=self.strands.get(spec.strand) if spec.strand else None,
                case_types=[self.case_types[c] for c in spec.case_types],
                auditors=[self.users[n] for n in spec.auditors],
                planned_audits=spec.done + spec.planned_extra,
                due_date=last_of_month(month) + datetime.timedelta(days=14),
                moderation_rate=100,
            )
            self.stamps.set(
                activity,
                created_at=self.clock.on(add_months(month, -1) + datetime.timedelta(days=14)),
            )
            made.activities.append(activity)
            for n in range(spec.done):
                made.audits.append(self._audit(spec, activity, n))
        return made

    # --- one audit ----------------------------------------------------------------------------

    def _audit(self, spec: ActivitySpec, activity: AuditActivity, n: int) -> Audit:
        rng = self.rng
        tool = activity.tool
        start, end = activity.month, min(last_of_month(activity.month), self.today)
        audit_date = start + datetime.timedelta(days=rng.randint(0, (end - start).days))
        auditor = self.users[spec.auditors[n % len(spec.auditors)]]
        header = {
            "case_reference": next(self.references),
            "audit_date": audit_date,
            "strand": activity.strand,
        }
        case_type = rng.choice(spec.case_types) if spec.case_types else None
        if case_type:
            bands, teams = CASE_PROFILE[case_type]
            header.update(
                case_type=self.case_types[case_type],
                age_band=self.age_bands.get(rng.choice(bands)),
                team=self.teams.get(rng.choice(teams)),
            )
        if spec.kind == ActivityKind.PRACTICE_OBSERVATION:
            header.update(
                observed_event=OBSERVED_EVENTS[case_type],
                observed_on=max(start, audit_date - datetime.timedelta(days=rng.randint(0, 2))),
                observed_practitioner=rng.choice(PRACTITIONERS),
            )
        header.update(
            feedback_date=min(self.today, audit_date + datetime.timedelta(days=rng.randint(0, 4))),
            feedback_with=FEEDBACK_WITH,
        )
        audit = services.audit_create(auditor=auditor, activity=activity, **header)
        for agency in spec.agencies:
            name, organisation = AGENCY_AUDITORS[agency]
            AgencyContribution.objects.create(
                audit=audit, agency=agency, auditor_name=name, organisation=organisation
            )

        lean = rng.choices(LEANS, weights=(3, 4, 2))[0]
        grades = list(tool.grades.all())
        graded = self._answer(audit, lean, grades, audit_date, counting=spec.kind)
        overall = ""
        if tool.has_overall_grade and grades:
            # The overall grade follows the graded answers: their middle one, rounded down.
            positions = sorted(graded) or [len(grades) // 2]
            overall = grades[positions[len(positions) // 2] - 1].code
        Audit.objects.filter(pk=audit.pk).update(
            overall_grade=overall,
            overall_comments=(
                "Strong, child-focused practice."
                if lean == "strong"
                else "Some good work; the plan needs sharper actions."
                if lean == "middling"
                else "Practice does not yet keep the child's experience in view."
            ),
        )
        audit.refresh_from_db()
        self._move(audit, overall, grades, audit_date)
        return audit

    def _answer(self, audit, lean, grades, audit_date, *, counting) -> list[int]:
        """Fill the audit's blank answers; the positions of its graded answers on the scale."""
        rng = self.rng
        spec_of = {
            q.text: q
            for _title, _guidance, questions in self._spec(audit).sections
            for q in questions
        }
        items = rng.randint(6, 12) if counting == ActivityKind.DIP_SAMPLE else None
        positions = []
        answers = list(audit.answers.select_related("question"))
        for answer in answers:
            q = spec_of[answer.question.text]
            answer.items_checked = items
            if q.kind == GRADED:
                best = {"strong": 0, "middling": 1, "weak": 2}[lean]
                position = min(len(grades), max(1, best + rng.choice((0, 1, 1, 2))))
                positions.append(position)
                answer.value = grades[position - 1].code
                answer.text = rng.choice(q.texts) if q.texts and rng.random() < 0.6 else ""
            elif q.kind == YES_NO:
                weights = YES_NO_WEIGHTS[lean]
                answer.value = rng.choices(list(weights), weights=list(weights.values()))[0]
            elif q.kind == CHOICE:
                answer.value = rng.choices(q.options, weights=range(len(q.options), 0, -1))[0]
            elif q.kind == NUMBER:
                answer.number = Decimal(rng.randint(*q.numbers))
            elif q.kind == DATE:
                if q.required or rng.random() < 0.8:
                    answer.date = audit_date - datetime.timedelta(days=rng.randint(2, 40))
            elif q.kind == TEXT:
                answer.text = rng.choice(q.texts) if q.texts else ""
        Answer.objects.bulk_update(
            answers, ["value", "number", "date", "text", "items_checked"], batch_size=200
        )
        return positions

    def _spec(self, audit) -> ToolSpec:
        return next(s for s in TOOLS if s.name == audit.tool.name)

    def _move(self, audit: Audit, overall: str, grades, audit_date) -> None:
        """Submitted, then completed: at once, or (a graded tool's, now and then) after
        moderation, which agrees or moves the grade one step."""
        rng, clock = self.rng, self.clock
        created = clock.on(audit_date)
        sent = min(self.today, audit.feedback_date or audit_date)
        submitted = max(created, clock.on(sent))
        transition(audit, to=Status.SUBMITTED, by=audit.auditor, at=submitted)
        last, fields = submitted, {}
        if not audit.tool.has_overall_grade:
            # As a real submission goes: no overall grade, so moderation records that there is
            # nothing to moderate and completes the audit.
            case = moderation_on_submit(audit=audit, by=audit.auditor)
            # ... at the demo's time, not the loader's.
            ModerationCase.objects.filter(pk=case.pk).update(decided_at=submitted)
            audit.transitions.filter(to_status=Status.COMPLETED).update(at=submitted)
        elif overall and rng.random() < 0.6:
            moderator = self.users[
                rng.choice([m for m in MODERATORS if self.users[m] != audit.auditor])
            ]
            taken = clock.after(submitted, days=(1, 6))
            transition(audit, to=Status.IN_MODERATION, by=moderator, at=taken)
            decided = clock.after(taken, minutes=(15, 75))
            codes = [g.code for g in grades]
            index = codes.index(overall)
            roll = rng.random()
            if roll < 0.15 and index + 1 < len(codes):
                index += 1
            elif roll < 0.22 and index > 0:
                index -= 1
            transition(audit, to=Status.COMPLETED, by=moderator, at=decided, comment="Moderated")
            fields = {"moderated_grade": codes[index], "moderated_by": moderator}
            last = decided
        else:
            transition(audit, to=Status.COMPLETED, by=audit.auditor, at=submitted)
        Audit.objects.filter(pk=audit.pk).update(status=Status.COMPLETED, **fields)
        self.stamps.set(audit, created_at=created, submitted_at=submitted, updated_at=last)


def load(*, today: datetime.date, users: dict[str, User], clock: Clock, stamps: Stamps) -> Made:
    """Build the example tools and a few months of their activities and audits."""
    return _Loader(today=today, users=users, clock=clock, stamps=stamps).load()


def counts(audits) -> dict[str, int]:
    """What the load made, for the command's summary: the built tools' audits among ``audits``
    (the demo's), their tools and activities."""
    built = audits.exclude(tool__family=STANDARD_FAMILY)
    row = built.aggregate(
        tool_audits=Count("pk"), tool_moderated=Count("pk", filter=Q(moderated_grade__gt=""))
    )
    return {
        "tools": AuditTool.objects.filter(name__in=[t.name for t in TOOLS]).count(),
        "tool_activities": AuditActivity.objects.filter(tool__name__in=[t.name for t in TOOLS])
        .values("pk")
        .count(),
        **row,
    }
