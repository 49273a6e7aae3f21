"""Issue 13 acceptance: every page of every journey meets WCAG 2.2 AA, in headless Chromium.

One table, PAGES, lists the pages: a row names the page, the role that sees it, how to reach it
(a URL name and its arguments from the World, or a path), the state it is in (empty, with
errors, completed, filtered, no results) and, for a state a person reaches by doing something,
the step that does it. A page added later is one more row.

On each page, as that role:
- axe-core (axe-playwright-python) with the WCAG 2.0, 2.1 and 2.2 A and AA rules;
- tests/browser/frame_checks.py: the contrast of control borders and of the focus indicator
  (at least 3:1), and no sideways scrolling of the page at 320 px.

Each row is a subtest, so one run reports every page's problems, each in words. A row whose
URL name does not exist yet (the pages other branches are building) is skipped naming that URL,
never passed silently. One Chromium, one browser context per role, each signed in once; the
data is built once, through the factories and services.

``BROWSER_SCREENSHOT_DIR`` (default /tmp/casefile-audit-browser) gets accessibility-sweep.json:
every page's violations, for reading across pages.
"""

import datetime
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from playwright.sync_api import expect

from audits import periods, roles
from audits import services as audit_services
from audits.grades import Grade
from audits.holders import services as holder_services
from audits.models import Case, Person
from moderation import services as moderation_services
from reports import services as report_services
from reports.targets.services import target_create
from tests import factories, helpers
from tests.moderation import built_tools

from .conftest import DEFAULT_TIMEOUT_MS, SCREENSHOT_DIR
from .frame_checks import (
    control_border_problems,
    focus_problems,
    reflow_problems,
    zoom_and_text_spacing_problems,
)

# serialized_rollback: see test_audit_journey.py (the flush would wipe the migrated data).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# axe-core's tags for the WCAG 2.0, 2.1 and 2.2 success criteria at levels A and AA (2.2 added
# AA criteria only). Best-practice rules are not WCAG failures and are not run.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
VIEWPORT = {"width": 1280, "height": 900}

# The states a page is checked in.
SHOWN = ""  # a page that only shows something
EMPTY = "empty"
ERRORS = "with errors"
COMPLETED = "completed"
FILTERED = "filtered"
NO_RESULTS = "no results"

ANONYMOUS = "anonymous"
ROLES = (ANONYMOUS, "auditor", "moderator", "qa_lead", "administrator", "case_holder")


# --- The data every page shows ------------------------------------------------------------------


