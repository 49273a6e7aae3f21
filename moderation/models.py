"""Moderation: whether an audit is chosen for it, each round a moderator records, and exemplars.

Written only by ``moderation.services``. The outcome that reports read (the moderated grade and
who gave it) is also kept on the audit itself, so imported historic moderations and moderations
made here count the same way.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audits.grades import OVERALL_GRADES
from audits.models import Audit, CaseRecord, Domain


class SampleReason(models.TextChoices):
    RATE = "rate", _("Chosen at random at the activity's moderation rate")
    RULE = "rule", _("Graded Does not meet good: always moderated")
    PRACTICE = "practice", _("Practice audit: always moderated")
    NOT_SELECTED = "not_selected", _("Not chosen for moderation")
    NO_OVERALL_GRADE = "no_overall_grade", _("Not moderated: the tool gives no overall grade")


class ModerationCase(CaseRecord, models.Model):
    """The decision, made once when an audit is first submitted, whether to moderate it.

    The sampling decision (``sampled``, ``reason``, ``rate``, ``draw``) never changes. A QA lead
    may still add the audit to the queue by hand, which is recorded beside it.
    """

    audit = models.OneToOneField(Audit, on_delete=models.CASCADE, related_name="moderation_case")
    sampled = models.BooleanField()
    reason = models.CharField(max_length=20, choices=SampleReason.choices)
    rate = models.PositiveSmallIntegerField(help_text=_("The activity's rate when decided."))
    draw = models.FloatField(null=True, blank=True, help_text=_("The random number drawn."))
    decided_at = models.DateTimeField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The QA lead who added the audit to the queue by hand."),
    )
    added_at = models.DateTimeField(null=True, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moderations_in_hand",
    )
    taken_at = models.DateTimeField(null=True, blank=True)
    # The moderation form as the holder last autosaved it (moderation.services.moderation_save_draft):
    # grade, rationale, feedback, notes by domain number and action rows. Cleared once the
    # moderation is recorded or the audit sent back or released.
    draft = models.JSONField(null=True, blank=True, editable=False)
    draft_saved_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("moderation decision")

    def __str__(self):
        return f"{self.audit}: {self.get_reason_display()}"

    @property
    def selected(self) -> bool:
        return self.sampled or self.added_by_id is not None

    def why(self) -> str:
        if self.added_by_id is not None:
            return str(_("Chosen by a QA lead"))
        return self.get_reason_display()


class Moderation(CaseRecord, models.Model):
    """One round of moderation: a decision (agreed or adjusted) or a send-back."""

    class Outcome(models.TextChoices):
        AGREED = "agreed", _("Agreed with the auditor")
        RAISED = "raised", _("Grade raised")
        LOWERED = "lowered", _("Grade lowered")
        RETURNED = "returned", _("Sent back to the auditor")

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="moderations")
    round = models.PositiveSmallIntegerField()
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="moderations"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    auditor_grade = models.CharField(max_length=20, choices=OVERALL_GRADES)
    moderated_grade = models.CharField(max_length=20, choices=OVERALL_GRADES, blank=True)
    rationale = models.TextField(blank=True)
    feedback = models.TextField(_("feedback to the auditor"), blank=True)
    created_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["audit", "round"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "round"], name="one_moderation_per_round")
        ]

    def __str__(self):
        return f"Round {self.round} of {self.audit}: {self.get_outcome_display()}"

    @property
    def is_decision(self) -> bool:
        return self.outcome != self.Outcome.RETURNED


class DomainNote(CaseRecord, models.Model):
    """Where the moderator sees a domain differently from the auditor."""

    audit_path = ("moderation", "audit")

    moderation = models.ForeignKey(Moderation, on_delete=models.CASCADE, related_name="notes")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="+")
    note = models.TextField()

    class Meta:
        ordering = ["moderation", "domain__number"]

    def __str__(self):
        return f"Domain {self.domain.number}: {self.note[:40]}"


class Exemplar(CaseRecord, models.Model):
    """A completed audit a moderator holds up as good practice; every auditor may read it."""

    audit = models.OneToOneField(Audit, on_delete=models.CASCADE, related_name="exemplar")
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField()
    note = models.TextField(_("why it is a good example"), blank=True)

    def __str__(self):
        return f"Exemplar: {self.audit}"
