"""The actions page and each action's page: who sees which action (selectors), overdue first,
every filter, the access matrix, the forms, and the audit page's State column and outcome.
"""

import datetime
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audits import services
from audits.actions import selectors as action_selectors
from audits.actions import services as action_services
from audits.actions.filters import ActionFilter
from audits.grades import Grade
from audits.models import AgreedAction
from tests import factories
from tests.helpers import complete_content, date_parts

pytestmark = pytest.mark.django_db

SUBMIT_DAY = datetime.date(2026, 11, 25)  # the helpers' audit date is 15 October 2026
TODAY = timezone.localdate()
LIST = reverse("audits:actions")


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def audit_with_actions(
    auditor,
    due_dates,
    *,
    ref="CR-1001",
    submit=True,
    team=None,
    activity=None,
    practice=False,
    overall=Grade.MEETS,
):
    """An audit made through the services, with one action per due date, named "<ref> #<n>"."""
    content = complete_content(case_reference=ref, activity=activity, overall=overall)
    content.header["team"] = team
    content.header["is_practice"] = practice
    content.actions = [
        {"id": None, "description": f"{ref} #{n}", "owner": "Team manager", "due_date": due}
        for n, due in enumerate(due_dates, start=1)
    ]
    audit = services.audit_save_draft(audit=None, by=auditor, content=content)
    if submit:
        audit = services.audit_submit(audit=audit, by=auditor, today=SUBMIT_DAY)
    return audit


def action_named(name) -> AgreedAction:
    return AgreedAction.objects.get(description=name)


def listed(response) -> list[str]:
    """The actions in the table of the actions page, in the order shown."""
    assert response.status_code == 200
    return re.findall(
        r'<a class="govuk-link" href="/actions/\d+/">([^<]+)</a>', response.content.decode()
    )


def close(name, by, *, state="done"):
    action = action_named(name)
    if state == "done":
        action_services.action_mark_done(action=action, by=by, note="Done.")
    else:
        action_services.action_mark_not_needed(action=action, by=by, reason="Not needed.")


# --- selectors: who sees what ----------------------------------------------------------------


@pytest.fixture
def two_auditors(owner, colleague):
    audit_with_actions(owner, [days(3)], ref="CR-OWN")
    audit_with_actions(owner, [days(3)], ref="CR-OWNDRAFT", submit=False)
    audit_with_actions(colleague, [days(3)], ref="CR-COL")


def _visible(user) -> set[str]:
    return set(action_selectors.actions_visible_to(user).values_list("description", flat=True))


def test_the_owner_sees_their_actions_but_never_those_on_a_draft(two_auditors, owner):
    assert _visible(owner) == {"CR-OWN #1"}


def test_a_colleague_sees_only_their_own(two_auditors, colleague):
    assert _visible(colleague) == {"CR-COL #1"}


def test_a_user_with_no_role_sees_nothing(two_auditors, no_role_user):
    assert _visible(no_role_user) == set()


@pytest.mark.parametrize("manager", ["moderator_user", "qa_lead_user", "administrator_user"])
def test_managers_see_every_action_past_draft(request, two_auditors, manager):
    assert _visible(request.getfixturevalue(manager)) == {"CR-OWN #1", "CR-COL #1"}


def test_an_assignee_sees_the_action_and_the_auditor_still_sees_it(
    two_auditors, owner, colleague, no_role_user
):
    AgreedAction.objects.filter(description="CR-COL #1").update(assignee=no_role_user)
    AgreedAction.objects.filter(description="CR-OWNDRAFT #1").update(assignee=no_role_user)

    assert _visible(no_role_user) == {"CR-COL #1"}  # never the one on owner's draft
    assert _visible(colleague) == {"CR-COL #1"}


def test_is_overdue_is_computed_by_the_database(owner):
    audit_with_actions(owner, [days(-1), days(0), days(-5), None], ref="CR-OD")
    close("CR-OD #3", owner)

    flags = dict(
        action_selectors.action_list(owner, today=TODAY).values_list("description", "is_overdue")
    )

    assert flags == {"CR-OD #1": True, "CR-OD #2": False, "CR-OD #3": False, "CR-OD #4": False}


