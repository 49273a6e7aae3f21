"""Thin views: check access, validate, call one service, report its error, redirect."""

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import autosave, printing, roles, sections, selectors, services
from . import home as home_selectors
from .actions import selectors as action_selectors
from .filters import AuditFilter
from .forms import ActionForm, AuditFormPage, AuditHeaderForm, CaseSearchForm, field_anchor
from .permissions import require
from .revisions import RevisionConflict
from .rules import draft_warnings, submit_problems
from .security import history
from .security.events import Event, record
from .sessions.selectors import kept_saves_for
from .tools.kinds import STANDARD_FAMILY
from .workflow import AuditError

PAGE_SIZE = 25
# What a section page and its autosave read of the audit's relations: the tool and the activity
# (its sections and forms); About the case also the auditor's name and the header's choices.
SECTION_RELATED = ("tool", "activity")
ABOUT_RELATED = (*SECTION_RELATED, "auditor", "age_band", "strand", "case_type", "team")


def home(request):
    """Each role's section, one after another for someone with several: the auditor's work
    and the administrator's view here (audits.home); the moderator's and the QA lead's come
    from their apps' template tags, which the template asks for."""
    user = request.user
    context = {
        "no_role": not roles.role_names(user),
        # Saves that arrived after a session ended, waiting for their owner (audits.sessions).
        "kept_saves": kept_saves_for(user).count(),
    }
    if rules.has_perm("audits.start_audit", user):
        context["auditor"] = home_selectors.auditor_home(user, today=timezone.localdate())
    if rules.has_perm("audits.administer", user):
        context["administrator"] = home_selectors.administrator_home(now=timezone.now())
    return render(request, "audits/home.html", context)


def audit_new(request):
    """A new audit starts on its About the case page; saving it starts the draft. With
    ``?activity=<pk>`` it starts in that activity, on the activity's own tool where it has one
    (audits.tools)."""
    require("audits.start_audit", request.user, error=PermissionDenied)
    activity = _new_audit_activity(request)
    tool = services.tool_for(activity)
    section = _section(tool, sections.ABOUT, kind=activity.kind if activity else "")
    return _section_page(request, audit=None, tool=tool, section=section, activity=activity)


def _new_audit_activity(request):
    """The activity of ``?activity=`` a new audit starts in, or None; 404 for one that is not."""
    from .models import AuditActivity

    value = request.GET.get("activity", "")
    if not value:
        return None
    if not value.isdecimal() or len(value) > 12:
        raise Http404(_("No such audit activity."))
    activity = AuditActivity.objects.select_related("tool").filter(pk=int(value)).first()
    if activity is None:
        raise Http404(_("No such audit activity."))
    return activity


def audit_edit(request, pk):
    """The audit's task list: each section with its status, then Check your answers."""
    # Read once, with what the sections' statuses read (the submit rules): its tool, activity
    # and parts. Read a second time with all of an audit page's relations, the two queries'
    # ten joins took PostgreSQL longer to plan than anything else on the page.
    audit = selectors.get_audit_for(
        request.user,
        pk,
        "edit",
        related=SECTION_RELATED,
        prefetch=selectors.parts_prefetch(history=False),
    )
    tasks = sections.task_list(_with_answers(audit), today=timezone.localdate())
    return render(request, "audits/audit_tasklist.html", {"audit": audit, "tasks": tasks})


def audit_section(request, pk, section):
    """One section of the task list: its own short page, saved with Save and continue."""
    audit = _section_audit(request, pk, section)
    return _section_page(
        request, audit=audit, tool=audit.tool, section=_audit_section(audit, section)
    )


def audit_check(request, pk):
    """Check your answers: every section as a summary list with Change links, and Submit."""
    audit = selectors.get_audit_for(request.user, pk, "edit")
    if request.method == "POST":
        try:
            services.audit_submit(audit=audit, by=request.user)
        except services.AuditSubmitError as error:
            summary = [(_problem_link(audit, p), p.message) for p in error.problems]
            return _render_check(request, audit, error_summary=summary, status=400)
        except AuditError as error:
            messages.error(request, str(error))
            return redirect(audit)
        messages.success(request, _("Audit submitted. It is now read-only."))
        return redirect(audit)
    return _render_check(request, audit)


def _render_check(request, audit, *, status=200, **extra):
    audit = _with_answers(selectors.audit_with_parts(audit))
    context = {"audit": audit, "parts": _answer_parts(audit), "error_summary": [], **extra}
    return render(request, "audits/audit_check.html", context, status=status)


def _with_answers(audit):
    """``audit`` with a built tool's answers and agency auditors loaded (two queries)."""
    if not audit.tool.is_standard:
        prefetch_related_objects([audit], "answers__question__section", "agency_auditors")
    return audit


def _answer_parts(audit) -> list:
    """(section, [(question, answer as read)]) for every section of ``audit``: Check your
    answers and the read view of a built tool's audit."""
    return [
        (section, AuditFormPage(tool=audit.tool, audit=audit, section=section).answers())
        for section in sections.sections_for(audit.tool, kind=sections.activity_kind(audit))
    ]


