from django.contrib import admin

from config.admin import AdministratorOnly

from .models import Exemplar, Moderation, ModerationCase


class ReadOnly(AdministratorOnly):
    """Moderation records are written by the workflow only; the admin may read them."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ModerationCase)
class ModerationCaseAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["audit", "sampled", "reason", "rate", "decided_at", "added_by", "taken_by"]
    list_filter = ["reason", "sampled"]


@admin.register(Moderation)
class ModerationAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["audit", "round", "moderator", "outcome", "moderated_grade", "created_at",
                    "acknowledged_at"]
    list_filter = ["outcome"]


@admin.register(Exemplar)
class ExemplarAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["audit", "marked_by", "marked_at"]
