"""Who may moderate, take, release, add to the queue, mark an exemplar and read feedback: one
predicate per rule, registered as ``moderation.<verb>`` (see ``audits.permissions``).

The services ask the same rules before they change anything, and say why not with the
conditions' messages; pages show a button only where its rule allows it.
"""

import rules
from django.utils.translation import gettext_lazy as _

from audits.models import Status
from audits.permissions import (
    add_perm,
    has_a_staff_role,
    is_administrator,
    is_audit_auditor,
    is_auditor,
    is_manager,
    is_moderator,
    is_past_draft,
    is_qa_lead,
)

from . import scales

# --- An audit's moderation state -------------------------------------------------------------


@rules.predicate
def gives_overall_grade(_user, audit) -> bool:
    """Made with a tool that gives an overall grade (every tool but a built one without): only
    such audits are moderated."""
    return audit is not None and scales.is_moderated_tool(audit.tool)


@rules.predicate
def is_someone_elses(user, audit) -> bool:
    """Another person's audit: nobody moderates, or holds up as an exemplar, their own."""
    return audit is not None and audit.auditor_id != user.pk


@rules.predicate
def is_selected(_user, audit) -> bool:
    """Chosen for moderation: sampled on first submission, or added by a QA lead."""
    case = getattr(audit, "moderation_case", None) if audit is not None else None
    return case is not None and case.selected


@rules.predicate
def is_waiting(_user, audit) -> bool:
    """Submitted and nobody has taken it yet."""
    return audit is not None and audit.status == Status.SUBMITTED


@rules.predicate
def holds_audit(user, audit) -> bool:
    """The user took the audit from the queue and is moderating it."""
    if audit is None or audit.status != Status.IN_MODERATION:
        return False
    case = getattr(audit, "moderation_case", None)
    return case is not None and case.taken_by_id == user.pk


@rules.predicate
def is_completed(_user, audit) -> bool:
    return audit is not None and audit.status == Status.COMPLETED


@rules.predicate
def is_practice(_user, audit) -> bool:
    return audit is not None and audit.is_practice


@rules.predicate
def is_moderated(_user, audit) -> bool:
    """A moderator agreed or adjusted its grade (here, or before this system: imported)."""
    return audit is not None and bool(audit.moderated_grade)


@rules.predicate
def is_exemplar(_user, audit) -> bool:
    return audit is not None and hasattr(audit, "exemplar")


@rules.predicate
def is_feedback_for(user, moderation) -> bool:
    """The moderation round is on the user's own audit."""
    return moderation is not None and moderation.audit.auditor_id == user.pk


# --- Moderating an audit ---------------------------------------------------------------------

SOMEONE_ELSES = _("You cannot moderate your own audit. Another moderator must.")

# Who may moderate this audit at all: asked by every moderation service before it moves the
# audit, and by the moderation page.
add_perm(
    "moderation.moderate_audit",
    (is_moderator, _("Only moderators can moderate audits.")),
    (gives_overall_grade, scales.NOT_MODERATED),
    (is_someone_elses, SOMEONE_ELSES),
)
add_perm(
    "moderation.take_audit",
    (is_moderator, _("Only moderators can moderate audits.")),
    (is_someone_elses, SOMEONE_ELSES),
    (is_selected, _("This audit is not in the moderation queue.")),
    (is_waiting, _("This audit is not waiting in the moderation queue.")),
)
# Record a decision or send the audit back: the moderator who holds it.
add_perm(
    "moderation.decide_audit",
    (is_moderator, _("Only moderators can moderate audits.")),
    (is_someone_elses, SOMEONE_ELSES),
    (holds_audit, _("Take this audit from the queue before you moderate it.")),
)
add_perm(
    "moderation.release_audit",
    (holds_audit, _("Only the moderator who took this audit can release it.")),
)