class World:
    """One of each thing a page shows, built through the services as people would: a complete
    draft and an empty one, an audit waiting in the moderation queue, one taken by the
    moderator, one moderated with a lowered grade and feedback, its agreed action, a draft and
    a published report, a target. People have names, as the header shows them."""

    def __init__(self):
        today = timezone.localdate()
        self.audit_date = today - datetime.timedelta(days=7)
        self.auditor = factories.auditor(first_name="Amina", last_name="Okafor")
        self.moderator = factories.moderator(first_name="Morgan", last_name="Reid")
        self.qa_lead = factories.qa_lead(first_name="Quinn", last_name="Lewis")
        self.administrator = factories.administrator(first_name="Ada", last_name="Adeyemi")
        self.colleague = factories.auditor(first_name="Cal", last_name="Owens")
        # Of the audit date's month (submit refuses another month's), moderating every audit.
        self.activity = factories.AuditActivityFactory(
            name="Monthly sample", month=self.audit_date.replace(day=1), moderation_rate=100
        )
        self.draft = self._draft("CR-A11Y-DRAFT")
        self.empty_draft = audit_services.audit_save_draft(
            audit=None,
            by=self.auditor,
            content=audit_services.AuditContent(header={"case_reference": "CR-A11Y-EMPTY"}),
        )
        self.in_queue = self._submitted("CR-A11Y-QUEUE")
        self.taken = moderation_services.moderation_take(
            audit=self._submitted("CR-A11Y-TAKEN"), moderator=self.moderator
        )
        moderated = moderation_services.moderation_take(
            audit=self._submitted("CR-A11Y-DONE", overall=Grade.MEETS), moderator=self.moderator
        )
        moderation_services.moderation_record(
            audit=moderated,
            moderator=self.moderator,
            grade=Grade.DOES_NOT_MEET,
            rationale="The child has not been seen alone since the summer.",
            feedback="Look again at how often the child is seen alone.",
        )
        moderated.refresh_from_db()
        self.moderated = moderated
        self.action = moderated.actions.order_by("pk").first()
        self.colleagues_audit = self._submitted("CR-A11Y-OTHER", auditor=self.colleague)
        quarter = periods.quarter(
            periods.financial_year_of(self.audit_date),
            periods.financial_quarter_of(self.audit_date),
        )
        self.report = report_services.report_create(by=self.qa_lead, period=quarter)
        self.published = report_services.report_publish(
            report=report_services.report_create(
                by=self.qa_lead, period=quarter, title="Published quarter report"
            ),
            by=self.qa_lead,
        )
        # An activity with a built tool (a question of every kind, no overall grade) and an
        # audit of it, for its results page and its section of the draft report.
        self.built_activity = built_tools.built_activity(
            built_tools.every_kind_tool(name="LADO dip sample", has_overall_grade=False),
            name="LADO dip sample",
            month=self.audit_date.replace(day=1),
            kind="dip_sample",
        )
        built_tools.built_audit(
            self.built_activity,
            auditor=self.colleague,
            audit_date=self.audit_date,
            case_reference="CR-A11Y-LADO",
            answers={
                built_tools.GRADED: {"value": "good", "items_checked": 4},
                built_tools.YES_NO: {"value": "partly", "items_checked": 4},
                built_tools.NUMBER: "3",
                built_tools.TEXT: "The referral was not logged on the day.",
            },
        )
        # The case holder of the moderated audit's case and of the queued one's, who has
        # answered the queued one (audits.holders).
        self.case_holder = factories.UserFactory(
            roles=[roles.CASE_HOLDER], first_name="Nadia", last_name="Brennan"
        )
        holder = Person.objects.create(name="Nadia Brennan", user=self.case_holder)
        for audit in (self.moderated, self.in_queue):
            Case.objects.create(
                case_reference=audit.case_reference,
                case_holder=holder,
                team=factories.TeamFactory(),
                strand=factories.strand(),
                case_type=factories.case_type(),
                open_date=self.audit_date - datetime.timedelta(days=300),
            )
        holder_services.holder_response_save(
            audit=self.in_queue,
            by=self.case_holder,
            text="I agree with the findings.",
            answers={a.pk: ("agreed", "") for a in self.in_queue.actions.all()},
        )
        self.target = target_create(
            by=self.qa_lead,
            financial_year=periods.financial_year_of(today),
            name="Audits completed on time",
            measure="manual",
            direction="at_least",
            target_value="80",
            amber_tolerance=5,
        )
        self._built_tool_audits()
        self.drawn = self._draw()

    def _built_tool_audits(self):
        """A practice observation on a tool a QA lead built (audits.tools): an empty draft, a
        complete one and a submitted one."""
        from audits.tools.kinds import ActivityKind
        from tests.audits.tools import building

        tool = building.every_kind_tool(by=self.qa_lead, name="Observation of a review")
        activity = factories.AuditActivityFactory(
            name="Observations",
            month=self.audit_date.replace(day=1),
            tool=tool,
            kind=ActivityKind.PRACTICE_OBSERVATION,
            moderation_rate=100,
        )
        self.built_activity = activity
        self.built_empty = audit_services.audit_create(auditor=self.auditor, activity=activity)

        def complete(case_reference):
            content = building.complete_content(tool, activity, case_reference=case_reference)
            content.header.update(audit_date=self.audit_date, observed_on=self.audit_date)
            return audit_services.audit_save_draft(audit=None, by=self.auditor, content=content)

        self.built_draft = complete("CR-A11Y-BUILT")
        self.built_submitted = audit_services.audit_submit(
            audit=complete("CR-A11Y-BUILT-SUB"), by=self.auditor
        )

        self.tool, self.locked_tool = self._tools()

    def _tools(self):
        """A built tool with a question of each kind, and a copy of it that has an audit."""
        from audits.tools import services as tool_services
        from audits.tools.kinds import QuestionKind

        tool = tool_services.tool_create(
            name="Neglect thematic audit",
            by=self.qa_lead,
            description="Cumulative neglect.",
            grades=[("Good", True), ("Requires improvement", False), ("Inadequate", False)],
        )
        section = tool_services.section_add(
            tool=tool, title="Recognising neglect", guidance="Read the chronology first."
        )
        for kind in QuestionKind.values:
            tool_services.question_add(
                section=section,
                text=f"A question answered as {kind}",
                kind=kind,
                guidance="What good looks like.",
                required=kind != QuestionKind.TEXT,
                options=["Graded Care Profile 2", "Other"] if kind == QuestionKind.CHOICE else None,
            )
        locked = audit_services.tool_copy_as_new_version(source=tool)
        activity = factories.AuditActivityFactory(
            name="Neglect audit", month=self.audit_date.replace(day=1), tool=locked
        )
        audit_services.audit_create(auditor=self.auditor, activity=activity)
        return tool, locked

    def _draw(self):
        """A case list of three and a recorded draw of two for the activity, one allocated to
        the auditor (their home page lists it): the draw pages' and the home page's data."""
        from audits.cases.services import Criteria, draw_sample
        from audits.models import Case, Person

        team = factories.TeamFactory(slug="north", name="North assessment")
        holder = Person.objects.create(name="Sam Holder", team=team)
        for n in range(3):
            Case.objects.create(
                case_reference=f"CR-A11Y-CASE-{n}",
                case_holder=holder,
                team=team,
                strand=factories.strand(),
                case_type=factories.case_type(),
                open_date=self.audit_date,
            )
        self.activity.auditors.add(self.auditor, self.colleague)
        draw = draw_sample(
            activity=self.activity, seed="a11y", criteria=Criteria(size=2), by=self.qa_lead
        ).record
        return draw.cases.get(auditor=self.auditor)

    def _draft(self, case_reference, *, auditor=None, **kwargs):
        return helpers.draft_audit(
            auditor=auditor or self.auditor,
            case_reference=case_reference,
            audit_date=self.audit_date,
            activity=self.activity,
            **kwargs,
        )

    def _submitted(self, case_reference, *, auditor=None, **kwargs):
        auditor = auditor or self.auditor
        draft = self._draft(case_reference, auditor=auditor, **kwargs)
        return audit_services.audit_submit(audit=draft, by=auditor)

    def user(self, role):
        return getattr(self, role)


