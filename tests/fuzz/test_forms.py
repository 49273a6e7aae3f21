"""Every form, as each role that may use it, sent hostile bodies.

Each body starts from what a browser posts from the form's page (tests/fuzz/browser.py), with
valid values typed in, and hypothesis changes one to four things in it: a field set to a
hostile value (tests/fuzz/hostile.py), left out, sent twice, or a field the form does not have
added. Whatever arrives, the answer is clear (tests/fuzz/answers.py), never a 500; and when it
is a refusal (or the form shown again with its errors), nothing was written.

FORMS names each URL that does something with what is posted;
test_every_url_is_a_form_or_ignores_what_is_posted fails when the resolver has a URL in neither
FORMS nor IGNORES_POST, so a form added later without fuzzing fails the suite. Each example runs
in a transaction rolled back afterwards, so each starts from the same records; before any
example, the form as typed must succeed for each role, so the fuzz starts from a working form.
test_a_body_that_is_no_form_is_a_clear_answer sends what is no form at all (bytes, broken
multipart, JSON).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as settings_
from hypothesis import strategies as st

from audits.actions import services as action_services
from audits.grades import Grade
from audits.models import AgeBand, AuditActivity, CaseType, Strand
from audits.roles import ADMINISTRATOR, QA_LEAD
from audits.twofactor import services as twofactor_services
from moderation import services as moderation_services
from tests.audits.twofactor.helpers import code_for, enrolled
from tests.helpers import date_parts
from tests.test_access_every_url import World, _kwargs, _url_names

from .answers import assert_clear_answer, assert_unchanged, snapshot
from .browser import posted_from, with_values
from .hostile import SETTINGS, URLENCODED, changed, encode, examples, known_values, mutations

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
ANONYMOUS = "anonymous"
MANAGERS = ("moderator_user", "qa_lead_user", "administrator_user")
EVERYONE = ("owner", *MANAGERS)
BUILDERS = ("qa_lead_user", "administrator_user")


@dataclass(frozen=True)
class Form:
    """A URL that takes a form. ``typed`` is what a person types into the page's form (see
    browser.with_values) for it to succeed; ``page`` is the URL name of the page showing the
    form (its own URL unless said; None: a button with nothing to type); ``prepare`` puts the
    records in the state the form is for, once per user, before any example."""

    roles: tuple[str, ...]
    typed: Callable = lambda world, user: {}
    page: str | None = "self"
    query: str = ""
    succeeds: int = 302
    prepare: Callable | None = None
    examples: int = 35
    # Records a refused request is meant to change: django-otp counts wrong codes on the device.
    leave_out: frozenset = frozenset()
    verified: bool = False  # signed in with the second factor too


def _audit(world, user) -> dict:
    activity = AuditActivity.objects.get_or_create(
        name="Child protection plans", month=datetime.date(2026, 10, 1)
    )[0]
    return {
        "case_reference": "CR-7001",
        **date_parts("audit_date", datetime.date(2026, 10, 15)),
        "activity": str(activity.pk),
        "strand": str(Strand.objects.first().pk),
        "case_type": str(CaseType.objects.first().pk),
        "age_band": str(AgeBand.objects.first().pk),
        "overall_grade": Grade.MEETS,
        "overall_comments": "Purposeful work.",
        **{f"domain-{n}-grade": Grade.MEETS for n in range(1, 13)},
        **{f"domain-{n}-text": f"Evidence for domain {n}." for n in range(1, 13)},
        "action": "save",
    }


def _take(world, user):
    moderation_services.moderation_take(audit=world.submitted, moderator=user)


def _close_action(world, user):
    world.action.refresh_from_db()
    if world.action.state == world.action.State.OPEN:
        action_services.action_mark_done(action=world.action, by=world.owner, note="Done.")


def _enrol(world, user):
    if not user.totpdevice_set.filter(confirmed=True).exists():
        enrolled(user)


def _enrolment_code(world, user) -> dict:
    return {"code": code_for(twofactor_services.totp_device_for_enrolment(user=user))}


def _code(world, user) -> dict:
    return {"code": code_for(user.totpdevice_set.get(confirmed=True))}


def _hold_the_case(world, user):
    """Make ``user`` the case holder of the submitted audit's case (audits.holders)."""
    from audits.models import Case, Person, Team

    person, _ = Person.objects.get_or_create(
        name=f"Holder {user.pk}", defaults={"user": user, "name_key": f"holder {user.pk}"}
    )
    if not Case.objects.filter(case_reference=world.submitted.case_reference).exists():
        Case.objects.create(
            case_reference=world.submitted.case_reference,
            case_holder=person,
            team=Team.objects.get_or_create(slug="holders", defaults={"name": "Holders"})[0],
            strand=Strand.objects.first(),
            case_type=CaseType.objects.first(),
            open_date=datetime.date(2025, 1, 6),
        )


