"""A gunicorn worker made ready before its first request (config/gunicorn.py, post_worker_init).

Django loads lazily: a worker's first request imports every view through the URL patterns, and
the first request for each page compiles its templates (and the form pack's). Measured on a
new worker, the first list page took 0.3 s and the first request of all 1.7 s, against 10-30 ms
once warm; every worker pays this once after each start or deploy, in whichever user's request
comes first. Here the worker does it before it takes requests: it imports the URL patterns
(and the views they name), compiles every template of the project and of the form packs into
the cached template loader, draws the audit lists' filter forms for each choice (a first
drawing of each costs 2-4 ms), then collects garbage and freezes what is left (gc.freeze), so
later full collections do not walk these long-lived objects.
"""

import gc
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.template import TemplateDoesNotExist, engines
from django.urls import get_resolver

# The apps whose templates the pages draw (the forms' template packs); the admin's are left to
# load on first use, as few people open it.
TEMPLATE_APPS = ("crispy_forms", "crispy_forms_gds", "django_filters")
SUFFIXES = (".html", ".txt")


def template_roots() -> list[Path]:
    roots = [Path(folder) for folder in settings.TEMPLATES[0]["DIRS"]]
    for label in TEMPLATE_APPS:
        try:
            roots.append(Path(apps.get_app_config(label).path) / "templates")
        except LookupError:  # not installed
            continue
    return [root for root in roots if root.is_dir()]


def template_names() -> list[str]:
    """Every template name under the roots, as {% include %} and get_template name it."""
    names = set()
    for root in template_roots():
        for path in root.rglob("*"):
            if path.suffix in SUFFIXES and path.is_file():
                names.add(path.relative_to(root).as_posix())
    return sorted(names)


def warm_up() -> int:
    """Import the URL patterns, compile the templates and freeze what the worker now holds.
    Returns how many templates were compiled."""
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - imports every URL module and the views they name
    resolver.reverse_dict  # noqa: B018 - and builds what {% url %} looks names up in
    engine = engines["django"]
    compiled = 0
    for name in template_names():
        try:
            engine.get_template(name)
        except TemplateDoesNotExist:
            continue
        compiled += 1
    # The audit lists' filter forms, each choice drawn once (a first drawing costs 2-4 ms).
    # The database may not be reachable yet: then they are drawn when first asked for.
    from django.db import DatabaseError

    from audits.filters import warm_audit_filters

    try:
        warm_audit_filters()
    except DatabaseError:
        pass
    freeze_what_is_held()
    return compiled


def freeze_what_is_held() -> None:
    """Collect the garbage, then freeze what is left (alive now) out of later collections."""
    gc.collect()
    gc.freeze()
