from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _build_missing_figures(sender, using="default", **kwargs):
    """A database migrated from before the figures were kept per month gets them once.
    Done after migrating, with the current models, rather than in a data migration that
    would have to copy the counting rules."""
    from .figures import refresh_all
    from .models import Audit, FigureMonth, Status

    if (
        not FigureMonth.objects.using(using).exists()
        and Audit.objects.using(using).exclude(status=Status.DRAFT).exists()
    ):
        refresh_all()


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "Case file audits"

    def ready(self):
        from . import permissions  # noqa: F401  (registers the audits.* rules)
        from .cases import permissions as case_permissions  # noqa: F401  (the draws' rules)
        from .compliance import permissions as compliance_permissions  # noqa: F401
        from .security import receivers  # noqa: F401  (sign-in events into the security log)
        from .sessions import receivers as session_receivers  # noqa: F401  (session clocks)
        from .tools import permissions as tool_permissions  # noqa: F401  (audits.*_tool rules)

        post_migrate.connect(_build_missing_figures, sender=self)
