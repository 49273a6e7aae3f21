"""Which audits the retention schedule deletes, and the period it reads from the settings."""

import datetime

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import DomainError
from ..models import Audit
from ..periods import month_start, years_before

# Beyond a century the cutoff would pass the earliest date the app takes (audits.periods).
MAX_RETENTION_YEARS = 100


class RetentionError(DomainError):
    """The retention schedule cannot run as asked; the message says why."""


def retention_years() -> int:
    """settings.RETENTION_YEARS, checked: a whole number of years from 1 to 100."""
    years = getattr(settings, "RETENTION_YEARS", None)
    if (
        isinstance(years, bool)
        or not isinstance(years, int)
        or not 1 <= years <= MAX_RETENTION_YEARS
    ):
        raise RetentionError(
            _(
                "RETENTION_YEARS must be a whole number of years from 1 to %(max)s, "
                "such as 7; it is %(value)r."
            )
            % {"max": MAX_RETENTION_YEARS, "value": years}
        )
    return years


def removal_boundary(*, today: datetime.date, years: int) -> datetime.date:
    """The first day whose audits are kept: the start of the month that ``years`` years
    before ``today`` falls in. Every audit dated before it is deleted."""
    return month_start(years_before(today, years))


def audits_to_remove(*, before: datetime.date) -> QuerySet[Audit]:
    """The audits dated before ``before``; and those with no audit date last changed before
    it (a draft never given a date carries case data too, and one someone is still working
    on is never removed). Oldest first."""
    start_of_day = datetime.datetime.combine(
        before, datetime.time.min, tzinfo=timezone.get_current_timezone()
    )
    return Audit.objects.filter(
        Q(audit_date__lt=before) | Q(audit_date__isnull=True, updated_at__lt=start_of_day)
    ).order_by("audit_date", "updated_at", "pk")
