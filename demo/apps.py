from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Synthetic demo data (``python manage.py load_demo``). It builds on every other app."""

    name = "demo"
    verbose_name = "Demo data"
