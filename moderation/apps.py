from django.apps import AppConfig


def _on_audit_submitted(sender, *, audit, by, rng=None, **kwargs):
    from .services import moderation_on_submit

    moderation_on_submit(audit=audit, by=by, rng=rng)


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = "Moderation"

    def ready(self):
        from audits.signals import audit_submitted

        from . import permissions  # noqa: F401  (registers the moderation.* rules)

        audit_submitted.connect(_on_audit_submitted, dispatch_uid="moderation_on_submit")
