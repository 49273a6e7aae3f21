"""The machine-readable report: the JSON contract shared by the command and the web endpoint.

The contract's keys are fixed; ``actions``, ``previous``, ``filters`` and ``period_label`` are
extra keys beside them, which the contract allows.
"""

import datetime
import re

from django.utils.translation import gettext as _

from audits import periods
from audits.errors import DomainError
from audits.models import AuditActivity, CaseType, Strand
from audits.rules import null_character_error

from .figures import report_figures
from .selectors import ReportScope

# The contract's one date form. Not date.fromisoformat alone: on Python 3.11 it also takes
# 20260105 and week dates such as 2026-W02-1.
DATE_RE = re.compile(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


class ScopeError(DomainError, ValueError):
    """Bad report arguments; the message names the argument and the problem."""


def parse_date(value: str | None, name: str) -> datetime.date:
    if not value:
        raise ScopeError(_("%(name)s is required (YYYY-MM-DD).") % {"name": name})
    try:
        day = datetime.date.fromisoformat(value) if DATE_RE.match(value) else None
    except ValueError:  # the right form but no such day, such as 2026-02-30
        day = None
    if day is None:
        raise ScopeError(
            _("%(name)s “%(value)s” is not a date in the form YYYY-MM-DD.")
            % {"name": name, "value": value}
        )
    if error := periods.report_date_error(day, name):
        raise ScopeError(error)
    return day


def scope_from_arguments(
    *,
    start: str | None,
    end: str | None,
    activity: str | None = None,
    strand: str | None = None,
    case_type: str | None = None,
) -> ReportScope:
    """A ReportScope from text arguments (command line or query string), or ScopeError."""
    arguments = {
        "start": start,
        "end": end,
        "activity": activity,
        "strand": strand,
        "case type": case_type,
    }
    for name, value in arguments.items():
        if error := null_character_error(value or "", name):
            raise ScopeError(error)
    start_date, end_date = parse_date(start, "start"), parse_date(end, "end")
    if end_date < start_date:
        raise ScopeError(
            _("end %(end)s is before start %(start)s.") % {"end": end_date, "start": start_date}
        )
    activity_obj = strand_obj = case_type_obj = None
    if activity:
        matches = list(AuditActivity.objects.filter(name=activity))
        if not matches:
            raise ScopeError(_("activity “%(name)s” does not exist.") % {"name": activity})
        if len(matches) > 1:
            in_period = [a for a in matches if start_date <= a.month <= end_date]
            if len(in_period) != 1:
                raise ScopeError(
                    _(
                        "activity “%(name)s” names %(n)s activities; narrow the "
                        "period to the month you mean."
                    )
                    % {"name": activity, "n": len(matches)}
                )
            matches = in_period
        activity_obj = matches[0]
    if strand:
        strand_obj = Strand.objects.filter(slug=strand).first()
        if strand_obj is None:
            raise ScopeError(
                _("strand “%(slug)s” is unknown (use %(known)s).")
                % {"slug": strand, "known": "|".join(Strand.objects.values_list("slug", flat=True))}
            )
    if case_type:
        case_type_obj = CaseType.objects.filter(slug=case_type).first()
        if case_type_obj is None:
            raise ScopeError(_("case type “%(slug)s” is unknown.") % {"slug": case_type})
    return ReportScope(
        periods.date_range(start_date, end_date), activity_obj, strand_obj, case_type_obj
    )


def summary(scope: ReportScope, *, today: datetime.date | None = None) -> dict:
    """The JSON-ready summary for ``scope``."""
    from django.utils import timezone

    return report_figures(scope, today=today or timezone.localdate())