def test_the_list_puts_overdue_first_then_open_by_due_date_then_closed(owner):
    audit_with_actions(
        owner, [days(10), days(-2), days(1), days(-9), days(-20), None], ref="CR-ORD"
    )
    close("CR-ORD #5", owner)  # done: overdue no longer

    order = list(
        action_selectors.action_list(owner, today=TODAY).values_list("description", flat=True)
    )

    assert order == ["CR-ORD #4", "CR-ORD #2", "CR-ORD #3", "CR-ORD #1", "CR-ORD #6", "CR-ORD #5"]


def test_outcome_for_an_audit_says_which_actions_were_completed_by_their_dates(owner):
    audit = audit_with_actions(
        owner,
        [days(-10), days(-10), days(-3), days(5), days(-1)],
        ref="CR-OUT",
        overall=Grade.DOES_NOT_MEET,
    )
    on_time = action_named("CR-OUT #1")
    action_services.action_mark_done(action=on_time, by=owner, note="Done.", completed_on=days(-12))
    late = action_named("CR-OUT #2")
    action_services.action_mark_done(action=late, by=owner, note="Done.", completed_on=days(-4))
    close("CR-OUT #5", owner, state="not_needed")

    outcomes = action_selectors.actions_outcome_for_audit(audit, today=TODAY)

    assert {row.description: row.outcome for row in outcomes.rows} == {
        "CR-OUT #1": "on_time",
        "CR-OUT #2": "late",
        "CR-OUT #3": "overdue",
        "CR-OUT #4": "not_yet_due",
        "CR-OUT #5": "not_needed",
    }
    assert outcomes.counts == {
        "on_time": 1,
        "late": 1,
        "overdue": 1,
        "not_yet_due": 1,
        "not_needed": 1,
        "total": 5,
    }
    assert outcomes.rows[0].outcome_label == "Completed by its date"


def test_a_done_action_without_a_date_counts_as_completed_by_its_date(owner):
    audit = audit_with_actions(owner, [None], ref="CR-NODATE")
    close("CR-NODATE #1", owner)

    assert action_selectors.actions_outcome_for_audit(audit).counts["on_time"] == 1


def test_outcomes_are_lazy(owner, django_assert_num_queries):
    audit = audit_with_actions(owner, [days(1)], ref="CR-LAZY")

    with django_assert_num_queries(0):
        action_selectors.actions_outcome_for_audit(audit)


# --- filters ---------------------------------------------------------------------------------


@pytest.fixture
def spread(owner, colleague, no_role_user):
    """Actions across owners, teams, activities, states and dates."""
    north = factories.TeamFactory(name="North", slug="north")
    south = factories.TeamFactory(name="South", slug="south")
    neglect = factories.AuditActivityFactory(name="Neglect")
    leavers = factories.AuditActivityFactory(name="Care leavers")
    audit_with_actions(owner, [days(-5), days(4)], ref="CR-N", team=north, activity=neglect)
    audit_with_actions(colleague, [days(-1), days(20)], ref="CR-S", team=south, activity=leavers)
    close("CR-S #2", colleague)
    AgreedAction.objects.filter(description="CR-N #2").update(assignee=no_role_user)
    return {"north": north, "south": south, "neglect": neglect, "leavers": leavers}


def _filtered(user, **params) -> set[str]:
    queryset = action_selectors.action_list(user, today=TODAY)
    data = {key: str(getattr(value, "pk", value)) for key, value in params.items()}
    action_filter = ActionFilter(data, queryset=queryset, user=user)
    assert action_filter.is_valid(), action_filter.errors
    return set(action_filter.qs.values_list("description", flat=True))


ALL_FOUR = {"CR-N #1", "CR-N #2", "CR-S #1", "CR-S #2"}


def test_no_filter_lists_everything_visible(spread, qa_lead_user):
    assert _filtered(qa_lead_user) == ALL_FOUR


def test_filter_by_state(spread, qa_lead_user):
    assert _filtered(qa_lead_user, state="done") == {"CR-S #2"}
    assert _filtered(qa_lead_user, state="open") == {"CR-N #1", "CR-N #2", "CR-S #1"}


