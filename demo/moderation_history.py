"""The moderation part of the demo data (see ``demo.loader``): a year of moderation after a year
of audits, so the queue, the feedback pages, the agreement figures and the exemplars have life.

Everything goes through ``moderation.services`` and ``audits.services``. Sampling already
happened on submission (a seeded draw, so the same audits are chosen every run). Of the audits
chosen, the most recent wait in the queue, two of them taken by a moderator; a few were sent
back, some resubmitted and decided since, two still with their auditor; the rest were decided:
mostly agreed, some lowered, a few raised. The newest auditor's practice audits were moderated
with one-to-one feedback, a QA lead added one unsampled audit to the queue by hand, and the
moderators held a few audits up as exemplars.

The services stamp everything "now"; each step notes in ``stamps`` the moment it should carry,
always after the step before it (see ``Clock.after``).
"""

from __future__ import annotations

import datetime
import random
from typing import TYPE_CHECKING

from django.db.models import Count, Q

from audits import services
from audits.grades import GRADE_RANK, Grade
from audits.models import AgreedAction, Audit, Status
from moderation import services as moderation_services
from moderation.models import Moderation, ModerationCase
from moderation.selectors import QUEUE_STATUSES

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from demo.clock import Clock, Stamps

WAITING = 12  # the most recent audits chosen for moderation, not yet moderated
STUCK = 2  # older ones still waiting
TAKEN = 2  # of those waiting, in a moderator's hands
RETURNED_NOW = 2  # sent back and not yet resubmitted
RESUBMITTED_WAITING = 1  # sent back, resubmitted, waiting again
TWO_ROUNDS = 6  # sent back, resubmitted, then decided
EXEMPLARS = 3

DOMAIN_SUBJECTS = {
    1: "risk",
    2: "the child's involvement",
    3: "decision making",
    4: "the assessment",
    5: "joint working between agencies",
    6: "identity and diversity",
    7: "the plan",
    8: "permanence",
    9: "reviews",
    10: "the placement",
    11: "preparation for independence",
    12: "the difference the help has made",
}
LOWERED = [
    "The evaluation of {subject} (domain {n}) describes the work done but not its impact for "
    "the child, so that domain does not meet good; with that gap the case is {grade} overall.",
    "On the evidence in the file, {subject} (domain {n}) is not as strong as graded: the record "
    "is out of date. The overall grade should be {grade}.",
    "The strengths are real, but {subject} (domain {n}) is central to this case and the file "
    "does not show it improving. {grade} overall.",
]
RAISED = [
    "The evaluation under-sells the work on {subject} (domain {n}): the evidence is in the file "
    "and the impact for the child is clear. {grade} overall.",
    "The gap found in {subject} (domain {n}) was put right before the audit date, as the case "
    "notes show; taken with the other domains the case is {grade} overall.",
]
FEEDBACK_AGREED = [
    "I agree with your judgements. The evaluations are succinct and evidenced, and the actions "
    "are specific.",
    "Agreed. A clear audit: the child's experience comes through in every domain.",
    "I agree with the grade. To strengthen your audits further, say what difference the help "
    "has made for the child in domain 12.",
    "Agreed. Good use of the child's own words; keep naming who does each action and by when.",
    "I agree. Your feedback to the case holder is well recorded and the actions follow from it.",
]
FEEDBACK_CHANGED = [
    "Thank you for a thorough audit. We see {subject} (domain {n}) differently; let's talk it "
    "through at our next supervision.",
    "Please look again at how you weighed the evidence on {subject} (domain {n}): grade what "
    "the file shows, not what you were told in the feedback discussion.",
    "A useful audit. My view of {subject} (domain {n}) differs; the rationale explains why.",
]
DOMAIN_NOTES = [
    "The file does not show how {subject} has changed since the last review; record it next time.",
    "The evaluation of {subject} is brief: one sentence of evidence from the file would support "
    "the grade.",
    "Strong evidence on {subject}: worth sharing with the team.",
]
# (action, by whom, days to do it)
MODERATOR_ACTIONS = [
    ("Review the case in supervision and record the next steps", "Team manager", 14),
    ("Escalate the drift in this case to the service manager", "Team manager", 7),
    ("Hold a multi-agency meeting to agree the safety plan", "Social worker", 21),
]
SEND_BACK = [
    "Domain {n} ({subject}) is graded but the evaluation does not say what the impact has been "
    "for the child. Please add the evidence and resubmit.",
    "The overall comments do not match the domain grades: please look again at {subject} "
    "(domain {n}) and resubmit.",
    "The evaluation of {subject} (domain {n}) is missing the evidence from the file that "
    "supports the grade. Please add it and resubmit.",
]
AMENDED_TEXT = " Amended after moderation: the evidence from the case file is now recorded."
AMENDED_COMMENT = " Amended after moderation feedback."
PRACTICE_FEEDBACK = [
    "Practice audit, talked through one to one. Your grade was generous: on {subject} (domain "
    "{n}) grade what the file evidences, not the effort you can see. A good first audit.",
    "Practice audit, talked through one to one. Much better: the evaluations weigh the evidence "
    "rather than describe the work. Agreed.",
    "Practice audit, talked through one to one. Agreed, and well written: you are ready to "
    "audit on your own.",
]
EXEMPLAR_NOTES = [
    "The child's voice runs through the audit and every judgement is evidenced: a model for "
    "new auditors.",
    "Succinct, evaluative domain text and actions that say who does what by when.",
    "A clear example of how to evidence Exceeds good: impact for the child in every domain.",
]