def _problem_link(audit, problem) -> str:
    """Where the check page's error summary sends a submit problem: its section's page, at the
    field, coming back to the check page when saved."""
    slug = sections.section_of(problem)
    url = reverse("audits:section", args=[audit.pk, slug]) + "?return=check"
    several = problem.field in ("value", "date", "observed_on")  # radios, date boxes
    anchor = {
        "header": field_anchor(
            f"id_{problem.field}", AuditHeaderForm.base_fields.get(problem.field)
        )
        + ("_0" if problem.field == "observed_on" else ""),
        "question": f"id_question-{problem.question}-{problem.field}" + ("_0" if several else ""),
        "agency": f"id_agency-{problem.index}-{problem.field}",
        "domain": f"id_domain-{problem.index}-{problem.field}_0"
        if problem.field == "grade"
        else f"id_domain-{problem.index}-{problem.field}",
        "action": field_anchor(
            f"id_actions-{problem.index}-{problem.field}", ActionForm.base_fields.get(problem.field)
        ),
    }.get(problem.part, "actions")
    return f"{url}#{anchor}"


def _section_audit(request, pk, slug):
    """The audit a section page edits, with the relations that page reads."""
    related = ABOUT_RELATED if slug == sections.ABOUT else SECTION_RELATED
    return selectors.get_audit_for(request.user, pk, "edit", related=related)


def _section(tool, slug, *, kind="") -> sections.Section:
    section = sections.find_section(tool, slug, kind=kind)
    if section is None:
        raise Http404(_("The audit has no such section."))
    return section


def _audit_section(audit, slug) -> sections.Section:
    return _section(audit.tool, slug, kind=sections.activity_kind(audit))


def _form_page(request, audit, tool, section, activity=None) -> AuditFormPage:
    practice_fixed = audit is not None and not rules.has_perm(
        "audits.change_practice_flag", request.user, audit
    )
    data = request.POST if request.method == "POST" else None
    return AuditFormPage(
        tool=tool,
        audit=audit,
        data=data,
        practice_fixed=practice_fixed,
        section=section,
        activity=activity,
    )


def _save_page(request, page, audit):
    """Validate the section page and save it as a draft: (audit, content), or raise
    autosave.Refused. The one save path of the page's buttons and of autosave."""
    if not page.is_valid():
        raise autosave.Refused(400)
    content = page.content()
    try:
        audit = services.audit_save_section(
            audit=audit,
            by=request.user,
            section=page.section,
            content=content,
            **page.revision.expected(),
        )
    except RevisionConflict as conflict:
        raise autosave.Refused(409, conflict=conflict) from None
    except AuditError as error:
        if error.field in page.header.fields:
            page.header.add_error(error.field, str(error))
            raise autosave.Refused(400) from None
        raise autosave.Refused(403, message=str(error)) from None
    return audit, content


def _section_page(request, *, audit, tool, section, activity=None):
    page = _form_page(request, audit, tool, section, activity)
    if request.method != "POST":
        return _render_section(request, page, audit)
    try:
        audit, _content = _save_page(request, page, audit)
    except autosave.Refused as refused:
        if refused.conflict:
            return _render_conflict(request, page, refused.conflict)
        if refused.message:
            messages.error(request, refused.message)
        else:
            messages.error(request, _("Nothing was saved: put right the problems listed below."))
        return _render_section(request, page, audit, status=refused.status)
    if request.POST.get("action") != "continue":
        # Going back to the task list (or staying), say so; going on, the next page says enough.
        messages.success(request, _("Draft saved."))
    # What submit will refuse but a draft may hold, said now rather than at submit.
    for problem in draft_warnings(audit):
        if sections.section_of(problem) == section.slug:
            messages.warning(request, problem.message)
    return redirect(_after_save(request, audit, section, tool))


def _after_save(request, audit, section, tool) -> str:
    """Save and continue goes to the next section (the task list after the last), or back to
    Check your answers when the page was opened from it; the other buttons stay or return."""
    action = request.POST.get("action")
    if action == "continue" and request.GET.get("return") == "check":
        return reverse("audits:check", args=[audit.pk])
    if action == "continue":
        following = sections.next_section(tool, section)
        if following is not None:
            return reverse("audits:section", args=[audit.pk, following.slug])
    if action in ("continue", "return"):
        return reverse("audits:edit", args=[audit.pk])
    return reverse("audits:section", args=[audit.pk, section.slug])


def _render_conflict(request, page, conflict):
    """The page as the user typed it, with the saved version beside each field it differs in;
    the next save carries the current revision, so it is a choice made seeing both."""
    current = conflict.record
    comparison = page.compare_with(current)
    page.revision.conflict_resolved(current)
    return _render_section(
        request, page, current, status=409, conflict=conflict, comparison=comparison
    )


