"""Writes to the audit schedule: planning and changing audit activities."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import (
    AuditActivity,
)
from ..periods import month_start
from ..revisions import bump_revision, check_revision
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
)


def _activity_values(values: dict) -> dict:
    values = dict(values)
    values["month"] = month_start(values["month"])
    if values.get("due_date") and values["due_date"] < values["month"]:
        raise AuditError(_("The due date cannot be before the activity's month."), field="due_date")
    rate = values.get("moderation_rate")
    if rate is not None and not 0 <= rate <= 100:
        raise AuditError(
            _("The moderation rate is a percentage from 0 to 100."), field="moderation_rate"
        )
    return values


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
    always_moderate_not_met.
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
    """Change a planned activity. Audits already made keep their sampling decisions. Refused
    with RevisionConflict if it was saved from another page since ``expected_revision``."""
    activity = AuditActivity.objects.select_for_update().get(pk=activity.pk)
    check_revision(activity, expected=expected_revision, page=page, by=by)
    values = _activity_values({"name": activity.name, "month": activity.month, **values})
    _check_unique_activity(values["name"], values["month"], exclude_pk=activity.pk)
    fields = [k for k in ACTIVITY_FIELDS if k in values]
    for key in fields:
        setattr(activity, key, values[key])
    bump_revision(activity, by=by, page=page, fields=fields)
    activity.case_types.set(case_types)
    activity.auditors.set(auditors)
    return activity