def moderate(
    *,
    submitted: list[tuple[Audit, dict[int, str], bool]],
    users: dict[str, User],
    clock: Clock,
    stamps: Stamps,
    rng: random.Random,
) -> dict[int, datetime.datetime]:
    """Moderate the demo audits (each with its domain grades and whether it is practice).

    Returns the moment of each audit's final decision, by audit pk, for the actions it added.
    """
    story = _Moderation(users=users, clock=clock, stamps=stamps, rng=rng)
    story.run(submitted)
    return story.decided


class _Moderation:
    def __init__(self, *, users, clock, stamps, rng):
        self.users, self.clock, self.stamps, self.rng = users, clock, stamps, rng
        self.moderators = [users["moderator1"], users["moderator2"]]
        self.by_pk = {u.pk: u for u in users.values()}
        self.cases: dict[int, ModerationCase] = {}
        self.grades: dict[int, dict[int, str]] = {}
        self.decided: dict[int, datetime.datetime] = {}
        # (moderation, when, is practice) of every decision, for the acknowledgements
        self.decisions: list[tuple[Moderation, datetime.datetime, bool]] = []

    def run(self, submitted) -> None:
        audits = [audit for audit, *_ in submitted]
        self.grades = {audit.pk: grades for audit, grades, _ in submitted}
        self.cases = {c.audit_id: c for c in ModerationCase.objects.filter(audit__in=audits)}
        first = {audit.pk: self.stamps.get(audit, "submitted_at") for audit in audits}
        for audit in audits:
            self.stamps.set(self.cases[audit.pk], decided_at=first[audit.pk])

        def ripe(audit):  # submitted long enough ago for something to have happened since
            return first[audit.pk] < self.clock.now - datetime.timedelta(hours=2)

        practice = [audit for audit, _, is_practice in submitted if is_practice]
        chosen = sorted(
            (a for a, _, is_practice in submitted if self.cases[a.pk].sampled and not is_practice),
            key=lambda a: (first[a.pk], a.pk),
        )
        waiting = chosen[-WAITING:] + self.rng.sample(chosen[-40:-WAITING], STUCK)
        waiting += [a for a in chosen if not ripe(a) and a not in waiting]
        rest = [a for a in chosen if a not in waiting]
        recent, older = rest[-25:], rest[:-25]
        picked = self.rng.sample(recent, RETURNED_NOW + RESUBMITTED_WAITING)
        returned_now = picked[:RETURNED_NOW]
        two_rounds = self.rng.sample(older, TWO_ROUNDS)

        for audit in rest:
            start = first[audit.pk]
            if audit in picked:
                sent_back = self._send_back(audit, start)
                if audit not in returned_now:
                    self._resubmit(audit, *sent_back)
            elif audit in two_rounds:
                self._decide(audit, self._resubmit(audit, *self._send_back(audit, start)))
            else:
                self._decide(audit, start)
        for audit in self.rng.sample([a for a in waiting if ripe(a)], TAKEN):
            self._take(audit, first[audit.pk], days=(0, 2))
        self._add_by_hand(audits, first, ripe)
        for index, audit in enumerate(sorted(practice, key=lambda a: first[a.pk])):
            self._decide(audit, first[audit.pk], practice_round=index)
        self._acknowledge()
        self._exemplars()

    # --- one audit's steps --------------------------------------------------------------------

    def _moderator(self, audit: Audit):
        # Never their own audit: the services refuse it, and so would any council.
        return self.rng.choice([m for m in self.moderators if m.pk != audit.auditor_id])

    def _take(self, audit: Audit, start, *, days=(1, 10)):
        moderator = self._moderator(audit)
        at = self.clock.after(start, days=days)
        moderation_services.moderation_take(audit=audit, moderator=moderator)
        self.stamps.transition(audit, at)
        self.stamps.set(self.cases[audit.pk], taken_at=at)
        return moderator, at

    def _domain(self, audit: Audit, grades: tuple[str, ...]) -> int:
        """A domain the auditor graded one of ``grades``, else any that applied."""
        graded = self.grades[audit.pk]
        numbers = [n for n, g in graded.items() if g in grades] or [
            n for n, g in graded.items() if g != Grade.NOT_APPLICABLE
        ]
        return self.rng.choice(sorted(numbers))

    def _moderated_grade(self, audit: Audit, practice_round: int | None) -> str:
        grade, roll = audit.overall_grade, self.rng.random()
        if practice_round == 0:  # the newest auditor's first audit was graded generously
            return Grade.DOES_NOT_MEET if grade == Grade.MEETS else Grade.MEETS
        if practice_round is not None:
            return grade
        if grade == Grade.EXCEEDS:
            return Grade.MEETS if roll < 0.2 else grade
        if grade == Grade.MEETS:
            return Grade.DOES_NOT_MEET if roll < 0.12 else Grade.EXCEEDS if roll < 0.2 else grade
        return Grade.MEETS if roll < 0.12 else grade

    def _decide(self, audit: Audit, start, *, practice_round: int | None = None):
        moderator, taken = self._take(
            audit, start, days=(1, 5) if practice_round is not None else (1, 10)
        )
        at = self.clock.after(taken, minutes=(15, 75))
        grade = self._moderated_grade(audit, practice_round)
        change = GRADE_RANK[grade] - GRADE_RANK[audit.overall_grade]
        rationale = feedback = ""
        n = self._domain(
            audit,
            (Grade.MEETS, Grade.EXCEEDS) if change < 0 else (Grade.DOES_NOT_MEET, Grade.MEETS),
        )
        words = {"n": n, "subject": DOMAIN_SUBJECTS[n], "grade": Grade(grade).label}
        if change:
            rationale = self.rng.choice(LOWERED if change < 0 else RAISED).format(**words)
        if practice_round is not None:
            feedback = PRACTICE_FEEDBACK[min(practice_round, 2)].format(**words)
        elif change:
            feedback = self.rng.choice(FEEDBACK_CHANGED).format(**words)
        else:
            feedback = self.rng.choice(FEEDBACK_AGREED)
        # Where the grade changed, a note on the domain that changed it; now and then one on
        # another domain even where the moderator agreed.
        noted = n if change else None
        if noted is None and self.rng.random() < 0.12:
            noted = self._domain(audit, (Grade.MEETS, Grade.EXCEEDS, Grade.DOES_NOT_MEET))
        notes = (
            {}
            if noted is None
            else {noted: self.rng.choice(DOMAIN_NOTES).format(subject=DOMAIN_SUBJECTS[noted])}
        )
        actions = []
        if grade == Grade.DOES_NOT_MEET and self.rng.random() < 0.25:
            description, owner, days = self.rng.choice(MODERATOR_ACTIONS)
            actions.append(
                {
                    "description": description,
                    "owner": owner,
                    "due_date": at.date() + datetime.timedelta(days=days),
                }
            )
        moderation = moderation_services.moderation_record(
            audit=audit,
            moderator=moderator,
            grade=grade,
            rationale=rationale,
            feedback=feedback,
            domain_notes=notes,
            actions=actions,
        )
        self.stamps.transition(audit, at)
        self.stamps.set(moderation, created_at=at)
        self.decided[audit.pk] = at
        self.decisions.append((moderation, at, practice_round is not None))
        return moderation

    def _send_back(self, audit: Audit, start) -> tuple[Moderation, int, datetime.datetime]:
        """Sent back about one domain; returns the round, that domain and when."""
        moderator, taken = self._take(audit, start, days=(1, 7))
        at = self.clock.after(taken, minutes=(20, 60))
        n = self._domain(audit, (Grade.MEETS, Grade.EXCEEDS))
        moderation = moderation_services.moderation_send_back(
            audit=audit,
            moderator=moderator,
            comments=self.rng.choice(SEND_BACK).format(n=n, subject=DOMAIN_SUBJECTS[n]),
        )
        self.stamps.transition(audit, at)
        self.stamps.set(moderation, created_at=at)
        self.stamps.set(self.cases[audit.pk], taken_at=None)
        return moderation, n, at

    def _resubmit(self, audit: Audit, returned: Moderation, number: int, returned_at):
        """The auditor reads the feedback, adds the evidence asked for and resubmits."""
        auditor = self.by_pk[audit.auditor_id]
        read = self.clock.after(returned_at, minutes=(10, 240))
        moderation_services.feedback_acknowledge(moderation=returned, by=auditor)
        self.stamps.set(returned, acknowledged_at=read)
        services.audit_save_draft(audit=audit, by=auditor, content=_amended(audit, number))
        at = self.clock.after(read, days=(1, 6))
        services.audit_submit(audit=audit, by=auditor, today=self.clock.today)
        self.stamps.transition(audit, at)
        self.stamps.set(audit, submitted_at=at)
        return at

    # --- across audits ------------------------------------------------------------------------

    def _add_by_hand(self, audits, first, ripe) -> None:
        """Last week the QA lead asked for one unsampled audit to be moderated: the most recent
        graded Does not meet good on an activity that does not moderate those by rule, or else
        the most recent of any grade."""
        candidates = [
            a for a in audits if not self.cases[a.pk].sampled and not a.is_practice and ripe(a)
        ]
        if not candidates:
            return
        audit = min(
            candidates,
            key=lambda a: (a.overall_grade != Grade.DOES_NOT_MEET, -first[a.pk].timestamp(), a.pk),
        )
        start = max(first[audit.pk], self.clock.now - datetime.timedelta(days=7))
        at = self.clock.after(start, days=(1, 5))
        moderation_services.moderation_add_to_queue(audit=audit, by=self.users["qalead"])
        self.stamps.transition(audit, at)
        self.stamps.set(self.cases[audit.pk], added_at=at)

    def _acknowledge(self) -> None:
        """Auditors read most older feedback; recent feedback, and the newest auditor's last,
        is still waiting, so home pages show what is unread."""
        practice_left = sum(is_practice for *_, is_practice in self.decisions)
        for moderation, at, is_practice in self.decisions:
            if is_practice:
                practice_left -= 1
                read = practice_left > 0
            else:
                old = self.clock.now - at > datetime.timedelta(days=14)
                read = self.rng.random() < (0.92 if old else 0.35)
            if read:
                moderation_services.feedback_acknowledge(
                    moderation=moderation, by=self.by_pk[moderation.audit.auditor_id]
                )
                self.stamps.set(moderation, acknowledged_at=self.clock.after(at, days=(0, 4)))

    def _exemplars(self) -> None:
        agreed_exceeds = [
            (moderation, at)
            for moderation, at, is_practice in self.decisions
            if not is_practice
            and moderation.moderated_grade == Grade.EXCEEDS
            and moderation.outcome == Moderation.Outcome.AGREED
            and self.clock.now - at > datetime.timedelta(days=7)
        ]
        chosen = self.rng.sample(agreed_exceeds, min(EXEMPLARS, len(agreed_exceeds)))
        for (moderation, at), note in zip(chosen, EXEMPLAR_NOTES):
            exemplar = moderation_services.exemplar_mark(
                audit=moderation.audit, by=moderation.moderator, note=note
            )
            self.stamps.set(exemplar, marked_at=self.clock.after(at, days=(0, 6)))


