"""Thin views over moderation.services: check access, validate, call one service, redirect."""

import rules
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audits import autosave
from audits.autosave import Refused
from audits.forms import RevisionForm, summarise_errors
from audits.models import Audit
from audits.permissions import refusal
from audits.redirects import next_url
from audits.security.events import Event, record
from audits.selectors import get_audit_for, parts_prefetch
from audits.uncertainty import SMALL_SAMPLE_LABEL, small_sample_note
from audits.workflow import AuditError

from . import drift, scales, selectors, services
from .filters import QueueFilter, StatisticsFilter
from .forms import ExemplarForm, ModerationForm, moderation_actions_formset
from .models import Moderation
from .statistics import SCALE

# What the moderation page reads with the audit (moderation/moderate.html, the rules it asks):
# the people, vocabularies and tool it shows and its moderation case; its grades, risks and
# actions (parts_prefetch), not its history.
PAGE_RELATED = ("auditor", "activity", "strand", "case_type", "tool", "moderation_case__taken_by")


def _require(perm: str, user, message):
    if not rules.has_perm(perm, user):
        raise PermissionDenied(message)


def queue(request):
    _require("moderation.view_queue", request.user, _("Only moderators see the moderation queue."))
    queue_filter = QueueFilter(
        request.GET or None, queryset=selectors.moderation_queue(request.user), drafts=False
    )
    rows = selectors.queue_rows(queue_filter.qs)
    page_obj = Paginator(rows, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "moderation/queue.html",
        {
            "filter": queue_filter,
            "page_obj": page_obj,
            "now": timezone.now(),
            "querystring": query.urlencode(),
        },
    )


@require_POST
def take(request, pk):
    audit = get_audit_for(request.user, pk, "view")
    try:
        services.moderation_take(audit=audit, moderator=request.user)
    except AuditError as error:
        messages.error(request, str(error))
        return redirect("moderation:queue")
    return redirect("moderation:moderate", pk=audit.pk)


@require_POST
def release(request, pk):
    audit = get_audit_for(request.user, pk, "view")
    try:
        services.moderation_release(audit=audit, moderator=request.user)
    except AuditError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Released to the queue."))
    return redirect("moderation:queue")


def _moderation_page(request, pk, *, draft: bool = False):
    """(audit, its moderation case, the refusal to show if they may not moderate it, the
    page's forms): bound to the POST, or opened from the draft they last autosaved. ``draft``:
    an autosave, which keeps what is typed without the decision's rules."""
    _require("moderation.view_queue", request.user, _("Only moderators moderate audits."))
    audit = get_audit_for(
        request.user, pk, "view", related=PAGE_RELATED, prefetch=parts_prefetch(history=False)
    )
    # A moderator's own audit: say so on the audit's page rather than a bare 403.
    refused = refusal("moderation.moderate_audit", request.user, audit)
    domains = [g.domain for g in audit.domain_grades.all()]
    case = getattr(audit, "moderation_case", None)
    initial, action_rows = {"grade": audit.overall_grade}, None
    if case is not None and case.draft and case.taken_by_id == request.user.pk:
        initial, action_rows = ModerationForm.initial_from_draft(case.draft)
    data = request.POST if request.method == "POST" else None
    grades = scales.choices(audit.tool)
    forms = {
        "form": ModerationForm(data, domains=domains, initial=initial, draft=draft, grades=grades),
        "actions": moderation_actions_formset(data, initial=action_rows),
        "revision_form": RevisionForm(data, record=audit),
    }
    return audit, case, refused, forms


def moderate(request, pk):
    audit, case, refused, forms = _moderation_page(request, pk)
    if refused:
        messages.error(request, refused)
        return redirect(audit)
    if request.method == "GET":
        record(Event.VIEWED_MODERATION, request=request, obj=audit)
    form, actions, revision = forms["form"], forms["actions"], forms["revision_form"]
    if request.method == "POST" and all([form.is_valid(), actions.is_valid(), revision.is_valid()]):
        rows = [
            f.cleaned_data
            for f in actions.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            if request.POST.get("action") == "send_back":
                services.moderation_send_back(
                    audit=audit,
                    moderator=request.user,
                    comments=form.cleaned_data["feedback"],
                    **revision.expected(),
                )
                messages.success(request, _("Sent back to the auditor."))
            else:
                services.moderation_record(
                    audit=audit,
                    moderator=request.user,
                    grade=form.cleaned_data["grade"],
                    rationale=form.cleaned_data["rationale"],
                    feedback=form.cleaned_data["feedback"],
                    domain_notes=form.domain_notes(),
                    actions=rows,
                    **revision.expected(),
                )
                messages.success(request, _("Moderation recorded. The audit is completed."))
        except AuditError as error:
            # Whatever the moderator typed stays on the re-rendered form.
            if getattr(error, "field", None):
                form.add_error(error.field, str(error))
            else:
                messages.error(request, str(error))
            audit.refresh_from_db()
            revision.conflict_resolved(audit)
        else:
            return redirect("moderation:queue")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "moderation/moderate.html",
        {
            "audit": audit,
            **forms,
            "error_summary": summarise_errors(form, actions),
            "history": selectors.moderation_history(audit, request.user),
            "case": case,
            "answers": selectors.answers_for_moderation(audit),
        },
        status=status,
    )


