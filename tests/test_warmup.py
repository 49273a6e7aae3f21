"""config/warmup.py: a gunicorn worker imports its views, compiles every template of the project
and of the form packs, and freezes what it holds, before its first request."""

import gc

import pytest
from django.template import engines
from django.test import override_settings

from audits.filters import AuditFilter
from audits.models import Audit
from audits.templatetags import filter_forms
from config import warmup
from tests import factories


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


@pytest.mark.django_db
def test_warming_up_compiles_them_all_and_freezes_what_the_worker_holds():
    gc.unfreeze()
    try:
        compiled = warmup.warm_up()

        assert compiled == len(warmup.template_names())
        assert {"base.html", "audits/audit_list.html", "reports/report_pdf.html"} <= _cached_names()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def _remembered_keys() -> set:
    return set(filter_forms._remembered)


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_warming_up_draws_the_audit_lists_filters_for_each_choice():
    """A worker's first request for a case type's list draws nothing: the form of each
    choice alone was drawn before it, with the same key a request makes."""
    from django.test import RequestFactory

    gc.unfreeze()
    try:
        warmup.warm_up()
    finally:
        gc.unfreeze()
    warmed = _remembered_keys()
    case_type = factories.case_type("child_protection")
    queryset = Audit.objects.none()
    asked = AuditFilter(
        RequestFactory().get("/", {"case_type": case_type.pk, "page": 2}).GET,
        queryset=queryset,
        show_auditor=True,
        drafts=False,
    )
    key = (*filter_forms.form_key(asked.form), tuple(filter_forms.field_keys(asked.form)))

    assert key in warmed
    # Each case type and the unfiltered form, for the list of all audits and for My audits.
    assert len(warmed) >= 2 * (1 + Audit._meta.get_field("case_type").related_model.objects.count())


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_a_filter_form_drawn_in_the_warm_up_is_the_one_a_request_draws():
    filter_forms.warm(
        lambda data: AuditFilter(data, queryset=Audit.objects.none(), show_auditor=False)
    )
    strand = factories.strand("social_care")
    warm = filter_forms.filter_form(
        AuditFilter({"strand": strand.pk}, queryset=Audit.objects.none(), show_auditor=False).form
    )
    filter_forms.forget_all()
    drawn = filter_forms.filter_form(
        AuditFilter({"strand": strand.pk}, queryset=Audit.objects.none(), show_auditor=False).form
    )

    assert warm == drawn
    assert f'value="{strand.pk}" selected' in drawn


@override_settings(DEBUG=True)
def test_nothing_is_drawn_ahead_with_debug_on():
    assert filter_forms.warm(lambda data: None) == 0
