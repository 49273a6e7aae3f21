"""The benchmark page: QA leads upload councils' files (kept in memory, never on disk) and see
the regional comparison with intervals, refusals as errors naming the file; and download this
council's file for a period."""

import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from tests import factories
from tests.reports import build_through_import, wilson
from tests.test_forms_rendering import Page, assert_error_summary, assert_rendered_by_crispy

from . import QUARTER, cohort
from .test_merge import _good, _with, as_file

pytestmark = pytest.mark.django_db

URL = "/reports/benchmark/"
EXPORT = "/reports/benchmark/export.json"


@pytest.fixture
def lead_client(client, settings):
    settings.COUNCIL_NAME = "Example Borough Council"
    client.force_login(factories.qa_lead())
    return client


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/json")


def test_the_urls_are_the_ones_named():
    assert reverse("reports:benchmark") == URL
    assert reverse("reports:benchmark_export") == EXPORT


@pytest.mark.parametrize("role", ["auditor", "moderator", "administrator"])
def test_only_qa_leads_use_the_page(client, role):
    client.force_login(getattr(factories, role)())

    assert client.get(URL).status_code == 403
    assert client.post(URL, {"files": [upload("a.json", as_file(_good()))]}).status_code == 403
    assert client.get(EXPORT + "?start=2026-07-01&end=2026-09-30").status_code == 403


def test_the_page_offers_the_upload_and_this_councils_files_to_download(lead_client):
    response = lead_client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert_rendered_by_crispy(html)
    assert 'type="file"' in html and "multiple" in html
    assert f"{EXPORT}?start=" in html


def test_uploading_councils_files_shows_the_regional_comparison(lead_client):
    ours = _good("Example Borough Council")
    ours["final_grades"] = {"exceeds": 10, "meets": 30, "does_not_meet": 10}  # 40 of 50

    response = lead_client.post(
        URL,
        {
            "files": [
                upload("ours.json", as_file(ours)),
                upload("north.json", as_file(_good("Northby County Council"))),
            ]
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="comparison"' in html
    assert "Northby County Council" in html and "north.json" in html
    low, high = wilson(40, 50)
    assert f"80% ({low:.0f}–{high:.0f}%)" in html
    low, high = wilson(75, 100)
    assert f"75% ({low:.0f}–{high:.0f}%)" in html  # the region's
    assert "Where Example Borough Council stands: 80%" in html
    assert "rank 1 of 2" in html
    assert 'id="suppressed-cells"' in html


@pytest.mark.parametrize(
    ("files", "messages"),
    [
        (
            [("a.json", as_file(_good())), ("new.json", _with(schema="casefile-benchmark/2"))],
            ["new.json: is a casefile-benchmark/2 file"],
        ),
        (
            [("a.json", as_file(_good())), ("a-again.json", as_file(_good()))],
            ["a-again.json: is a second file from Northby County Council"],
        ),
        (
            [("broken.json", b"{"), ("bad.json", _with(audits=-1))],
            [
                "broken.json: is not valid JSON",
                "bad.json: does not follow the casefile-benchmark/1 schema",
            ],
        ),
        ([("figures.csv", b"a,b")], ["figures.csv: is not a benchmark file (its name ends .json)"]),
    ],
)
def test_a_refused_file_is_a_clear_error_naming_it(lead_client, files, messages):
    response = lead_client.post(URL, {"files": [upload(n, c) for n, c in files]})

    html = response.content.decode()
    assert response.status_code == 400
    assert_error_summary(html, Page(html))
    assert "<title>Error:" in html
    summary = html[
        html.index('id="error-summary"') : html.index("</ul>", html.index('id="error-summary"'))
    ]
    for message in messages:
        assert message in summary
    assert 'id="comparison"' not in html


def test_a_script_may_post_the_files_under_another_name(lead_client):
    response = lead_client.post(
        URL,
        {
            "file": [
                upload("a.json", as_file(_good("A Council"))),
                upload("b.json", as_file(_good())),
            ]
        },
    )

    assert response.status_code == 200
    assert 'id="comparison"' in response.content.decode()


def test_no_file_is_a_clear_error(lead_client):
    response = lead_client.post(URL, {})

    assert response.status_code == 400
    assert "Select one or more benchmark files" in response.content.decode()


def test_uploads_are_never_written_to_disk(lead_client, settings, tmp_path):
    # Django would write any upload larger than this to a temporary file in this folder.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)

    response = lead_client.post(
        URL,
        {
            "files": [
                upload("a.json", as_file(_good("A Council"))),
                upload("b.json", as_file(_good("B Council"))),
            ]
        },
    )

    assert response.status_code == 200
    assert "B Council" in response.content.decode()
    assert list(tmp_path.iterdir()) == []


def test_a_file_too_large_is_refused(lead_client):
    big = b" " * (1024 * 1024 + 1) + as_file(_good())

    response = lead_client.post(URL, {"files": [upload("big.json", big)]})

    assert response.status_code == 400
    assert "big.json: is larger than a benchmark file can be" in response.content.decode()


def test_the_download_is_the_commands_file(lead_client):
    build_through_import(cohort(60))
    start, end = QUARTER
    out = io.StringIO()
    call_command(
        "benchmark_export",
        "--start",
        start.isoformat(),
        "--end",
        end.isoformat(),
        stdout=out,
        stderr=io.StringIO(),
    )

    response = lead_client.get(f"{EXPORT}?start={start}&end={end}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="benchmark-2026-07-01-2026-09-30.json"'
    )
    assert response.content.decode() == out.getvalue()
    assert json.loads(response.content)["audits"] is not None


def test_a_download_with_bad_dates_shows_the_page_naming_the_date(lead_client):
    response = lead_client.get(f"{EXPORT}?start=2026-07-01&end=2026-13-01")

    html = response.content.decode()
    assert response.status_code == 400
    assert "end “2026-13-01” is not a date" in html
    assert 'id="error-summary"' in html


def test_the_page_downloads_offer_recent_quarters_and_years(lead_client):
    from reports.benchmark.views import recent_periods

    offered = recent_periods(datetime.date(2026, 8, 15))

    assert [p.label for p in offered] == [
        "Quarter 2 2026/27",
        "Quarter 1 2026/27",
        "Quarter 4 2025/26",
        "Quarter 3 2025/26",
        "Quarter 2 2025/26",
        "Financial year 2026/27",
        "Financial year 2025/26",
    ]
