"""Every URL of the project, as each kind of user, against one table.

The list of URLs comes from the URL resolver, not from this file: a new view that is not in
EXPECTED fails test_every_url_is_in_the_table, so no page can escape the access rules' table.
Each URL is opened with GET as anonymous, the owner (an auditor whose audits the arguments
point at), a colleague (another auditor), a moderator, a QA lead and an administrator.

405 is a POST-only view answering GET; anonymous is sent to sign in before the view runs.
404 is what a user may not see (nobody learns that a colleague's audit exists), 403 what they
may see but not do. The per-page tests (tests/audits/test_views_access.py,
tests/moderation/test_views.py, tests/reports/...) agree with this table.
"""

import datetime
from functools import cached_property

import pytest
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from audits import periods
from audits.models import Status
from reports.services import report_create
from reports.targets.services import checkpoint_add, target_create
from tests import factories
from tests.helpers import date_parts, draft_audit, moderated_audit, submitted_audit

pytestmark = pytest.mark.django_db

LOGIN = "login"  # a redirect to the sign-in page, with ?next= the page asked for
ADMIN = "admin:login"  # the same, to the admin site's sign-in page

# The query string a URL needs to answer more than "bad input" (400).
QUERY = {
    "reports:summary_json": "?start=2026-07-01&end=2026-09-30",
    "reports:benchmark_export": "?start=2026-07-01&end=2026-09-30",
}

USERS = ["anonymous", "owner", "colleague", "moderator_user", "qa_lead_user", "administrator_user"]