# --- Steps that bring a page into a state ---------------------------------------------------------


def press(button: str) -> Callable:
    """Press the button of that name (and wait for the page it leads to)."""

    def step(page):
        with page.expect_navigation():
            page.get_by_role("button", name=button, exact=True).click()

    step.__doc__ = f"press {button!r}"
    return step


def clear_then_press(label: str, button: str) -> Callable:
    def step(page):
        page.get_by_label(label, exact=True).fill("")
        press(button)(page)

    return step


def choose_then_press(radio: str, button: str) -> Callable:
    def step(page):
        page.get_by_role("radio", name=radio, exact=True).check()
        press(button)(page)

    return step


# --- The pages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    name: str
    role: str
    url: str  # a URL name, or a path starting "/"
    args: Callable[[World], dict] | None = None
    query: str = ""
    state: str = SHOWN
    act: Callable | None = None
    status: int = 200
    # A query that names a record of the world (``?activity=<pk>``), instead of ``query``.
    query_of: Callable[[World], str] | None = None

    @property
    def label(self) -> str:
        state = f", {self.state}" if self.state else ""
        return f"{self.name}{state} (as {self.role.replace('_', ' ')})"


def _pk(attribute):
    return lambda world: {"pk": getattr(world, attribute).pk}


def _section(attribute, section):
    return lambda world: {"pk": getattr(world, attribute).pk, "section": section}


def _tool_section(world):
    return {"pk": world.tool.pk, "section_pk": world.tool.sections.get().pk}


def _tool_question(world):
    question = world.tool.sections.get().questions.get(kind="choice")
    return {"pk": world.tool.pk, "question_pk": question.pk}


# The audit's task list sections (audits.sections): About the case, the 12 domains, the agreed
# actions, the overall grade and feedback.
SECTIONS = ("case", *(f"domain-{n}" for n in range(1, 13)), "actions", "overall")


