"""The moderation form's autosaved draft (issue 12, item 1).

The moderator holding an audit has what they typed kept on its moderation case, without any
decision rule being run, and sees it again when they open the form; nobody else does. It goes
once the moderation is recorded or the audit is sent back or released. An autosave from a page
opened before the audit changed is refused (409) and writes nothing.
"""

import pytest
from django.core import mail
from django.urls import reverse

from audits.grades import Grade
from audits.models import Status
from moderation import services
from moderation.models import ModerationCase
from tests import factories
from tests.helpers import taken_audit

pytestmark = pytest.mark.django_db

TYPED = {
    "grade": Grade.EXCEEDS,  # a changed grade with no rationale yet: a decision would refuse it
    "rationale": "",
    "feedback": "Half-written feedback about the chronology",
    "note_3": "The decision to close the plan is not recorded.",
    "actions-0-description": "Share the chronology with the school",
    "actions-0-owner": "Social worker",
}


@pytest.fixture
def holder():
    return factories.moderator(first_name="Sam", last_name="Okafor")


@pytest.fixture
def audit(holder):
    return taken_audit(moderator=holder, overall=Grade.MEETS)


def formset(rows=3):
    return {
        "actions-TOTAL_FORMS": str(rows),
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "1000",
    }


def open_form(client, audit) -> dict:
    """GET the moderation page: the revision and page token its form posts."""
    page = client.get(reverse("moderation:moderate", args=[audit.pk]))
    assert page.status_code == 200
    initial = page.context["revision_form"].initial
    return {"revision": initial["revision"], "page": initial["page"]}


def autosave(client, audit, opened, typed=TYPED):
    url = reverse("moderation:autosave", args=[audit.pk])
    return client.post(url, {**formset(), **typed, **opened})


def kept(audit):
    return ModerationCase.objects.get(audit=audit).draft


def test_an_autosave_keeps_the_draft_and_decides_nothing(client, audit, holder):
    client.force_login(holder)
    opened = open_form(client, audit)

    response = autosave(client, audit, opened)

    assert response.status_code == 200
    assert response.json()["revision"] == opened["revision"] + 1
    assert kept(audit) == {
        "grade": Grade.EXCEEDS,
        "rationale": "",
        "feedback": TYPED["feedback"],
        "notes": {"3": TYPED["note_3"]},
        "actions": [
            {
                "description": "Share the chronology with the school",
                "owner": "Social worker",
                "due_date": "",
            }
        ],
    }
    audit.refresh_from_db()
    assert (audit.status, audit.moderated_grade) == (Status.IN_MODERATION, "")
    assert audit.moderations.count() == 0
    assert mail.outbox == []


def test_the_holder_opens_the_form_with_their_draft(client, audit, holder):
    client.force_login(holder)
    autosave(client, audit, open_form(client, audit))

    page = client.get(reverse("moderation:moderate", args=[audit.pk]))

    form, actions = page.context["form"], page.context["actions"]
    assert form["grade"].value() == Grade.EXCEEDS
    assert form["feedback"].value() == TYPED["feedback"]
    assert form["note_3"].value() == TYPED["note_3"]
    assert actions.forms[0]["description"].value() == "Share the chronology with the school"
    assert TYPED["feedback"] in page.content.decode()


def test_nobody_else_sees_the_draft(client, audit, holder):
    client.force_login(holder)
    autosave(client, audit, open_form(client, audit))
    other = factories.moderator()
    client.force_login(other)

    page = client.get(reverse("moderation:moderate", args=[audit.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    for typed in (TYPED["feedback"], TYPED["note_3"], "Share the chronology with the school"):
        assert typed not in html
    assert page.context["form"]["grade"].value() == Grade.MEETS  # the auditor's grade


def test_another_moderator_may_not_autosave_into_the_holders_draft(client, audit, holder):
    client.force_login(holder)
    autosave(client, audit, open_form(client, audit))
    audit.refresh_from_db()
    before = (kept(audit), audit.revision)
    client.force_login(factories.moderator())

    response = autosave(client, audit, open_form(client, audit), {"feedback": "Not mine"})

    assert response.status_code == 403
    assert response.json()["error"] == "refused"
    audit.refresh_from_db()
    assert (kept(audit), audit.revision) == before


def test_a_stale_autosave_answers_409_naming_who_and_writes_nothing(client, audit, holder):
    client.force_login(holder)
    first_tab = open_form(client, audit)
    second_tab = open_form(client, audit)
    assert (
        autosave(client, audit, second_tab, {"feedback": "From the second tab"}).status_code == 200
    )
    audit.refresh_from_db()
    before = (kept(audit), audit.revision)

    response = autosave(client, audit, first_tab, {"feedback": "From the first tab"})

    assert response.status_code == 409
    answer = response.json()
    assert answer["error"] == "conflict"
    assert "changed after you opened it (saved at " in answer["message"]
    assert "by you, in another tab or window)" in answer["message"]
    audit.refresh_from_db()
    assert (kept(audit), audit.revision) == before


@pytest.mark.parametrize("ends_with", ["record", "send_back", "release"])
def test_the_draft_goes_when_the_moderation_ends(client, audit, holder, ends_with):
    client.force_login(holder)
    autosave(client, audit, open_form(client, audit))
    assert kept(audit) is not None

    if ends_with == "record":
        services.moderation_record(audit=audit, moderator=holder, grade=Grade.MEETS)
    elif ends_with == "send_back":
        services.moderation_send_back(audit=audit, moderator=holder, comments="Add the plan.")
    else:
        services.moderation_release(audit=audit, moderator=holder)

    case = ModerationCase.objects.get(audit=audit)
    assert (case.draft, case.draft_saved_at) == (None, None)


def test_a_released_draft_is_not_offered_to_whoever_takes_the_audit_next(client, audit, holder):
    client.force_login(holder)
    autosave(client, audit, open_form(client, audit))
    services.moderation_release(audit=audit, moderator=holder)
    next_moderator = factories.moderator()
    services.moderation_take(audit=audit, moderator=next_moderator)
    client.force_login(next_moderator)

    page = client.get(reverse("moderation:moderate", args=[audit.pk]))

    assert TYPED["feedback"] not in page.content.decode()
    assert page.context["form"]["feedback"].value() in (None, "")
