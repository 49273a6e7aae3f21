"""In-year checkpoints of QA targets: the actual from 1 April to each checkpoint's date,
counted independently here from the cohort; which checkpoints a period shows; the RAG; the
pages that add, change and remove them, and the errors they name."""

import datetime
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits import periods
from audits.models import Status, Strand
from reports.figures import report_figures
from reports.models import TargetCheckpoint
from reports.rendering.html import report_html
from reports.selectors import ReportScope
from reports.targets.measures import targets_table
from reports.targets.services import (
    TargetError,
    checkpoint_add,
    checkpoint_delete,
    checkpoint_update,
    manual_actual_set,
    target_create,
)
from tests import factories
from tests.helpers import date_parts
from tests.reports import GRADES, NA, TODAY, AuditSpec, D, E, M, build_through_import

pytestmark = pytest.mark.django_db

day = datetime.date
SEPTEMBER, DECEMBER = day(2026, 9, 30), day(2026, 12, 31)
KEYS = {
    "id",
    "name",
    "measure",
    "measure_label",
    "domain_number",
    "direction",
    "target",
    "tolerance",
    "amber_limit",
    "actual",
    "rag",
    "rag_label",
    "unit",
    "target_text",
    "amber_text",
    "actual_text",
}


def make_target(lead, *, name="Good or better", measure="good_or_better", value="60", **kw):
    return target_create(
        by=lead,
        financial_year=2026,
        name=name,
        measure=measure,
        direction=kw.pop("direction", "at_least"),
        target_value=value,
        amber_tolerance=kw.pop("tolerance", 0),
        **kw,
    )


def one_place(part: int, whole: int) -> float | None:
    """100 * part / whole to one decimal place, halves up; None of nothing."""
    if not whole:
        return None
    exact = Decimal(100 * part) / Decimal(whole)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def rating(direction, target, tolerance, actual) -> str:
    if actual is None:
        return "grey"
    if direction == "at_least":
        return "green" if actual >= target else "amber" if actual >= target - tolerance else "red"
    return "green" if actual <= target else "amber" if actual <= target + tolerance else "red"


audit_specs = st.builds(
    AuditSpec,
    audit_date=st.dates(min_value=day(2026, 3, 1), max_value=TODAY),
    overall=st.sampled_from(GRADES),
    moderated=st.sampled_from(("", *GRADES)),
    domains=st.lists(st.sampled_from((E, M, D, NA)), min_size=12, max_size=12).map(tuple),
    practice=st.booleans(),
    strand=st.sampled_from(("social_care", "early_help")),
    activity=st.just("Activity A"),
).map(lambda s: replace(s, status=Status.COMPLETED) if s.moderated else s)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cohort=st.lists(audit_specs, max_size=25),
    period=st.sampled_from(
        [periods.quarter(2026, 1), periods.quarter(2026, 2), periods.quarter(2026, 3)]
    ),
    strand=st.sampled_from([None, "social_care"]),
)
def test_checkpoint_actuals_equal_an_independent_count(cohort, period, strand):
    with transaction.atomic():
        try:
            lead = factories.qa_lead()
            good = make_target(lead, value="60", tolerance="10")
            domain = make_target(
                lead,
                name="Domain 4 not met",
                measure="domain_not_met",
                domain_number=4,
                direction="at_most",
                value="30",
                tolerance="5",
            )
            for target, values in ((good, ("50", "65")), (domain, ("40", "25"))):
                checkpoint_add(target=target, by=lead, date=SEPTEMBER, target_value=values[0])
                checkpoint_add(target=target, by=lead, date=DECEMBER, target_value=values[1])
            checkpoint_add(target=good, by=lead, date=day(2027, 3, 31), target_value="70")
            build_through_import(cohort)
            scope = ReportScope(period, strand=strand and Strand.objects.get(slug=strand))

            rows = report_figures(scope, today=TODAY)["targets"]

            counted = [
                s
                for s in cohort
                if s.status != Status.DRAFT and not s.practice and strand in (None, s.strand)
            ]
            expected = {}
            for target, values in ((good, ("50", "65")), (domain, ("40", "25"))):
                entries = []
                for date, value in zip((SEPTEMBER, DECEMBER), values):
                    if date > period.end:
                        continue
                    year = [s for s in counted if day(2026, 4, 1) <= s.audit_date <= date]
                    if target is good:
                        actual = one_place(sum(s.final in (E, M) for s in year), len(year))
                    else:
                        applies = [s for s in year if s.domains[3] != NA]
                        actual = one_place(sum(s.domains[3] == D for s in applies), len(applies))
                    entries.append(
                        {
                            "date": date.isoformat(),
                            "target": float(value),
                            "actual": actual,
                            "rag": rating(
                                target.direction,
                                float(value),
                                float(target.amber_tolerance),
                                actual,
                            ),
                        }
                    )
                expected[target.name] = entries
            got = {
                row["name"]: [
                    {k: c[k] for k in ("date", "target", "actual", "rag")}
                    for c in row["checkpoints"]
                ]
                for row in rows
            }
            assert got == expected
            # The entries keep every key they had, with the checkpoints beside them.
            assert all(set(row) == KEYS | {"checkpoints"} for row in rows)
        finally:
            transaction.set_rollback(True)


