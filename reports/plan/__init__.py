"""The improvement plan: a report's recommendations as tracked items (what, owner, due, status,
progress notes, evidence), followed up by the next report (``plan`` in report_figures), the
plan page and the home pages of QA leads and of the items' owners.

models: reports.models (PlanItem, PlanItemTransition, PlanNote); services (every write,
STATUS_MOVES), selectors (reads and the report's figures), permissions, forms, views.
"""
