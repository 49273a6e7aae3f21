"""The sample draw in the browser (issue 14, item 5): a QA lead draws with a seed that is shown
and recorded, previews, records; sees the activity's draws and replaces a case with a reason.
The same service as the draw_sample command: the same cases, the same refusals, never a 500."""

import datetime
import re

import pytest
from django.urls import reverse

from audits.cases.services import Criteria, draw_sample
from audits.models import Audit, Case, DrawnCase, SampleDraw, Status
from tests import factories

from . import audit_of, case, person, team

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Two teams of six cases; an activity with an auditor in each team; a QA lead."""
    north, south = team("north"), team("south")
    holders = [person(f"Holder {n}", north if n < 2 else south) for n in range(4)]
    for n in range(12):
        holder = holders[n % 2] if n < 6 else holders[2 + n % 2]
        case(f"CR-{n:02}", holder=holder)
    activity = factories.AuditActivityFactory(name="Peer audit", month=datetime.date(2026, 11, 1))
    ann = factories.auditor(username="ann", first_name="Ann", last_name="Auditor")
    bob = factories.auditor(username="bob", first_name="Bob", last_name="Auditor")
    person("Ann Auditor", north, user=ann)
    person("Bob Auditor", south, user=bob)
    activity.auditors.add(ann, bob)
    lead = factories.qa_lead(username="lead")
    return {
        "activity": activity,
        "north": north,
        "south": south,
        "ann": ann,
        "bob": bob,
        "lead": lead,
    }


def url(world, name="audits:draw_new"):
    return reverse(name, args=[world["activity"].pk])


def post(client, world, action="preview", **data):
    values = {"action": action, "seed": "s1", **data}
    return client.post(url(world), {k: v for k, v in values.items() if v is not None})


def preview_refs(response) -> list[str]:
    table = response.content.decode().split('id="drawn-cases"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<th scope="row" class="govuk-table__header">([^<]+)</th>', table)


def test_the_form_offers_a_fresh_random_seed_each_time(client, world):
    client.force_login(world["lead"])
    seeds = set()
    for _ in range(2):
        page = client.get(url(world)).content.decode()
        seeds.add(re.search(r'name="seed" value="([0-9a-f]+)"', page).group(1))
    assert len(seeds) == 2


def test_the_preview_shows_the_commands_cases_and_records_nothing(client, world):
    client.force_login(world["lead"])
    response = post(client, world, size="5", teams=[world["north"].pk, world["south"].pk])
    assert response.status_code == 200
    expected = draw_sample(
        activity=world["activity"],
        seed="s1",
        criteria=Criteria(size=5, teams=[world["north"], world["south"]]),
        dry_run=True,
    )
    assert preview_refs(response) == expected.case_references
    assert "Record this draw" in response.content.decode()
    assert not SampleDraw.objects.exists()


def test_recording_keeps_the_previewed_draw_with_its_seed_criteria_and_who(client, world):
    client.force_login(world["lead"])
    preview = post(client, world, size="4", exclude_own_team="on")
    previewed = re.search(r'name="previewed" value="([0-9a-f]+)"', preview.content.decode())
    response = post(
        client,
        world,
        action="record",
        size="4",
        exclude_own_team="on",
        previewed=previewed.group(1),
    )
    draw = SampleDraw.objects.get()
    assert response.status_code == 302
    assert response.url == url(world, "audits:draws") + f"#draw-{draw.pk}"
    assert draw.seed == "s1" and draw.drawn_by == world["lead"]
    assert draw.criteria["size"] == 4 and draw.criteria["exclude_own_team"] is True
    rows = list(draw.cases.order_by("position"))
    assert [r.case.case_reference for r in rows] == preview_refs(preview)
    # Peer audit held: nobody has a case of their own team.
    own = {world["ann"].pk: world["north"].pk, world["bob"].pk: world["south"].pk}
    assert all(own[r.auditor_id] != r.team_id for r in rows)


def test_a_draw_that_changed_since_its_preview_is_not_recorded(client, world):
    client.force_login(world["lead"])
    preview = post(client, world, size="12")
    previewed = re.search(r'name="previewed" value="([0-9a-f]+)"', preview.content.decode())
    Case.objects.filter(case_reference="CR-03").delete()
    case("CR-99", holder=Case.objects.first().case_holder)
    response = post(client, world, action="record", size="12", previewed=previewed.group(1))
    assert response.status_code == 409
    assert "changed since your preview" in response.content.decode()
    assert "CR-99" in preview_refs(response)
    assert not SampleDraw.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"size": "13"}, "The draw asks for 13 cases but only 12 cases are eligible."),
        ({"size": str(10**30)}, "but only 12 cases are eligible."),
        ({"size": "2", "per_team": "1"}, "a size, or a number per team (not both)"),
        ({}, "Say how many cases to draw"),
        ({"size": "0"}, "must be 1 or more"),
        ({"size": "2", "seed": ""}, "Enter a seed"),
        ({"size": "2", "seed": "x" * 101}, "A seed can be at most 100 characters."),
        ({"size": "2", "seed": "a\x00b"}, "must not contain control characters"),
        ({"size": "2", "exclude_audited_months": "0"}, "from 1 to 1200"),
        ({"size": "2", "exclude_audited_months": "many"}, "Enter a whole number"),
        ({"per_team": "1", "at_least_one_per_holder": "on"}, "goes with a size"),
        ({"size": "2", "teams": ["999999"]}, "Select a valid choice"),
    ],
)
@pytest.mark.parametrize("action", ["preview", "record"])
def test_bad_choices_are_refused_on_the_form_with_the_commands_message(
    client, world, data, message, action
):
    client.force_login(world["lead"])
    response = post(client, world, action=action, **data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="govuk-error-summary"' in page
    assert message in page.replace("&#x27;", "'")
    assert not SampleDraw.objects.exists()


def test_no_eligible_case_for_a_per_team_draw_is_said_on_the_form(client, world):
    client.force_login(world["lead"])
    response = post(
        client, world, per_team="1", case_types=[factories.case_type("looked_after").pk]
    )
    assert response.status_code == 400
    assert "No case is eligible for the draw." in response.content.decode()


def test_the_draw_leaves_out_cases_audited_recently_as_the_command_does(client, world):
    client.force_login(world["lead"])
    audit_of("CR-00", audit_date=datetime.date.today())
    response = post(client, world, size="11", exclude_audited_months="12")
    assert response.status_code == 200
    assert "CR-00" not in preview_refs(response) and len(preview_refs(response)) == 11


def test_change_the_draw_brings_back_the_form_with_everything_typed(client, world):
    client.force_login(world["lead"])
    response = post(
        client, world, action="change", size="3", seed="kept-seed", teams=[world["south"].pk]
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="kept-seed"' in page and 'value="3"' in page
    assert re.search(rf'value="{world["south"].pk}"[^>]*checked', page)


@pytest.mark.parametrize(
    "who, status",
    [("nobody", 403), ("ann", 403), ("moderator", 403), ("lead", 200), ("admin", 200)],
)
@pytest.mark.parametrize("name", ["audits:draw_new", "audits:draws"])
def test_only_qa_leads_and_administrators_draw_and_see_draws(client, world, who, status, name):
    users = {
        "nobody": factories.UserFactory(),
        "ann": world["ann"],
        "moderator": factories.moderator(),
        "lead": world["lead"],
        "admin": factories.administrator(),
    }
    client.force_login(users[who])
    assert client.get(url(world, name)).status_code == status
    # A record with no preview behind it: refused (403), or shown as a preview to check (409).
    recorded = client.post(url(world), {"action": "record", "seed": "s", "size": "1"})
    assert recorded.status_code == (403 if status == 403 else 409)
    assert not SampleDraw.objects.exists()


def _recorded(world, **criteria):
    return draw_sample(
        activity=world["activity"], seed="rec", criteria=Criteria(**criteria), by=world["lead"]
    ).record


def test_the_draws_page_shows_seed_criteria_who_cases_auditors_and_whether_audited(client, world):
    record = _recorded(world, size=4, teams=[world["north"], world["south"]])
    first, second = record.cases.order_by("position")[:2]
    Audit.objects.create(
        tool_id=Audit._meta.get_field("tool").related_model.objects.get(is_current=True).pk,
        auditor=first.auditor,
        status=Status.SUBMITTED,
        case_reference=first.case.case_reference.lower(),
        activity=world["activity"],
    )
    client.force_login(world["lead"])
    page = client.get(url(world, "audits:draws")).content.decode()
    assert "rec" in page and "lead" in page and "North, South" in page
    for drawn in record.cases.all():
        assert drawn.case.case_reference in page
    row = page.split(f">{first.case.case_reference}<", 1)[1].split("</tr>", 1)[0]
    assert "Audited" in row and "Submitted" in row
    row = page.split(f">{second.case.case_reference}<", 1)[1].split("</tr>", 1)[0]
    assert "Not started" in row and second.auditor.get_full_name() in row


def test_replacing_a_case_needs_a_reason_and_is_recorded_and_shown(client, world):
    record = _recorded(world, size=2)
    drawn = record.cases.order_by("position").first()
    client.force_login(world["lead"])
    replace = reverse("audits:drawn_case_replace", args=[drawn.pk])
    response = client.post(replace, {"reason": "   "})
    assert response.status_code == 400
    assert "Say why the case is withdrawn" in response.content.decode()
    drawn.refresh_from_db()
    assert drawn.withdrawn_at is None and record.cases.count() == 2

    response = client.post(replace, {"reason": "Closed on 3 November"})
    assert response.status_code == 302
    drawn.refresh_from_db()
    assert drawn.withdrawn_reason == "Closed on 3 November" and drawn.withdrawn_by == world["lead"]
    replacement = DrawnCase.objects.get(replaces=drawn)
    assert replacement.auditor_id == drawn.auditor_id
    page = client.get(url(world, "audits:draws")).content.decode()
    assert "Closed on 3 November" in page
    assert f"Replaces {drawn.case.case_reference}" in page

    again = client.post(replace, {"reason": "twice"}, follow=True)
    assert "withdrawn from the draw already" in again.content.decode()
    assert DrawnCase.objects.filter(replaces__isnull=False).count() == 1


def test_only_planners_replace_a_case(client, world):
    record = _recorded(world, size=2)
    drawn = record.cases.first()
    client.force_login(world["ann"])
    response = client.post(reverse("audits:drawn_case_replace", args=[drawn.pk]), {"reason": "x"})
    assert response.status_code == 403
    drawn.refresh_from_db()
    assert drawn.withdrawn_at is None


def test_the_draw_pages_are_kept_out_of_caches(client, world):
    """They list case references: the middleware's no-store reaches them."""
    record = _recorded(world, size=2)
    client.force_login(world["lead"])
    pages = [
        client.get(url(world, "audits:draws")),
        client.get(url(world)),
        post(client, world, size="2"),
        client.get(reverse("audits:drawn_case_replace", args=[record.cases.first().pk])),
        client.get(reverse("audits:compliance")),
    ]
    for response in pages:
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]