# The expected status of GET for each URL name, in the order of USERS:
#                                anon  owner  colleague  moderator  QA lead  administrator
EXPECTED = {
    # For the load balancer (config.health): "ok" to anyone.
    "healthz": (200, 200, 200, 200, 200, 200),
    # The footer's pages (config.pages): help, contact, privacy notice, accessibility
    # statement. Open to anyone, signed in or not; no case data.
    "pages:help": (200, 200, 200, 200, 200, 200),
    "pages:contact": (200, 200, 200, 200, 200, 200),
    "pages:privacy": (200, 200, 200, 200, 200, 200),
    "pages:accessibility": (200, 200, 200, 200, 200, 200),
    # Django's sign-in pages. Signing in and resetting a forgotten password are open to
    # anonymous (django.contrib.auth marks them login_not_required); the reset link below is
    # valid, so it redirects to its set-password form. Signing out is POST only.
    "login": (200, 200, 200, 200, 200, 200),
    "logout": (LOGIN, 405, 405, 405, 405, 405),
    "password_change": (LOGIN, 200, 200, 200, 200, 200),
    "password_change_done": (LOGIN, 200, 200, 200, 200, 200),
    "password_reset": (200, 200, 200, 200, 200, 200),
    "password_reset_done": (200, 200, 200, 200, 200, 200),
    "password_reset_confirm": (302, 302, 302, 302, 302, 302),
    "password_reset_complete": (200, 200, 200, 200, 200, 200),
    # The council sign-in (config.sso) is off unless OIDC_ISSUER and OIDC_CLIENT_ID are set, as
    # here: starting it and coming back from the provider are 404 to everyone (with it on,
    # tests/sso cover them). Its sign-out, like Django's, is POST only.
    "oidc_authentication_init": (404, 404, 404, 404, 404, 404),
    "oidc_authentication_callback": (404, 404, 404, 404, 404, 404),
    "oidc_logout": (LOGIN, 405, 405, 405, 405, 405),
    # Two-factor sign-in (audits.twofactor). The suite's settings ask nobody for it, so each
    # page sends a signed-in user on to the home page: nothing to set up, no code to enter,
    # no recovery codes. tests/audits/twofactor/test_every_url.py walks this table again with
    # two-factor on.
    "two_factor:setup": (LOGIN, 302, 302, 302, 302, 302),
    "two_factor:verify": (LOGIN, 302, 302, 302, 302, 302),
    "two_factor:recovery_codes": (LOGIN, 302, 302, 302, 302, 302),
    # The session's limits and kept saves (audits.sessions). The status answers a signed-in
    # person (anonymous is sent to sign in, or gets 401 JSON from a script); "Stay signed in"
    # and discarding are POST only. The signed-out page is for the signed out: anyone still
    # signed in goes on to the home page, as from the kept-saves page when nothing is kept.
    "session:status": (LOGIN, 200, 200, 200, 200, 200),
    "session:extend": (LOGIN, 405, 405, 405, 405, 405),
    "session:signed_out": (200, 302, 302, 302, 302, 302),
    "session:kept": (LOGIN, 302, 302, 302, 302, 302),
    "session:discard": (LOGIN, 405, 405, 405, 405, 405),
    # The admin site lets in the Administrator role only (config/admin.py), not staff. Others
    # are sent to its sign-in page; GET on its logout sends a signed-in non-administrator to
    # the admin's index. view_on_site is 404: content type 1 has no object 1.
    "admin:index": (ADMIN, ADMIN, ADMIN, ADMIN, ADMIN, 200),
    "admin:login": (200, 200, 200, 200, 200, 302),
    "admin:logout": (ADMIN, 302, 302, 302, 302, 405),
    "admin:password_change": (ADMIN, ADMIN, ADMIN, ADMIN, ADMIN, 200),
    "admin:password_change_done": (ADMIN, ADMIN, ADMIN, ADMIN, ADMIN, 200),
    "admin:jsi18n": (ADMIN, ADMIN, ADMIN, ADMIN, ADMIN, 200),
    "admin:autocomplete": (ADMIN, ADMIN, ADMIN, ADMIN, ADMIN, 403),
    "admin:view_on_site": (ADMIN, ADMIN, ADMIN, ADMIN, ADMIN, 404),
    "admin:app_list": (ADMIN, ADMIN, ADMIN, ADMIN, ADMIN, 200),
    # audits
    "audits:home": (LOGIN, 200, 200, 200, 200, 200),
    "audits:new": (LOGIN, 200, 200, 403, 403, 403),
    "audits:mine": (LOGIN, 200, 200, 403, 403, 403),
    "audits:all": (LOGIN, 403, 403, 200, 200, 200),
    "audits:earlier": (LOGIN, 200, 200, 200, 200, 200),
    "audits:detail": (LOGIN, 200, 404, 200, 200, 200),  # the owner's submitted audit
    "audits:pdf": (LOGIN, 200, 404, 200, 200, 200),  # the same audit, as the page
    "audits:edit": (LOGIN, 200, 404, 404, 404, 404),  # the owner's draft, as delete
    "audits:section": (LOGIN, 200, 404, 404, 404, 404),  # a section of the owner's draft
    "audits:check": (LOGIN, 200, 404, 404, 404, 404),  # the owner's draft's Check your answers
    "audits:delete": (LOGIN, 405, 405, 405, 405, 405),
    "audits:autosave": (LOGIN, 405, 405, 405, 405, 405),
    "audits:autosave_new": (LOGIN, 405, 405, 405, 405, 405),
    "audits:case_timeline": (LOGIN, 200, 404, 200, 200, 200),
    # Case holders' pages (audits.holders): the case holder role alone; the response page is
    # the owner's submitted audit, which nobody here holds the case of (tests/audits/holders).
    "audits:my_cases": (LOGIN, 403, 403, 403, 403, 403),
    "audits:holder_response": (LOGIN, 403, 404, 403, 403, 403),
    "audits:find_case": (
        LOGIN,
        200,
        200,
        200,
        200,
        200,
    ),  # its results: tests/audits/test_find_case.py
    "audits:security_log": (LOGIN, 403, 403, 403, 403, 200),
    "audits:security_log_csv": (LOGIN, 403, 403, 403, 403, 200),
    "audits:activities": (LOGIN, 403, 403, 403, 200, 200),
    "audits:activity_new": (LOGIN, 403, 403, 403, 200, 200),
    "audits:activity_edit": (LOGIN, 403, 403, 403, 200, 200),
    "audits:actions": (LOGIN, 200, 200, 200, 200, 200),
    "audits:action_detail": (LOGIN, 200, 404, 200, 200, 200),
    "audits:action_done": (LOGIN, 405, 405, 405, 405, 405),
    "audits:action_not_needed": (LOGIN, 405, 405, 405, 405, 405),
    "audits:action_reopen": (LOGIN, 405, 405, 405, 405, 405),
    "audits:action_assign": (LOGIN, 405, 405, 405, 405, 405),
    # The tool builder (audits.tools.views): QA leads and administrators. The tool has no
    # audits, so its change pages open; version changes are POST only.
    "audits:tools": (LOGIN, 403, 403, 403, 200, 200),
    "audits:tool_new": (LOGIN, 403, 403, 403, 200, 200),
    "audits:tool": (LOGIN, 403, 403, 403, 200, 200),
    "audits:tool_preview": (LOGIN, 403, 403, 403, 200, 200),
    "audits:tool_edit": (LOGIN, 403, 403, 403, 200, 200),
    "audits:tool_scale": (LOGIN, 403, 403, 403, 200, 200),
    "audits:tool_section_new": (LOGIN, 403, 403, 403, 200, 200),
    "audits:tool_section_edit": (LOGIN, 403, 403, 403, 200, 200),
    "audits:tool_section_remove": (LOGIN, 403, 403, 403, 200, 200),
    "audits:tool_question_new": (LOGIN, 403, 403, 403, 200, 200),
    "audits:tool_question_edit": (LOGIN, 403, 403, 403, 200, 200),
    "audits:tool_question_remove": (LOGIN, 403, 403, 403, 200, 200),
    "audits:tool_new_version": (LOGIN, 405, 405, 405, 405, 405),
    "audits:tool_make_current": (LOGIN, 405, 405, 405, 405, 405),
    # Importing in the browser (audits.imports): QA leads and administrators. A preview waiting
    # for confirmation is its uploader's (the QA lead's) alone.
    "audits:imports": (LOGIN, 403, 403, 403, 200, 200),
    "audits:import_upload": (LOGIN, 403, 403, 403, 200, 200),
    "audits:import_preview": (LOGIN, 403, 403, 403, 200, 404),
    # The sample draw (audits.cases): an activity's draws, drawing and replacing are the
    # planners'; starting an allocated case is POST only. Manager compliance is the QA lead's
    # and the administrator's.
    "audits:draws": (LOGIN, 403, 403, 403, 200, 200),
    "audits:draw_new": (LOGIN, 403, 403, 403, 200, 200),
    "audits:drawn_case_replace": (LOGIN, 403, 403, 403, 200, 200),
    "audits:allocated_case_start": (LOGIN, 405, 405, 405, 405, 405),
    "audits:compliance": (LOGIN, 403, 403, 403, 200, 200),
    # moderation
    "moderation:queue": (LOGIN, 403, 403, 200, 403, 403),
    "moderation:dashboard": (LOGIN, 403, 403, 200, 200, 200),
    # One auditor's drift check (the owner's): for QA leads and administrators, never for an
    # auditor (the owner themselves included) or a moderator.
    "moderation:drift": (LOGIN, 403, 403, 403, 200, 200),
    "moderation:feedback": (LOGIN, 200, 200, 403, 403, 403),
    "moderation:acknowledge": (LOGIN, 405, 405, 405, 405, 405),
    "moderation:exemplars": (LOGIN, 200, 200, 200, 200, 200),
    "moderation:moderate": (LOGIN, 403, 403, 200, 403, 403),
    "moderation:take": (LOGIN, 405, 405, 405, 405, 405),
    "moderation:autosave": (LOGIN, 405, 405, 405, 405, 405),
    "moderation:release": (LOGIN, 405, 405, 405, 405, 405),
    "moderation:add_to_queue": (LOGIN, 405, 405, 405, 405, 405),
    "moderation:exemplar": (LOGIN, 405, 405, 405, 405, 405),
    # reports
    "reports:list": (LOGIN, 403, 403, 403, 200, 200),
    "reports:new": (LOGIN, 403, 403, 403, 200, 403),
    "reports:summary_json": (LOGIN, 403, 403, 403, 200, 403),
    # Comparing two periods, activities or teams (reports.views_compare): whoever sees reports.
    "reports:compare": (LOGIN, 403, 403, 403, 200, 200),
    "reports:detail": (LOGIN, 403, 403, 403, 200, 200),
    "reports:publish": (LOGIN, 405, 405, 405, 405, 405),
    "reports:autosave": (LOGIN, 405, 405, 405, 405, 405),
    "reports:pdf": (LOGIN, 403, 403, 403, 200, 200),
    "reports:make_pdf": (LOGIN, 405, 405, 405, 405, 405),
    "reports:export": (LOGIN, 403, 403, 403, 200, 200),
    # An activity's results (its answers and grades, free text by case): QA leads,
    # moderators and administrators.
    "reports:activity_results": (LOGIN, 403, 403, 200, 200, 200),
    "reports:targets": (LOGIN, 403, 403, 403, 200, 200),
    "reports:target_new": (LOGIN, 403, 403, 403, 200, 403),
    "reports:target_edit": (LOGIN, 403, 403, 403, 200, 403),
    "reports:target_delete": (LOGIN, 403, 403, 403, 200, 403),
    "reports:target_actual": (LOGIN, 403, 403, 403, 200, 403),
    # The improvement plan (reports.plan): QA leads and administrators see and change it; an
    # item's owner (here the owner, an auditor) sees their own item and changes nothing.
    "reports:plan": (LOGIN, 403, 403, 403, 200, 200),
    "reports:plan_from_report": (LOGIN, 403, 403, 403, 200, 200),
    "reports:plan_item": (LOGIN, 200, 404, 404, 200, 200),
    "reports:plan_item_edit": (LOGIN, 403, 404, 404, 200, 200),
    # Peer benchmarking (reports.benchmark): the QA lead compares councils' files and
    # downloads this council's.
    "reports:benchmark": (LOGIN, 403, 403, 403, 200, 403),
    "reports:benchmark_export": (LOGIN, 403, 403, 403, 200, 403),
    "reports:target_checkpoints": (LOGIN, 403, 403, 403, 200, 403),
    "reports:checkpoint_edit": (LOGIN, 403, 403, 403, 200, 403),
    "reports:checkpoint_delete": (LOGIN, 403, 403, 403, 200, 403),
}