def queue_buttons_for_each(user):
    """``audit -> (may take, may decide, may release)`` for the rows of the queue: the rules
    ``moderation.take_audit``, ``decide_audit`` and ``release_audit`` asked once per kind of
    audit rather than three times a row. They read nothing of the audit but whether ``user``
    is its auditor, its status, and of its moderation case whether it is selected and whether
    ``user`` took it, so audits alike in these get the same answers (a page of 25 has one or
    two kinds). Whoever changes a rule to read more adds it to ``kind``
    (tests/moderation/test_permissions.py compares the two on every kind)."""
    answers: dict = {}
    user_pk = user.pk

    def buttons(audit) -> tuple[bool, bool, bool]:
        case = getattr(audit, "moderation_case", None)
        kind = (
            audit.auditor_id == user_pk,
            audit.status,
            case is not None and case.selected,
            case is not None and case.taken_by_id == user_pk,
        )
        answer = answers.get(kind)
        if answer is None:
            answer = answers[kind] = tuple(
                rules.has_perm(name, user, audit)
                for name in (
                    "moderation.take_audit",
                    "moderation.decide_audit",
                    "moderation.release_audit",
                )
            )
        return answer

    return buttons


add_perm(
    "moderation.add_to_queue",
    (is_qa_lead, _("Only QA leads can add audits to the moderation queue.")),
    (gives_overall_grade, scales.NOT_MODERATED),
    (
        is_past_draft & ~is_moderated,
        _("Only a submitted audit that has not been moderated can be added."),
    ),
    # Moderation could send it back, and its auditor would then be changing a page every
    # auditor reads as good practice.
    (
        ~is_exemplar,
        _(
            "This audit is an exemplar of good practice. A moderator must "
            "remove it from the exemplars before it can be moderated."
        ),
    ),
    (~is_selected, _("This audit is already in the moderation queue.")),
)

# --- Exemplars -------------------------------------------------------------------------------

# Good practice that every auditor reads must have been confirmed by moderation, and by
# someone other than the person who did the work.
add_perm(
    "moderation.mark_exemplar",
    (is_moderator, _("Only moderators can mark exemplars.")),
    (
        is_completed & ~is_practice,
        _("Only a completed audit (not a practice one) can be an exemplar."),
    ),
    (
        is_moderated,
        _(
            "Only a moderated audit can be an exemplar: a moderator must first agree with "
            "or adjust its grade."
        ),
    ),
    (
        is_someone_elses,
        _("You cannot mark your own audit as an exemplar. Another moderator must."),
    ),
)
add_perm("moderation.unmark_exemplar", (is_moderator, _("Only moderators can change exemplars.")))

# --- Feedback --------------------------------------------------------------------------------

# The moderation rounds of an audit (rationale, feedback, domain notes) are between its
# auditor and the moderators: other auditors who open it as an exemplar see the grades only.
add_perm(
    "moderation.read_feedback",
    (
        is_audit_auditor | is_manager,
        _("The moderation feedback is for the auditor and the moderators only."),
    ),
)
add_perm(
    "moderation.acknowledge_feedback",
    (is_feedback_for, _("Only the auditor can acknowledge feedback on their audit.")),
)

# --- Pages, asked without an object ----------------------------------------------------------

add_perm("moderation.view_queue", (is_moderator, _("Only moderators see the moderation queue.")))
add_perm(
    "moderation.view_statistics",
    (
        is_moderator | is_qa_lead | is_administrator,
        _("Only moderators and QA leads see moderation statistics."),
    ),
)
# Drift alerts name an auditor whose grades moderation keeps changing: for the QA leads who
# act on them (and administrators, who see the statistics too), never for auditors or
# moderators (moderation.drift).
add_perm(
    "moderation.view_drift",
    (is_qa_lead | is_administrator, _("Only QA leads see moderation drift alerts.")),
)
add_perm("moderation.view_feedback", (is_auditor, _("Feedback is for auditors.")))
# Not for a case holder alone: the list names other cases (audits.holders).
add_perm(
    "moderation.view_exemplars",
    (has_a_staff_role, _("Exemplars are for auditors, moderators, QA leads and administrators.")),
)
