"""The machine-readable report: the JSON contract shared by the command and the web endpoint.

The contract's keys are fixed; ``actions``, ``previous``, ``filters`` and ``period_label`` are
extra keys beside them, which the contract allows.
"""

import datetime

from django.utils.translation import gettext as _

from audits import periods
from audits.errors import DomainError
from audits.models import AuditActivity, CaseType, Strand

from .selectors import ReportScope, report_figures


class ScopeError(DomainError, ValueError):
    """Bad report arguments; the message names the argument and the problem."""


def parse_date(value: str | None, name: str) -> datetime.date:
    if not value:
        raise ScopeError(_("%(name)s is required (YYYY-MM-DD).") % {"name": name})
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ScopeError(
            _("%(name)s “%(value)s” is not a date in the form YYYY-MM-DD.")
            % {"name": name, "value": value}
        ) from None


def scope_from_arguments(
    *,
    start: str | None,
    end: str | None,
    activity: str | None = None,
    strand: str | None = None,
    case_type: str | None = None,
) -> ReportScope:
    """A ReportScope from text arguments (command line or query string), or ScopeError."""
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