def test_a_manual_target_takes_the_value_entered_for_the_year_to_the_checkpoint():
    lead = factories.qa_lead()
    target = make_target(lead, name="From elsewhere", measure="manual", value="80", tolerance="5")
    checkpoint_add(target=target, by=lead, date=SEPTEMBER, target_value="70")
    checkpoint_add(target=target, by=lead, date=DECEMBER, target_value="75")
    manual_actual_set(
        target=target, by=lead, period=periods.date_range(day(2026, 4, 1), SEPTEMBER), value="66"
    )

    rows = report_figures(ReportScope(periods.quarter(2026, 3)), today=TODAY)["targets"]

    september, december = rows[0]["checkpoints"]
    assert (september["actual"], september["rag"], september["actual_text"]) == (
        66.0,
        "amber",
        "66.0%",
    )
    assert (december["actual"], december["rag"]) == (None, "grey")
    assert september["label"] == "By 30 September 2026"
    assert september["target_text"] == "≥ 70%"


def test_the_page_and_the_pdf_show_the_checkpoints():
    lead = factories.qa_lead()
    target = make_target(lead)
    checkpoint_add(target=target, by=lead, date=SEPTEMBER, target_value="55")
    figures = report_figures(ReportScope(periods.quarter(2026, 2)), today=TODAY)

    html = report_html(figures=figures, for_pdf=False)

    assert "By 30 September 2026" in html
    assert "checkpoint-row rag-grey" in html
    figures["targets"][0].pop("checkpoints")  # published before checkpoints: still renders
    assert "By 30 September" not in report_html(figures=figures, for_pdf=False)


# --- The services' rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "value", "field", "message"),
    [
        (day(2026, 3, 31), "50", "date", "must be in 2026/27"),
        (day(2027, 4, 1), "50", "date", "must be in 2026/27"),
        (None, "50", "date", "Enter the checkpoint date"),
        (SEPTEMBER, "101", "target_value", "between 0 and 100"),
        (SEPTEMBER, "", "target_value", "Enter the target at the checkpoint"),
        (SEPTEMBER, "50.123", "target_value", "two decimal places"),
    ],
)
def test_bad_checkpoints_are_refused_naming_the_field(date, value, field, message):
    lead = factories.qa_lead()
    target = make_target(lead)
    with pytest.raises(TargetError) as error:
        checkpoint_add(target=target, by=lead, date=date, target_value=value)
    assert error.value.field == field
    assert message in str(error.value)
    assert not TargetCheckpoint.objects.exists()


def test_one_checkpoint_a_date_and_only_qa_leads_set_them():
    lead = factories.qa_lead()
    target = make_target(lead)
    first = checkpoint_add(target=target, by=lead, date=SEPTEMBER, target_value="50")
    with pytest.raises(TargetError, match="already has a checkpoint on 30 September 2026"):
        checkpoint_add(target=target, by=lead, date=SEPTEMBER, target_value="55")
    second = checkpoint_add(target=target, by=lead, date=DECEMBER, target_value="55")
    with pytest.raises(TargetError, match="already has a checkpoint"):
        checkpoint_update(checkpoint=second, by=lead, date=SEPTEMBER, target_value="55")
    with pytest.raises(TargetError):
        checkpoint_add(target=target, by=factories.auditor(), date=day(2026, 6, 30), target_value=1)
    with pytest.raises(TargetError):
        checkpoint_delete(checkpoint=first, by=factories.administrator())
    checkpoint_update(checkpoint=first, by=lead, date=SEPTEMBER, target_value="52.5")
    assert list(target.checkpoints.values_list("date", "target_value")) == [
        (SEPTEMBER, Decimal("52.50")),
        (DECEMBER, Decimal("55.00")),
    ]


# --- The pages ------------------------------------------------------------------------------------


