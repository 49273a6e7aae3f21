"""A real OpenID Connect provider for the single sign-on tests: a small Django project of its
own (django-oauth-toolkit with OIDC on), run in a separate process with its own settings and
throwaway SQLite file, so nothing of it mixes with the app under test.

- settings.py, urls.py, validator.py, templates/: the provider project.
- __main__.py: `python -m tests.oidc_provider serve|set-groups|allow-redirect ...`, the
  provider process's commands (they set up the provider's Django, never the app's).
- process.py: TestProvider, which the test process uses to start, change and stop it.

The people and groups are invented (process.PEOPLE).
"""