def test_a_huge_number_per_team_draws_every_case_and_is_recorded(client, world):
    client.force_login(world["lead"])
    preview = post(client, world, per_team=str(10**30))
    assert sorted(preview_refs(preview)) == [f"CR-{n:02}" for n in range(12)]
    previewed = re.search(r'name="previewed" value="([0-9a-f]+)"', preview.content.decode())
    response = post(
        client, world, action="record", per_team=str(10**30), previewed=previewed.group(1)
    )
    assert response.status_code == 302
    assert SampleDraw.objects.get().cases.count() == 12


def test_pages_of_things_that_do_not_exist_are_not_found(client, world):
    client.force_login(world["lead"])
    assert client.get(reverse("audits:draws", args=[999999])).status_code == 404
    assert client.get(reverse("audits:draw_new", args=[999999])).status_code == 404
    assert client.get(reverse("audits:drawn_case_replace", args=[999999])).status_code == 404


def test_the_draws_page_costs_the_same_queries_however_many_draws(
    client, world, django_assert_max_num_queries
):
    _recorded(world, size=2, teams=[world["north"]])
    client.force_login(world["lead"])
    client.get(url(world, "audits:draws"))
    with django_assert_max_num_queries(50) as few:
        client.get(url(world, "audits:draws"))
    for n in range(3):
        draw_sample(
            activity=world["activity"],
            seed=f"more-{n}",
            criteria=Criteria(size=2, strands=[factories.strand()]),
            by=world["lead"],
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url(world, "audits:draws")).content.decode()
    assert page.count('id="draw-') >= 4
