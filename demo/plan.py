"""Planning the demo year: the schedule of activities (two or three a month, one of them early
help) and every audit it will hold, with the content an auditor would type."""

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.models import User

from audits import services
from audits.grades import GRADE_RANK, Grade
from audits.models import (
    AgeBand,
    AuditActivity,
    CaseType,
    RiskCategory,
    Strand,
    Team,
)
from audits.periods import add_months, days_in_month, last_of_month
from audits.schedule import services as schedule_services
from demo.people import AUDITOR_WEIGHTS, CURRENT_WEIGHTS, DRAFT_AUDITORS, NEWEST_AUDITOR, TEAMS
from demo.themes import (
    CASE_PROFILE,
    EARLY_MONTHS,
    EARLY_RATE_CAP,
    RISK_CHANCE,
    RISK_SLUGS,
    THEMES,
    Theme,
)
from demo.wording import (
    DOES_NOT_MEET_TAILS,
    DOMAIN_PHRASES,
    EXCEEDS_TAILS,
    FEEDBACK_NOTES,
    FEEDBACK_WITH,
    FEEDBACK_WITH_EARLY_HELP,
    GENERAL_ACTIONS,
    MEETS_TAILS,
    NEXT_STEPS,
    NOT_APPLICABLE_TEXT,
    OVERALL_COMMENTS,
    REAUDIT_COMMENTS,
)

# The demo is the same on every run: every random choice comes from generators seeded here.
SEED = 2026


@dataclass(eq=False)
class Slot:
    """One activity of the schedule, decided before anything is written."""

    theme: Theme
    month: datetime.date
    months_back: int  # 0 this month, negative ahead
    auditors: list[str]
    planned: int = 0  # the planned number of audits
    shortfall: int = 0  # planned audits never submitted: the activity runs late
    activity: AuditActivity | None = None  # made once the whole schedule is planned


@dataclass
class Planned:
    """One audit to make, decided before anything is written so it can be sorted by date."""

    auditor: str
    slot: Slot
    case_reference: str
    audit_date: datetime.date | None
    case_type: str
    age_band: str
    team: str
    overall: str = ""
    previous: "Planned | None" = None
    is_draft: bool = False
    is_practice: bool = False
    feedback_date: datetime.date | None = None
    risks: list[str] = field(default_factory=list)
    grades: dict[int, str] = field(default_factory=dict)  # domain number -> grade


def split_evenly(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` shared as evenly as it goes between ``parts``; the odd ones fall at random."""
    shares = [total // parts] * parts
    for index in rng.sample(range(parts), total % parts):
        shares[index] += 1
    return shares


class Generator:
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

    def schedule(self) -> list[Slot]:
        """Two or three activities a month for the past twelve months (this month included) and
        the next three, each with one to three assigned auditors."""
        slots = []
        for months_back in range(11, -4, -1):
            month = add_months(self.today, -months_back)
            # An activity someone already made by hand under the same name is left alone (its
            # case types may differ from the theme's): the month takes the next theme instead.
            taken = set(AuditActivity.objects.filter(month=month).values_list("name", flat=True))
            themes = [t for t in self.rng.sample(THEMES, len(THEMES)) if t.name not in taken]
            for theme in self._month_themes(themes):
                weights = CURRENT_WEIGHTS if months_back <= 0 else AUDITOR_WEIGHTS
                slots.append(
                    Slot(
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

    def _month_themes(self, themes: list[Theme]) -> list[Theme]:
        """Two or three of ``themes`` for a month, one of them early help: a council audits its
        early help cases every month, as it does its social care ones."""
        chosen = themes[: self.rng.choice([2, 3, 3])]
        if not any(t.strand == "early_help" for t in chosen):
            early_help = next((t for t in themes if t.strand == "early_help"), None)
            if early_help is not None:
                chosen[-1] = early_help
        return chosen

    @staticmethod
    def _cover(ahead: list[Slot]) -> None:
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

    def make_activities(self, slots: list[Slot]) -> None:
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
                due_date=last_of_month(slot.month) + datetime.timedelta(days=14),
                moderation_rate=rate,
                always_moderate_not_met=theme.always_moderate_not_met,
                by=self.users["qalead"],
            )

    # --- what each audit will be --------------------------------------------------------------

    def _window(self, slot: Slot) -> tuple[datetime.date, datetime.date]:
        return slot.month, min(last_of_month(slot.month), self.today)

    def _date_in(self, start: datetime.date, end: datetime.date) -> datetime.date:
        return start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))

    def _auditor(self, slot: Slot | None = None) -> str:
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

    def _new_case(self, slot: Slot, auditor: str, audit_date) -> Planned:
        theme = slot.theme
        case_type = self.rng.choices(
            theme.case_types, weights=[3] + [1] * (len(theme.case_types) - 1)
        )[0]
        bands, teams = CASE_PROFILE[case_type]
        planned = Planned(
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

    def plan(self, slots: list[Slot]) -> list[Planned]:
        """Every audit of the past year, and each past activity's plan to match: what was
        planned was done, but for one or two activities that ran late and this month's, which
        is under way."""
        plans: list[Planned] = []
        by_month: dict[datetime.date, list[Slot]] = {}
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
                for slot, share in zip(
                    month_slots, split_evenly(count, len(month_slots), self.rng)
                ):
                    slot.planned = share
                share = self.today.day / days_in_month(month)
                count = max(4, round(26 * share * 0.6))
            dealt = [
                slot
                for slot, n in zip(month_slots, split_evenly(count, len(month_slots), self.rng))
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

    def _reaudits(self, originals: list[Planned], past: list[Slot]) -> list[Planned]:
        """About twenty cases audited again at least two months later, most often improved.

        Re-audits follow up cases that did not meet good, so those are chosen first.
        """

        def later_slots(planned):
            earliest = planned.audit_date + datetime.timedelta(days=60)
            return [
                s
                for s in past
                if earliest <= min(last_of_month(s.month), self.today)
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
                Planned(
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

    def _practice(self, slots: list[Slot]) -> list[Planned]:
        """The newest auditor's practice audits, three and two months ago: the first graded
        more generously than the evidence allows, as first audits often are."""
        practice = []
        for months_back, overall in ((3, Grade.MEETS), (3, Grade.MEETS), (2, Grade.EXCEEDS)):
            slot = self.rng.choice([s for s in slots if s.months_back == months_back])
            planned = self._new_case(slot, NEWEST_AUDITOR, self._date_in(*self._window(slot)))
            planned.overall, planned.is_practice = overall, True
            practice.append(planned)
        return practice

    def _drafts(self, this_month: list[Slot], last_month: list[Slot]) -> list[Planned]:
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

    def _applicable(self, planned: Planned, number: int) -> bool:
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

    def _domain_grades(self, planned: Planned) -> dict[int, str]:
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

    def _actions(self, planned: Planned, grades: dict[int, str]) -> list[dict]:
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

    def content(self, planned: Planned) -> services.AuditContent:
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
                change = "better" if GRADE_RANK[planned.overall] > GRADE_RANK[before] else "worse"
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
