"""Moderation of audits made with a built tool: its own scale, ranked by position (1 is best);
the queue's rules; a tool without an overall grade is never moderated; the standard figures
never count these audits."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from audits import roles
from audits.models import Audit, Status
from moderation import scales, selectors, services
from moderation.models import Moderation, ModerationCase, SampleReason
from moderation.services import ModerationError
from tests import factories
from tests.helpers import moderation_form
from tests.moderation.built_tools import (
    GOOD,
    GRADED,
    INADEQUATE,
    NUMBER,
    RI,
    TEXT,
    YES_NO,
    built_activity,
    built_audit,
    every_kind_tool,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tool(db):
    return every_kind_tool()


def queued(tool, *, overall=RI, **kwargs):
    activity = built_activity(tool, rate=100)
    return built_audit(activity, overall=overall, **kwargs)


@pytest.mark.parametrize(
    "before, after, outcome",
    [
        (RI, RI, Moderation.Outcome.AGREED),
        (RI, GOOD, Moderation.Outcome.RAISED),
        (INADEQUATE, RI, Moderation.Outcome.RAISED),
        (RI, INADEQUATE, Moderation.Outcome.LOWERED),
        (GOOD, INADEQUATE, Moderation.Outcome.LOWERED),
    ],
)
def test_agreed_raised_and_lowered_compare_positions_on_the_tools_scale(
    tool, before, after, outcome
):
    audit = queued(tool, overall=before)
    moderator = factories.moderator()
    services.moderation_take(audit=audit, moderator=moderator)

    moderation = services.moderation_record(
        audit=audit, moderator=moderator, grade=after, rationale="The evidence says so."
    )

    audit.refresh_from_db()
    assert moderation.outcome == outcome
    assert (moderation.auditor_grade, moderation.moderated_grade) == (before, after)
    assert audit.status == Status.COMPLETED and audit.moderated_grade == after


def test_a_grade_not_on_the_tools_scale_is_refused_and_nothing_is_written(tool):
    audit = queued(tool)
    moderator = factories.moderator()
    services.moderation_take(audit=audit, moderator=moderator)

    for wrong in ("meets", "exceeds", ""):
        with pytest.raises(ModerationError, match="Choose the moderated grade"):
            services.moderation_record(audit=audit, moderator=moderator, grade=wrong, rationale="x")
    audit.refresh_from_db()
    assert audit.status == Status.IN_MODERATION and not audit.moderations.exists()


def test_a_changed_grade_needs_a_rationale(tool):
    audit = queued(tool, overall=GOOD)
    moderator = factories.moderator()
    services.moderation_take(audit=audit, moderator=moderator)
    with pytest.raises(ModerationError, match="rationale"):
        services.moderation_record(audit=audit, moderator=moderator, grade=RI)


def test_always_moderate_not_met_means_the_tools_lowest_grade(tool):
    activity = built_activity(tool, rate=0, always=True)
    lowest = built_audit(activity, overall=INADEQUATE, case_reference="CR-1")
    middle = built_audit(activity, overall=RI, case_reference="CR-2")

    assert scales.lowest(tool) == INADEQUATE
    assert ModerationCase.objects.get(audit=lowest).reason == SampleReason.RULE
    assert ModerationCase.objects.get(audit=middle).reason == SampleReason.NOT_SELECTED
    assert lowest.status == Status.SUBMITTED and middle.status == Status.COMPLETED
    queue = list(selectors.moderation_queue(factories.moderator()))
    assert queue == [lowest]


def test_the_rate_draws_built_tool_audits_into_the_queue(tool):
    activity = built_activity(tool, rate=50, always=False)
    drawn = built_audit(activity, overall=GOOD, draw=0.2, case_reference="CR-1")
    missed = built_audit(activity, overall=GOOD, draw=0.7, case_reference="CR-2")

    assert ModerationCase.objects.get(audit=drawn).reason == SampleReason.RATE
    assert list(selectors.moderation_queue(factories.moderator())) == [drawn]
    assert missed.status == Status.COMPLETED


def test_a_tool_without_an_overall_grade_is_never_queued_even_at_100_percent():
    tool = every_kind_tool(name="LADO dip sample", has_overall_grade=False)
    activity = built_activity(tool, rate=100, always=True)
    audit = built_audit(activity, draw=0.0)
    practice = built_audit(activity, draw=0.0, practice=True, case_reference="CR-9")

    for one in (audit, practice):
        case = ModerationCase.objects.get(audit=one)
        assert (case.sampled, case.reason, case.draw) == (
            False,
            SampleReason.NO_OVERALL_GRADE,
            None,
        )
        assert one.status == Status.COMPLETED
    assert not selectors.moderation_queue(factories.moderator()).exists()

    qa_lead = factories.qa_lead()
    with pytest.raises(ModerationError, match="no overall grade"):
        services.moderation_add_to_queue(audit=audit, by=qa_lead)
    assert not ModerationCase.objects.get(audit=audit).selected


def test_a_qa_lead_can_add_a_graded_built_tool_audit_to_the_queue(tool):
    activity = built_activity(tool, rate=0, always=False)
    audit = built_audit(activity, overall=GOOD)
    assert audit.status == Status.COMPLETED

    services.moderation_add_to_queue(audit=audit, by=factories.qa_lead())

    assert list(selectors.moderation_queue(factories.moderator())) == [
        Audit.objects.get(pk=audit.pk)
    ]


def test_the_standard_agreement_statistics_never_count_built_tool_audits(tool):
    moderator = factories.moderator()
    before = selectors.agreement_statistics(Audit.objects.all())["overall"]
    audit = queued(tool, overall=RI)
    services.moderation_take(audit=audit, moderator=moderator)
    services.moderation_record(audit=audit, moderator=moderator, grade=GOOD, rationale="x")

    after = selectors.agreement_statistics(Audit.objects.all())
    assert (after["overall"].audits, after["overall"].moderated) == (before.audits, 0)
    assert after["per_activity"] == []


# --- Pages ------------------------------------------------------------------------------------


def test_the_queue_shows_a_built_tool_audit_with_its_grade_by_name(client, tool):
    audit = queued(tool, overall=RI)
    client.force_login(factories.moderator())

    response = client.get(reverse("moderation:queue"))

    assert response.status_code == 200
    row = response.content.decode()
    assert audit.case_reference in row and "Requires improvement" in row


def test_the_moderation_page_offers_the_tools_grades_and_shows_the_answers(client, tool):
    audit = queued(
        tool,
        overall=RI,
        answers={
            GRADED: RI,
            YES_NO: "partly",
            NUMBER: {"number": "12.50", "text": ""},
            TEXT: "A chronology from the start.",
        },
    )
    moderator = factories.moderator()
    services.moderation_take(audit=audit, moderator=moderator)
    client.force_login(moderator)

    response = client.get(reverse("moderation:moderate", args=[audit.pk]))

    assert response.status_code == 200
    form = response.context["form"]
    assert [c for c, _label in form.fields["grade"].choices] == [GOOD, RI, INADEQUATE]
    page = response.content.decode()
    assert 'id="audit-answers-1"' in page and 'id="audit-answers-2"' in page
    for shown in ("Was a chronology kept?", "Partly", "12.5", "A chronology from the start."):
        assert shown in page
    assert 'id="domain-notes"' not in page
    assert "Does not meet good" not in page


def test_the_moderation_page_records_a_built_tool_decision(client, tool):
    audit = queued(tool, overall=RI)
    moderator = factories.moderator()
    audit = services.moderation_take(audit=audit, moderator=moderator)
    client.force_login(moderator)

    response = client.post(
        reverse("moderation:moderate", args=[audit.pk]),
        moderation_form(audit, grade=INADEQUATE, rationale="No plan for the neglect."),
    )

    assert response.status_code == 302
    moderation = Moderation.objects.get(audit=audit)
    assert moderation.outcome == Moderation.Outcome.LOWERED
    # The moderation panel (of the audit's page) shows both grades by name. The audit's page
    # itself, for a built tool, is another part of the work: the panel is rendered here alone.
    audit = Audit.objects.select_related("tool").get(pk=audit.pk)
    panel = Template("{% load moderation_tags %}{% moderation_panel audit %}").render(
        Context({"audit": audit, "user": audit.auditor})
    )
    assert "Requires improvement" in panel and "Inadequate" in panel
    assert "Grade lowered" in panel


def test_a_standard_grade_posted_to_a_built_tool_audit_is_a_form_error(client, tool):
    audit = queued(tool, overall=RI)
    moderator = factories.moderator()
    audit = services.moderation_take(audit=audit, moderator=moderator)
    client.force_login(moderator)

    response = client.post(
        reverse("moderation:moderate", args=[audit.pk]), moderation_form(audit, grade="meets")
    )

    assert response.status_code == 400
    assert "grade" in response.context["form"].errors
    assert not Moderation.objects.filter(audit=audit).exists()


def test_nobody_moderates_a_tool_without_an_overall_grade(client):
    tool = every_kind_tool(name="LADO dip sample", has_overall_grade=False)
    audit = built_audit(built_activity(tool, rate=100))
    client.force_login(factories.moderator())

    response = client.get(reverse("moderation:moderate", args=[audit.pk]))

    assert response.status_code == 302
    assert not Moderation.objects.filter(audit=audit).exists()


def test_a_moderator_never_sees_their_own_built_tool_audit_in_the_queue(tool):
    both = factories.UserFactory(roles=[roles.AUDITOR, roles.MODERATOR])
    queued(tool, overall=INADEQUATE, auditor=both)
    assert not selectors.moderation_queue(both).exists()
    assert selectors.moderation_queue(factories.moderator()).count() == 1