def section_rows():
    """Each section page of the audit: empty, with errors (opened from Check your answers,
    which puts what submit refuses at the section's fields) and completed."""
    for slug in SECTIONS:
        name, url = f"Audit section {slug}", "audits:section"
        yield Row(name, "auditor", url, _section("empty_draft", slug), state=EMPTY)
        if slug == "actions":
            # An empty draft may rightly have no actions: the errors are a row's own, an owner
            # with nothing to do.
            yield Row(
                name,
                "auditor",
                url,
                _section("empty_draft", slug),
                state=ERRORS,
                act=fill_then_press("By whom", "Team manager", "Save and continue"),
            )
            yield Row(name, "auditor", url, _section("draft", slug), state=COMPLETED)
            continue
        yield Row(
            name, "auditor", url, _section("empty_draft", slug), query="?return=check", state=ERRORS
        )
        yield Row(name, "auditor", url, _section("draft", slug), state=COMPLETED)


# The sections of an audit on a built tool (audits.tools): About the case with a practice
# observation's fields, the tool's two sections of questions (every kind), the overall grade on
# the tool's own scale.
BUILT_SECTIONS = ("case", "section-1", "section-2", "overall")


def built_section_rows():
    for slug in BUILT_SECTIONS:
        name, url = f"Built tool audit section {slug}", "audits:section"
        yield Row(name, "auditor", url, _section("built_empty", slug), state=EMPTY)
        yield Row(
            name, "auditor", url, _section("built_empty", slug), query="?return=check", state=ERRORS
        )
        yield Row(name, "auditor", url, _section("built_draft", slug), state=COMPLETED)


def fill_then_press(label: str, value: str, button: str) -> Callable:
    def step(page):
        page.get_by_label(label, exact=True).fill(value)
        press(button)(page)

    return step


def _kind(kind):
    return lambda world: {"kind": kind}


_CASE_COLUMNS = b"case_reference,case_holder,team,strand,case_type,age_band,open_date\r\n"
CASE_LIST = (
    _CASE_COLUMNS + b"CR-A11Y-CASE,Sam Okafor,North,social_care,child_in_need,5-9,2025-03-14\r\n"
)
BAD_CASE_LIST = (
    _CASE_COLUMNS + b"CR-A11Y-CASE,Sam Okafor,North,nowhere,child_in_need,5-9,14/03/2025\r\n"
)


def upload_then_press(data: bytes, button: str, *, then: str = "") -> Callable:
    """Choose a CSV file holding ``data`` for the file input, press the button (and ``then``)."""

    def step(page):
        page.locator("input[type=file]").set_input_files(
            files=[{"name": "case-list.csv", "mimeType": "text/csv", "buffer": data}]
        )
        press(button)(page)
        if then:
            press(then)(page)

    return step