def _amended(audit: Audit, number: int) -> services.AuditContent:
    """The returned audit as it stands, with the evidence the moderator asked for added.

    Everything the auditor does not change is given back as it is: the service treats a
    missing action or risk category as removed.
    """
    grade = audit.domain_grades.select_related("domain").get(domain__number=number)
    return services.AuditContent(
        header={"overall_comments": audit.overall_comments + AMENDED_COMMENT},
        domains={number: {"grade": grade.grade, "text": grade.text + AMENDED_TEXT}},
        risk_category_ids=list(audit.risk_categories.values_list("pk", flat=True)),
        actions=[
            {"id": a.pk, "description": a.description, "owner": a.owner, "due_date": a.due_date}
            for a in audit.actions.filter(source=AgreedAction.Source.AUDITOR)
        ],
    )


def counts(audits) -> dict[str, int]:
    """The moderation figures the command prints, for the demo's audits."""
    selected = Q(moderation_case__sampled=True) | Q(moderation_case__added_by__isnull=False)
    row = audits.exclude(status=Status.DRAFT).aggregate(
        moderated=Count("pk", filter=Q(moderated_grade__gt="")),
        waiting=Count("pk", filter=Q(status__in=QUEUE_STATUSES) & selected),
        in_moderation=Count("pk", filter=Q(status=Status.IN_MODERATION)),
        returned=Count("pk", filter=Q(status=Status.RETURNED)),
        unmoderated=Count("pk", filter=Q(status=Status.COMPLETED, moderated_grade="")),
        practice=Count("pk", filter=Q(is_practice=True)),
        exemplars=Count("exemplar"),
    )
    outcomes = dict(
        Moderation.objects.filter(audit__in=audits)
        .values_list("outcome")
        .annotate(n=Count("pk"))
        .order_by()
    )
    row.update({f"outcome_{o}": outcomes.get(o, 0) for o in Moderation.Outcome.values})
    row["unacknowledged"] = Moderation.objects.filter(
        audit__in=audits, acknowledged_at__isnull=True
    ).count()
    return row