def test_filter_overdue_yes_and_no(spread, qa_lead_user):
    assert _filtered(qa_lead_user, overdue="yes") == {"CR-N #1", "CR-S #1"}
    assert _filtered(qa_lead_user, overdue="no") == {"CR-N #2", "CR-S #2"}


def test_filter_by_owner_is_the_assignee_else_the_auditor(
    spread, qa_lead_user, owner, no_role_user
):
    assert _filtered(qa_lead_user, owner=owner) == {"CR-N #1"}
    assert _filtered(qa_lead_user, owner=no_role_user) == {"CR-N #2"}


def test_filter_by_activity_and_team(spread, qa_lead_user):
    assert _filtered(qa_lead_user, activity=spread["leavers"]) == {"CR-S #1", "CR-S #2"}
    assert _filtered(qa_lead_user, team=spread["north"]) == {"CR-N #1", "CR-N #2"}


def test_filter_by_due_date_range(spread, qa_lead_user):
    assert _filtered(qa_lead_user, due_from=days(-1).isoformat()) == {
        "CR-N #2",
        "CR-S #1",
        "CR-S #2",
    }
    assert _filtered(qa_lead_user, due_to=days(-1).isoformat()) == {"CR-N #1", "CR-S #1"}
    assert _filtered(qa_lead_user, due_from=days(0).isoformat(), due_to=days(10).isoformat()) == {
        "CR-N #2"
    }


def test_the_owner_choices_are_only_people_whose_actions_the_user_sees(
    spread, owner, colleague, no_role_user, qa_lead_user
):
    def choices(user):
        return set(
            ActionFilter(None, queryset=AgreedAction.objects.none(), user=user)
            .filters["owner"]
            .queryset
        )

    assert choices(qa_lead_user) == {owner, colleague, no_role_user}
    # The owner sees CR-N #2 (their audit, assigned on) and so its assignee; never colleague.
    assert choices(owner) == {owner, no_role_user}


def test_an_auditor_cannot_filter_by_someone_they_cannot_see(spread, owner, colleague):
    action_filter = ActionFilter(
        {"owner": str(colleague.pk)}, queryset=action_selectors.action_list(owner), user=owner
    )

    assert not action_filter.is_valid()


# --- the actions page ------------------------------------------------------------------------


def test_the_page_lists_overdue_first_with_a_badge(client, owner):
    audit_with_actions(owner, [days(3), days(-4)], ref="CR-P")
    client.force_login(owner)

    response = client.get(LIST)

    assert listed(response) == ["CR-P #2", "CR-P #1"]
    html = response.content.decode()
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in html
    assert "by 4\xa0days" in html


def test_the_page_filters_from_the_query_string(client, spread, qa_lead_user):
    client.force_login(qa_lead_user)

    assert set(listed(client.get(LIST, {"overdue": "yes"}))) == {"CR-N #1", "CR-S #1"}
    assert set(listed(client.get(LIST, {"team": spread["south"].pk}))) == {"CR-S #1", "CR-S #2"}


def test_the_page_shows_25_a_page_and_keeps_the_filter_when_paging(client, owner):
    audit_with_actions(owner, [days(n) for n in range(30)], ref="CR-MANY")
    client.force_login(owner)

    first = client.get(LIST, {"state": "open"})
    second = client.get(LIST, {"state": "open", "page": 2})

    assert len(listed(first)) == 25
    assert len(listed(second)) == 5
    assert "?state=open&amp;page=2" in first.content.decode()


def _list_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, {"state": "open"})
    assert response.status_code == 200
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_number_of_actions(
    client, owner, qa_lead_user
):
    team = factories.TeamFactory()
    audit = audit_with_actions(owner, [days(-1), days(2), days(5)], ref="CR-Q1", team=team)
    few = _list_queries(client, qa_lead_user)

    # 27 more, on other audits, with assignees, so every related object differs.
    for n in range(9):
        other = audit_with_actions(
            factories.auditor(),
            [days(-n), days(n), None],
            ref=f"CR-Q{n + 2}",
            team=factories.TeamFactory(),
        )
        other.actions.filter(due_date__isnull=True).update(assignee=factories.UserFactory())
    assert AgreedAction.objects.exclude(audit=audit).count() == 27
    many = _list_queries(client, qa_lead_user)

    assert many == few