# fmt: off
PAGES = [
    # Signing in, and the pages of someone signed out.
    Row("Sign in", ANONYMOUS, "login", state=EMPTY),
    Row("Sign in", ANONYMOUS, "login", state=ERRORS, act=press("Sign in")),
    Row("Forgotten password", ANONYMOUS, "password_reset", state=EMPTY),
    Row("Signed out", ANONYMOUS, "session:signed_out"),
    Row("Accessibility statement", ANONYMOUS, "pages:accessibility"),
    Row("Help", ANONYMOUS, "pages:help"),
    Row("Contact", ANONYMOUS, "pages:contact"),
    Row("Privacy notice", ANONYMOUS, "pages:privacy"),
    # Auditor.
    Row("Home", "auditor", "audits:home"),
    Row("Start an audit", "auditor", "audits:new", state=EMPTY),
    Row("Start an audit", "auditor", "audits:new", state=ERRORS,
        act=fill_then_press("Case reference", "not a reference!", "Save and continue")),
    Row("Audit task list", "auditor", "audits:edit", _pk("empty_draft"), state=EMPTY),
    Row("Audit task list", "auditor", "audits:edit", _pk("draft"), state=COMPLETED),
    *section_rows(),
    Row("Start a built tool audit", "auditor", "audits:new",
        query_of=lambda w: f"?activity={w.built_activity.pk}", state=EMPTY),
    Row("Built tool audit task list", "auditor", "audits:edit", _pk("built_draft"), state=COMPLETED),
    *built_section_rows(),
    Row("Built tool check your answers", "auditor", "audits:check", _pk("built_draft"),
        state=COMPLETED),
    Row("Built tool check your answers", "auditor", "audits:check", _pk("built_empty"),
        state=ERRORS, act=press("Submit audit")),
    Row("Submitted built tool audit", "auditor", "audits:detail", _pk("built_submitted")),
    Row("Check your answers", "auditor", "audits:check", _pk("draft"), state=COMPLETED),
    Row("Check your answers", "auditor", "audits:check", _pk("empty_draft"), state=ERRORS,
        act=press("Submit audit")),
    Row("Submitted audit", "auditor", "audits:detail", _pk("in_queue")),
    Row("Moderated audit with feedback", "auditor", "audits:detail", _pk("moderated")),
    Row("My audits", "auditor", "audits:mine"),
    Row("My audits", "auditor", "audits:mine", query="?status=submitted", state=FILTERED),
    Row("My audits", "auditor", "audits:mine", query="?overall_grade=exceeds", state=NO_RESULTS),
    Row("Case history", "auditor", "audits:case_timeline", lambda w: {"case_reference": "CR-A11Y-DONE"}),
    Row("Find a case", "auditor", "audits:find_case", query="?reference=CR-A11Y", state=FILTERED),
    Row("Find a case", "auditor", "audits:find_case", query="?reference=CR-NOTHING",
        state=NO_RESULTS),
    Row("Find a case", "auditor", "audits:find_case", query="?reference=%21%21", state=ERRORS,
        status=400),
    Row("Feedback for me", "auditor", "moderation:feedback"),
    Row("Exemplars", "auditor", "moderation:exemplars"),
    Row("Actions", "auditor", "audits:actions"),
    Row("Action", "auditor", "audits:action_detail", _pk("action")),
    Row("Action", "auditor", "audits:action_detail", _pk("action"), state=ERRORS, act=press("Mark as done")),
    Row("Change password", "auditor", "password_change", state=EMPTY),
    Row("Forbidden (403)", "auditor", "reports:list", status=403),
    Row("Not found (404)", "auditor", "/no-such-page/", status=404),
    Row("A colleague's audit (404)", "auditor", "audits:detail", _pk("colleagues_audit"), status=404),
    # Moderator.
    Row("Home", "moderator", "audits:home"),
    Row("Moderation queue", "moderator", "moderation:queue"),
    Row("Moderation queue", "moderator", "moderation:queue", query="?overall_grade=meets", state=FILTERED),
    Row("Moderation queue", "moderator", "moderation:queue", query="?overall_grade=exceeds",
        state=NO_RESULTS),
    Row("Audit waiting for moderation", "moderator", "moderation:moderate", _pk("in_queue")),
    Row("Moderation form", "moderator", "moderation:moderate", _pk("taken"), state=EMPTY),
    Row("Moderation form", "moderator", "moderation:moderate", _pk("taken"), state=ERRORS,
        act=choose_then_press("Does not meet good", "Record moderation")),
    Row("Moderation statistics", "moderator", "moderation:dashboard"),
    Row("All audits", "moderator", "audits:all"),
    # QA lead.
    Row("Home", "qa_lead", "audits:home"),
    Row("All audits", "qa_lead", "audits:all", query="?status=completed", state=FILTERED),
    Row("All audits", "qa_lead", "audits:all", query="?overall_grade=exceeds", state=NO_RESULTS),
    Row("Moderation statistics", "qa_lead", "moderation:dashboard"),
    Row("Moderation drift", "qa_lead", "moderation:drift", _pk("auditor")),
    Row("Schedule", "qa_lead", "audits:activities"),
    Row("Plan an activity", "qa_lead", "audits:activity_new", state=EMPTY),
    Row("Plan an activity", "qa_lead", "audits:activity_new", state=ERRORS, act=press("Save activity")),
    Row("Change an activity", "qa_lead", "audits:activity_edit", _pk("activity"), state=COMPLETED),
    Row("Cases drawn", "qa_lead", "audits:draws", _pk("activity")),
    Row("Draw cases", "qa_lead", "audits:draw_new", _pk("activity"), state=EMPTY),
    Row("Draw cases", "qa_lead", "audits:draw_new", _pk("activity"), state=ERRORS,
        act=fill_then_press("Number of cases", "9", "Preview the draw")),
    Row("Check the draw", "qa_lead", "audits:draw_new", _pk("activity"), state=COMPLETED,
        act=fill_then_press("Number of cases", "1", "Preview the draw")),
    Row("Replace a drawn case", "qa_lead", "audits:drawn_case_replace", _pk("drawn"), state=EMPTY),
    Row("Replace a drawn case", "qa_lead", "audits:drawn_case_replace", _pk("drawn"),
        state=ERRORS, act=press("Withdraw and replace")),
    Row("Manager compliance", "qa_lead", "audits:compliance"),
    Row("Manager compliance", "qa_lead", "audits:compliance", query="?month=nonsense",
        state=ERRORS, status=400),
    Row("Actions", "qa_lead", "audits:actions", query="?state=open", state=FILTERED),
    Row("Actions", "qa_lead", "audits:actions", query="?due_from=2000-01-01&due_to=2000-01-31",
        state=NO_RESULTS),
    Row("Reports", "qa_lead", "reports:list"),
    Row("New report", "qa_lead", "reports:new", state=EMPTY),
    Row("New report", "qa_lead", "reports:new", state=ERRORS,
        act=choose_then_press("Any dates", "Create draft report")),
    Row("Draft report", "qa_lead", "reports:detail", _pk("report")),
    Row("Draft report", "qa_lead", "reports:detail", _pk("report"), state=ERRORS,
        act=clear_then_press("Title", "Save narrative")),
    # Saved: the success banner above it.
    Row("Draft report", "qa_lead", "reports:detail", _pk("report"), state=COMPLETED,
        act=press("Save narrative")),
    Row("Published report", "qa_lead", "reports:detail", _pk("published")),
    Row("Targets", "qa_lead", "reports:targets"),
    Row("Add a target", "qa_lead", "reports:target_new", state=EMPTY),
    Row("Add a target", "qa_lead", "reports:target_new", state=ERRORS, act=press("Add the target")),
    Row("Change a target", "qa_lead", "reports:target_edit", _pk("target"), state=COMPLETED),
    Row("Enter a target's value", "qa_lead", "reports:target_actual", _pk("target"), state=EMPTY),
    Row("Enter a target's value", "qa_lead", "reports:target_actual", _pk("target"), state=ERRORS,
        act=press("Save the value")),
    Row("Remove a target", "qa_lead", "reports:target_delete", _pk("target")),
    Row("Activity results", "qa_lead", "reports:activity_results", _pk("built_activity")),
    Row("Activity results of the standard tool", "moderator", "reports:activity_results",
        _pk("activity")),
    # The tool builder (audits.tools.views).
    Row("Audit tools", "qa_lead", "audits:tools"),
    Row("Build a new tool", "qa_lead", "audits:tool_new", state=EMPTY),
    Row("Build a new tool", "qa_lead", "audits:tool_new", state=ERRORS,
        act=press("Save and add sections")),
    Row("Build a new tool", "qa_lead", "audits:tool_new", state=COMPLETED,
        act=press("Use the standard scale")),
    Row("Audit tool", "qa_lead", "audits:tool", _pk("tool")),
    Row("Audit tool with audits", "qa_lead", "audits:tool", _pk("locked_tool")),
    Row("Preview of a tool", "qa_lead", "audits:tool_preview", _pk("tool")),
    Row("Change a tool's scale", "qa_lead", "audits:tool_scale", _pk("tool"), state=COMPLETED),
    Row("Change a tool's scale", "qa_lead", "audits:tool_scale", _pk("tool"), state=ERRORS,
        act=fill_then_press("Grade 2", "good", "Save the scale")),
    Row("Add a section", "qa_lead", "audits:tool_section_new", _pk("tool"), state=EMPTY),
    Row("Add a section", "qa_lead", "audits:tool_section_new", _pk("tool"), state=ERRORS,
        act=press("Save the section")),
    Row("Add a question", "qa_lead", "audits:tool_question_new", _tool_section, state=EMPTY),
    Row("Add a question", "qa_lead", "audits:tool_question_new", _tool_section, state=ERRORS,
        act=choose_then_press("A choice from a list", "Save the question")),
    Row("Change a question", "qa_lead", "audits:tool_question_edit", _tool_question,
        state=COMPLETED),
    Row("Remove a question", "qa_lead", "audits:tool_question_remove", _tool_question),
    # Importing in the browser (audits.imports); the last rows of the QA lead, as confirming
    # imports the case list for real.
    Row("Imports", "qa_lead", "audits:imports"),
    Row("Import the case list", "qa_lead", "audits:import_upload", _kind("cases"), state=EMPTY),
    Row("Import the case list", "qa_lead", "audits:import_upload", _kind("cases"), state=ERRORS,
        act=upload_then_press(BAD_CASE_LIST, "Upload and check")),
    Row("Check the import", "qa_lead", "audits:import_upload", _kind("cases"), state=COMPLETED,
        act=upload_then_press(CASE_LIST, "Upload and check")),
    Row("Imported case list", "qa_lead", "audits:import_upload", _kind("cases"),
        act=upload_then_press(CASE_LIST, "Upload and check", then="Confirm import")),
    # Administrator.
    Row("Home", "administrator", "audits:home"),
    Row("Security log", "administrator", "audits:security_log"),
    Row("All audits", "administrator", "audits:all"),
    # Case holder (audits.holders).
    Row("Home", "case_holder", "audits:home"),
    Row("My cases' audits", "case_holder", "audits:my_cases"),
    Row("Audit of their case", "case_holder", "audits:detail", _pk("moderated")),
    Row("Response to an audit", "case_holder", "audits:holder_response", _pk("moderated"),
        state=EMPTY),
    Row("Response to an audit", "case_holder", "audits:holder_response", _pk("moderated"),
        state=ERRORS, act=press("Save your response")),
    Row("Response to an audit", "case_holder", "audits:holder_response", _pk("in_queue"),
        state=COMPLETED),
]
# fmt: on


