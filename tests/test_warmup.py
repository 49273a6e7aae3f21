"""config/warmup.py: a gunicorn worker imports its views, compiles every template of the project
and of the form packs, and freezes what it holds, before its first request."""

import gc

from django.template import engines

from config import warmup


def _cached_names():
    """The template names the cached loader holds compiled."""
    names = set()
    for loader in engines["django"].engine.template_loaders:
        names.update(key.split(":", 1)[0] for key in getattr(loader, "get_template_cache", {}))
    return names


def test_every_template_of_the_project_and_the_form_packs_is_named():
    names = warmup.template_names()
    assert "base.html" in names
    assert "audits/audit_list.html" in names
    assert "gds/layout/radios.html" in names  # the project's own, over the pack's
    assert any(name.startswith("django_filters/") for name in names)
    assert not any(name.startswith("admin/") for name in names)  # left to load on first use


def test_warming_up_compiles_them_all_and_freezes_what_the_worker_holds():
    gc.unfreeze()
    try:
        compiled = warmup.warm_up()

        assert compiled == len(warmup.template_names())
        assert {"base.html", "audits/audit_list.html", "reports/report_pdf.html"} <= _cached_names()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
