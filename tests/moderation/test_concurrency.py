"""Two moderators at once.

A stale form (someone else acted since the page was opened) is refused with a message that
says so, on every database. A true race, two requests in flight together, needs row locks that
only PostgreSQL has: SQLite serialises writers and ``select_for_update`` is a no-op there.
"""

import threading
import time
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from audits.grades import Grade
from audits.models import Audit, AuditTransition, Status
from moderation import services
from moderation.models import Moderation, ModerationCase
from moderation.services import ModerationError
from tests import factories
from tests.helpers import submitted_audit, taken_audit


@pytest.fixture
def a(db):
    return factories.moderator(username="moderator-a")


@pytest.fixture
def b(db):
    return factories.moderator(username="moderator-b")


def _state(audit):
    audit.refresh_from_db()
    return (
        audit.status,
        audit.moderated_grade,
        audit.moderated_by_id,
        audit.revision,
        list(
            audit.moderations.values_list(
                "round", "outcome", "moderator_id", "moderated_grade", "rationale", "feedback"
            )
        ),
        AuditTransition.objects.filter(audit=audit).count(),
    )


# --- Stale forms (both databases) ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("b_does", ["record", "send_back"])
def test_a_second_moderator_with_a_stale_form_is_told_it_was_already_moderated(a, b, b_does):
    audit = taken_audit(moderator=a, overall=Grade.MEETS)
    seen_by_b = audit.revision
    services.moderation_record(
        audit=audit, moderator=a, grade=Grade.EXCEEDS, rationale="Exceptional direct work."
    )
    after_a = _state(audit)

    with pytest.raises(ModerationError, match="already been moderated by moderator-a"):
        if b_does == "record":
            services.moderation_record(
                audit=audit,
                moderator=b,
                grade=Grade.DOES_NOT_MEET,
                rationale="No plan.",
                expected_revision=seen_by_b,
            )
        else:
            services.moderation_send_back(
                audit=audit, moderator=b, comments="Add a plan.", expected_revision=seen_by_b
            )

    assert _state(audit) == after_a
    assert (audit.status, audit.moderated_grade, audit.moderated_by) == (
        Status.COMPLETED,
        Grade.EXCEEDS,
        a,
    )
    assert audit.moderations.count() == 1


@pytest.mark.django_db
def test_the_holder_with_a_stale_revision_is_refused_and_nothing_is_saved(a, b):
    # A opened the form, then released and took the audit again in another tab: the revision
    # moved on, so the first form no longer describes the audit.
    audit = taken_audit(moderator=a)
    old = audit.revision
    services.moderation_release(audit=audit, moderator=a)
    services.moderation_take(audit=audit, moderator=a)
    before = _state(audit)

    with pytest.raises(ModerationError, match="changed after you opened it"):
        services.moderation_record(
            audit=audit, moderator=a, grade=Grade.MEETS, expected_revision=old
        )

    assert _state(audit) == before


def _post(client, audit, revision, **data):
    payload = {
        "revision": revision,
        "actions-TOTAL_FORMS": "0",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "1000",
        **data,
    }
    return client.post(reverse("moderation:moderate", args=[audit.pk]), payload)


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["record", "send_back"])
def test_the_stale_form_comes_back_with_what_b_typed(client, a, b, action):
    audit = taken_audit(moderator=a, overall=Grade.MEETS)
    client.force_login(b)
    page = client.get(reverse("moderation:moderate", args=[audit.pk]))
    assert page.status_code == 200
    seen_by_b = page.context["revision_form"].initial["revision"]
    assert seen_by_b == audit.revision
    services.moderation_record(
        audit=audit, moderator=a, grade=Grade.MEETS, feedback="Well evidenced."
    )
    after_a = _state(audit)

    response = _post(
        client,
        audit,
        seen_by_b,
        action=action,
        grade=Grade.DOES_NOT_MEET,
        rationale="Risk from the neighbour not assessed",
        feedback="Chronology stops in August",
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "This audit has already been moderated by moderator-a." in html
    assert "Risk from the neighbour not assessed" in html
    assert "Chronology stops in August" in html
    assert _state(audit) == after_a
    assert mail.outbox == []


# --- True concurrency (PostgreSQL) -------------------------------------------------------------

postgres_only = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite serialises writers and select_for_update is a no-op there; the race needs "
    "PostgreSQL row locks (run with DATABASE_URL=postgres://...)",
)


