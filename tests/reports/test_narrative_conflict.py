"""A report's narrative saved from a page opened before someone else's save (issue 12, item 2).

Saving or publishing carries the revision the page was opened at. A stale save is refused
before anything is written and the page comes back with what was typed, the differences and
who saved since; a stale publish publishes nothing: nobody freezes a narrative they have not
seen. A page's own saves (autosave then Save) are not a conflict.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audits import periods
from audits.revisions import RevisionConflict
from reports.models import Report
from reports.services import report_create, report_publish, report_update_narrative
from tests import factories

pytestmark = pytest.mark.django_db

QUARTER = periods.quarter(2026, 2)
THEIRS = {
    "title": "Board paper Q2",
    "summary": "Saved first, by the other QA lead.",
    "findings": "Plans drift after the first review.",
    "recommendations": "",
}
MINE = {
    "title": "Board paper Q2",
    "summary": "Typed on a page opened before their save.",
    "findings": "Plans drift after the first review.",
    "recommendations": "Review every plan at three months.",
}


@pytest.fixture
def priya():
    return factories.qa_lead(first_name="Priya", last_name="Shah")


@pytest.fixture
def tom():
    return factories.qa_lead(first_name="Tom", last_name="Reed")


@pytest.fixture
def report(priya):
    return report_create(by=priya, period=QUARTER)


@pytest.fixture
def opened_by_tom(client, tom, report):
    """Tom opens the report page; then Priya saves the narrative from hers."""
    client.force_login(tom)
    page = client.get(report.get_absolute_url())
    assert page.status_code == 200
    seen = page.context["revision_form"].initial
    assert seen["revision"] == report.revision
    return {"revision": seen["revision"], "page": seen["page"]}


def priya_saves(report, priya) -> Report:
    return report_update_narrative(
        report=report, by=priya, expected_revision=report.revision, page="priya", **THEIRS
    )


def narrative(report) -> tuple:
    report.refresh_from_db()
    return (report.state, report.revision, report.title, report.summary, report.findings)


def said_who_and_when(report) -> str:
    at = timezone.localtime(report.revised_at)
    return f"This was changed at {at:%H:%M} on {at:%-d %B %Y} by Priya Shah"


# --- The services ----------------------------------------------------------------------------


def test_a_stale_save_is_refused_naming_who_saved_and_writes_nothing(report, priya, tom):
    opened_at = report.revision
    priya_saves(report, priya)
    before = narrative(report)

    with pytest.raises(RevisionConflict) as refused:
        report_update_narrative(
            report=report, by=tom, expected_revision=opened_at, page="tom", **MINE
        )

    assert narrative(report) == before
    assert (refused.value.by, refused.value.at) == (priya, report.revised_at)
    assert str(refused.value).startswith(said_who_and_when(report))


def test_a_stale_publish_publishes_nothing(report, priya, tom):
    opened_at = report.revision
    priya_saves(report, priya)
    before = narrative(report)

    with pytest.raises(RevisionConflict):
        report_publish(report=report, by=tom, narrative=MINE, expected_revision=opened_at)

    assert narrative(report) == before
    report.refresh_from_db()
    assert (report.published_by, report.published_at, report.frozen_figures) == (None, None, None)
    assert not report.frozen_pdf


def test_the_pages_own_earlier_save_is_no_conflict(report, tom):
    # An autosave from the page answered after the page posted Save with the older revision.
    opened_at = report.revision
    report_update_narrative(report=report, by=tom, expected_revision=opened_at, page="p", **THEIRS)

    report_update_narrative(report=report, by=tom, expected_revision=opened_at, page="p", **MINE)

    report.refresh_from_db()
    assert (report.revision, report.summary) == (opened_at + 2, MINE["summary"])


# --- The views ---------------------------------------------------------------------------------


def test_a_stale_save_comes_back_with_what_was_typed_and_the_differences(
    client, report, priya, opened_by_tom
):
    priya_saves(report, priya)
    before = narrative(report)

    response = client.post(report.get_absolute_url(), {**MINE, **opened_by_tom})

    assert response.status_code == 409
    assert narrative(report) == before
    page = response.content.decode()
    assert said_who_and_when(report) in page
    form = response.context["form"]
    assert (form["summary"].value(), form["recommendations"].value()) == (
        MINE["summary"],
        MINE["recommendations"],
    )
    differences = {d.name: (d.saved, d.mine) for d in response.context["comparison"]["differences"]}
    assert differences == {
        "summary": (THEIRS["summary"], MINE["summary"]),
        "recommendations": ("(blank)", MINE["recommendations"]),
    }
    # The next save is a choice made seeing both: it carries the current revision.
    assert response.context["revision_form"].data["revision"] == str(report.revision)
    assert f'name="revision" value="{report.revision}"' in page

    chosen = {**MINE, "summary": THEIRS["summary"]}
    again = client.post(
        report.get_absolute_url(),
        {**chosen, "revision": report.revision, "page": opened_by_tom["page"]},
    )

    assert again.status_code == 302
    report.refresh_from_db()
    assert (report.summary, report.recommendations) == (THEIRS["summary"], MINE["recommendations"])


def test_a_stale_autosave_answers_409_and_writes_nothing(client, report, priya, opened_by_tom):
    priya_saves(report, priya)
    before = narrative(report)

    response = client.post(reverse("reports:autosave", args=[report.pk]), {**MINE, **opened_by_tom})

    assert response.status_code == 409
    answer = response.json()
    assert answer["error"] == "conflict"
    assert answer["by"] == "Priya Shah"
    assert datetime.datetime.fromisoformat(answer["at"]) == report.revised_at
    assert narrative(report) == before


def test_a_stale_publish_is_refused_and_nothing_is_published(client, report, priya, opened_by_tom):
    priya_saves(report, priya)
    before = narrative(report)

    response = client.post(
        reverse("reports:publish", args=[report.pk]), {**MINE, **opened_by_tom, "publish": ""}
    )

    assert response.status_code == 409
    assert narrative(report) == before
    page = response.content.decode()
    assert "The report was not published." in page
    assert said_who_and_when(report) in page
    assert response.context["form"]["summary"].value() == MINE["summary"]


def test_publishing_from_a_page_that_saw_the_last_save_publishes_what_it_typed(
    client, report, opened_by_tom
):
    response = client.post(
        reverse("reports:publish", args=[report.pk]), {**MINE, **opened_by_tom, "publish": ""}
    )

    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.state, report.summary) == (Report.State.PUBLISHED, MINE["summary"])
