"""Thin views: check access, validate, call one service, report its error, redirect."""

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import autosave, printing, roles, selectors, services
from .actions import selectors as action_selectors
from .filters import AuditFilter
from .forms import AuditFormPage
from .models import Status
from .permissions import require
from .revisions import RevisionConflict
from .rules import draft_warnings
from .schedule import selectors as schedule_selectors
from .security import history
from .security.events import Event, record
from .sessions.selectors import kept_saves_for
from .workflow import AuditError

PAGE_SIZE = 25


def home(request):
    user = request.user
    context = {
        "no_role": not roles.role_names(user),
        # Saves that arrived after a session ended, waiting for their owner (audits.sessions).
        "kept_saves": kept_saves_for(user).count(),
    }
    if rules.has_perm("audits.start_audit", user):
        context["assigned"] = schedule_selectors.assigned_activities(
            user, today=timezone.localdate()
        )
        mine = selectors.my_audits(user)
        context["my_drafts"] = mine.filter(status__in=[Status.DRAFT, Status.RETURNED])[:10]
        context["my_counts"] = selectors.status_counts(mine)
    if rules.has_perm("audits.view_all_audits", user):
        context["all_counts"] = selectors.status_counts(selectors.all_audits(user))
    return render(request, "audits/home.html", context)


def audit_new(request):
    require("audits.start_audit", request.user, error=PermissionDenied)
    return _audit_form(request, audit=None, tool=services.current_tool())


def audit_edit(request, pk):
    audit = selectors.get_audit_for(request.user, pk, "edit")
    return _audit_form(request, audit=audit, tool=audit.tool)


def _form_page(request, audit, tool) -> AuditFormPage:
    practice_fixed = audit is not None and not rules.has_perm(
        "audits.change_practice_flag", request.user, audit
    )
    data = request.POST if request.method == "POST" else None
    return AuditFormPage(tool=tool, audit=audit, data=data, practice_fixed=practice_fixed)


def _save_page(request, page, audit):
    """Validate the page and save it as a draft: (audit, content), or raise autosave.Refused.
    The one save path of the form's Save and Submit buttons and of autosave."""
    if not page.is_valid():
        raise autosave.Refused(400)
    content = page.content()
    try:
        audit = services.audit_save_draft(
            audit=audit, by=request.user, content=content, **page.revision.expected()
        )
    except RevisionConflict as conflict:
        raise autosave.Refused(409, conflict=conflict) from None
    except AuditError as error:
        if error.field in page.header.fields:
            page.header.add_error(error.field, str(error))
            raise autosave.Refused(400) from None
        raise autosave.Refused(403, message=str(error)) from None
    return audit, content


def _audit_form(request, *, audit, tool):
    page = _form_page(request, audit, tool)
    if request.method != "POST":
        return _render_form(request, page, audit)
    try:
        audit, _content = _save_page(request, page, audit)
    except autosave.Refused as refused:
        if refused.conflict:
            return _render_conflict(request, page, refused.conflict)
        if refused.message:
            messages.error(request, refused.message)
        else:
            messages.error(request, _("Nothing was saved: put right the problems listed below."))
        return _render_form(request, page, audit, status=refused.status)

    if request.POST.get("action") != "submit":
        messages.success(request, _("Draft saved."))
        # What submit will refuse but a draft may hold, said now rather than at submit.
        for problem in draft_warnings(audit):
            messages.warning(request, problem.message)
        return redirect("audits:edit", pk=audit.pk)
    try:
        services.audit_submit(audit=audit, by=request.user)
    except services.AuditSubmitError as error:
        page.apply_problems(error.problems)
        messages.warning(
            request,
            _(
                "Your changes are saved as a draft, but the audit cannot be "
                "submitted yet. Put right the problems listed below."
            ),
        )
        page.revision.conflict_resolved(audit)  # the page now holds what was just saved
        return _render_form(request, page, audit, status=400)
    except AuditError as error:
        messages.error(request, str(error))
        return redirect(audit)
    messages.success(request, _("Audit submitted. It is now read-only."))
    return redirect(audit)


def _render_conflict(request, page, conflict):
    """The page as the user typed it, with the saved version beside each field it differs in;
    the next save carries the current revision, so it is a choice made seeing both."""
    current = conflict.record
    comparison = page.compare_with(current)
    page.revision.conflict_resolved(current)
    return _render_form(
        request, page, current, status=409, conflict=conflict, comparison=comparison
    )


def _render_form(request, page, audit, status=200, **extra):
    case_reference = (
        page.header.data.get("case_reference")
        if page.header.is_bound
        else getattr(audit, "case_reference", "")
    )
    context = {
        "page": page,
        "audit": audit,
        "error_summary": page.error_summary() if page.header.is_bound else [],
        "earlier": selectors.earlier_audits(
            case_reference=(case_reference or "").strip(),
            user=request.user,
            exclude_pk=getattr(audit, "pk", None),
        ),
        "today": timezone.localdate(),
        **extra,
    }
    return render(request, "audits/audit_form.html", context, status=status)


@require_POST
def audit_autosave_new(request):
    """The first autosave of a new audit starts its draft; the page then autosaves to it."""
    require("audits.start_audit", request.user, error=PermissionDenied)
    return _autosave(request, audit=None, tool=services.current_tool())