def test_the_menu_offers_actions_to_every_role_but_not_to_someone_without_one(
    client, owner, no_role_user
):
    client.force_login(owner)
    assert f'href="{LIST}"' in client.get(reverse("audits:home")).content.decode()

    client.force_login(no_role_user)
    assert f'href="{LIST}"' not in client.get(reverse("audits:home")).content.decode()


# --- the action's page: access matrix --------------------------------------------------------


USERS = [
    "no_role_user",
    "owner",
    "colleague",
    "moderator_user",
    "qa_lead_user",
    "administrator_user",
]

# page -> (method, URL name, which action, POST data)
PAGES = {
    "list": ("get", "audits:actions", None, None),
    "detail": ("get", "audits:action_detail", "open", None),
    "draft-detail": ("get", "audits:action_detail", "draft", None),
    "done": ("post", "audits:action_done", "open", {"done-note": "Done."}),
    "draft-done": ("post", "audits:action_done", "draft", {"done-note": "Done."}),
    "not-needed": (
        "post",
        "audits:action_not_needed",
        "open",
        {"not_needed-reason": "The child moved away."},
    ),
    "reopen": ("post", "audits:action_reopen", "done", {"reopen-note": "Not evidenced."}),
    "assign": ("post", "audits:action_assign", "open", {"assign-assignee": "NEW_OWNER"}),
}

#                  no role  owner  colleague  moderator  QA lead  administrator
EXPECTED = {
    "list": (200, 200, 200, 200, 200, 200),
    "detail": (404, 200, 404, 200, 200, 200),
    "draft-detail": (404, 404, 404, 404, 404, 404),
    "done": (404, 302, 404, 302, 302, 302),
    "draft-done": (404, 404, 404, 404, 404, 404),
    "not-needed": (404, 302, 404, 302, 302, 302),
    "reopen": (404, 403, 404, 302, 302, 302),
    # The owner here is the auditor who agreed the action.
    "assign": (404, 302, 404, 302, 302, 302),
}
assert set(EXPECTED) == set(PAGES)


@pytest.fixture
def owners_actions(owner):
    audit_with_actions(owner, [days(-3), days(5)], ref="CR-ACC")
    audit_with_actions(owner, [days(1)], ref="CR-ACCDRAFT", submit=False)
    close("CR-ACC #2", owner)
    return {
        "open": action_named("CR-ACC #1"),
        "done": action_named("CR-ACC #2"),
        "draft": action_named("CR-ACCDRAFT #1"),
        "new owner": factories.UserFactory(username="new-owner"),
    }


def _url(page, actions):
    _, name, target, _ = PAGES[page]
    return reverse(name, args=[actions[target].pk]) if target else reverse(name)


def _request(client, page, actions):
    method, _, _, data = PAGES[page]
    url = _url(page, actions)
    if data:
        data = {k: str(actions["new owner"].pk) if v == "NEW_OWNER" else v for k, v in data.items()}
    return client.post(url, data) if method == "post" else client.get(url)


@pytest.mark.parametrize(
    ("page", "who", "expected"),
    [
        pytest.param(page, who, EXPECTED[page][i], id=f"{page}-{who}")
        for page in PAGES
        for i, who in enumerate(USERS)
    ],
)
def test_access_matrix(client, request, owners_actions, page, who, expected):
    client.force_login(request.getfixturevalue(who))

    response = _request(client, page, owners_actions)

    assert response.status_code == expected
    target = PAGES[page][2]
    if target and PAGES[page][0] == "post":
        moved = owners_actions[target].events.count() > (1 if target == "done" else 0)
        assert moved is (expected == 302)


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_log_in(client, owners_actions, page):
    response = _request(client, page, owners_actions)

    assert response.status_code == 302
    assert urlsplit(response.url).path == "/accounts/login/"
    assert parse_qs(urlsplit(response.url).query)["next"] == [_url(page, owners_actions)]