def _render_section(request, page, audit, status=200, **extra):
    section = page.section
    return_to_check = request.GET.get("return") == "check"
    if return_to_check and not page.is_bound and audit is not None:
        # Opened from Check your answers: what submit refuses in this section, at its fields.
        page.show_problems(
            p
            for p in submit_problems(audit, today=timezone.localdate())
            if sections.section_of(p) == section.slug
        )
    context = {
        "page": page,
        "audit": audit,
        "section": section,
        "error_summary": page.error_summary() if page.is_bound or return_to_check else [],
        "return_to_check": return_to_check,
        # A new audit in an activity of its own tool posts back to its own address.
        "new_activity": page.activity if audit is None else None,
        **extra,
    }
    if audit is None and page.tool.is_standard and section.kind == "about":
        # Activities assigned to the auditor that use a tool of their own start from here.
        from .schedule.selectors import assigned_activities

        context["own_tool_activities"] = (
            assigned_activities(request.user, today=timezone.localdate())
            .filter(tool__isnull=False)
            .exclude(tool__family=STANDARD_FAMILY)
            .select_related("tool")
        )
    if section.kind == "about":
        case_reference = (
            page.header.data.get("case_reference")
            if page.header.is_bound
            else getattr(audit, "case_reference", "")
        )
        context["earlier"] = selectors.earlier_audits(
            case_reference=(case_reference or "").strip(),
            user=request.user,
            exclude_pk=getattr(audit, "pk", None),
        )
    return render(request, "audits/audit_section.html", context, status=status)


@require_POST
def audit_autosave_new(request):
    """The first autosave of a new audit (its About the case page) starts its draft; the page
    then autosaves to it."""
    require("audits.start_audit", request.user, error=PermissionDenied)
    activity = _new_audit_activity(request)
    tool = services.tool_for(activity)
    section = _section(tool, sections.ABOUT, kind=activity.kind if activity else "")
    return _autosave(request, audit=None, tool=tool, section=section, activity=activity)


@require_POST
def audit_autosave(request, pk, section):
    """Save a section page as a draft while the user types (static/js/autosave.js); JSON
    answers."""
    audit = _section_audit(request, pk, section)
    return _autosave(request, audit=audit, tool=audit.tool, section=_audit_section(audit, section))


def _autosave(request, *, audit, tool, section, activity=None):
    page = _form_page(request, audit, tool, section, activity)
    started = audit is None
    try:
        audit, content = _save_page(request, page, audit)
    except autosave.Refused as refused:
        return refused.json(errors=page.error_summary())
    # A new audit's page learns the addresses of the draft it started; a draft's page keeps its
    # own (with ?return=check when it was opened from Check your answers).
    urls = {"edit_url": reverse("audits:section", args=[audit.pk, section.slug])} if started else {}
    return autosave.saved(
        audit,
        autosave_url=reverse("audits:autosave", args=[audit.pk, section.slug]),
        fields=page.saved_fields(audit, content),
        **urls,
    )


def audit_detail(request, pk):
    # Read once, with its parts: the page shows them all.
    audit = selectors.get_audit_for(
        request.user,
        pk,
        "view",
        related=selectors.PARTS_RELATED,
        prefetch=selectors.parts_prefetch(),
    )
    audit = _with_answers(audit)
    context = {
        "audit": audit,
        # A built tool's audit reads section by section (the standard one, domain by domain).
        "parts": None if audit.tool.is_standard else _answer_parts(audit)[1:-2],
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
    # Counted and paged without the joins the list's queryset makes for its other users; the
    # page's own rows then read just what audit_list.html shows (selectors.list_rows).
    page_obj = Paginator(audit_filter.qs.select_related(None), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page_obj.object_list = selectors.list_rows(page_obj.object_list)
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


def find_case(request):
    """Find a case by its reference, whole or its beginning, among the audits the user may
    see. A reference that is exactly one case's, with audits past draft, goes straight to that
    case's timeline (which shows those); anything else lists the audits found."""
    require("audits.find_case", request.user, error=PermissionDenied)
    form = CaseSearchForm(request.GET if "reference" in request.GET else None)
    context = {"form": form, "page_obj": None}
    if not form.is_bound:
        return render(request, "audits/find_case.html", context)
    if not form.is_valid():
        context["error_summary"] = form.error_summary()
        return render(request, "audits/find_case.html", context, status=400)
    reference = form.cleaned_data["reference"]
    audits = selectors.find_case(user=request.user, reference=reference)
    found = selectors.case_search_summary(audits)
    if found["cases"] == 1 and found["past_draft"] and request.GET.get("page") is None:
        first = audits.first()
        if first.case_reference.upper() == reference.upper():
            return redirect("audits:case_timeline", case_reference=first.case_reference)
    query = request.GET.copy()
    query.pop("page", None)
    context.update(
        reference=reference,
        found=found,
        page_obj=Paginator(audits, PAGE_SIZE).get_page(request.GET.get("page")),
        querystring=query.urlencode(),
    )
    return render(request, "audits/find_case.html", context)


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
