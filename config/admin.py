"""The Django admin, open to administrators only (the Administrator role or a superuser)."""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from audits.roles import is_administrator


class AdministratorLoginForm(AdminAuthenticationForm):
    """The admin's own sign-in page admits the Administrator role, not Django's is_staff flag."""

    def confirm_login_allowed(self, user):
        AuthenticationForm.confirm_login_allowed(self, user)
        if not is_administrator(user):
            raise ValidationError(
                "This account is not an administrator. Sign in at the main page instead.",
                code="invalid_login",
            )


class AdministratorAdminSite(admin.AdminSite):
    site_header = "Case file audit administration"
    site_title = "Case file audit administration"
    login_form = AdministratorLoginForm

    def has_permission(self, request):
        return request.user.is_active and is_administrator(request.user)


class AdministratorOnly:
    """ModelAdmin mixin: administrators may do everything the admin offers, nobody else anything."""

    def has_module_permission(self, request):
        return is_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_add_permission(self, request, *args):
        return is_administrator(request.user)

    def has_change_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_administrator(request.user)


class ReadOnlyAdmin(AdministratorOnly, admin.ModelAdmin):
    """Records written only by services (histories, decisions): administrators may look, never
    change them here."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