def _response(world, user) -> dict:
    return {
        "text": "I agree with the findings.",
        **{f"action_{a.pk}": "agreed" for a in world.submitted.actions.all()},
    }


TWO_FACTOR_ROLES = ("qa_lead_user", "administrator_user")

FORMS = {
    # --- audits ---
    # A new audit's first page (About the case), then a section of a draft (its agreed
    # actions, test_access_every_url._kwargs), then Check your answers' Submit button.
    "audits:new": Form(("owner",), _audit, examples=60),
    "audits:section": Form(
        ("owner",),
        lambda w, u: {"actions-0-description": "Changed.", "action": "continue"},
        examples=60,
    ),
    "audits:check": Form(("owner",), page=None, examples=10),
    "audits:delete": Form(("owner",), page=None, examples=10),
    # Autosave: the same forms, posted by the page's script, answered in JSON.
    "audits:autosave": Form(
        ("owner",),
        lambda w, u: {"actions-0-description": "Typed."},
        page="audits:section",
        succeeds=200,
    ),
    "audits:autosave_new": Form(("owner",), _audit, page="audits:new", succeeds=200),
    # The upload takes a file, which no urlencoded body carries: as typed it is the form again
    # asking for one (400), and no hostile body writes anything (the files themselves:
    # tests/audits/imports). Confirming a preview (the QA lead's, test_access_every_url.World).
    "audits:import_upload": Form(("qa_lead_user", "administrator_user"), succeeds=400),
    "audits:import_preview": Form(("qa_lead_user",), lambda w, u: {"confirm": "1"}),
    "audits:holder_response": Form(
        ("case_holder_user",), _response, prepare=_hold_the_case, examples=40
    ),
    "audits:activity_new": Form(
        ("qa_lead_user", "administrator_user"),
        lambda w, u: {"name": "Neglect", **date_parts("month", "2026-12"), "moderation_rate": "50"},
    ),
    "audits:activity_edit": Form(
        ("qa_lead_user", "administrator_user"), lambda w, u: {"name": "Renamed"}
    ),
    # The tool builder (audits.tools.views): the world's tool has no audits, so it changes.
    "audits:tool_new": Form(
        BUILDERS,
        lambda w, u: {"name": "Thematic", "grade_1": "Good", "good_1": "on", "grade_2": "Poor"},
        examples=15,
    ),
    "audits:tool_edit": Form(BUILDERS, lambda w, u: {"name": "Renamed"}, examples=15),
    "audits:tool_scale": Form(
        BUILDERS, lambda w, u: {"grade_1": "Good", "grade_2": "Poor"}, examples=15
    ),
    "audits:tool_section_new": Form(BUILDERS, lambda w, u: {"title": "More"}, examples=15),
    "audits:tool_section_edit": Form(BUILDERS, lambda w, u: {"title": "Renamed"}, examples=15),
    "audits:tool_section_remove": Form(BUILDERS, examples=10),
    "audits:tool_question_new": Form(
        BUILDERS,
        lambda w, u: {"text": "Which?", "kind": "choice", "options": "A\nB"},
        examples=15,
    ),
    "audits:tool_question_edit": Form(BUILDERS, lambda w, u: {"text": "Renamed?"}, examples=15),
    "audits:tool_question_remove": Form(BUILDERS, examples=10),
    "audits:tool_new_version": Form(BUILDERS, page=None, examples=10),
    "audits:tool_make_current": Form(BUILDERS, page=None, examples=10),
    # The sample draw (audits.cases): the draw form's preview, replacing a drawn case, and
    # the allocated auditor's Start audit button.
    "audits:draw_new": Form(
        ("qa_lead_user", "administrator_user"),
        lambda w, u: {"seed": "fuzz", "size": "1"},
        succeeds=200,
    ),
    "audits:drawn_case_replace": Form(
        ("qa_lead_user", "administrator_user"), lambda w, u: {"reason": "The case closed."}
    ),
    "audits:allocated_case_start": Form(("owner",), page=None, examples=10),
    "audits:action_done": Form(
        EVERYONE,
        lambda w, u: {
            "done-note": "Chronology updated.",
            **date_parts("done-completed_on", datetime.date(2026, 11, 20)),
        },
        page="audits:action_detail",
    ),
    "audits:action_not_needed": Form(
        EVERYONE,
        lambda w, u: {"not_needed-reason": "The case closed."},
        page="audits:action_detail",
    ),
    "audits:action_assign": Form(
        EVERYONE,
        lambda w, u: {"assign-assignee": str(w.qa_lead.pk)},
        page="audits:action_detail",
    ),
    "audits:action_reopen": Form(
        MANAGERS,
        lambda w, u: {"reopen-note": "Not finished after all."},
        page="audits:action_detail",
        prepare=_close_action,
    ),
    # --- moderation ---
    "moderation:moderate": Form(
        ("moderator_user",),
        lambda w, u: {"grade": w.submitted.overall_grade, "action": "record"},
        prepare=_take,
        examples=40,
    ),
    "moderation:take": Form(("moderator_user",), page=None, examples=10),
    "moderation:autosave": Form(
        ("moderator_user",),
        lambda w, u: {"feedback": "Typed so far."},
        page="moderation:moderate",
        prepare=_take,
        succeeds=200,
    ),
    "moderation:release": Form(("moderator_user",), page=None, prepare=_take, examples=10),
    "moderation:add_to_queue": Form(("moderator_user",), page=None, examples=10),
    "moderation:exemplar": Form(
        ("moderator_user",), lambda w, u: {"note": "A clear plan."}, page=None, examples=15
    ),
    "moderation:acknowledge": Form(
        ("owner",), lambda w, u: {"next": reverse("moderation:feedback")}, page=None, examples=15
    ),
    # --- reports ---
    "reports:new": Form(
        ("qa_lead_user",),
        lambda w, u: {"kind": "quarter", "financial_year": "2026", "quarter": "2"},
    ),
    "reports:detail": Form(("qa_lead_user",), lambda w, u: {"title": "Q3", "summary": "Good."}),
    "reports:publish": Form(
        ("qa_lead_user",),
        lambda w, u: {"title": "Q3", "summary": "Good.", "publish": ""},
        page="reports:detail",
        examples=15,
    ),
    "reports:autosave": Form(
        ("qa_lead_user",),
        lambda w, u: {"title": "Q3", "summary": "Typed so far."},
        page="reports:detail",
        succeeds=200,
    ),
    "reports:target_new": Form(
        ("qa_lead_user",),
        lambda w, u: {
            "name": "Audits completed",
            "measure": "manual",
            "direction": "at_least",
            "target_value": "10",
            "amber_tolerance": "0",
        },
        query="?year=2026",
    ),
    # The benchmark page takes files, which no urlencoded body carries: as typed it is the form
    # again asking for them (400), and nothing posted is ever written (the files themselves:
    # tests/reports/benchmark).
    "reports:benchmark": Form(("qa_lead_user",), succeeds=400),
    "reports:target_edit": Form(("qa_lead_user",), lambda w, u: {"name": "Renamed"}),
    "reports:target_delete": Form(("qa_lead_user",), examples=10),
    "reports:target_actual": Form(
        ("qa_lead_user",),
        lambda w, u: {"kind": "quarter", "financial_year": "2026", "quarter": "1", "value": "90"},
    ),
    "reports:target_checkpoints": Form(
        ("qa_lead_user",),
        lambda w, u: {**date_parts("date", datetime.date(2026, 12, 31)), "target_value": "8"},
    ),
    "reports:checkpoint_edit": Form(("qa_lead_user",), lambda w, u: {"target_value": "7"}),
    "reports:checkpoint_delete": Form(("qa_lead_user",), examples=10),
    # The improvement plan (reports.plan).
    "reports:plan_from_report": Form(
        BUILDERS,
        lambda w, u: {
            "rec-0-include": "on",
            "rec-0-title": "Audit supervision records",
            "rec-0-owner_name": "Head of Service",
            **date_parts("rec-0-due_date", datetime.date(2027, 1, 31)),
        },
    ),
    "reports:plan_item": Form(
        BUILDERS, lambda w, u: {"note": "Supervision audit planned.", "status": "in_progress"}
    ),
    "reports:plan_item_edit": Form(BUILDERS, lambda w, u: {"title": "Audit supervision"}),
    # --- signing in and out ---
    "login": Form(
        (ANONYMOUS,),
        lambda w, u: {"username": w.owner.username, "password": PASSWORD},
        leave_out=frozenset({"auth.User"}),  # last_login
    ),
    "logout": Form(EVERYONE, page=None, examples=10),
    "oidc_logout": Form(EVERYONE, page=None, examples=10),
    "password_change": Form(
        EVERYONE,
        lambda w, u: {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    ),
    "password_reset": Form((ANONYMOUS,), lambda w, u: {"email": w.owner.email}),
    "password_reset_confirm": Form(
        (ANONYMOUS,),
        lambda w, u: {
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    ),
    "two_factor:setup": Form(
        TWO_FACTOR_ROLES,
        _enrolment_code,
        succeeds=200,
        leave_out=frozenset({"otp_totp.TOTPDevice"}),
    ),
    "two_factor:verify": Form(
        TWO_FACTOR_ROLES,
        _code,
        prepare=_enrol,
        leave_out=frozenset({"otp_totp.TOTPDevice", "otp_static.StaticDevice"}),
    ),
    "two_factor:recovery_codes": Form(
        TWO_FACTOR_ROLES, prepare=_enrol, verified=True, succeeds=200, examples=10
    ),
}


# Views that take GET only, or answer a POST as they answer a GET, using nothing posted. The
# admin's forms are Django's, behind the Administrator role, and left out.
IGNORES_POST = {
    "healthz",
    # The footer's pages (config.pages): GET and HEAD only, 405 to anything else.
    "pages:help",
    "pages:contact",
    "pages:privacy",
    "pages:accessibility",
    "password_change_done",
    "password_reset_done",
    "password_reset_complete",
    "oidc_authentication_init",
    "oidc_authentication_callback",
    "audits:home",
    "audits:edit",  # the task list: a page to read
    "audits:mine",
    "audits:my_cases",
    "audits:all",
    "audits:earlier",
    "audits:detail",
    "audits:pdf",
    "audits:case_timeline",
    "audits:find_case",  # a search, sent by GET: what is posted is not read
    "audits:security_log",
    "audits:security_log_csv",
    "audits:activities",
    "audits:tools",
    "audits:tool",  # the tool's page: its buttons post to their own URLs
    "audits:tool_preview",  # nothing typed into the preview is sent
    "audits:imports",  # the two imports and the record of those made: a page to read
    "audits:draws",  # pages to read
    "audits:compliance",
    "audits:actions",
    "audits:action_detail",
    "moderation:queue",
    "moderation:dashboard",
    "moderation:drift",  # a page to read: one auditor's drift check
    "moderation:feedback",
    "moderation:exemplars",
    "reports:list",
    "reports:summary_json",
    "reports:compare",  # a comparison, sent by GET: what is posted is not read
    "reports:pdf",
    "reports:export",
    "reports:activity_results",  # a page to read
    "reports:targets",
    "reports:plan",  # the plan page: its filters are sent by GET
    "reports:make_pdf",  # a button: asks the worker again, reads nothing posted
    "reports:benchmark_export",  # a download, sent by GET
    # The session's pages: its status (GET), "Stay signed in" (the request is the activity),
    # the signed-out and kept-saves pages, and discarding a kept save (the id is in the path;
    # only its safe ``next`` is read, the check tests/audits/sessions covers).
    "session:status",
    "session:extend",
    "session:signed_out",
    "session:kept",
    "session:discard",
}


def test_every_url_is_a_form_or_ignores_what_is_posted():
    names = {name for name in _url_names() if not name.startswith("admin:")}
    assert set(FORMS) | IGNORES_POST == names
    assert not set(FORMS) & IGNORES_POST


def two_factor_for(name: str, settings) -> None:
    """The two-factor pages are for the roles that must use it: production's default (the
    suite's settings ask nobody)."""
    if name.startswith("two_factor:"):
        settings.TWO_FACTOR_ROLES = (QA_LEAD, ADMINISTRATOR)


def begin(client, name: str, world, user) -> str:
    """Sign ``user`` in (nobody: signed out) as the form needs; the URL to post to."""
    form = FORMS[name]
    client.cookies.clear()
    if user is not None:
        client.force_login(user)
    if form.verified:
        session = client.session
        session["otp_device_id"] = user.totpdevice_set.get(confirmed=True).persistent_id
        session.save()
    url = reverse(name, kwargs=_kwargs(name, world))
    if name == "password_reset_confirm":
        # The link in the email sends the browser on to the set-password page, keeping the
        # token in the session.
        response = client.get(url)
        assert response.status_code == 302
        url = response.url
    return url + form.query


def as_typed(client, name: str, world, user, url: str) -> list:
    """What the browser posts from the form's page, with the form's ``typed`` values."""
    form = FORMS[name]
    pairs = []
    if form.page is not None:
        page_url = (
            url if form.page == "self" else reverse(form.page, kwargs=_kwargs(form.page, world))
        )
        response = client.get(page_url)
        assert response.status_code == 200, page_url
        pairs = posted_from(response.content.decode(), page_url=page_url, action_url=url)
    return with_values(pairs, form.typed(world, user))


def post(client, url: str, pairs):
    return client.generic("POST", url, encode(pairs), content_type=URLENCODED)


@pytest.mark.parametrize("name", sorted(FORMS))
def test_bad_input_to_every_form(request, settings, world, name):
    form = FORMS[name]
    two_factor_for(name, settings)
    client = Client()
    users = {who: None if who == ANONYMOUS else request.getfixturevalue(who) for who in form.roles}
    bodies = {}
    for who, user in users.items():
        if form.prepare:
            form.prepare(world, user)
        bodies[who] = as_typed(client, name, world, user, begin(client, name, world, user))
        # As typed, the form succeeds, so the examples start from a form that works.
        with transaction.atomic():
            response = post(client, begin(client, name, world, user), bodies[who])
            assert response.status_code == form.succeeds, (who, response.content.decode()[:2000])
            transaction.set_rollback(True)

    keys = sorted({k for body in bodies.values() for k, _ in body}) or ["x"]
    known = known_values([p for body in bodies.values() for p in body])

    @settings_(max_examples=examples(form.examples), **SETTINGS)
    @given(who=st.sampled_from(sorted(users)), changes=mutations(keys, known))
    def run(who, changes):
        what = f"{name} as {who}"
        with transaction.atomic():
            url = begin(client, name, world, users[who])
            before = snapshot(leave_out=form.leave_out)
            response = post(client, url, changed(bodies[who], changes))
            assert_clear_answer(response, what)
            if refused(response):
                assert_unchanged(before, snapshot(leave_out=form.leave_out), what)
            transaction.set_rollback(True)

    run()


# Bodies that are no form at all: what a broken client, a script or an attacker sends.
MULTIPART = "multipart/form-data; boundary=BoUnDaRy"
JUNK_BODIES = st.one_of(
    st.tuples(st.just(URLENCODED), st.binary(max_size=300)),
    st.tuples(st.just(URLENCODED), st.sampled_from([b"=", b"&&&", b"a=%", b"%zz=1", b"a=%ff%fe"])),
    st.tuples(
        st.just(MULTIPART),
        st.sampled_from(
            [
                b"",
                b"--BoUnDaRy\r\n",
                b"--BoUnDaRy\r\nContent-Disposition: form-data\r\n\r\nx\r\n--BoUnDaRy--",
                b'--BoUnDaRy\r\nContent-Disposition: form-data; name="a"\r\n\r\n\x00\xff',
                b'--BoUnDaRy\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n'
                b"Content-Type: text/plain\r\n\r\nfile\r\n--BoUnDaRy--\r\n",
            ]
        ),
    ),
    st.tuples(st.just("multipart/form-data"), st.binary(max_size=100)),
    st.tuples(
        st.sampled_from(
            ["application/json", "text/plain", "application/xml", "", "x/y; charset=zz"]
        ),
        st.binary(max_size=100) | st.just(b'{"case_reference": "CR-1"}'),
    ),
)


@pytest.mark.parametrize("name", sorted(FORMS))
def test_a_body_that_is_no_form_is_a_clear_answer(request, settings, world, name):
    form = FORMS[name]
    two_factor_for(name, settings)
    client = Client()
    who = form.roles[0]
    user = None if who == ANONYMOUS else request.getfixturevalue(who)
    if form.prepare:
        form.prepare(world, user)
    _kwargs(name, world)  # the records its URL names, made now: each example is rolled back

    @settings_(max_examples=examples(8), **SETTINGS)
    @given(junk=JUNK_BODIES)
    def run(junk):
        content_type, body = junk
        with transaction.atomic():
            url = begin(client, name, world, user)
            before = snapshot(leave_out=form.leave_out)
            response = client.generic("POST", url, body, content_type=content_type)
            assert_clear_answer(response, f"{name} as {who}")
            if refused(response):
                assert_unchanged(before, snapshot(leave_out=form.leave_out), name)
            transaction.set_rollback(True)

    run()


def refused(response) -> bool:
    """A refusal, or the form shown again with its errors (the sign-in page does that with 200)."""
    if response.status_code >= 400:
        return True
    return response.status_code == 200 and b'id="error-summary"' in response.content


@pytest.fixture
def world(owner, qa_lead_user):
    return World(owner, qa_lead_user)