def _is_admin_model_url(prefix: str, pattern) -> bool:
    # The admin's per-model pages (changelist, add, change, delete, history of each registered
    # model) are generated by ModelAdmin for every registered model behind the admin site's
    # one rule (the Administrator role, config/admin.py), which admin:index and admin:app_list
    # here check; tests/audits/test_admin_access.py covers those pages. Their resolvers sit in
    # the admin namespace without a namespace of their own.
    return prefix == "admin:" and isinstance(pattern, URLResolver) and not pattern.namespace


def _url_names(patterns=None, prefix: str = "") -> set[str]:
    """Every named URL the resolver of config.urls knows, with its namespace."""
    names = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if _is_admin_model_url(prefix, pattern):
                continue
            inner = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            names |= _url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(prefix + pattern.name)
    # No static or media URLs are routed by config.urls (whitenoise / the web server serve
    # them), so there is nothing else to leave out.
    return names


def test_every_url_is_in_the_table():
    assert _url_names() == set(EXPECTED)


class World:
    """One of each object a URL argument names; the audits and the action are the owner's.
    Each is built (through the services) when a URL first asks for it, once per test."""

    def __init__(self, owner, qa_lead):
        self.owner, self.qa_lead = owner, qa_lead

    @cached_property
    def submitted(self):
        audit = submitted_audit(auditor=self.owner, case_reference="CR-1001")
        assert audit.status == Status.SUBMITTED
        return audit

    @cached_property
    def draft(self):
        audit = draft_audit(auditor=self.owner, case_reference="CR-1002")
        assert audit.status == Status.DRAFT
        return audit

    @cached_property
    def moderated(self):
        return moderated_audit(auditor=self.owner, case_reference="CR-1003")

    @cached_property
    def action(self):
        return self.submitted.actions.get()

    @cached_property
    def report(self):
        return report_create(by=self.qa_lead, period=periods.quarter(2026, 3))

    @cached_property
    def target(self):
        return target_create(
            by=self.qa_lead,
            financial_year=2026,
            name="Audits completed",
            measure="manual",
            direction="at_least",
            target_value="10",
            amber_tolerance=0,
        )

    @cached_property
    def checkpoint(self):
        return checkpoint_add(
            target=self.target,
            by=self.qa_lead,
            date=datetime.date(2026, 9, 30),
            target_value="5",
        )

    @cached_property
    def plan_item(self):
        """An improvement plan item from the report, owned by the owner's account."""
        from reports.plan.services import NewItem, plan_items_create

        (item,) = plan_items_create(
            report=self.report,
            by=self.qa_lead,
            items=[
                NewItem(
                    title="Audit supervision",
                    due_date=periods.month_start(self.report.end),
                    owner=self.owner,
                )
            ],
        )
        return item

    @cached_property
    def tool(self):
        from audits.tools import services as tool_services

        tool = tool_services.tool_create(
            name="Thematic audit", by=self.qa_lead, grades=[("Good", True), ("Poor", False)]
        )
        section = tool_services.section_add(tool=tool, title="Practice")
        tool_services.question_add(section=section, text="Was it good?", kind="graded")
        return tool

    @cached_property
    def upload(self):
        from audits.imports.services import import_preview

        data = b"case_reference,case_holder,team,strand,case_type,age_band,open_date\r\n"
        data += b"CR-1009,Sam Okafor,North,social_care,child_in_need,,2025-03-14\r\n"
        preview = import_preview(kind="cases", data=data, filename="cases.csv", by=self.qa_lead)
        assert preview.upload is not None, preview.errors
        return preview.upload

    @cached_property
    def drawn(self):
        """A case drawn for the submitted audit's activity, allocated to the owner."""
        from audits.cases.services import Criteria, draw_sample
        from audits.models import Case, Person

        team = factories.TeamFactory()
        holder = Person.objects.create(name="Case holder", team=team)
        for reference in ("CR-DRAWN-1", "CR-DRAWN-2"):  # one drawn, one left to draw
            Case.objects.create(
                case_reference=reference,
                case_holder=holder,
                team=team,
                strand=factories.strand(),
                case_type=factories.case_type(),
                open_date=periods.month_start(self.submitted.audit_date),
            )
        activity = self.submitted.activity
        activity.auditors.add(self.owner)
        draw = draw_sample(activity=activity, seed="s", criteria=Criteria(size=1)).record
        return draw.cases.get()

    @cached_property
    def resetting(self):
        # Someone who asked for a new password and never signs in here, so the link's token
        # stays valid while the six users sign in and out.
        return factories.UserFactory()


