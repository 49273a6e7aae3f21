"""The QA targets pages: who may open them, the forms and their errors, and the table they show.

QA leads set targets and enter manual values; administrators only look; everyone else is
refused. Writes go through reports.targets.services, whose refusals appear beside the field.
"""

import datetime
import io
import re
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from audits import periods
from audits.models import Status
from reports.models import ManualActual, Target
from reports.services import ReportError
from reports.targets.services import manual_actual_set, target_create, target_delete
from tests import factories
from tests.reports import D, M, build_through_services, spec

STATIC_CSS = Path(__file__).resolve().parents[3] / "static" / "css"

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)
day = datetime.date


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("reports.targets.views._today", lambda: TODAY)


def make_target(lead=None, name="Good or better", measure="good_or_better", value="60", **kw):
    lead = lead or factories.qa_lead()
    return target_create(
        by=lead,
        financial_year=kw.pop("year", 2026),
        name=name,
        measure=measure,
        direction=kw.pop("direction", "at_least"),
        target_value=value,
        amber_tolerance=kw.pop("tolerance", 0),
        **kw,
    )


def form_data(**overrides):
    data = {
        "name": "Assessments good or better",
        "measure": "domain_good",
        "domain_number": "4",
        "direction": "at_least",
        "target_value": "30",
        "amber_tolerance": "5",
        "order": "1",
    }
    data.update(overrides)
    return data


# --- Access ------------------------------------------------------------------------------------

USERS = ["no_role_user", "owner", "moderator_user", "qa_lead_user", "administrator_user"]
PAGES = {
    "targets": ("reports:targets", False),
    "new": ("reports:target_new", False),
    "edit": ("reports:target_edit", True),
    "delete": ("reports:target_delete", True),
    "actual": ("reports:target_actual", True),
}
#                 no role  auditor  moderator  QA lead  administrator
EXPECTED = {
    "targets": (403, 403, 403, 200, 200),
    "new": (403, 403, 403, 200, 403),
    "edit": (403, 403, 403, 200, 403),
    "delete": (403, 403, 403, 200, 403),
    "actual": (403, 403, 403, 200, 403),
}


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("who", USERS)
def test_access_matrix(client, request, page, who):
    target = make_target(measure="manual", name="From elsewhere")
    name, needs_target = PAGES[page]
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse(name, args=[target.pk] if needs_target else []))

    assert response.status_code == EXPECTED[page][USERS.index(who)]


@pytest.mark.parametrize("page", ["targets", "new", "edit"])
def test_anonymous_is_sent_to_log_in(client, page):
    target = make_target()
    name, needs_target = PAGES[page]
    response = client.get(reverse(name, args=[target.pk] if needs_target else []))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["qa_lead_user", "administrator_user"])
@pytest.mark.parametrize("page", ["edit", "delete", "actual"])
def test_a_missing_target_is_404_for_those_who_see_targets(client, request, who, page):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(PAGES[page][0], args=[99999])).status_code == 404


def test_an_administrator_can_change_nothing(client, administrator_user):
    target = make_target(measure="manual", name="From elsewhere")
    client.force_login(administrator_user)

    posts = [
        (reverse("reports:target_new") + "?year=2026", form_data()),
        (reverse("reports:target_edit", args=[target.pk]), form_data(name="Renamed")),
        (reverse("reports:target_delete", args=[target.pk]), {}),
        (
            reverse("reports:target_actual", args=[target.pk]),
            {"kind": "quarter", "financial_year": "2026", "quarter": "2", "value": "90"},
        ),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403
    assert list(Target.objects.values_list("name", flat=True)) == ["From elsewhere"]
    assert not ManualActual.objects.exists()


def test_administrators_see_the_table_without_the_controls(client, administrator_user):
    make_target()
    client.force_login(administrator_user)
    page = client.get(reverse("reports:targets") + "?year=2026").content.decode()
    assert 'id="targets-table"' in page
    assert "Add a target" not in page and 'id="manage-targets"' not in page


def test_only_qa_leads_may_write_through_the_services(owner, administrator_user):
    for user in (owner, administrator_user):
        with pytest.raises(ReportError, match="Only QA leads"):
            make_target(lead=user)
    target = make_target(measure="manual", name="From elsewhere")
    with pytest.raises(ReportError):
        target_delete(target=target, by=administrator_user)
    with pytest.raises(ReportError):
        manual_actual_set(target=target, by=owner, period=periods.quarter(2026, 2), value=90)


# --- The targets page --------------------------------------------------------------------------


def test_the_page_rates_targets_for_the_year_to_date(
    client, qa_lead_user, django_assert_max_num_queries
):
    # Three audits this year: one Meets good, two Does not meet good (33.3% good or better).
    build_through_services(
        [
            spec(day(2026, 5, 4), overall=M),
            spec(day(2026, 8, 3), overall=D),
            spec(day(2026, 11, 2), overall=D),
            # Not this financial year, nor (being after today) yet counted.
            spec(day(2026, 3, 31), overall=M),
        ],
        today=TODAY,
    )
    make_target(qa_lead_user, "Good or better", "good_or_better", "60", tolerance="10")
    make_target(qa_lead_user, "Not met", "not_met", "70", direction="at_most")
    client.force_login(qa_lead_user)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("reports:targets") + "?year=2026")

    page = response.content.decode()
    assert response.status_code == 200
    assert "2026/27 to date (1 April 2026 to 25 November 2026)" in page
    assert [
        (r["name"], r["actual_text"], r["rag"], r["rag_label"]) for r in response.context["targets"]
    ] == [
        ("Good or better", "33.3%", "red", "Red"),
        ("Not met", "66.7%", "green", "Green"),
    ]
    table = page[page.index('id="targets-table"') : page.index("</table>")]
    assert "≥ 60%" in table and "≤ 70%" in table
    assert ">Red</td>" in table and ">Green</td>" in table


