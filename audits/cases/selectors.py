"""Reads of the case list and the draws."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Upper
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audits.models import Audit, CaseType, DrawnCase, SampleDraw, Status, Strand, Team

from .sampling import Auditor


def _audited_in_activity() -> Exists:
    """Whether the drawn case has an audit in its draw's activity past draft."""
    return Exists(
        Audit.objects.exclude(status=Status.DRAFT)
        .alias(case_reference_upper=Upper("case_reference"))
        .filter(
            activity=OuterRef("draw__activity"),
            case_reference_upper=Upper(OuterRef("case__case_reference")),
        )
    )


def allocated_cases_for(user) -> QuerySet[DrawnCase]:
    """The cases allocated to ``user`` that they have still to audit: drawn for one of their
    activities, not withdrawn, and with no audit of the case in that activity past draft (a
    draft started from it still lists it). Oldest draw first, in draw order."""
    return (
        DrawnCase.objects.filter(auditor=user, withdrawn_at__isnull=True)
        .exclude(_audited_in_activity())
        .select_related("case", "case__case_type", "case__strand", "team", "draw__activity")
        .order_by("draw__drawn_at", "draw_id", "position")
    )


def activity_auditors(activity) -> list[Auditor]:
    """The activity's auditors with their teams (the team of the person linked to their
    account; None where the app knows none), ordered by username."""
    user_model = get_user_model()
    username = user_model.USERNAME_FIELD
    return [
        Auditor(key=name, team=team_id, ref=pk)
        for pk, name, team_id in activity.auditors.order_by(username).values_list(
            "pk", username, "person__team_id"
        )
    ]


def _audit_of_drawn_case() -> QuerySet[Audit]:
    """The audits of the drawn case in its draw's activity, by anyone, the furthest on first:
    submitted ones (latest first) before drafts."""
    return (
        Audit.objects.alias(case_reference_upper=Upper("case_reference"))
        .filter(
            activity=OuterRef("draw__activity"),
            case_reference_upper=Upper(OuterRef("case__case_reference")),
        )
        .order_by(F("submitted_at").desc(nulls_last=True), "-pk")
    )


def draws_of_activity(activity) -> list[SampleDraw]:
    """The activity's draws, newest first, each with ``drawn_cases``: its cases in draw order
    with their auditor, their withdrawal and replacement, and ``audit_status`` / ``audit_pk``:
    the furthest-on audit of the case in the activity (None: not started), and
    ``audit_status_label`` in words. Three queries."""
    audits = _audit_of_drawn_case()
    cases = (
        DrawnCase.objects.select_related(
            "case",
            "case__case_type",
            "case__strand",
            "team",
            "auditor",
            "withdrawn_by",
            "replaces__case",
        )
        .annotate(
            audit_status=Subquery(audits.values("status")[:1]),
            audit_pk=Subquery(audits.values("pk")[:1]),
        )
        .order_by("position")
    )
    draws = list(
        activity.draws.select_related("drawn_by")
        .prefetch_related(Prefetch("cases", queryset=cases, to_attr="drawn_cases"))
        .order_by("-drawn_at", "-pk")
    )
    for draw in draws:
        for drawn_case in draw.drawn_cases:
            drawn_case.audit_status_label = (
                Status(drawn_case.audit_status).label if drawn_case.audit_status else ""
            )
    return draws


def vocabulary_names() -> dict[str, dict[int, str]]:
    """The names of the strands, case types and teams by primary key, for criteria_summary:
    three queries for a page, however many draws it shows."""
    return {
        key: dict(model.objects.values_list("pk", "name"))
        for key, model in (("strand", Strand), ("case_type", CaseType), ("team", Team))
    }


def criteria_summary(criteria: dict, names: dict[str, dict[int, str]]) -> list[tuple[str, str]]:
    """A recorded draw's criteria (services.Criteria.as_json) as (label, value) rows in words,
    the vocabulary entries by their names as they are now (``names``: vocabulary_names())."""
    ids = criteria.get("ids", {})
    rows = []
    if criteria.get("size") is not None:
        rows.append((_("Number of cases"), str(criteria["size"])))
    if criteria.get("per_team") is not None:
        rows.append((_("Number of cases per team"), str(criteria["per_team"])))
    if criteria.get("at_least_one_per_holder"):
        rows.append((_("At least one per case holder"), _("Yes")))
    for key, label in (
        ("strand", _("Strands")),
        ("case_type", _("Case types")),
        ("team", _("Teams")),
    ):
        chosen = sorted(names[key][pk] for pk in ids.get(key) or [] if pk in names[key])
        rows.append((label, ", ".join(chosen) if chosen else _("Any")))
    months = criteria.get("exclude_audited_months")
    rows.append(
        (
            _("Cases audited recently"),
            _("Left out if audited in the %(n)s months before %(day)s")
            % {"n": months, "day": _day(criteria.get("today"))}
            if months
            else _("Not left out"),
        )
    )
    rows.append(
        (
            _("Peer audit"),
            _("Yes: nobody audits their own team") if criteria.get("exclude_own_team") else _("No"),
        )
    )
    return rows


def _day(iso: str | None) -> str:
    if not iso:
        return "—"
    return date_format(datetime.date.fromisoformat(iso), "j F Y")


def allocated_cases_with_draft(user) -> QuerySet[DrawnCase]:
    """``allocated_cases_for`` with ``draft_pk``: the audit of the case the user has started
    in the activity, if any (the home page offers "Continue" for it instead of "Start")."""
    started = (
        Audit.objects.filter(auditor=user, activity=OuterRef("draw__activity"))
        .alias(case_reference_upper=Upper("case_reference"))
        .filter(case_reference_upper=Upper(OuterRef("case__case_reference")))
        .order_by("pk")
        .values("pk")[:1]
    )
    return allocated_cases_for(user).annotate(draft_pk=Subquery(started))