def _race(*calls):
    """Run each call in its own thread and connection, released together by a barrier.

    Whoever gets the audit's row lock first holds it a little longer (a pause right after
    ``services._locked``), so the other call is sure to arrive while the lock is held rather
    than after the winner committed. Without the lock both would pass the status check and the
    second round would crash on the unique (audit, round) constraint, which fails the test.
    Returns one (result or None, ModerationError or None) per call.
    """
    barrier = threading.Barrier(len(calls))
    locked = services._locked

    def slow_locked(audit):
        row = locked(audit)
        time.sleep(0.3)
        return row

    outcomes = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            outcomes[i] = (call(), None)
        except ModerationError as error:
            outcomes[i] = (None, error)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            outcomes[i] = ("crashed", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    with mock.patch.object(services, "_locked", slow_locked):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a moderation call never finished"
    assert all(o is not None and o[0] != "crashed" for o in outcomes), outcomes
    return outcomes


RACES = {
    "record-meets-vs-record-exceeds": (
        ("record", {"grade": Grade.MEETS}),
        ("record", {"grade": Grade.EXCEEDS, "rationale": "Strong analysis."}),
    ),
    "record-vs-send-back": (
        ("record", {"grade": Grade.MEETS}),
        ("send_back", {"comments": "Add the child's views."}),
    ),
}


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("race", list(RACES))
@pytest.mark.parametrize("attempt", range(2))
def test_two_decisions_racing_on_one_audit_one_wins(a, race, attempt):
    audit = taken_audit(moderator=a, overall=Grade.MEETS)
    revision = audit.revision
    calls = []
    for kind, kwargs in RACES[race]:
        service = services.moderation_record if kind == "record" else services.moderation_send_back
        calls.append(
            lambda service=service, kwargs=kwargs: service(
                audit=Audit.objects.get(pk=audit.pk),
                moderator=a,
                expected_revision=revision,
                **kwargs,
            )
        )

    outcomes = _race(*calls)

    winners = [i for i, (result, error) in enumerate(outcomes) if error is None]
    losers = [i for i, (result, error) in enumerate(outcomes) if error is not None]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    winner = outcomes[winners[0]][0]
    audit.refresh_from_db()
    rounds = list(Moderation.objects.filter(audit=audit))
    assert [m.pk for m in rounds] == [winner.pk]
    if winner.outcome == Moderation.Outcome.RETURNED:
        assert audit.status == Status.RETURNED
        assert audit.moderated_grade == ""
        # Sent back: the loser's form predates the change, and is told so.
        assert "changed after you opened it" in str(outcomes[losers[0]][1])
    else:
        assert audit.status == Status.COMPLETED
        assert (audit.moderated_grade, audit.moderated_by) == (winner.moderated_grade, a)
        assert "already been moderated by moderator-a" in str(outcomes[losers[0]][1])
    moves = list(
        AuditTransition.objects.filter(audit=audit).values_list("from_status", "to_status")
    )
    assert moves[-1] == (Status.IN_MODERATION, audit.status)
    assert len(moves) == 3  # submit, take, and the winner's decision
    assert audit.revision == revision + 1
    assert len(mail.outbox) == 1


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("attempt", range(2))
def test_two_moderators_taking_one_audit_at_once_one_gets_it(a, b, attempt):
    audit = submitted_audit()

    outcomes = _race(
        lambda: services.moderation_take(audit=Audit.objects.get(pk=audit.pk), moderator=a),
        lambda: services.moderation_take(audit=Audit.objects.get(pk=audit.pk), moderator=b),
    )

    errors = [error for _result, error in outcomes if error is not None]
    assert len(errors) == 1, outcomes
    winner = a if outcomes[0][1] is None else b
    assert f"{winner.username} is already moderating" in str(errors[0])
    audit.refresh_from_db()
    assert audit.status == Status.IN_MODERATION
    assert ModerationCase.objects.get(audit=audit).taken_by == winner
    assert AuditTransition.objects.filter(audit=audit, to_status=Status.IN_MODERATION).count() == 1
