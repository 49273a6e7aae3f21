from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _build_missing_figures(sender, using="default", **kwargs):
    """A database migrated from before the figures were kept per month, or whose open months'
    figures a migration dropped to be counted anew (audits 0019), gets them once. Done after
    migrating, with the current models, rather than in a data migration that would have to
    copy the counting rules. Closed months (retention) have no audits to count."""
    from .case_links import links_missing, relink_all
    from .figures import refresh_all
    from .models import Audit, FigureMonth, Status
    from .periods import last_of_month

    if links_missing():  # a database from before the case links were kept (audits 0022)
        relink_all()
    months = FigureMonth.objects.using(using)
    if months.filter(closed_at__isnull=True).exists():
        return
    audits = Audit.objects.using(using).exclude(status=Status.DRAFT)
    last_closed = months.order_by("-month").values_list("month", flat=True).first()
    if last_closed is not None:
        audits = audits.filter(audit_date__gt=last_of_month(last_closed))
    if audits.exists():
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
