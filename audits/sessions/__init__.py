"""Signed-in sessions: how long they last, and nothing typed lost when one ends.

- limits: the idle timeout and the absolute lifetime, kept in the session itself.
- middleware: ends sessions past a limit, counts activity (not the background status check),
  and keeps a save that arrives from someone no longer signed in.
- keeping: what may be kept, for whom (a signed cookie set at sign-in names the person), and
  the kept saves' lifecycle (services); every step is in the security log, without content.
- views: the status and "stay signed in" answers the warning dialog's script asks, the GOV.UK
  "You have been signed out" page, the page that offers kept saves back, and the CSRF failure
  view.
"""
