from django.contrib.admin.apps import AdminConfig


class AdministratorAdminConfig(AdminConfig):
    """The admin, with a site that lets in administrators only (see config.admin)."""

    default_site = "config.admin.AdministratorAdminSite"