@pytest.fixture
def world(owner, qa_lead_user):
    return World(owner, qa_lead_user)


def _kwargs(name: str, world: World) -> dict:
    """The arguments of URL ``name``, from the objects of ``world``."""
    by_name = {
        "audits:edit": lambda: {"pk": world.draft.pk},
        "audits:delete": lambda: {"pk": world.draft.pk},
        "audits:section": lambda: {"pk": world.draft.pk, "section": "actions"},
        "audits:autosave": lambda: {"pk": world.draft.pk, "section": "actions"},
        "audits:check": lambda: {"pk": world.draft.pk},
        "audits:case_timeline": lambda: {"case_reference": world.submitted.case_reference},
        "audits:activity_edit": lambda: {"pk": world.submitted.activity.pk},
        "audits:draws": lambda: {"pk": world.drawn.draw.activity_id},
        "audits:draw_new": lambda: {"pk": world.drawn.draw.activity_id},
        "audits:drawn_case_replace": lambda: {"pk": world.drawn.pk},
        "audits:allocated_case_start": lambda: {"pk": world.drawn.pk},
        "moderation:acknowledge": lambda: {"pk": world.moderated.moderations.get().pk},
        "moderation:drift": lambda: {"pk": world.owner.pk},
        # One marks an exemplar among the audits moderated.
        "moderation:exemplar": lambda: {"pk": world.moderated.pk},
        "reports:export": lambda: {"pk": world.report.pk, "fmt": "csv"},
        "reports:activity_results": lambda: {"pk": world.submitted.activity.pk},
        "password_reset_confirm": lambda: {
            "uidb64": urlsafe_base64_encode(force_bytes(world.resetting.pk)),
            "token": default_token_generator.make_token(world.resetting),
        },
        "admin:view_on_site": lambda: {"content_type_id": 1, "object_id": 1},
        "admin:app_list": lambda: {"app_label": "audits"},
        "session:discard": lambda: {"pk": 1},
        "audits:import_upload": lambda: {"kind": "cases"},
        "audits:import_preview": lambda: {"pk": world.upload.pk},
    }
    if name.startswith("audits:tool_section_") and name != "audits:tool_section_new":
        return {"pk": world.tool.pk, "section_pk": world.tool.sections.get().pk}
    if name == "audits:tool_question_new":
        return {"pk": world.tool.pk, "section_pk": world.tool.sections.get().pk}
    if name in ("audits:tool_question_edit", "audits:tool_question_remove"):
        question = world.tool.sections.get().questions.get()
        return {"pk": world.tool.pk, "question_pk": question.pk}
    if name.startswith("audits:tool") and name not in ("audits:tools", "audits:tool_new"):
        return {"pk": world.tool.pk}
    if name in by_name:
        return by_name[name]()
    if name.startswith("audits:action") and name != "audits:actions":
        return {"pk": world.action.pk}
    if name in ("reports:plan_item", "reports:plan_item_edit"):
        return {"pk": world.plan_item.pk}
    if name == "reports:plan_from_report":
        return {"pk": world.report.pk}
    if name.startswith("reports:target_") and name != "reports:target_new":
        return {"pk": world.target.pk}
    if name.startswith("reports:checkpoint_"):
        return {"pk": world.checkpoint.pk}
    if name in (
        "reports:detail",
        "reports:publish",
        "reports:pdf",
        "reports:autosave",
        "reports:make_pdf",
    ):
        return {"pk": world.report.pk}
    if (
        name in ("audits:detail", "audits:pdf", "audits:holder_response")
        or name in _AUDIT_PAGES_OF_MODERATION
    ):
        return {"pk": world.submitted.pk}
    return {}


