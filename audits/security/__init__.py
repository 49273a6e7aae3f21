"""The record of who saw and changed what: the security log and the change history.

``events`` writes the security log (audits.models.SecurityEvent): pages and downloads opened,
sign-in events, role changes, deletions under the retention schedule. django-auditlog keeps the
change history (auditlog.LogEntry, the models listed in settings.AUDITLOG_INCLUDE_TRACKING_MODELS).
``selectors`` reads both as one log; ``receivers`` connects the sign-in signals.
"""
