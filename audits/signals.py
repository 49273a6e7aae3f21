"""Events that apps built on audits react to. Audits never imports those apps: they connect
their receivers here from their own ``AppConfig.ready()``."""

from django.dispatch import Signal

# Sent inside the submitting transaction, with the audit locked and just moved to Submitted.
# Arguments: ``audit``, ``by`` (the submitting user) and ``rng`` (a random.Random or None, for
# any sampling a receiver does). A receiver that raises rolls the submission back.
audit_submitted = Signal()
