"""Writes of the sample draws: a draw recorded with its seed and criteria, and a drawn case
withdrawn (closed, transferred) with its reason and replaced by one drawn with its own seed.

The case list itself is written by ``audits.cases.importer``.
"""

import datetime
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.models import (
    Audit,
    AuditActivity,
    Case,
    CaseType,
    DrawnCase,
    Person,
    SampleDraw,
    Status,
    Strand,
    Team,
)
from audits.periods import months_before
from audits.permissions import require
from audits.revisions import bump_revision
from audits.rules import case_reference_key, null_character_error
from audits.services import audit_create
from audits.workflow import AuditError

from . import sampling
from .sampling import Candidate, DrawError
from .selectors import activity_auditors

SEED_MAX = SampleDraw._meta.get_field("seed").max_length
MAX_MONTHS = 1200


@dataclass(frozen=True)
class Criteria:
    """What a draw asks for. Vocabulary filters are lists of entries (any of them matches;
    empty: all)."""

    size: int | None = None
    per_team: int | None = None
    strands: Sequence[Strand] = ()
    case_types: Sequence[CaseType] = ()
    teams: Sequence[Team] = ()
    exclude_audited_months: int | None = None
    exclude_own_team: bool = False
    at_least_one_per_holder: bool = False

    def as_json(self, today: datetime.date) -> dict:
        def slugs(entries):
            return sorted(entry.slug for entry in entries)

        return {
            "size": self.size,
            "per_team": self.per_team,
            "strand": slugs(self.strands),
            "case_type": slugs(self.case_types),
            "team": slugs(self.teams),
            "exclude_audited_months": self.exclude_audited_months,
            "exclude_own_team": self.exclude_own_team,
            "at_least_one_per_holder": self.at_least_one_per_holder,
            "today": today.isoformat(),
            # What a replacement reads back: a slug may be renamed, the entry stays.
            "ids": {
                "strand": sorted(entry.pk for entry in self.strands),
                "case_type": sorted(entry.pk for entry in self.case_types),
                "team": sorted(entry.pk for entry in self.teams),
            },
        }

    @classmethod
    def from_json(cls, data: dict) -> "Criteria":
        ids = data.get("ids", {})
        return cls(
            size=data.get("size"),
            per_team=data.get("per_team"),
            strands=list(Strand.objects.filter(pk__in=ids.get("strand", []))),
            case_types=list(CaseType.objects.filter(pk__in=ids.get("case_type", []))),
            teams=list(Team.objects.filter(pk__in=ids.get("team", []))),
            exclude_audited_months=data.get("exclude_audited_months"),
            exclude_own_team=bool(data.get("exclude_own_team")),
            at_least_one_per_holder=bool(data.get("at_least_one_per_holder")),
        )


@dataclass
class DrawResult:
    """The cases drawn, in draw order, each with its auditor (None: the activity has none)."""

    cases: list[Case] = field(default_factory=list)
    auditors: list = field(default_factory=list)
    record: SampleDraw | None = None
    eligible: int = 0

    @property
    def case_references(self) -> list[str]:
        return [case.case_reference for case in self.cases]


def _check(criteria: Criteria, seed: str) -> None:
    if not seed:
        raise DrawError(_("Enter a seed: the draw is repeated from it."), field="seed")
    if error := null_character_error(seed, _("The seed")):
        raise DrawError(error, field="seed")
    if len(seed) > SEED_MAX:
        raise DrawError(
            _("A seed can be at most %(n)s characters.") % {"n": SEED_MAX}, field="seed"
        )
    if (criteria.size is None) == (criteria.per_team is None):
        raise DrawError(
            _("Say how many cases to draw: a size, or a number per team (not both)."),
            field="size",
        )
    for name, value in (("size", criteria.size), ("per_team", criteria.per_team)):
        if value is not None and value < 1:
            raise DrawError(_("The number of cases to draw must be 1 or more."), field=name)
    months = criteria.exclude_audited_months
    if months is not None and not 1 <= months <= MAX_MONTHS:
        raise DrawError(
            _("The months of audits to exclude must be from 1 to %(n)s.") % {"n": MAX_MONTHS},
            field="exclude_audited_months",
        )
    if criteria.at_least_one_per_holder and criteria.size is None:
        raise DrawError(
            _("At least one case per case holder goes with a size, not a number per team."),
            field="at_least_one_per_holder",
        )


