"""Which audits the retention schedule selects, and the period it reads from the settings."""

import datetime

import pytest
from django.utils import timezone

from audits.models import Audit
from audits.retention.selectors import (
    RetentionError,
    audits_to_remove,
    removal_boundary,
    retention_years,
)
from tests.helpers import draft_audit, submitted_audit

day = datetime.date


@pytest.mark.parametrize(
    "today, years, boundary",
    [
        # An audit goes at the first run after the end of the month its period ends in.
        (day(2026, 11, 25), 7, day(2019, 11, 1)),
        (day(2026, 11, 1), 7, day(2019, 11, 1)),
        (day(2026, 10, 31), 7, day(2019, 10, 1)),
        (day(2028, 2, 29), 1, day(2027, 2, 1)),  # a leap day, a year on
        (day(2026, 1, 15), 10, day(2016, 1, 1)),
    ],
)
def test_the_boundary_is_the_start_of_the_month_the_period_reaches_back_to(today, years, boundary):
    assert removal_boundary(today=today, years=years) == boundary


def test_the_default_period_is_seven_years(settings):
    assert settings.RETENTION_YEARS == 7
    assert retention_years() == 7


@pytest.mark.parametrize("years", [0, -3, 101, "7", 7.0, True, None])
def test_a_period_that_is_not_a_whole_number_of_years_is_refused(settings, years):
    settings.RETENTION_YEARS = years
    with pytest.raises(RetentionError, match="whole number of years from 1 to 100"):
        retention_years()


@pytest.mark.django_db
def test_dated_audits_go_by_their_date_and_undated_ones_by_their_last_change():
    before = day(2019, 11, 1)
    last_day_out = submitted_audit(
        audit_date=day(2019, 10, 31), case_reference="CR-10001", today=day(2026, 11, 25)
    )
    first_day_kept = submitted_audit(
        audit_date=before, case_reference="CR-10002", today=day(2026, 11, 25)
    )
    undated_old = draft_audit(audit_date=day(2019, 10, 31), case_reference="CR-10003")
    undated_recent = draft_audit(audit_date=day(2019, 10, 31), case_reference="CR-10004")
    long_ago = timezone.make_aware(datetime.datetime(2019, 10, 31, 23, 59))
    Audit.objects.filter(pk=undated_old.pk).update(audit_date=None, updated_at=long_ago)
    Audit.objects.filter(pk=undated_recent.pk).update(audit_date=None)

    chosen = set(audits_to_remove(before=before).values_list("case_reference", flat=True))

    assert chosen == {"CR-10001", "CR-10003"}
    assert last_day_out and first_day_kept
