"""The tool builder: QA leads and administrators list, build, preview and version audit tools.

Thin views over audits.tools.services (every change to a tool) and audits.services (copying a
version, making one current). A service's refusal is shown beside the field it names, in the
page's error summary; a version with audits is read-only here and its page says why.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audits import services as audit_services
from audits.models import AuditTool, Question
from audits.permissions import refusal, require
from audits.workflow import AuditError

from . import catalogue
from . import services as tool_services
from .forms import (
    NewToolForm,
    PreviewForm,
    QuestionForm,
    ScaleForm,
    SectionForm,
    ToolDetailsForm,
    add_tool_error,
    question_initial,
    scale_initial,
    standard_scale_initial,
)
from .kinds import QuestionKind
from .services import ToolError

# The button that fills the scale with the standard one, on the new tool and scale pages.
STANDARD_SCALE_BUTTON = "standard_scale"


def _require_builder(user):
    require("audits.build_tools", user, error=PermissionDenied)


def _tool(request, pk) -> AuditTool:
    _require_builder(request.user)
    return catalogue.tool_for_page(pk)


def _changeable(request, tool):
    """None when the user may change ``tool``; else a redirect to its page saying why not."""
    reason = refusal("audits.change_tool", request.user, tool)
    if reason is None:
        return None
    messages.warning(request, reason)
    return redirect("audits:tool", pk=tool.pk)


def _render_form(request, template, form, context):
    status = 400 if form.errors else 200
    return render(
        request,
        template,
        {"form": form, "error_summary": form.error_summary(), **context},
        status=status,
    )


def tool_list(request):
    _require_builder(request.user)
    return render(request, "audits/tools/tool_list.html", {"families": catalogue.tool_families()})


def tool_new(request):
    _require_builder(request.user)
    if request.method == "POST" and STANDARD_SCALE_BUTTON in request.POST:
        # Start from the standard scale, keeping what was typed above it.
        typed = {name: request.POST.get(name, "") for name in ("name", "description")}
        typed["has_overall_grade"] = bool(request.POST.get("has_overall_grade"))
        form = NewToolForm(initial={**typed, **standard_scale_initial()})
        return _render_form(request, "audits/tools/tool_new.html", form, {})
    form = NewToolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tool = tool_services.tool_build(
                name=data["name"],
                description=data["description"],
                has_overall_grade=data["has_overall_grade"],
                grades=data["grades"],
                by=request.user,
            )
        except ToolError as error:
            add_tool_error(form, error)
        else:
            messages.success(
                request,
                _("Tool “%(name)s” made. Add its sections and questions.") % {"name": tool.name},
            )
            return redirect("audits:tool", pk=tool.pk)
    return _render_form(request, "audits/tools/tool_new.html", form, {})


def tool_detail(request, pk):
    tool = _tool(request, pk)
    context = {
        "tool": tool,
        "sections": catalogue.sections_of(tool),
        "domains": tool.domains.order_by("number") if tool.is_standard else (),
        "grades": tool.grades.all(),
        "other_versions": catalogue.other_versions(tool),
        "locked_reason": refusal("audits.change_tool", request.user, tool),
        "question_kinds": QuestionKind,
    }
    return render(request, "audits/tools/tool_detail.html", context)


def tool_preview(request, pk):
    tool = _tool(request, pk)
    if tool.is_standard:
        return redirect("audits:tool", pk=tool.pk)
    form = PreviewForm(tool=tool, sections=catalogue.sections_of(tool))
    parts, overall = form.section_parts()
    return render(
        request,
        "audits/tools/tool_preview.html",
        {"tool": tool, "form": form, "parts": parts, "overall": overall},
    )


def tool_edit(request, pk):
    tool = _tool(request, pk)
    if refused := _changeable(request, tool):
        return refused
    form = ToolDetailsForm(
        request.POST or None,
        initial={
            "name": tool.name,
            "description": tool.description,
            "has_overall_grade": tool.has_overall_grade,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            tool_services.tool_update(tool=tool, **form.cleaned_data)
        except ToolError as error:
            add_tool_error(form, error)
        else:
            messages.success(request, _("The tool's details are saved."))
            return redirect("audits:tool", pk=tool.pk)
    return _render_form(request, "audits/tools/tool_edit.html", form, {"tool": tool})


def tool_scale(request, pk):
    tool = _tool(request, pk)
    if refused := _changeable(request, tool):
        return refused
    if request.method == "POST" and STANDARD_SCALE_BUTTON in request.POST:
        form = ScaleForm(initial=standard_scale_initial())
        return _render_form(request, "audits/tools/tool_scale.html", form, {"tool": tool})
    form = ScaleForm(
        request.POST or None,
        initial=scale_initial((g.label, g.is_good) for g in tool.grades.all()),
    )
    if request.method == "POST" and form.is_valid():
        try:
            tool_services.tool_set_scale(tool=tool, grades=form.cleaned_data["grades"])
        except ToolError as error:
            add_tool_error(form, error)
        else:
            messages.success(request, _("The tool's scale is saved."))
            return redirect("audits:tool", pk=tool.pk)
    return _render_form(request, "audits/tools/tool_scale.html", form, {"tool": tool})


def section_new(request, pk):
    return _section_form(request, pk, section_pk=None)


def section_edit(request, pk, section_pk):
    return _section_form(request, pk, section_pk=section_pk)


def _section_form(request, pk, *, section_pk):
    tool = _tool(request, pk)
    section = None if section_pk is None else get_object_or_404(tool.sections, pk=section_pk)
    if refused := _changeable(request, tool):
        return refused
    initial = {} if section is None else {"title": section.title, "guidance": section.guidance}
    form = SectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if section is None:
                section = tool_services.section_add(tool=tool, **form.cleaned_data)
            else:
                tool_services.section_update(section=section, **form.cleaned_data)
        except ToolError as error:
            add_tool_error(form, error)
        else:
            messages.success(request, _("Section “%(title)s” saved.") % {"title": section.title})
            return redirect(f"{tool_page(tool)}#section-{section.number}")
    return _render_form(
        request, "audits/tools/section_form.html", form, {"tool": tool, "section": section}
    )


def question_new(request, pk, section_pk):
    tool = _tool(request, pk)
    section = get_object_or_404(tool.sections, pk=section_pk)
    return _question_form(request, tool, section, question=None)


def question_edit(request, pk, question_pk):
    tool = _tool(request, pk)
    question = get_object_or_404(
        Question.objects.select_related("section"), pk=question_pk, section__tool=tool
    )
    return _question_form(request, tool, question.section, question=question)


def _question_form(request, tool, section, *, question):
    if refused := _changeable(request, tool):
        return refused
    initial = {"required": True} if question is None else question_initial(question)
    form = QuestionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if question is None:
                question = tool_services.question_add(section=section, **form.cleaned_data)
            else:
                tool_services.question_update(question=question, **form.cleaned_data)
        except ToolError as error:
            add_tool_error(form, error)
        else:
            messages.success(
                request,
                _("Question %(number)s saved.") % {"number": f"{section.number}.{question.number}"},
            )
            return redirect(f"{tool_page(tool)}#section-{section.number}")
    return _render_form(
        request,
        "audits/tools/question_form.html",
        form,
        {"tool": tool, "section": section, "question": question},
    )


def section_remove(request, pk, section_pk):
    tool = _tool(request, pk)
    section = get_object_or_404(tool.sections, pk=section_pk)
    what = _("section %(number)s, “%(title)s”, and its questions") % {
        "number": section.number,
        "title": section.title,
    }
    return _remove(request, tool, what, lambda: tool_services.section_remove(section=section))


def question_remove(request, pk, question_pk):
    tool = _tool(request, pk)
    question = get_object_or_404(
        Question.objects.select_related("section"), pk=question_pk, section__tool=tool
    )
    what = _("question %(number)s, “%(text)s”") % {
        "number": f"{question.section.number}.{question.number}",
        "text": question.text,
    }
    return _remove(request, tool, what, lambda: tool_services.question_remove(question=question))


def _remove(request, tool, what, remove):
    """Ask before removing ``what``; remove it on POST."""
    if refused := _changeable(request, tool):
        return refused
    error_summary = []
    if request.method == "POST":
        try:
            remove()
        except ToolError as error:
            error_summary = [(None, error.message)]
        else:
            messages.success(request, _("Removed %(what)s.") % {"what": what})
            return redirect("audits:tool", pk=tool.pk)
    return render(
        request,
        "audits/tools/confirm_remove.html",
        {"tool": tool, "what": what, "error_summary": error_summary},
        status=400 if error_summary else 200,
    )


@require_POST
def tool_new_version(request, pk):
    tool = _tool(request, pk)
    require("audits.version_tool", request.user, tool, error=PermissionDenied)
    copy = audit_services.tool_copy_as_new_version(source=tool)
    messages.success(
        request,
        _(
            "Version %(version)s made as a copy of version %(source)s. Change it, then make it "
            "current for new activities."
        )
        % {"version": copy.version, "source": tool.version},
    )
    return redirect("audits:tool", pk=copy.pk)


@require_POST
def tool_make_current(request, pk):
    tool = _tool(request, pk)
    require("audits.version_tool", request.user, tool, error=PermissionDenied)
    try:
        audit_services.tool_make_current(tool=tool)
    except AuditError as error:
        messages.warning(request, error.message)
    else:
        messages.success(
            request,
            _("Version %(version)s is now the current version of %(name)s.")
            % {"version": tool.version, "name": tool.name},
        )
    return redirect("audits:tool", pk=tool.pk)


def tool_page(tool) -> str:
    return reverse("audits:tool", args=[tool.pk])