class MissingURL(Exception):
    pass


def url_of(row: Row, world: World) -> str:
    """The row's address; MissingURL when its URL name does not exist (yet)."""
    query = row.query_of(world) if row.query_of else row.query
    if row.url.startswith("/"):
        return row.url + query
    kwargs = row.args(world) if row.args else {}
    try:
        return reverse(row.url, kwargs=kwargs) + query
    except NoReverseMatch as error:
        # A name that exists with other arguments is this table's mistake: fail, don't skip.
        message = str(error)
        if "is not a valid view function or pattern name" in message or (
            "is not a registered namespace" in message
        ):
            raise MissingURL(row.url) from error
        raise


# --- The browser: one context per role, each signed in once --------------------------------------


class Sessions:
    def __init__(self, browser, live_server, world, login):
        self.browser, self.live_server, self.world, self.login = browser, live_server, world, login
        self.pages = {}

    def page_for(self, role):
        if role not in self.pages:
            context = self.browser.new_context(
                base_url=self.live_server.url,
                locale="en-GB",
                timezone_id="Europe/London",
                viewport=VIEWPORT,
                reduced_motion="reduce",
            )
            context.set_default_timeout(DEFAULT_TIMEOUT_MS)
            context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
            page = context.new_page()
            page.js_errors = []
            page.on("pageerror", lambda error: page.js_errors.append(str(error)))
            # Leaving a form with unsaved changes asks first (static/js/unsaved_guard.js).
            page.on("dialog", lambda dialog: dialog.accept())
            if role != ANONYMOUS:
                self.login(page, self.live_server, self.world.user(role))
            self.pages[role] = page
        return self.pages[role]

    def close(self):
        for page in self.pages.values():
            page.context.close()


