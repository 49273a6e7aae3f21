"""Case holders in the loop: the case holder (and their team manager) is told when an audit of
their case is submitted, reads it (the Case holder role), and answers it with a response and
their view of each agreed action, which the auditor and managers see on the audit's page.

selectors: whose case an audit is and who is told; services: the response and the emails
queued on submission; notifications and tasks: the emails; views and forms: the pages.
"""
