from auditlog.models import LogEntry
from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from config.admin import AdministratorOnly, ReadOnlyAdmin

from . import services
from .models import (
    ActionEvent,
    ActionReminder,
    AgeBand,
    AuditActivity,
    AuditTool,
    Case,
    CaseImport,
    CaseType,
    Domain,
    DrawnCase,
    Person,
    RiskCategory,
    SampleDraw,
    SecurityEvent,
    Strand,
    Team,
    TeamManager,
)
from .security.events import Event, record
from .twofactor import services as two_factor_services
from .workflow import AuditError


@admin.register(Strand, CaseType, AgeBand, Team)
class VocabularyAdmin(AdministratorOnly, admin.ModelAdmin):
    list_display = ["name", "slug", "order", "is_active"]
    list_editable = ["order", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        # Entries used by audits are retired with is_active, never deleted.
        return False


class DomainInline(AdministratorOnly, admin.StackedInline):
    model = Domain
    extra = 0
    fields = ["number", "title", "guidance"]

    def _locked(self, obj):
        return obj is not None and obj.audits.exists()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._locked(obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not self._locked(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._locked(obj)


@admin.register(AuditTool)
class AuditToolAdmin(AdministratorOnly, admin.ModelAdmin):
    """A tool in use by audits is frozen: copy it as a new version to change it."""

    list_display = ["name", "family", "version", "is_current", "created_at"]
    list_filter = ["family"]
    readonly_fields = ["family", "version", "is_current", "created_by", "created_at"]
    inlines = [DomainInline]
    actions = ["copy_as_new_version", "make_current"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.audits.exists():
            # Its audits show its name as the tool they were made with.
            return ["name", *self.readonly_fields]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Copy as a new version (not yet in use)")
    def copy_as_new_version(self, request, queryset):
        for tool in queryset:
            copy = services.tool_copy_as_new_version(source=tool)
            self.message_user(request, f"Created {copy}. Edit it, then make it current.")

    @admin.action(description="Make current (new audits use it)")
    def make_current(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one tool.", messages.ERROR)
            return
        try:
            tool = services.tool_make_current(tool=queryset.get())
        except AuditError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, f"{tool} is now used for new audits.")


@admin.register(RiskCategory)
class RiskCategoryAdmin(AdministratorOnly, admin.ModelAdmin):
    """The categories of a tool in use are frozen with it: audits record their risks against
    them, so deleting one would take it off every audit that recorded it."""

    list_display = ["name", "slug", "domain", "order"]
    list_filter = ["domain__tool"]

    @staticmethod
    def _locked(obj) -> bool:
        return obj is not None and obj.domain.tool.audits.exists()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._locked(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._locked(obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "domain":
            # A category is added only to a tool not yet in use (a copy being prepared).
            kwargs["queryset"] = Domain.objects.filter(tool__audits__isnull=True).select_related(
                "tool"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(AuditActivity)
class AuditActivityAdmin(ReadOnlyAdmin):
    """Activities are planned and corrected on the audit schedule's own pages, open to QA leads
    and administrators, which save through audits.schedule.services and check its rules (a due
    date in or after the month, a rate from 0 to 100, one name a month). Here an administrator
    only looks, with a link to the page that changes the activity."""

    list_display = ["name", "month", "strand", "schedule_link"]
    list_filter = ["strand", "month"]
    search_fields = ["name"]
    readonly_fields = ["schedule_link"]

    @admin.display(description="Change it")
    def schedule_link(self, obj):
        return format_html(
            '<a href="{}">Change on the audit schedule</a>',
            reverse("audits:activity_edit", args=[obj.pk]),
        )


@admin.register(Person)
class PersonAdmin(AdministratorOnly, admin.ModelAdmin):
    """People the app knows: case holders come from the case list import; an administrator
    links a person to their account and sets their team (an auditor's team, for peer audit,
    is their person's team)."""

    list_display = ["name", "team", "user", "email"]
    list_filter = ["team"]
    search_fields = ["name", "user__username", "email"]
    autocomplete_fields = ["user"]

    def has_delete_permission(self, request, obj=None):
        # A case holder's cases and draws refer to them.
        return (
            obj is not None
            and not obj.cases.exists()
            and super().has_delete_permission(request, obj)
        )


@admin.register(TeamManager)
class TeamManagerAdmin(AdministratorOnly, admin.ModelAdmin):
    """Who manages each team: told, with the case holder, when an audit of one of the team's
    cases is submitted (audits.holders), and with the Case holder role sees those audits."""

    list_display = ["team", "manager"]
    autocomplete_fields = ["manager"]


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    """The case list is written by `manage.py import_cases` (audits.cases.importer) only."""

    list_display = ["case_reference", "case_holder", "team", "strand", "case_type", "open_date"]
    list_filter = ["team", "strand", "case_type"]
    search_fields = ["case_reference", "case_holder__name", "family_group"]


@admin.register(CaseImport)
class CaseImportAdmin(ReadOnlyAdmin):
    list_display = ["at", "filename", "by", "created", "updated", "unchanged"]


class DrawnCaseInline(admin.TabularInline):
    model = DrawnCase
    fk_name = "draw"
    fields = ["position", "case", "auditor", "team", "case_holder", "replaces", "seed"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SampleDraw)
class SampleDrawAdmin(ReadOnlyAdmin):
    """Draws are made by `manage.py draw_sample` (audits.cases.services) and kept as records."""

    list_display = ["pk", "activity", "seed", "drawn_by", "drawn_at"]
    list_filter = ["activity"]
    inlines = [DrawnCaseInline]


@admin.register(DrawnCase)
class DrawnCaseAdmin(ReadOnlyAdmin):
    list_display = ["case", "draw", "position", "auditor", "withdrawn_at", "withdrawn_reason"]
    list_filter = ["draw__activity"]
    search_fields = ["case__case_reference"]


admin.site.unregister(User)
admin.site.unregister(Group)


# django-otp's own admin pages for the devices would show administrators each person's secret
# (and let them make devices for others): the only thing the admin does to them is the reset.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(User)
class AdministratorUserAdmin(AdministratorOnly, UserAdmin):
    list_display = [*UserAdmin.list_display, "two_factor"]
    actions = ["reset_two_factor"]

    def get_queryset(self, request):
        confirmed_app = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_two_factor=Exists(confirmed_app))

    @admin.display(description="Two-factor sign-in", boolean=True, ordering="has_two_factor")
    def two_factor(self, obj):
        return obj.has_two_factor

    @admin.action(description="Reset two-factor sign-in (a lost or changed phone)")
    def reset_two_factor(self, request, queryset):
        """Each user chosen sets up their app again at their next page; recorded in the
        security log."""
        users = list(queryset)
        for user in users:
            two_factor_services.two_factor_reset(user=user, by=request.user, request=request)
        self.message_user(
            request,
            ngettext(
                "Two-factor sign-in reset for %(n)d user: they set it up again when they next "
                "sign in.",
                "Two-factor sign-in reset for %(n)d users: they set it up again when they next "
                "sign in.",
                len(users),
            )
            % {"n": len(users)},
        )


@admin.register(Group)
class AdministratorGroupAdmin(AdministratorOnly, GroupAdmin):
    pass


@admin.register(ActionEvent)
class ActionEventAdmin(ReadOnlyAdmin):
    list_display = ["action", "from_state", "to_state", "by", "at"]
    list_filter = ["to_state"]
    list_select_related = ["action", "by"]


@admin.register(ActionReminder)
class ActionReminderAdmin(ReadOnlyAdmin):
    list_display = ["action", "sent_on", "recipient"]
    list_filter = ["sent_on"]
    list_select_related = ["action"]


# django-axes' records of sign-in attempts (AXES_ENABLE_ADMIN is off so these replace its own
# registrations, which would ask Django's model permissions rather than the Administrator role).
@admin.register(AccessAttempt)
class LoginAttemptAdmin(AdministratorOnly, AccessAttemptAdmin):
    """Deleting a locked-out attempt unlocks that username and address at once."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        _record_unlock(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for attempt in queryset:
            _record_unlock(request, attempt)
        super().delete_queryset(request, queryset)


def _record_unlock(request, attempt):
    record(
        Event.UNLOCKED,
        request=request,
        object_label=f"sign-in of {attempt.username} from {attempt.ip_address}"[:200],
        changes={"failures": [attempt.failures_since_start, 0]},
    )


@admin.register(AccessLog)
class LoginLogAdmin(ReadOnlyAdmin, AccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class LoginFailureLogAdmin(ReadOnlyAdmin, AccessFailureLogAdmin):
    pass


# The record of who saw and changed what: administrators may read it here, nobody may change or
# delete it (the models refuse too). The pages for asking it questions are audits.security.views.
@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "username", "event", "object", "case_reference", "address"]
    list_filter = ["event"]
    search_fields = ["username", "case_reference", "object"]
    date_hierarchy = "at"


admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class ChangeHistoryAdmin(ReadOnlyAdmin):
    list_display = ["timestamp", "actor", "action", "content_type", "object_repr", "remote_addr"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "actor__username"]
    date_hierarchy = "timestamp"
    list_select_related = ["actor", "content_type"]


# The tasks that sent emails and made PDFs (audits.background): what ran, what failed and why.
# Read-only, for administrators; a failed email names its kind and case reference only.
admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(ReadOnlyAdmin, DBTaskResultAdmin):
    list_display = [
        "enqueued_at",
        "task_name",
        "status",
        "display_run_after",
        "finished_at",
        "failure",
    ]
    list_filter = ["status"]
    search_fields = ["task_path", "traceback"]

    @admin.display(description="what failed")
    def failure(self, obj):
        # The last line of the traceback: the error the task failed with (audits.background).
        lines = obj.traceback.strip().splitlines()
        return lines[-1] if lines else ""