def _eligible_cases(
    activity: AuditActivity, criteria: Criteria, today: datetime.date
) -> QuerySet[Case]:
    """The case list narrowed by the filters and exclusions (not yet by peer audit)."""
    cases = Case.objects.all()
    if criteria.strands:
        cases = cases.filter(strand__in=criteria.strands)
    if criteria.case_types:
        cases = cases.filter(case_type__in=criteria.case_types)
    if criteria.teams:
        cases = cases.filter(team__in=criteria.teams)
    if criteria.exclude_audited_months:
        since = months_before(today, criteria.exclude_audited_months)
        # Matched as every audit of a case is: by the upper-cased reference, which the
        # audit_case_ref_upper_idx index serves.
        audited = (
            Audit.objects.exclude(status=Status.DRAFT)
            .filter(audit_date__gte=since)
            .alias(case_reference_upper=Upper("case_reference"))
            .filter(case_reference_upper=Upper(OuterRef("case_reference")))
        )
        cases = cases.exclude(Exists(audited))
    # A case drawn for the activity before (withdrawn or not) is not drawn for it again.
    return cases.exclude(draws__draw__activity=activity)


def _candidates(cases: QuerySet[Case]) -> list[Candidate]:
    return [
        Candidate(key=case_reference_key(reference), team=team_id, holder=holder_id, ref=pk)
        for pk, reference, team_id, holder_id in cases.values_list(
            "pk", "case_reference", "team_id", "case_holder_id"
        )
    ]


def draw_sample(
    *,
    activity: AuditActivity,
    seed: str,
    criteria: Criteria,
    by=None,
    dry_run: bool = False,
    today: datetime.date | None = None,
) -> DrawResult:
    """Draw cases for ``activity`` at random from the case list and allocate them evenly to its
    auditors; record the draw (its seed, criteria, who, when and each case with its auditor)
    unless ``dry_run``.

    The same case list, audits, criteria and seed always give the same cases in the same order
    (``audits.cases.sampling``). Cases already drawn for the activity are not drawn again.
    Raises DrawError, with nothing recorded, when the criteria cannot be met.
    """
    _check(criteria, seed)
    today = today or timezone.localdate()
    with transaction.atomic():
        if not dry_run:
            # Two draws for one activity at once would each miss the other's cases.
            activity = AuditActivity.objects.select_for_update().get(pk=activity.pk)
        auditors = activity_auditors(activity)
        if criteria.exclude_own_team and not auditors:
            raise DrawError(
                _(
                    "The activity “%(activity)s” has no auditors, so there is no own team to "
                    "exclude: assign its auditors first."
                )
                % {"activity": activity},
                field="exclude_own_team",
            )
        candidates = _candidates(_eligible_cases(activity, criteria, today))
        if criteria.exclude_own_team:
            candidates = sampling.peer_eligible(candidates, auditors)
        rng = sampling.rng_for(seed)
        drawn = sampling.draw(
            sampling.draw_order(candidates, rng),
            auditors,
            rng,
            size=criteria.size,
            per_team=criteria.per_team,
            one_per_holder=criteria.at_least_one_per_holder,
            exclude_own_team=criteria.exclude_own_team,
        )
        cases_by_pk = Case.objects.in_bulk([c.ref for c, _auditor in drawn])
        result = DrawResult(
            cases=[cases_by_pk[c.ref] for c, _auditor in drawn],
            auditors=[a.ref if a else None for _case, a in drawn],
            eligible=len(candidates),
        )
        if dry_run:
            return result
        record = SampleDraw.objects.create(
            activity=activity,
            seed=seed,
            criteria=criteria.as_json(today),
            drawn_by=by,
            drawn_at=timezone.now(),
        )
        DrawnCase.objects.bulk_create(
            DrawnCase(
                draw=record,
                case=case,
                position=position,
                auditor_id=auditor_id,
                team_id=case.team_id,
                case_holder_id=case.case_holder_id,
            )
            for position, (case, auditor_id) in enumerate(
                zip(result.cases, result.auditors), start=1
            )
        )
        result.record = record
    return result