def test_a_past_year_is_rated_for_the_whole_year(client, qa_lead_user):
    client.force_login(qa_lead_user)
    response = client.get(reverse("reports:targets") + "?year=2025")
    assert response.context["period"] == periods.financial_year(2025)
    assert "Financial year 2025/26" in response.content.decode()


def test_the_year_defaults_to_the_current_one_and_a_bad_year_is_404(client, qa_lead_user):
    client.force_login(qa_lead_user)
    assert client.get(reverse("reports:targets")).context["year"] == 2026
    assert client.get(reverse("reports:targets") + "?year=26x").status_code == 404
    assert client.get(reverse("reports:targets") + "?year=1850").status_code == 404


def test_the_year_switcher_offers_the_neighbouring_years(client, qa_lead_user):
    make_target(qa_lead_user, year=2019, name="Old target")
    client.force_login(qa_lead_user)
    page = client.get(reverse("reports:targets") + "?year=2026").content.decode()
    assert 'href="?year=2025"' in page and 'href="?year=2027"' in page
    assert '<option value="2019">2019/20</option>' in page
    assert '<option value="2026" selected>2026/27</option>' in page


def test_manual_values_are_listed_with_their_rating(client, qa_lead_user):
    target = make_target(qa_lead_user, "Single assessments in timescale", "manual", "95")
    manual_actual_set(target=target, by=qa_lead_user, period=periods.quarter(2026, 1), value="92.5")
    client.force_login(qa_lead_user)

    page = client.get(reverse("reports:targets") + "?year=2026")

    [entry] = page.context["manual_actuals"]
    assert (entry["value_text"], entry["rag_label"]) == ("92.5%", "Red")
    # The year to date is not a quarter, so the table itself has no value for it.
    assert page.context["targets"][0]["rag"] == "grey"
    assert "No data" in page.content.decode()


# --- Adding, changing and removing targets ----------------------------------------------------


def test_a_qa_lead_adds_a_domain_target(client, qa_lead_user):
    client.force_login(qa_lead_user)

    response = client.post(reverse("reports:target_new") + "?year=2027", form_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("reports:targets") + "?year=2027"
    target = Target.objects.get()
    assert (
        target.financial_year,
        target.measure,
        target.domain_number,
        target.direction,
        str(target.target_value),
        str(target.amber_tolerance),
        target.created_by,
    ) == (2027, "domain_good", 4, "at_least", "30.00", "5.00", qa_lead_user)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (form_data(domain_number=""), "domain_number", "Choose the domain"),
        (form_data(measure="not_met"), "domain_number", "Only the domain measures take a domain"),
        (form_data(target_value="150"), "target_value", "between 0 and 100"),
        (form_data(amber_tolerance="-1"), "amber_tolerance", "between 0 and 100"),
        (form_data(target_value=""), "target_value", "This field is required"),
        (form_data(name="  "), "name", "This field is required"),
    ],
)
def test_a_wrong_target_is_refused_beside_its_field(client, qa_lead_user, data, field, message):
    client.force_login(qa_lead_user)

    response = client.post(reverse("reports:target_new") + "?year=2026", data)

    assert response.status_code == 400
    assert not Target.objects.exists()
    form = response.context["form"]
    assert any(message in error for error in form.errors[field])
    page = response.content.decode()
    assert 'id="error-summary"' in page and f'href="#id_{field}"' in page
    assert 'aria-invalid="true"' in page