def test_a_qa_lead_adds_changes_and_removes_a_checkpoint(client, qa_lead_user):
    target = make_target(qa_lead_user)
    client.force_login(qa_lead_user)
    url = reverse("reports:target_checkpoints", args=[target.pk])

    response = client.post(url, {**date_parts("date", SEPTEMBER), "target_value": "50"})
    assert response.status_code == 302
    checkpoint = target.checkpoints.get()
    assert (checkpoint.date, checkpoint.target_value) == (SEPTEMBER, Decimal("50"))
    assert "30 September 2026" in client.get(url).content.decode()

    edit = reverse("reports:checkpoint_edit", args=[checkpoint.pk])
    response = client.post(edit, {**date_parts("date", DECEMBER), "target_value": "55"})
    assert response.status_code == 302
    checkpoint.refresh_from_db()
    assert (checkpoint.date, checkpoint.target_value) == (DECEMBER, Decimal("55"))

    response = client.post(reverse("reports:checkpoint_delete", args=[checkpoint.pk]))
    assert response.status_code == 302
    assert not target.checkpoints.exists()
    targets_page = client.get(reverse("reports:targets") + "?year=2026").content.decode()
    assert url in targets_page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {**date_parts("date", day(2027, 5, 1)), "target_value": "50"},
            "The checkpoint date must be in 2026/27",
        ),
        ({**date_parts("date", SEPTEMBER), "target_value": "50"}, "already has a checkpoint"),
        ({**date_parts("date", SEPTEMBER), "target_value": "150"}, "between 0 and 100"),
        ({"date_day": "31", "date_month": "2", "date_year": "2027", "target_value": "5"}, "date"),
    ],
)
def test_the_form_names_bad_input(client, qa_lead_user, data, message):
    target = make_target(qa_lead_user)
    checkpoint_add(target=target, by=qa_lead_user, date=SEPTEMBER, target_value="40")
    client.force_login(qa_lead_user)

    response = client.post(reverse("reports:target_checkpoints", args=[target.pk]), data)

    html = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in html
    assert message in html
    assert target.checkpoints.count() == 1


@pytest.mark.parametrize("who", ["owner", "moderator_user", "administrator_user"])
def test_only_qa_leads_reach_the_checkpoint_pages(client, request, who):
    lead = factories.qa_lead()
    target = make_target(lead)
    checkpoint = checkpoint_add(target=target, by=lead, date=SEPTEMBER, target_value="40")
    client.force_login(request.getfixturevalue(who))
    for url in (
        reverse("reports:target_checkpoints", args=[target.pk]),
        reverse("reports:checkpoint_edit", args=[checkpoint.pk]),
        reverse("reports:checkpoint_delete", args=[checkpoint.pk]),
    ):
        assert client.get(url).status_code == 403
        assert client.post(url, {"target_value": "1"}).status_code == 403
    assert TargetCheckpoint.objects.get().target_value == Decimal("40")


def test_a_missing_checkpoint_is_404(client, qa_lead_user):
    client.force_login(qa_lead_user)
    assert client.get(reverse("reports:checkpoint_edit", args=[99999])).status_code == 404


def test_the_targets_page_shows_the_checkpoints_reached_so_far(client, qa_lead_user, monkeypatch):
    monkeypatch.setattr("reports.targets.views._today", lambda: TODAY)  # 25 November 2026
    target = make_target(qa_lead_user)
    for date in (SEPTEMBER, DECEMBER):
        checkpoint_add(target=target, by=qa_lead_user, date=date, target_value="50")
    client.force_login(qa_lead_user)

    html = client.get(reverse("reports:targets") + "?year=2026").content.decode()

    assert "By 30 September 2026" in html
    assert "By 31 December 2026" not in html  # not reached by the year to date


def test_the_checkpoints_queries_do_not_grow_with_the_audits():
    lead = factories.qa_lead()
    for name, measure in (("Good", "good_or_better"), ("Moderated", "moderation_rate")):
        target = make_target(lead, name=name, measure=measure)
        for date in (day(2026, 6, 30), SEPTEMBER):
            checkpoint_add(target=target, by=lead, date=date, target_value="50")
    scope = ReportScope(periods.quarter(2026, 2))
    build_through_import([AuditSpec(day(2026, 5, 3), overall=M)], prefix="CR-F")
    with CaptureQueriesContext(connection) as few:
        targets_table(scope)
    build_through_import(
        [AuditSpec(day(2026, 5, 3) + datetime.timedelta(n % 150)) for n in range(200)]
    )
    with CaptureQueriesContext(connection) as many:
        rows = targets_table(scope)

    assert len(few) == len(many)
    assert rows[0]["checkpoints"][0]["actual"] == 100.0  # every audit Meets good
