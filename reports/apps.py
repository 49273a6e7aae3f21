from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Scrutiny reports"

    def ready(self):
        from . import permissions  # noqa: F401  (registers the reports.* rules)