_AUDIT_PAGES_OF_MODERATION = {
    "moderation:moderate",
    "moderation:take",
    "moderation:autosave",
    "moderation:release",
    "moderation:add_to_queue",
    "moderation:exemplar",
}


def _answer(response):
    """The status code; a redirect to a sign-in page is named by where it goes."""
    if response.status_code == 302:
        for sign_in in (LOGIN, ADMIN):
            if response.url.startswith(reverse(sign_in) + "?next="):
                return sign_in
    return response.status_code


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_url_as_every_user(client, request, world, name):
    url = reverse(name, kwargs=_kwargs(name, world)) + QUERY.get(name, "")
    answers = []
    for who in USERS:
        client.logout()
        if who != "anonymous":
            client.force_login(request.getfixturevalue(who))
        answers.append(_answer(client.get(url)))

    assert tuple(answers) == EXPECTED[name], url


# --- POST on the views that change something ----------------------------------------------------
# Each user's POST runs in a transaction rolled back afterwards, so each finds the same objects.
# CHANGED: the POST changed the records (the data posted is valid, so an allowed user's POST
# does). Any other entry is the status of a refused POST, and the test checks that it changed
# nothing: a refusal shown as a message on a redirect (302) changes nothing either.
CHANGED = "changed"

# The agreed actions page of an audit with nothing typed: a draft saved as it is.
EMPTY_AUDIT_FORM = {"actions-TOTAL_FORMS": "0", "actions-INITIAL_FORMS": "0"}

