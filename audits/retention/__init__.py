"""The retention schedule: audits older than the council's retention period are deleted, with
everything that holds their case content, while the figures reports are built from are kept.

What goes: an audit dated in a whole calendar month that ended before the cutoff (today less
settings.RETENTION_YEARS), whatever its status, so a month's audits go together and the month
keeps its figures whole. So an audit goes at the first run after the end of the month in which
its retention period ends. An audit with no audit date (a draft never finished) counts from
the day it was last changed instead. With the audit go its domain grades, agreed actions (their
events and reminders), status transitions, moderation (decision, rounds, domain notes, exemplar)
and the change history (django-auditlog) of all of them.

What stays: the months' kept report figures (audits.figures.close_months closes the months and
keeps their action counts), each activity's count of its removed audits, published reports
(never touched), and the security log, which gains one entry per deleted audit.

``selectors`` reads the setting and finds the audits; ``services.retention_apply`` deletes.
"""
