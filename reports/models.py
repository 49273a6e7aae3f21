"""Scrutiny board reports. A draft shows live figures; publishing freezes figures, narrative
and PDF so the paper never changes afterwards, whatever happens to the audits."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from audits.models import AuditActivity, CaseType, Strand


class Report(models.Model):
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
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    frozen_figures = models.JSONField(null=True, blank=True, editable=False)
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