POSTED = {
    "audits:delete": {},
    "audits:autosave": EMPTY_AUDIT_FORM,
    "audits:autosave_new": EMPTY_AUDIT_FORM,
    "audits:section": EMPTY_AUDIT_FORM,
    "audits:check": {},
    "audits:action_done": {"done-note": "Chronology updated.", "done-completed_on": "2026-11-20"},
    "audits:action_not_needed": {"not_needed-reason": "The case closed."},
    "moderation:take": {},
    # The submitted audit is in the queue, taken by nobody: there is no draft to keep yet.
    "moderation:autosave": {"actions-TOTAL_FORMS": "0", "actions-INITIAL_FORMS": "0"},
    "moderation:exemplar": {"note": "A clear plan."},
    "moderation:acknowledge": {},
    "reports:publish": {},
    "reports:autosave": {"title": "Quarter three", "summary": "Typed while autosaving."},
    "reports:make_pdf": {},
    "reports:target_delete": {},
    "reports:checkpoint_delete": {},
    "reports:plan_item": {"note": "Supervision audit planned.", "status": "in_progress"},
    "reports:plan_item_edit": {
        "title": "Audit supervision records",
        "owner_name": "Head of Service",
        **date_parts("due_date", datetime.date(2027, 1, 31)),
    },
    "reports:plan_from_report": {
        "rec-TOTAL_FORMS": "1",
        "rec-INITIAL_FORMS": "1",
        "rec-0-include": "on",
        "rec-0-title": "Audit supervision records",
        "rec-0-owner_name": "Head of Service",
        **date_parts("rec-0-due_date", datetime.date(2027, 1, 31)),
    },
    "audits:tool_new_version": {},
    "audits:tool_make_current": {},
    # Refused to everyone here, each for a reason of its state rather than of the role: the
    # action is open, so there is nothing to reopen; the submitted audit is in the queue (the
    # activity samples all its audits), taken by nobody, so there is nothing to release or add.
    "audits:action_reopen": {"reopen-note": "Not finished after all."},
    "audits:draw_new": {"action": "preview", "seed": "s", "size": "1"},  # records nothing
    "audits:drawn_case_replace": {"reason": "The case closed."},
    "audits:allocated_case_start": {},
    "moderation:release": {},
    "moderation:add_to_queue": {},
}

