"""Writes to the audit schedule: planning and changing audit activities."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import (
    AuditActivity,
    Question,
)
from ..periods import month_start
from ..revisions import bump_revision, check_revision
from ..tools.kinds import AGENCY_KINDS, ActivityKind
from ..workflow import AuditError

ACTIVITY_FIELDS = (
    "name",
    "month",
    "theme",
    "strand",
    "planned_audits",
    "due_date",
    "moderation_rate",
    "always_moderate_not_met",
    "kind",
    "tool",
    "agencies",
)


def _activity_values(values: dict) -> dict:
    values = dict(values)
    values["month"] = month_start(values["month"])
    if values.get("due_date") and values["due_date"] < values["month"]:
        raise AuditError(_("The due date cannot be before the activity's month."), field="due_date")
    _check_kind(values)
    rate = values.get("moderation_rate")
    if rate is not None and not 0 <= rate <= 100:
        raise AuditError(
            _("The moderation rate is a percentage from 0 to 100."), field="moderation_rate"
        )
    return values


def _check_kind(values: dict) -> None:
    """The kind is known, the tool has questions to ask, and agencies are listed for (and only
    for) a multi-agency audit."""
    kind = values.get("kind") or ActivityKind.CASE_FILE
    if kind not in ActivityKind.values:
        raise AuditError(_("Choose the kind of activity."), field="kind")
    tool = values.get("tool")
    if tool is not None and not tool.is_standard:
        if not Question.objects.filter(section__tool=tool).exists():
            raise AuditError(
                _("%(tool)s has no questions yet: add them before an activity uses it.")
                % {"tool": tool},
                field="tool",
            )
    agencies = [a.strip() for a in values.get("agencies") or () if a.strip()]
    if kind in AGENCY_KINDS and not agencies:
        raise AuditError(
            _("List the agencies taking part in the multi-agency audit, one per line."),
            field="agencies",
        )
    if agencies and kind not in AGENCY_KINDS:
        raise AuditError(
            _(
                "Only a multi-agency audit has agencies taking part: remove them, or choose "
                "Multi-agency audit."
            ),
            field="agencies",
        )
    if len({a.lower() for a in agencies}) != len(agencies):
        raise AuditError(_("An agency is listed twice."), field="agencies")
    if any(len(a) > 200 for a in agencies):
        raise AuditError(_("An agency's name can be at most 200 characters."), field="agencies")
    if "agencies" in values:
        values["agencies"] = agencies


def _check_tool_change(activity: AuditActivity, values: dict) -> None:
    """An activity's audits are all made with one tool: once it has audits, its tool stays."""
    if "tool" not in values or values["tool"] == activity.tool:
        return
    if activity.audits.exists():
        raise AuditError(
            _(
                "This activity already has audits made with %(tool)s, so its tool cannot "
                "change. Plan a new activity for the other tool."
            )
            % {"tool": activity.tool or _("the standard tool")},
            field="tool",
        )


def _check_unique_activity(name, month, exclude_pk=None) -> None:
    clash = AuditActivity.objects.filter(name=name, month=month).exclude(pk=exclude_pk)
    if clash.exists():
        raise AuditError(
            _("There is already an activity called “%(name)s” in %(month)s.")
            % {"name": name, "month": f"{month:%B %Y}"},
            field="name",
        )


@transaction.atomic
def activity_create(
    *, name: str, month: datetime.date, by=None, case_types=(), auditors=(), **values
) -> AuditActivity:
    """Plan an audit activity for a month. ``month`` is normalised to its first day.

    Other keyword arguments: theme, strand, planned_audits, due_date, moderation_rate,
    always_moderate_not_met, kind (ActivityKind), tool (None: the standard tool), agencies
    (a list, for a multi-agency audit only).
    """
    values = _activity_values({"name": name, "month": month, **values})
    _check_unique_activity(values["name"], values["month"])
    values = {k: v for k, v in values.items() if k in ACTIVITY_FIELDS and v is not None}
    activity = AuditActivity.objects.create(created_by=by, **values)
    activity.case_types.set(case_types)
    activity.auditors.set(auditors)
    return activity


@transaction.atomic
def activity_update(
    *,
    activity: AuditActivity,
    by,
    case_types=(),
    auditors=(),
    expected_revision: int | None = None,
    page: str = "",
    **values,
) -> AuditActivity:
    """Change a planned activity. Audits already made keep their sampling decisions, and an
    activity with audits keeps its tool. Refused with RevisionConflict if it was saved from
    another page since ``expected_revision``."""
    activity = AuditActivity.objects.select_for_update().get(pk=activity.pk)
    check_revision(activity, expected=expected_revision, page=page, by=by)
    values.setdefault("kind", activity.kind)
    values.setdefault("agencies", activity.agencies)
    values = _activity_values({"name": activity.name, "month": activity.month, **values})
    _check_unique_activity(values["name"], values["month"], exclude_pk=activity.pk)
    _check_tool_change(activity, values)
    fields = [k for k in ACTIVITY_FIELDS if k in values]
    for key in fields:
        setattr(activity, key, values[key])
    bump_revision(activity, by=by, page=page, fields=fields)
    activity.case_types.set(case_types)
    activity.auditors.set(auditors)
    return activity