def test_every_problem_is_reported_at_once(client, qa_lead_user):
    client.force_login(qa_lead_user)

    response = client.post(
        reverse("reports:target_new") + "?year=2026",
        form_data(domain_number="", target_value="150", amber_tolerance="101"),
    )

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {
        "domain_number",
        "target_value",
        "amber_tolerance",
    }


def test_a_name_already_used_that_year_is_refused(client, qa_lead_user):
    make_target(qa_lead_user, name="Assessments good or better", year=2026)
    client.force_login(qa_lead_user)

    response = client.post(reverse("reports:target_new") + "?year=2026", form_data())

    assert response.status_code == 400
    assert "already has a target called" in response.content.decode()
    # The same name in another year is fine.
    assert client.post(reverse("reports:target_new") + "?year=2027", form_data()).status_code == 302


def test_a_qa_lead_changes_a_target(client, qa_lead_user):
    target = make_target(qa_lead_user, "Not met", "not_met", "20", direction="at_most")
    client.force_login(qa_lead_user)
    url = reverse("reports:target_edit", args=[target.pk])

    assert client.get(url).context["form"].initial["target_value"] == target.target_value
    response = client.post(
        url,
        form_data(
            name="Not met (revised)",
            measure="not_met",
            domain_number="",
            direction="at_most",
            target_value="15",
            amber_tolerance="2.5",
        ),
    )

    assert response.status_code == 302
    target.refresh_from_db()
    assert (
        target.name,
        str(target.target_value),
        str(target.amber_tolerance),
        target.financial_year,
    ) == ("Not met (revised)", "15.00", "2.50", 2026)


def test_removing_asks_first_then_removes(client, qa_lead_user):
    target = make_target(qa_lead_user, measure="manual", name="From elsewhere")
    manual_actual_set(target=target, by=qa_lead_user, period=periods.quarter(2026, 1), value=90)
    client.force_login(qa_lead_user)
    url = reverse("reports:target_delete", args=[target.pk])

    assert "Remove “From elsewhere”?" in client.get(url).content.decode()
    assert Target.objects.exists()
    response = client.post(url)

    assert response.status_code == 302
    assert not Target.objects.exists() and not ManualActual.objects.exists()


# --- Manual values -----------------------------------------------------------------------------


def test_a_qa_lead_enters_and_corrects_a_manual_value(client, qa_lead_user):
    target = make_target(qa_lead_user, "Single assessments in timescale", "manual", "95")
    client.force_login(qa_lead_user)
    url = reverse("reports:target_actual", args=[target.pk])
    quarter_two = {"kind": "quarter", "financial_year": "2026", "quarter": "2", "value": "93"}

    assert client.post(url, quarter_two).status_code == 302
    assert client.post(url, {**quarter_two, "value": "96.5"}).status_code == 302
    assert (
        client.post(
            url, {"kind": "range", "start": "2026-04-01", "end": "2026-11-25", "value": "94"}
        ).status_code
        == 302
    )

    assert list(ManualActual.objects.order_by("end").values_list("start", "end", "value")) == [
        (day(2026, 7, 1), day(2026, 9, 30), pytest.approx(96.5)),
        (day(2026, 4, 1), day(2026, 11, 25), pytest.approx(94)),
    ]
    # The year to date now has a value of its own: 94 against at least 95, no tolerance.
    row = client.get(reverse("reports:targets") + "?year=2026").context["targets"][0]
    assert (row["actual_text"], row["rag"]) == ("94.0%", "red")
    assert "96.5%" in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"kind": "quarter", "financial_year": "2025", "quarter": "2", "value": "90"},
            "kind",
            "the period must start in that financial year",
        ),
        (
            {"kind": "quarter", "financial_year": "2026", "quarter": "2", "value": "101"},
            "value",
            "between 0 and 100",
        ),
        (
            {"kind": "quarter", "financial_year": "2026", "value": "90"},
            "quarter",
            "Choose the quarter",
        ),
        (
            {"kind": "range", "start": "2026-09-01", "end": "2026-08-01", "value": "90"},
            "end",
            "cannot be before the start",
        ),
    ],
)
def test_a_wrong_manual_value_is_refused(client, qa_lead_user, data, field, message):
    target = make_target(qa_lead_user, "From elsewhere", "manual", "95")
    client.force_login(qa_lead_user)

    response = client.post(reverse("reports:target_actual", args=[target.pk]), data)

    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    assert 'id="error-summary"' in response.content.decode()
    assert not ManualActual.objects.exists()