@require_POST
def moderation_autosave(request, pk):
    """Keep what the moderator has typed so far (static/js/autosave.js); JSON answers."""
    audit, _case, refused, forms = _moderation_page(request, pk, draft=True)
    if refused:
        raise PermissionDenied(refused)
    form, actions, revision = forms["form"], forms["actions"], forms["revision_form"]
    if not all([form.is_valid(), actions.is_valid(), revision.is_valid()]):
        return autosave.invalid(summarise_errors(form, actions))
    try:
        audit = services.moderation_save_draft(
            audit=audit,
            moderator=request.user,
            draft=form.draft_content(actions),
            **revision.expected(),
        )
    except services.ModerationConflict as error:
        return Refused(409, message=str(error)).json()
    except AuditError as error:
        return Refused(403, message=str(error)).json()
    return autosave.saved(audit)


@require_POST
def add_to_queue(request, pk):
    audit = get_audit_for(request.user, pk, "view")
    try:
        services.moderation_add_to_queue(audit=audit, by=request.user)
    except AuditError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Added to the moderation queue."))
    return redirect(audit)


def feedback_list(request):
    _require("moderation.view_feedback", request.user, _("Feedback is for auditors."))
    page_obj = Paginator(selectors.feedback_for(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "moderation/feedback_list.html", {"page_obj": page_obj})


@require_POST
def acknowledge(request, pk):
    moderation = get_object_or_404(Moderation.objects.filter(audit__auditor=request.user), pk=pk)
    # Read before writing: a body that cannot be read is then a 400 with nothing done.
    target = next_url(request, "moderation:feedback")
    try:
        services.feedback_acknowledge(moderation=moderation, by=request.user)
    except AuditError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Feedback acknowledged."))
    return redirect(target)


def exemplars(request):
    _require("moderation.view_exemplars", request.user, _("No role."))
    return render(request, "moderation/exemplars.html", {"exemplars": selectors.exemplars()})


@require_POST
def exemplar_toggle(request, pk):
    audit = get_audit_for(request.user, pk, "view")
    form = ExemplarForm(request.POST)
    form.is_valid()
    try:
        if request.POST.get("unmark"):
            services.exemplar_unmark(audit=audit, by=request.user)
            messages.success(request, _("No longer an exemplar."))
        else:
            services.exemplar_mark(
                audit=audit, by=request.user, note=form.cleaned_data.get("note", "")
            )
            messages.success(request, _("Marked as an exemplar of good practice."))
    except AuditError as error:
        messages.error(request, str(error))
    return redirect(audit)


def dashboard(request):
    _require(
        "moderation.view_statistics",
        request.user,
        _("Only moderators and QA leads see moderation statistics."),
    )
    stats_filter = StatisticsFilter(request.GET or None, queryset=Audit.objects.all(), drafts=False)
    stats = selectors.agreement_statistics(stats_filter.qs)
    labels = [grade.label for grade in SCALE]
    # Drift looks at each auditor's latest moderated audits whatever the filters say.
    can_see_drift = rules.has_perm("moderation.view_drift", request.user)
    return render(
        request,
        "moderation/dashboard.html",
        {
            "filter": stats_filter,
            **stats,
            "can_see_drift": can_see_drift,
            "drift_alerts": drift.drift_alerts() if can_see_drift else [],
            "drift_window": drift.window_size(),
            "small_sample_note": small_sample_note(),
            "small_sample_label": SMALL_SAMPLE_LABEL,
            "scale_labels": labels,
            "matrix_rows": list(zip(labels, stats["overall"].matrix)),
        },
    )


def drift_detail(request, pk):
    """One auditor's drift check and its evidence: their latest moderated audits."""
    _require("moderation.view_drift", request.user, _("Only QA leads see moderation drift alerts."))
    auditor = get_object_or_404(get_user_model(), pk=pk)
    check, evidence = drift.drift_for(auditor)
    return render(
        request,
        "moderation/drift.html",
        {"check": check, "evidence": evidence, "auditor": auditor},
    )