def drawn_case_replace(
    *,
    drawn_case: DrawnCase,
    reason: str,
    by=None,
    seed: str | None = None,
    today: datetime.date | None = None,
) -> DrawnCase | None:
    """Withdraw ``drawn_case`` from its draw (closed, transferred: ``reason`` says which) and
    draw a replacement for the same auditor with ``seed`` (a new random one when None), which
    the replacement records.

    The replacement meets the draw's criteria as they stand today (filters, exclusions, peer
    audit for the same auditor) and is not a case drawn for the activity before; a draw per
    team takes it from the withdrawn case's team, so the quota holds. When no case is left,
    the withdrawal is still recorded and None is returned.
    """
    reason = (reason or "").strip()
    if not reason:
        raise DrawError(_("Say why the case is withdrawn (closed, transferred …)."), field="reason")
    if error := null_character_error(reason, _("The reason")):
        raise DrawError(error, field="reason")
    seed = seed or secrets.token_hex(8)
    if error := null_character_error(seed, _("The seed")):
        raise DrawError(error, field="seed")
    if len(seed) > SEED_MAX:
        raise DrawError(
            _("A seed can be at most %(n)s characters.") % {"n": SEED_MAX}, field="seed"
        )
    today = today or timezone.localdate()
    with transaction.atomic():
        drawn_case = (
            DrawnCase.objects.select_for_update()
            .select_related("draw__activity")
            .get(pk=drawn_case.pk)
        )
        if drawn_case.withdrawn_at is not None:
            raise DrawError(_("The case has been withdrawn from the draw already."))
        draw = drawn_case.draw
        # Draws of the activity are serialised on its row, as in draw_sample.
        AuditActivity.objects.select_for_update().get(pk=draw.activity_id)
        drawn_case.withdrawn_at = timezone.now()
        drawn_case.withdrawn_by = by
        drawn_case.withdrawn_reason = reason
        drawn_case.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])

        criteria = Criteria.from_json(draw.criteria)
        cases = _eligible_cases(draw.activity, criteria, today)
        if criteria.per_team is not None:
            cases = cases.filter(team_id=drawn_case.team_id)
        candidates = _candidates(cases)
        if criteria.exclude_own_team and drawn_case.auditor_id is not None:
            own_team = (
                Person.objects.filter(user_id=drawn_case.auditor_id)
                .values_list("team_id", flat=True)
                .first()
            )
            candidates = [c for c in candidates if own_team is None or c.team != own_team]
        if not candidates:
            return None
        [pick] = sampling.draw_order(candidates, sampling.rng_for(seed))[:1]
        case = Case.objects.get(pk=pick.ref)
        last = draw.cases.order_by("-position").values_list("position", flat=True).first()
        return DrawnCase.objects.create(
            draw=draw,
            case=case,
            position=last + 1,
            auditor_id=drawn_case.auditor_id,
            team_id=case.team_id,
            case_holder_id=case.case_holder_id,
            replaces=drawn_case,
            seed=seed,
        )


def allocated_case_start(*, drawn_case: DrawnCase, by) -> Audit:
    """The draft audit of a case allocated to ``by``, started from the case: its reference,
    team, strand, case type and age band, in the draw's activity. When ``by`` has already
    started an audit of the case in that activity (another tab, a second click), that audit is
    returned and nothing is created.

    Raises AuditError when the case is not theirs to start.
    """
    with transaction.atomic():
        # Two starts of one case (two tabs) queue on its row, so the second sees the first's
        # draft. SQLite's IMMEDIATE transactions serialise them anyway.
        drawn_case = (
            DrawnCase.objects.select_for_update()
            .select_related("case", "draw")
            .get(pk=drawn_case.pk)
        )
        require("audits.start_allocated_case", by, drawn_case, error=AuditError)
        case = drawn_case.case
        existing = (
            Audit.objects.filter(auditor=by, activity_id=drawn_case.draw.activity_id)
            .alias(case_reference_upper=Upper("case_reference"))
            .filter(case_reference_upper=case_reference_key(case.case_reference))
            .order_by("pk")
            .first()
        )
        if existing is not None:
            return existing
        # On the activity's tool: a built tool's audit gets its answers, the standard its domains.
        audit = audit_create(auditor=by, activity=drawn_case.draw.activity)
        audit.case_reference = case.case_reference
        audit.team_id = case.team_id
        audit.strand_id = case.strand_id
        audit.case_type_id = case.case_type_id
        audit.age_band_id = case.age_band_id
        bump_revision(
            audit,
            by=by,
            fields=("case_reference", "activity", "team", "strand", "case_type", "age_band"),
        )
        return audit