#                               anon  owner  colleague  moderator  QA lead  administrator
POST_EXPECTED = {
    "audits:delete": (LOGIN, CHANGED, 404, 404, 404, 404),  # the owner's draft
    "audits:autosave": (LOGIN, CHANGED, 404, 404, 404, 404),  # the owner's draft
    "audits:autosave_new": (LOGIN, CHANGED, CHANGED, 403, 403, 403),  # starts a draft
    "audits:section": (LOGIN, CHANGED, 404, 404, 404, 404),  # the owner's draft
    "audits:check": (LOGIN, CHANGED, 404, 404, 404, 404),  # submits the owner's draft
    # An action's owner (the auditor) or any manager closes it.
    "audits:action_done": (LOGIN, CHANGED, 404, CHANGED, CHANGED, CHANGED),
    "audits:action_not_needed": (LOGIN, CHANGED, 404, CHANGED, CHANGED, CHANGED),
    "moderation:take": (LOGIN, 302, 404, CHANGED, 302, 302),
    "moderation:autosave": (LOGIN, 403, 403, 403, 403, 403),
    "moderation:exemplar": (LOGIN, 302, 404, CHANGED, 302, 302),  # the moderated audit
    "moderation:acknowledge": (LOGIN, CHANGED, 404, 404, 404, 404),
    "reports:publish": (LOGIN, 403, 403, 403, CHANGED, 403),
    "reports:autosave": (LOGIN, 403, 403, 403, CHANGED, 403),
    # The report is a draft, whose PDF is made when downloaded: refused with a message.
    "reports:make_pdf": (LOGIN, 403, 403, 403, 302, 403),
    "reports:target_delete": (LOGIN, 403, 403, 403, CHANGED, 403),
    "reports:checkpoint_delete": (LOGIN, 403, 403, 403, CHANGED, 403),
    "reports:plan_item": (LOGIN, 403, 404, 404, CHANGED, CHANGED),
    "reports:plan_item_edit": (LOGIN, 403, 404, 404, CHANGED, CHANGED),
    "reports:plan_from_report": (LOGIN, 403, 403, 403, CHANGED, CHANGED),
    # A copy of the tool; making it current when it is already: nothing but a message.
    "audits:tool_new_version": (LOGIN, 403, 403, 403, CHANGED, CHANGED),
    "audits:tool_make_current": (LOGIN, 403, 403, 403, 302, 302),
    "audits:action_reopen": (LOGIN, 403, 404, 302, 302, 302),
    "moderation:release": (LOGIN, 302, 404, 302, 302, 302),
    "moderation:add_to_queue": (LOGIN, 302, 404, 302, 302, 302),
    "audits:draw_new": (LOGIN, 403, 403, 403, 200, 200),
    "audits:drawn_case_replace": (LOGIN, 403, 403, 403, CHANGED, CHANGED),
    # Only the auditor the case is allocated to starts it; nobody else learns of it.
    "audits:allocated_case_start": (LOGIN, CHANGED, 404, 404, 404, 404),
}
assert set(POST_EXPECTED) == set(POSTED)


def _records() -> dict:
    """Every row of the apps' models, to tell whether a POST changed anything."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for app in ("audits", "moderation", "reports")
        for model in apps.get_app_config(app).get_models()
    }


@pytest.mark.parametrize("name", sorted(POSTED))
def test_every_post_as_every_user(client, request, world, name):
    url = reverse(name, kwargs=_kwargs(name, world))
    answers = []
    for who in USERS:
        client.logout()
        if who != "anonymous":
            client.force_login(request.getfixturevalue(who))
        with transaction.atomic():
            before = _records()
            answer = _answer(client.post(url, POSTED[name]))
            answers.append(CHANGED if _records() != before else answer)
            transaction.set_rollback(True)

    assert tuple(answers) == POST_EXPECTED[name], url
