from django.contrib import admin

from config.admin import ReadOnlyAdmin

from .models import Exemplar, Moderation, ModerationCase


@admin.register(ModerationCase)
class ModerationCaseAdmin(ReadOnlyAdmin):
    list_display = ["audit", "sampled", "reason", "rate", "decided_at", "added_by", "taken_by"]
    list_filter = ["reason", "sampled"]


@admin.register(Moderation)
class ModerationAdmin(ReadOnlyAdmin):
    list_display = [
        "audit",
        "round",
        "moderator",
        "outcome",
        "moderated_grade",
        "created_at",
        "acknowledged_at",
    ]
    list_filter = ["outcome"]


@admin.register(Exemplar)
class ExemplarAdmin(ReadOnlyAdmin):
    list_display = ["audit", "marked_by", "marked_at"]