def visit(page, row: Row, url: str):
    """Open the page and bring it into the row's state."""
    page.js_errors.clear()
    response = page.goto(url)
    assert response is not None and response.status == row.status, (
        f"{url} answered {response and response.status}, not {row.status}"
    )
    page.wait_for_load_state("load")
    if row.act:
        row.act(page)
        page.wait_for_load_state("load")
    if row.state == ERRORS:
        expect(
            page.locator(".govuk-error-summary"), "the page should show its error summary"
        ).to_be_visible()


def axe_violations(page) -> list[dict]:
    return Axe().run(page, options=AXE_OPTIONS).response["violations"]


def criteria(tags) -> str:
    """axe's tags 'wcag143' as success criteria '1.4.3'."""
    found = [t[4] + "." + t[5] + "." + t[6:] for t in tags if t[:4] == "wcag" and t[4:].isdigit()]
    return ", ".join(found)


def describe_violations(violations) -> str:
    lines = []
    for violation in violations:
        nodes = violation["nodes"]
        lines.append(
            f"  - {violation['id']} ({violation['impact']}, WCAG {criteria(violation['tags'])}): "
            f"{violation['help']} — {len(nodes)} element(s)"
        )
        for node in nodes[:4]:
            why = [
                line.strip()
                for line in (node.get("failureSummary") or "").splitlines()
                if line.strip() and not line.startswith("Fix ")
            ]
            lines.append(f"      {' '.join(map(str, node['target']))}: {'; '.join(why)[:220]}")
        if len(nodes) > 4:
            lines.append(f"      … and {len(nodes) - 4} more")
    return "\n".join(lines)