@require_POST
def audit_autosave(request, pk):
    """Save the page as a draft while the user types (static/js/autosave.js); JSON answers."""
    audit = selectors.get_audit_for(request.user, pk, "edit")
    return _autosave(request, audit=audit, tool=audit.tool)


def _autosave(request, *, audit, tool):
    page = _form_page(request, audit, tool)
    try:
        audit, content = _save_page(request, page, audit)
    except autosave.Refused as refused:
        return refused.json(errors=page.error_summary())
    return autosave.saved(
        audit,
        edit_url=reverse("audits:edit", args=[audit.pk]),
        autosave_url=reverse("audits:autosave", args=[audit.pk]),
        fields=page.saved_action_ids(content),
    )


def audit_detail(request, pk):
    audit = selectors.get_audit_for(request.user, pk, "view")
    audit = selectors.audit_with_parts(audit)
    context = {
        "audit": audit,
        "earlier": selectors.earlier_audits(
            case_reference=audit.case_reference,
            user=request.user,
            exclude_pk=audit.pk,
            before=audit.audit_date,
        ),
        # Lazy: queried only where the page shows it (final grade Does not meet good).
        "action_outcomes": action_selectors.actions_outcome_for_audit(audit),
        # QA leads and administrators see who changed and who opened the audit.
        "record": history.audit_record(audit)
        if rules.has_perm("audits.view_history", request.user, audit)
        else None,
    }
    record(Event.VIEWED_AUDIT, request=request, obj=audit)
    return render(request, "audits/audit_detail.html", context)


def audit_pdf(request, pk):
    """The audit on A4, for whoever may open its page. Every download goes in the security log;
    the file is not to be kept by a browser's or a proxy's cache."""
    audit = selectors.audit_with_parts(selectors.get_audit_for(request.user, pk, "view"))
    pdf = printing.audit_pdf(audit=audit, request=request)
    record(Event.VIEWED_AUDIT_PDF, request=request, obj=audit)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{printing.audit_pdf_filename(audit)}"'
    response["Cache-Control"] = "no-store, private"
    return response


@require_POST
def audit_delete(request, pk):
    audit = selectors.get_audit_for(request.user, pk, "delete")
    try:
        services.audit_delete_draft(audit=audit, by=request.user)
    except AuditError as error:
        raise PermissionDenied(str(error)) from None
    messages.success(request, _("Draft deleted."))
    return redirect("audits:mine")


def earlier_audits_fragment(request):
    """The 'audited before' panel for the case reference being typed (fetched by the form)."""
    # A hand-made ?exclude=abc must not reach the pk lookup (a ValueError there is a 500).
    exclude = request.GET.get("exclude", "")
    rows = selectors.earlier_audits(
        case_reference=request.GET.get("case_reference", "").strip()[:32],
        user=request.user,
        exclude_pk=int(exclude) if exclude.isdecimal() else None,
    )
    return render(request, "audits/_earlier_audits.html", {"earlier": rows})


def my_audits(request):
    require("audits.start_audit", request.user, error=PermissionDenied)
    return _audit_list(
        request,
        selectors.my_audits(request.user),
        title=_("My audits"),
        show_auditor=False,
        drafts=True,
    )


def all_audits(request):
    require("audits.view_all_audits", request.user, error=PermissionDenied)
    qs = selectors.all_audits(request.user)
    if request.GET.get("format") == "csv":
        require("audits.export_audits", request.user, error=PermissionDenied)
        csv_filter = AuditFilter(request.GET, queryset=qs, drafts=False)
        if csv_filter.is_valid():
            return _csv_download(csv_filter.qs)
        # django-filter would leave the bad filter out and download more than was asked for:
        # show the list page with the filter's error instead.
        return _audit_list(
            request, qs, title=_("All audits"), show_auditor=True, drafts=False, status=400
        )
    return _audit_list(request, qs, title=_("All audits"), show_auditor=True, drafts=False)


def _audit_list(request, queryset, *, title, show_auditor, drafts, status=200):
    audit_filter = AuditFilter(
        request.GET or None, queryset=queryset, show_auditor=show_auditor, drafts=drafts
    )
    page_obj = Paginator(audit_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)  # the page's links are to pages of the list, not the download
    context = {
        "title": title,
        "filter": audit_filter,
        # The page's one error summary, and "Error: " first in its title (base.html).
        "error_summary": audit_filter.form.error_summary() if audit_filter.is_bound else [],
        "page_obj": page_obj,
        "show_auditor": show_auditor,
        "querystring": query.urlencode(),
        "csv_allowed": not drafts,
    }
    return render(request, "audits/audit_list.html", context, status=status)


def _csv_download(queryset):
    from .csv.exporter import write_audits_csv  # the CSV contract's writer

    stamp = timezone.localdate().isoformat()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audits-{stamp}.csv"'
    write_audits_csv(queryset, response)
    return response


def case_timeline(request, case_reference):
    """The re-audit view: a case's audits over time and what changed between them."""
    timeline = selectors.case_timeline(case_reference=case_reference, user=request.user)
    if not timeline:
        raise Http404(_("No audits of this case that you may see."))
    record(
        Event.VIEWED_CASE,
        request=request,
        case_reference=timeline[0]["audit"].case_reference,
        obj=None,
    )
    return render(
        request,
        "audits/case_timeline.html",
        {
            "case_reference": timeline[0]["audit"].case_reference,
            "timeline": timeline,
            "today": timezone.localdate(),
        },
    )
