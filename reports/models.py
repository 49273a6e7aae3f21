"""Scrutiny board reports. A draft shows live figures; publishing freezes figures, narrative
and the paper (its HTML, then the PDF made from it by a task) so the paper never changes
afterwards, whatever happens to the audits."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from audits.models import AuditActivity, CaseType, Strand
from audits.revisions import Revised


class Report(Revised):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(max_length=200)
    period_label = models.CharField(max_length=100)
    start = models.DateField()
    end = models.DateField()
    activity = models.ForeignKey(AuditActivity, null=True, blank=True, on_delete=models.PROTECT)
    strand = models.ForeignKey(Strand, null=True, blank=True, on_delete=models.PROTECT)
    case_type = models.ForeignKey(CaseType, null=True, blank=True, on_delete=models.PROTECT)
    summary = models.TextField(_("summary"), blank=True)
    findings = models.TextField(_("findings"), blank=True)
    recommendations = models.TextField(_("recommendations"), blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    frozen_figures = models.JSONField(null=True, blank=True, editable=False)
    # The paper as published, rendered in the publishing transaction; the worker makes the PDF
    # from it (reports.tasks), so the PDF is what was published however long that takes.
    frozen_html = models.TextField(blank=True, editable=False)
    # Kept in the database like everything else (no file on a server's disk): null until made.
    frozen_pdf = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-start", "-created_at"]

    def __str__(self):
        return f"{self.title} ({self.get_state_display()})"

    def get_absolute_url(self):
        return reverse("reports:detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED


class Measure(models.TextChoices):
    """What a QA target measures. Computed ones are counted over a report's period and filters."""

    GOOD_OR_BETTER = "good_or_better", _("% of audits with final grade Meets good or better")
    NOT_MET = "not_met", _("% of audits with final grade Does not meet good")
    DOMAIN_NOT_MET = "domain_not_met", _("% of audits where domain N is Does not meet good")
    DOMAIN_GOOD = "domain_good", _("% of audits where domain N is Meets good or better")
    MODERATION_RATE = "moderation_rate", _("Moderation rate (% of audits moderated)")
    AGREEMENT = "agreement", _("% agreement between moderators and auditors")
    MANUAL = "manual", _("Entered by hand each period (from another system)")


DOMAIN_MEASURES = (Measure.DOMAIN_NOT_MET, Measure.DOMAIN_GOOD)


class Target(Revised):
    """A QA target for a financial year, rated red, amber or green against the actual figure."""

    class Direction(models.TextChoices):
        AT_LEAST = "at_least", _("At least")
        AT_MOST = "at_most", _("At most")

    financial_year = models.PositiveSmallIntegerField(
        help_text=_("The calendar year the financial year starts in (2026 for 2026/27).")
    )
    name = models.CharField(max_length=200)
    measure = models.CharField(max_length=20, choices=Measure.choices)
    domain_number = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("For the domain measures: which domain (1 to 12).")
    )
    direction = models.CharField(
        max_length=10, choices=Direction.choices, default=Direction.AT_LEAST
    )
    target_value = models.DecimalField(max_digits=6, decimal_places=2)
    amber_tolerance = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=0,
        help_text=_("How far short of the target still counts as amber, in the measure's units."),
    )
    order = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["financial_year", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["financial_year", "name"], name="unique_target_name_per_year"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.financial_year}/{str(self.financial_year + 1)[-2:]})"


class ManualActual(models.Model):
    """The actual value of a manual target for one period, entered by a QA lead."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="actuals")
    start = models.DateField()
    end = models.DateField()
    value = models.DecimalField(max_digits=8, decimal_places=2)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["target", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "start", "end"], name="one_actual_per_target_period"
            )
        ]

    def __str__(self):
        return f"{self.target.name}: {self.value} ({self.start} to {self.end})"


class TargetCheckpoint(models.Model):
    """An in-year checkpoint of a target: by ``date`` the actual should reach ``target_value``
    (for example 30 September and 31 December on the way to the year's target). Rated with
    the target's direction and amber tolerance, against the measure counted over the
    financial year from 1 April to ``date`` (reports.targets.measures)."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="checkpoints")
    date = models.DateField(_("checkpoint date"))
    target_value = models.DecimalField(
        _("target at the checkpoint"), max_digits=6, decimal_places=2
    )

    class Meta:
        ordering = ["target", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "date"], name="one_checkpoint_per_target_date"
            )
        ]

    def __str__(self):
        return f"{self.target.name}: {self.target_value} by {self.date}"


# --- The improvement plan (reports.plan) -------------------------------------------------------


class PlanItem(Revised):
    """One recommendation of a report, tracked to done: what, who answers for it, by when, and
    how far it has got. Changed only by reports.plan.services (STATUS_MOVES, PlanItemTransition
    rows); its progress notes are PlanNote rows, never edited or deleted."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="plan_items")
    title = models.TextField(_("what"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_items",
        help_text=_("The account that answers for the item: its overdue items show on its home."),
    )
    # A person by name or a role ("Head of Service, Children in Need"), for an owner without
    # an account here, or to say more than the account's name.
    owner_name = models.CharField(_("owner's name or role"), max_length=200, blank=True)
    due_date = models.DateField(_("due"))
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.NOT_STARTED, db_index=True
    )
    # The day it was marked done or dropped: "done on time" compares it with due_date.
    closed_on = models.DateField(null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self):
        return self.title[:60]

    def get_absolute_url(self):
        return reverse("reports:plan_item", args=[self.pk])


class PlanItemTransition(models.Model):
    """One change of a plan item's status: who, when, from, to, and why."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=PlanItem.Status.choices)
    to_status = models.CharField(max_length=20, choices=PlanItem.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["item", "at", "pk"]

    def __str__(self):
        return f"{self.item_id}: {self.from_status} -> {self.to_status}"


class PlanNote(models.Model):
    """A dated progress note on a plan item, with its evidence (text or a link). Append-only:
    a report published later shows the latest note written before it was published."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("progress"))
    evidence = models.TextField(_("evidence"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["item", "at", "pk"]

    def __str__(self):
        return self.text[:60]