def test_every_page_meets_wcag_22_aa(browser, live_server, login, subtests):
    world = World()
    sessions = Sessions(browser, live_server, world, login)
    found = {}
    try:
        for row in PAGES:
            with subtests.test(msg=row.label):
                try:
                    url = url_of(row, world)
                except MissingURL as missing:
                    pytest.skip(f"URL name {missing} does not exist yet: {row.label} not checked")
                page = sessions.page_for(row.role)
                visit(page, row, url)
                violations = axe_violations(page)
                problems = [
                    *control_border_problems(page),
                    *focus_problems(page),
                    *reflow_problems(page, restore=VIEWPORT),
                    *zoom_and_text_spacing_problems(page, restore=VIEWPORT),
                ]
                problems += [f"JavaScript error: {error}" for error in page.js_errors]
                found[row.label] = {
                    "url": url,
                    "axe": [
                        {
                            "rule": v["id"],
                            "impact": v["impact"],
                            "help": v["help"],
                            "wcag": criteria(v["tags"]),
                            "targets": [" ".join(map(str, n["target"])) for n in v["nodes"]],
                        }
                        for v in violations
                    ],
                    "frame": [str(p) for p in problems],
                }
                report = []
                if violations:
                    report.append(
                        "axe-core (WCAG 2.2 A and AA):\n" + describe_violations(violations)
                    )
                if problems:
                    report.append(
                        "Measured in the browser:\n" + "\n".join(f"  - {p}" for p in problems)
                    )
                if report:
                    shot = (
                        SCREENSHOT_DIR
                        / f"accessibility-{re.sub(r'[^A-Za-z0-9]+', '-', row.label)}.png"
                    )
                    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(shot))
                    report.append(f"Screenshot: {shot}")
                    pytest.fail(f"{row.label} at {url}\n" + "\n".join(report), pytrace=False)
    finally:
        sessions.close()
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        (SCREENSHOT_DIR / "accessibility-sweep.json").write_text(json.dumps(found, indent=2))
        print(by_rule(found))


def by_rule(found) -> str:
    """The sweep's problems across pages, one paragraph per axe rule or measured check."""
    pages = {}
    for label, result in found.items():
        for violation in result["axe"]:
            key = f"{violation['rule']} (WCAG {violation['wcag']}): {violation['help']}"
            pages.setdefault(key, []).append(label)
        for problem in result["frame"]:
            pages.setdefault(problem.split(":")[0], []).append(label)
    if not pages:
        return "\nEvery page checked passes."
    return "\n".join(
        ["\nProblems by rule, with the pages that have them:"]
        + [f"- {key}: {'; '.join(labels)}" for key, labels in sorted(pages.items())]
    )


def test_the_table_reaches_every_kind_of_page():
    """Each role's home, and a form in each state, stay in the table."""
    homes = {row.role for row in PAGES if row.url == "audits:home"}
    assert homes == set(ROLES) - {ANONYMOUS}
    assert {row.state for row in PAGES} >= {EMPTY, ERRORS, COMPLETED, FILTERED, NO_RESULTS}
    assert {row.status for row in PAGES} >= {200, 403, 404}
    assert len({row.label for row in PAGES}) == len(PAGES), "two rows share a label"


def test_the_zoom_and_text_spacing_check_finds_what_it_looks_for(page):
    # The check can fail: a fixed-height box that hides its overflow cuts text off once the
    # text is spaced out, and a fixed-width box widens the page at 200% zoom.
    page.set_viewport_size(VIEWPORT)
    page.set_content(
        '<body><p id="roomy">Plenty of room here.</p>'
        '<div id="tight" style="height: 1.2em; overflow: hidden; width: 20em">'
        "A sentence that needs more height once its lines are spaced out.</div>"
        '<div id="wide" style="width: 900px">Fixed width.</div></body>'
    )

    found = zoom_and_text_spacing_problems(page, restore=VIEWPORT)

    assert [p.check for p in found] == ["200% zoom", "text spacing"]
    assert "#tight" in found[1].text
