"""Reads for case holders in the loop: whose case an audit is, who is told, what a case holder
sees, and the response shown on the audit's page.

An audit knows its case only by its case reference. Its case holder is the case holder of the
case on the case list with the same reference, whatever the letter case (the upper-cased
reference, ``audits.rules.case_reference_key``, as the case list's unique index and the
audits' index have it); its team manager is the manager of that case's team
(``TeamManager``). Both are read as the case list is now: when a case moves, its new holder
sees its audits, earlier ones included, and the old holder no longer does.

A case holder sees (with the Case holder role, through their person's account) only the audits
of the cases they hold or whose team they manage, and only once submitted: never a draft, never
a practice audit (a training exercise, never shown to the case holder).
"""

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Upper

from .. import roles
from ..models import (
    ActionConfirmation,
    Audit,
    Case,
    CaseHolderResponse,
    Person,
    Status,
)
from ..rules import CASE_REFERENCE_RE, case_reference_key


def cases_of(user) -> QuerySet[Case]:
    """The cases ``user`` holds, or whose team they manage, through the person linked to
    their account."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    return Case.objects.filter(
        Q(case_holder__user=user) | Q(team__manager_record__manager__user=user)
    )


def audits_of_cases_of(user) -> QuerySet[Audit]:
    """The audits a case holder may read: past draft, not practice, of the cases they hold or
    whose team they manage. Nothing for a user without the Case holder role.

    Matched on the upper-cased case reference on both sides, the expression of the audits'
    index audit_case_ref_upper_idx and of the case list's unique index.
    """
    if not roles.is_case_holder(user):
        return Audit.objects.none()
    keys = cases_of(user).annotate(key=Upper("case_reference")).values("key")
    return (
        Audit.objects.alias(case_reference_upper=Upper("case_reference"))
        .filter(case_reference_upper__in=keys, is_practice=False)
        .exclude(status=Status.DRAFT)
    )


def visible_to_case_holder(user) -> Q:
    """``audits_of_cases_of`` as a condition on audits, for ``audits.selectors.audits_visible_to``."""
    if not roles.is_case_holder(user):
        return Q(pk__in=[])
    return Q(pk__in=audits_of_cases_of(user).values("pk"))


def my_cases_audits(user) -> QuerySet[Audit]:
    """The "My cases' audits" list: newest submitted first, each with ``responded_at`` (when
    the response was last saved, or None)."""
    return (
        audits_of_cases_of(user)
        .select_related("auditor", "activity")
        .annotate(responded_at=F("holder_response__updated_at"))
        .order_by(F("submitted_at").desc(nulls_last=True), "-pk")
    )


def waiting_for_response(user) -> int:
    """How many of the audits of ``user``'s cases have no response yet."""
    return audits_of_cases_of(user).filter(holder_response__isnull=True).count()


def case_of(audit: Audit) -> Case | None:
    """The case on the case list that ``audit`` is of, or None (no such case, or no valid
    reference)."""
    if not CASE_REFERENCE_RE.match(audit.case_reference or ""):
        return None
    return (
        Case.objects.alias(key=Upper("case_reference"))
        .filter(key=case_reference_key(audit.case_reference))
        .select_related("case_holder__user", "team__manager_record__manager__user")
        .first()
    )


def people_to_tell(audit: Audit) -> list[Person]:
    """Who is told that ``audit`` was submitted: the case holder and their team's manager (the
    manager of the case's team), once each; nobody for a practice audit or an unknown case."""
    if audit.is_practice:
        return []
    case = case_of(audit)
    if case is None:
        return []
    people = [case.case_holder]
    record = getattr(case.team, "manager_record", None)
    if record is not None and record.manager_id != case.case_holder_id:
        people.append(record.manager)
    return people


def email_of(person: Person) -> str:
    """Where to email ``person``: their own address, else their (active) account's; "" if
    neither."""
    if person.email:
        return person.email
    user = person.user
    if user is not None and user.is_active and user.email:
        return user.email
    return ""


def response_of(audit: Audit) -> CaseHolderResponse | None:
    """The case holder's response to ``audit``, with who saved it, or None."""
    return (
        CaseHolderResponse.objects.select_related("responded_by", "revised_by")
        .filter(audit_id=audit.pk)
        .first()
    )


def action_answers(audit: Audit, response: CaseHolderResponse | None) -> list[dict]:
    """Each agreed action of ``audit`` with the case holder's answer to it (None where there
    is none yet: no response, or an action added since), in the audit's order."""
    answers = {}
    if response is not None:
        answers = {c.action_id: c for c in ActionConfirmation.objects.filter(response=response)}
    return [
        {"action": action, "confirmation": answers.get(action.pk)}
        for action in audit.actions.order_by("pk")
    ]