@pytest.mark.parametrize(
    "name",
    [
        "audits:action_done",
        "audits:action_not_needed",
        "audits:action_reopen",
        "audits:action_assign",
    ],
)
def test_the_change_urls_refuse_get(client, owner, owners_actions, name):
    client.force_login(owner)

    assert client.get(reverse(name, args=[owners_actions["open"].pk])).status_code == 405


def test_an_assignee_without_a_role_may_open_and_close_their_action(
    client, owners_actions, no_role_user
):
    action = owners_actions["open"]
    AgreedAction.objects.filter(pk=action.pk).update(assignee=no_role_user)
    client.force_login(no_role_user)

    page = client.get(reverse("audits:action_detail", args=[action.pk]))
    assert page.status_code == 200
    # They may not open the audit itself, so the page does not link to it.
    assert reverse("audits:detail", args=[action.audit_id]) not in page.content.decode()

    response = client.post(
        reverse("audits:action_done", args=[action.pk]), {"done-note": "Chronology written."}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.state == AgreedAction.State.DONE


# --- the action's page: the forms ------------------------------------------------------------


def test_the_owner_marks_an_overdue_action_done(client, owner, owners_actions):
    action = owners_actions["open"]
    client.force_login(owner)
    detail = reverse("audits:action_detail", args=[action.pk])

    page = client.get(detail).content.decode()
    assert "Overdue" in page and "Mark as done" in page
    response = client.post(
        reverse("audits:action_done", args=[action.pk]),
        {
            "done-note": "Chronology brought up to date.",
            **date_parts("done-completed_on", TODAY),
        },
        follow=True,
    )

    assert response.redirect_chain == [(detail, 302)]
    html = response.content.decode()
    assert "Action marked done." in html
    assert "Open → Done by" in html and "Chronology brought up to date." in html
    assert "Mark as done" not in html  # no form for a closed action
    action.refresh_from_db()
    assert action.state == AgreedAction.State.DONE


def test_an_error_re_renders_the_form_with_what_was_typed(client, owner, owners_actions):
    action = owners_actions["open"]
    client.force_login(owner)
    tomorrow = days(1)

    response = client.post(
        reverse("audits:action_done", args=[action.pk]),
        {"done-note": "Typed <carefully> & kept", **date_parts("done-completed_on", tomorrow)},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Typed &lt;carefully&gt; &amp; kept</textarea>" in html
    assert f'name="done-completed_on_day" value="{tomorrow.day}"' in html
    assert f'name="done-completed_on_year" value="{tomorrow.year}"' in html
    assert 'href="#id_done-completed_on_0">The date it was done cannot be in the future.' in html
    assert 'aria-invalid="true"' in html
    action.refresh_from_db()
    assert action.state == AgreedAction.State.OPEN
    assert not action.events.exists()


def test_a_missing_note_is_refused_and_the_date_kept(client, owner, owners_actions):
    action = owners_actions["open"]
    client.force_login(owner)
    yesterday = days(-1)

    response = client.post(
        reverse("audits:action_done", args=[action.pk]),
        {"done-note": "  ", **date_parts("done-completed_on", yesterday)},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_done-note">Say what was done.' in html
    assert f'name="done-completed_on_day" value="{yesterday.day}"' in html
    assert f'name="done-completed_on_month" value="{yesterday.month}"' in html


def test_a_missing_reason_opens_the_not_needed_form_with_its_error(client, owner, owners_actions):
    client.force_login(owner)

    response = client.post(
        reverse("audits:action_not_needed", args=[owners_actions["open"].pk]),
        {"not_needed-reason": ""},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert '<details class="govuk-details" open>' in html
    assert 'href="#id_not_needed-reason">Say why the action is no longer needed.' in html


def test_closing_an_action_someone_else_just_closed_says_so(client, owner, owners_actions):
    client.force_login(owner)
    action = owners_actions["done"]

    response = client.post(
        reverse("audits:action_done", args=[action.pk]), {"done-note": "Me too."}, follow=True
    )

    assert response.redirect_chain == [(reverse("audits:action_detail", args=[action.pk]), 302)]
    assert "This action is already marked done." in response.content.decode()
    assert action.events.count() == 1


def test_a_manager_sees_the_reopen_form_and_reopens(client, qa_lead_user, owners_actions):
    action = owners_actions["done"]
    client.force_login(qa_lead_user)

    assert (
        "Reopen the action"
        in client.get(reverse("audits:action_detail", args=[action.pk])).content.decode()
    )
    response = client.post(
        reverse("audits:action_reopen", args=[action.pk]), {"reopen-note": "Not evidenced on file."}
    )

    assert response.status_code == 302
    action.refresh_from_db()
    assert action.state == AgreedAction.State.OPEN


def test_the_owner_is_not_offered_reopen(client, owner, owners_actions):
    client.force_login(owner)

    html = client.get(
        reverse("audits:action_detail", args=[owners_actions["done"].pk])
    ).content.decode()

    assert "Reopen the action" not in html
    assert reverse("audits:detail", args=[owners_actions["done"].audit_id]) in html


# --- the audit page --------------------------------------------------------------------------


def test_the_audit_page_shows_each_actions_state_and_links_to_it(client, owner, owners_actions):
    action = owners_actions["done"]
    client.force_login(owner)

    html = client.get(reverse("audits:detail", args=[action.audit_id])).content.decode()

    assert '<th scope="col" class="govuk-table__header">State</th>' in html
    assert f'href="{reverse("audits:action_detail", args=[action.pk])}"' in html
    assert '<td class="govuk-table__cell">Done (' in html


def test_a_draft_audit_page_does_not_link_to_action_pages(client, owner, owners_actions):
    client.force_login(owner)

    html = client.get(
        reverse("audits:detail", args=[owners_actions["draft"].audit_id])
    ).content.decode()

    assert "/actions/" not in html.split("<main", 1)[1]


def test_a_does_not_meet_good_audit_says_whether_its_actions_were_done_by_their_dates(
    client, owner
):
    audit = audit_with_actions(
        owner, [days(-10), days(-2)], ref="CR-DNM", overall=Grade.DOES_NOT_MEET
    )
    action_services.action_mark_done(
        action=action_named("CR-DNM #1"), by=owner, note="Done.", completed_on=days(-11)
    )
    client.force_login(owner)

    html = client.get(reverse("audits:detail", args=[audit.pk])).content.decode()

    assert "Were the actions completed by their dates?" in html
    assert "Of 2 actions, 1 was completed by its date" in html
    assert "<strong>1 is overdue</strong>" in html
    assert "Not completed, overdue" in html


def test_a_meets_good_audit_page_has_no_outcome(client, owner):
    audit = audit_with_actions(owner, [days(-10)], ref="CR-MEETS")
    client.force_login(owner)

    html = client.get(reverse("audits:detail", args=[audit.pk])).content.decode()

    assert "Were the actions completed by their dates?" not in html


# --- changing the owner on the action's page -----------------------------------------------


def test_the_auditor_changes_the_owner_on_the_page_and_the_history_says_so(client, owner):
    audit_with_actions(owner, [days(5)], ref="CR-OWN")
    action = action_named("CR-OWN #1")
    manager = factories.UserFactory(username="tm-east", first_name="Team", last_name="East")
    client.force_login(owner)
    page = client.get(reverse("audits:action_detail", args=[action.pk])).content.decode()
    assert 'id="assign-form"' in page and "The auditor who agreed it" in page

    response = client.post(
        reverse("audits:action_assign", args=[action.pk]),
        {"assign-assignee": str(manager.pk)},
        follow=True,
    )

    html = response.content.decode()
    assert "Owner changed." in html
    assert "Owner changed to Team East." in html
    action.refresh_from_db()
    assert action.assignee == manager


def test_an_unknown_owner_re_renders_the_form_with_the_error(client, owner):
    audit_with_actions(owner, [days(5)], ref="CR-OWN2")
    action = action_named("CR-OWN2 #1")
    client.force_login(owner)

    response = client.post(
        reverse("audits:action_assign", args=[action.pk]), {"assign-assignee": "999999"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="error-summary"' in html and 'href="#id_assign-assignee"' in html
    assert '<details class="govuk-details" open>' in html  # the form the error is in is shown open
    action.refresh_from_db()
    assert action.assignee is None and not action.events.exists()
