"""Reads for the tool builder's pages: the tools with their versions, and one version with its
scale, sections and questions. (The results of a tool's audits are read elsewhere.)"""

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from audits.models import AuditTool, Question, ToolSection

from .kinds import STANDARD_FAMILY


def tool_versions() -> QuerySet[AuditTool]:
    """Every version of every tool, the standard tool first, each with its number of audits
    and of activities."""
    return AuditTool.objects.annotate(
        audit_count=Count("audits", distinct=True),
        activity_count=Count("activities", distinct=True),
    ).order_by("family", "-version")


def tool_families() -> list[dict]:
    """The tools as the list shows them: one entry per family (the standard tool first, then by
    the name of its newest version), with its versions newest first."""
    families: dict[str, dict] = {}
    for tool in tool_versions():
        family = families.setdefault(
            tool.family,
            {
                "family": tool.family,
                "is_standard": tool.is_standard,
                "name": tool.name,
                "versions": [],
            },
        )
        family["versions"].append(tool)
    return sorted(
        families.values(),
        key=lambda f: (f["family"] != STANDARD_FAMILY, f["name"].lower(), f["family"]),
    )


def tool_for_page(pk: int) -> AuditTool:
    """One version with what its page shows: its number of audits and activities."""
    return get_object_or_404(tool_versions(), pk=pk)


def sections_of(tool: AuditTool) -> QuerySet[ToolSection]:
    return tool.sections.order_by("number").prefetch_related(
        Prefetch(
            "questions", queryset=Question.objects.order_by("number").select_related("section")
        )
    )


def other_versions(tool: AuditTool) -> QuerySet[AuditTool]:
    return tool_versions().filter(family=tool.family).exclude(pk=tool.pk)
