"""The moderation pages in the GOV.UK Design System's patterns: the audit being moderated as
summary lists with the decision form beneath, its errors in one error summary at the top; wide
tables scrolling in their own labelled region; statuses said in words; people by full name and
dates as "1 July 2026"."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from audits.grades import Grade
from moderation import services
from tests import factories
from tests.helpers import moderated_audit, moderation_form, submitted_audit, taken_audit
from tests.test_forms_rendering import assert_error_summary, assert_rendered_by_crispy

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "auditor": factories.auditor(username="asha", first_name="Asha", last_name="Patel"),
        "moderator": factories.moderator(username="ben", first_name="Ben", last_name="Okafor"),
    }


def page_title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


def test_the_moderation_page_shows_the_audit_as_summary_lists_above_the_decision(client, people):
    audit = taken_audit(
        moderator=people["moderator"], auditor=people["auditor"], case_reference="CR-SUM-1"
    )
    client.force_login(people["moderator"])

    html = client.get(reverse("moderation:moderate", args=[audit.pk])).content.decode()

    assert page_title(html).startswith("Moderate the audit of case CR-SUM-1 – ")
    assert html.count("<h1") == 1
    summary = html[
        html.index('id="audit-summary"') : html.index("</dl>", html.index('id="audit-summary"'))
    ]
    assert "Asha Patel" in summary and "asha" not in summary
    assert re.search(
        r'<strong class="govuk-tag[^"]*" id="audit-status">In moderation</strong>', summary
    )
    grades = html[
        html.index('id="audit-grades"') : html.index("</dl>", html.index('id="audit-grades"'))
    ]
    assert grades.count('class="govuk-summary-list__row"') == 12
    assert 'id="audit-overall"' in html
    # The decision comes after what is decided on.
    assert html.index('id="audit-overall"') < html.index('id="moderation-form"')
    assert 'id="error-summary"' not in html
    assert_rendered_by_crispy(html)


def test_a_decision_with_errors_has_the_error_summary_at_the_top(client, people):
    audit = taken_audit(
        moderator=people["moderator"], auditor=people["auditor"], overall=Grade.MEETS
    )
    client.force_login(people["moderator"])

    response = client.post(
        reverse("moderation:moderate", args=[audit.pk]),
        moderation_form(audit, grade=Grade.EXCEEDS, rationale=""),
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert page_title(html).startswith("Error: Moderate the audit of case ")
    assert html.index('id="error-summary"') < html.index("<h1")
    summary = html[
        html.index('id="error-summary"') : html.index("</ul>", html.index('id="error-summary"'))
    ]
    assert 'href="#id_rationale"' in summary
    assert_error_summary(html, assert_rendered_by_crispy(html))


def test_the_queue_and_feedback_name_people_and_dates_in_full(client, people):
    audit = taken_audit(
        moderator=people["moderator"], auditor=people["auditor"], case_reference="CR-Q-1"
    )
    other = factories.moderator(username="cara", first_name="Cara", last_name="Nolan")
    client.force_login(other)

    html = client.get(reverse("moderation:queue")).content.decode()

    row = html[html.index(">CR-Q-1<") :].split("</tr>")[0]
    assert "Asha Patel" in row and "by Ben Okafor" in row
    assert re.search(r"submitted \d{1,2} [A-Z][a-z]+ \d{4}", row)
    assert 'role="region" aria-label="Audits awaiting moderation" tabindex="0"' in html

    services.moderation_send_back(
        audit=audit, moderator=people["moderator"], comments="Say who decided."
    )
    client.force_login(people["auditor"])
    html = client.get(reverse("moderation:feedback")).content.decode()
    row = html[html.index(">CR-Q-1<") :].split("</tr>")[0]
    assert '<td class="govuk-table__cell">Ben Okafor</td>' in row
    assert re.search(r"<td class=\"govuk-table__cell\">\d{1,2} [A-Z][a-z]+ \d{4}</td>", row)


def test_the_statistics_tables_scroll_in_labelled_regions(client, people):
    moderated_audit(moderator=people["moderator"], auditor=people["auditor"])
    client.force_login(people["moderator"])

    html = client.get(reverse("moderation:dashboard")).content.decode()

    for label in (
        "Auditor's grade against moderated grade",
        "Agreement by auditor",
        "Agreement by activity",
    ):
        assert (
            f'<div class="app-table-scroll" role="region" aria-label="{label}" tabindex="0">'
            in html
        )
    by_auditor = html[html.index('id="agreement-by-auditor"') :].split("</table>")[0]
    assert ">Asha Patel<" in by_auditor


def test_the_audit_page_shows_each_round_as_a_summary_card(client, people):
    audit = moderated_audit(
        moderator=people["moderator"],
        auditor=people["auditor"],
        overall=Grade.MEETS,
        grade=Grade.DOES_NOT_MEET,
        rationale="Not seen alone.",
    )
    client.force_login(people["auditor"])

    html = client.get(reverse("audits:detail", args=[audit.pk])).content.decode()

    card = html[html.index('id="moderation-round-1"') :].split("</dl>")[0]
    assert "Round 1: Grade lowered" in card
    assert "Ben Okafor" in card
    assert "Not seen alone." in card
    assert 'class="govuk-summary-card' in html


# The loop queue.html drew its rows with before moderation_tags.queue_rows drew them: the tag
# must draw the same characters.
TEMPLATE_QUEUE_ROWS = (Path(__file__).parent / "queue_rows_before.html").read_text().rstrip("\n")

AWKWARD = "<b>&\"x'"


def test_the_queues_rows_are_drawn_as_the_templates_loop_drew_them_and_escaped():
    """moderation_tags.queue_rows against the loop it replaced, for every kind of row a
    moderator sees (waiting, held by them, held by another, practice, a built tool's grade by
    name, a grade not on its tool's scale), with names and references holding <>&"'."""
    from django.template import Context, Template
    from django.utils import timezone

    from audits.models import Audit, AuditActivity, Strand
    from moderation import selectors
    from tests.moderation.built_tools import RI, built_activity, built_audit, every_kind_tool

    viewer = factories.moderator(username="viewer", first_name="Vi", last_name=AWKWARD)
    other = factories.moderator(username="other", first_name="", last_name="")
    auditor = factories.auditor(username=f"u{AWKWARD}", first_name="", last_name="")
    taken_audit(moderator=viewer, auditor=auditor, case_reference="CR-HELD")
    taken_audit(moderator=other, case_reference="CR-HELD-2")
    audit = submitted_audit(auditor=auditor, case_reference="CR-WAIT")
    Audit.objects.filter(pk=audit.pk).update(case_reference=f"CR-{AWKWARD}", is_practice=True)
    AuditActivity.objects.filter(pk=audit.activity_id).update(name=f"Activity {AWKWARD}")
    Strand.objects.filter(pk=audit.strand_id).update(name=f"Strand {AWKWARD}")
    tool = every_kind_tool()
    activity = built_activity(tool, rate=100)
    built_audit(activity, overall=RI)
    off_scale = built_audit(activity, overall=RI)
    Audit.objects.filter(pk=off_scale.pk).update(overall_grade="no_such_grade")

    rows = list(selectors.queue_rows(selectors.moderation_queue(viewer)))
    assert len(rows) == 5
    context = {"user": viewer, "page_obj": rows, "now": timezone.now(), "csrf_token": "TOKEN"}

    theirs = Template(TEMPLATE_QUEUE_ROWS).render(Context(context))
    ours = Template("{% load moderation_tags %}{% queue_rows page_obj now %}").render(
        Context(context)
    )

    assert ours == theirs
    assert AWKWARD not in ours
    assert "CR-&lt;b&gt;&amp;&quot;x&#x27;" in ours
    assert "Release<" in ours and "Moderate<" in ours and "Take<" in ours
    assert 'value="TOKEN"' in ours