def test_a_computed_target_takes_no_manual_value(client, qa_lead_user):
    target = make_target(qa_lead_user)
    client.force_login(qa_lead_user)

    response = client.post(
        reverse("reports:target_actual", args=[target.pk]),
        {"kind": "year", "financial_year": "2026", "value": "90"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("reports:targets") + "?year=2026"
    assert "counted from the audits" in response.content.decode()
    assert not ManualActual.objects.exists()
    with pytest.raises(ReportError, match="counted from the audits"):
        manual_actual_set(
            target=target, by=qa_lead_user, period=periods.financial_year(2026), value=90
        )


# --- The table template, as the report and its PDF include it ---------------------------------

ROWS = [
    {
        "name": "Good assessments",
        "measure": "domain_good",
        "measure_label": "Domain 4 graded Meets good or better",
        "domain_number": 4,
        "direction": "at_least",
        "target": 30.0,
        "tolerance": 5.0,
        "amber_limit": 25.0,
        "actual": 37.0,
        "rag": "green",
        "rag_label": "Green",
        "unit": "%",
        "target_text": "≥ 30%",
        "amber_text": "amber down to 25%",
        "actual_text": "37.0%",
    },
    {
        "name": "Inadequate care plans",
        "measure": "domain_not_met",
        "measure_label": "Domain 7 graded Does not meet good",
        "domain_number": 7,
        "direction": "at_most",
        "target": 10.0,
        "tolerance": 0.0,
        "amber_limit": 10.0,
        "actual": 30.0,
        "rag": "red",
        "rag_label": "Red",
        "unit": "%",
        "target_text": "≤ 10%",
        "amber_text": "",
        "actual_text": "30.0%",
    },
    {
        "name": "Timescales",
        "measure": "manual",
        "measure_label": "Entered by the QA lead",
        "domain_number": None,
        "direction": "at_least",
        "target": 95.0,
        "tolerance": 0.0,
        "amber_limit": 95.0,
        "actual": None,
        "rag": "grey",
        "rag_label": "No data",
        "unit": "%",
        "target_text": "≥ 95%",
        "amber_text": "",
        "actual_text": "–",
    },
]


def test_the_table_writes_each_rating_out_and_needs_only_its_rows():
    html = render_to_string("reports/_targets_table.html", {"targets": ROWS})

    assert "<script" not in html
    for text in (
        "Good assessments",
        "≥ 30%",
        "amber down to 25%",
        "37.0%",
        ">Green</td>",
        "≤ 10%",
        ">Red</td>",
        ">No data</td>",
    ):
        assert text in html
    # The colour is a second signal, a class on the row that the screen's and the PDF's
    # stylesheets both colour; never an inline style, which the Content Security Policy blocks.
    for rag in ("green", "red", "grey"):
        assert f'class="target-row rag-{rag}"' in html
    assert "style=" not in html
    for stylesheet in ("report_screen.css", "report_print.css"):
        css = (STATIC_CSS / stylesheet).read_text()
        for rag in ("green", "amber", "red"):
            assert f".targets-table .rag-{rag} td.rag" in css, (stylesheet, rag)
    empty = render_to_string("reports/_targets_table.html", {"targets": []})
    assert "No QA targets have been set" in empty


def test_the_table_renders_in_a_pdf():
    from pypdf import PdfReader

    from reports.rendering.pdf import html_to_pdf

    table = render_to_string("reports/_targets_table.html", {"targets": ROWS})
    pdf = html_to_pdf(
        f'<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>Targets</title></head><body>{table}</body></html>"
    )

    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    for word in ("Good assessments", "Green", "Red", "No data", "37.0%"):
        assert word in text


def test_frozen_rows_render_the_same_as_live_ones(qa_lead_user):
    # A published report keeps the rows as JSON; the template must not need the models.
    import json

    from reports.selectors import ReportScope
    from reports.targets.measures import targets_table

    build_through_services([spec(day(2026, 7, 2), overall=M, status=Status.COMPLETED)], today=TODAY)
    make_target(qa_lead_user, "Good or better", "good_or_better", "60")
    rows = targets_table(ReportScope(periods.quarter(2026, 2)))
    live = render_to_string("reports/_targets_table.html", {"targets": rows})
    frozen = render_to_string(
        "reports/_targets_table.html", {"targets": json.loads(json.dumps(rows))}
    )
    assert live == frozen and ">Green</td>" in live


def test_a_target_saved_from_another_page_since_is_not_overwritten(client, qa_lead_user):
    target = make_target(
        qa_lead_user, "Assessments good or better", "domain_good", "30", domain_number=4
    )
    client.force_login(qa_lead_user)
    url = reverse("reports:target_edit", args=[target.pk])
    html = client.get(url).content.decode()
    opened = {
        name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1)
        for name in ("revision", "page")
    }
    assert client.post(url, form_data(target_value="40")).status_code == 302  # another tab

    response = client.post(url, {**form_data(target_value="35"), **opened})

    assert response.status_code == 409
    assert 'data-use-saved="target_value"' in response.content.decode()
    target.refresh_from_db()
    assert target.target_value == 40
