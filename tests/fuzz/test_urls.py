"""Every URL parameter, as each user who may open the URL, sent hostile values.

The path arguments come from the URL resolver: each converter's argument (``<int:pk>``,
``<str:case_reference>``, ...) is replaced by a hostile segment, percent-encoded as a client
sends it. The query-string arguments each view reads are in PARAMETERS, which names every URL
the resolver has (the admin's excepted): a URL added later and missing from it fails
test_every_url_is_in_the_table. A filter list names its FilterSet and a query form its Form, so
a filter added to them is fuzzed without changing this file.

Whatever arrives, the answer is clear (tests/fuzz/answers.py) and nothing is written: opening a
page records only that it was seen (the security log). Now and then the request comes with
another method (HEAD, PUT, DELETE, ...), which must change nothing either. The users who may open each URL are
those the access table (tests/test_access_every_url.py) lets in; a URL only POST opens is posted
to, empty, by the users of its form (tests/fuzz/test_forms.py).
"""

import re
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import given
from hypothesis import settings as settings_
from hypothesis import strategies as st

from audits.actions.filters import ActionFilter
from audits.compliance.forms import ComplianceMonthForm
from audits.filters import AuditFilter
from audits.forms import CaseSearchForm
from audits.models import AgreedAction, Status
from audits.security.forms import LogQueryForm
from moderation.filters import QueueFilter, StatisticsFilter
from reports.forms_compare import CompareForm
from reports.plan.filters import PlanFilter
from tests.test_access_every_url import EXPECTED, USERS, World, _kwargs, _url_names
from tests.test_access_every_url import QUERY as NEEDED_QUERY

from .answers import assert_clear_answer, assert_unchanged, snapshot
from .hostile import (
    NUMBERS,
    SETTINGS,
    URLENCODED,
    changed,
    encode,
    examples,
    known_values,
    mutations,
    segment,
    values,
)
from .test_forms import FORMS

pytestmark = pytest.mark.django_db

DATE_PARTS = ("day", "month", "year")

# The query-string arguments each URL's view reads.
PARAMETERS = {
    "healthz": (),
    "pages:help": (),
    "pages:contact": (),
    "pages:privacy": (),
    "pages:accessibility": (),
    "login": ("next",),
    "logout": ("next",),
    "password_change": (),
    "password_change_done": (),
    "password_reset": (),
    "password_reset_done": (),
    "password_reset_confirm": (),
    "password_reset_complete": (),
    "oidc_authentication_init": ("next",),
    "oidc_authentication_callback": ("code", "state", "error", "error_description"),
    "oidc_logout": (),
    "two_factor:setup": ("next",),
    "two_factor:verify": ("next",),
    "two_factor:recovery_codes": (),
    # audits
    "audits:home": (),
    "audits:new": (),
    "audits:mine": (AuditFilter, "page"),
    "audits:all": (AuditFilter, "page", "format"),
    "audits:earlier": ("case_reference", "exclude"),
    "audits:detail": (),
    "audits:pdf": (),
    "audits:edit": (),
    "audits:section": ("return",),
    "audits:check": (),
    "audits:delete": (),
    "audits:autosave": (),
    "audits:autosave_new": (),
    "audits:case_timeline": (),
    "audits:my_cases": ("page",),
    "audits:holder_response": (),
    "audits:find_case": (CaseSearchForm, "page"),
    "audits:security_log": (LogQueryForm,),
    "audits:security_log_csv": (LogQueryForm,),
    "audits:activities": (),
    "audits:activity_new": (),
    "audits:activity_edit": (),
    "audits:actions": (ActionFilter, "page"),
    "audits:action_detail": (),
    "audits:action_done": (),
    "audits:action_not_needed": (),
    "audits:action_reopen": (),
    "audits:action_assign": (),
    "audits:tools": (),
    "audits:tool_new": (),
    "audits:tool": (),
    "audits:tool_preview": (),
    "audits:tool_edit": (),
    "audits:tool_scale": (),
    "audits:tool_new_version": (),
    "audits:tool_make_current": (),
    "audits:tool_section_new": (),
    "audits:tool_section_edit": (),
    "audits:tool_section_remove": (),
    "audits:tool_question_new": (),
    "audits:tool_question_edit": (),
    "audits:tool_question_remove": (),
    "audits:imports": (),
    "audits:import_upload": (),
    "audits:import_preview": (),
    "audits:draws": (),
    "audits:draw_new": (),
    "audits:drawn_case_replace": (),
    "audits:allocated_case_start": (),
    "audits:compliance": (ComplianceMonthForm,),
    # moderation
    "moderation:queue": (QueueFilter, "page"),
    "moderation:dashboard": (StatisticsFilter,),
    "moderation:drift": (),
    "moderation:feedback": ("page",),
    "moderation:acknowledge": (),
    "moderation:exemplars": (),
    "moderation:moderate": (),
    "moderation:take": (),
    "moderation:autosave": (),
    "moderation:release": (),
    "moderation:add_to_queue": (),
    "moderation:exemplar": (),
    # reports
    "reports:list": (),
    "reports:new": (),
    "reports:summary_json": ("start", "end", "activity", "strand", "case_type"),
    # The compare form (GET); its dates are typed in three boxes each.
    "reports:compare": (
        CompareForm,
        *(f"{d}_{p}" for d in ("start_a", "end_a", "start_b", "end_b") for p in DATE_PARTS),
    ),
    "reports:detail": (),
    "reports:publish": (),
    "reports:autosave": (),
    "reports:make_pdf": (),
    "reports:pdf": (),
    "reports:export": (),
    "reports:activity_results": (),
    "reports:targets": ("year",),
    "reports:target_new": ("year",),
    "reports:target_edit": (),
    "reports:target_delete": (),
    "reports:target_actual": (),
    "reports:plan": (PlanFilter,),
    "reports:plan_from_report": (),
    "reports:plan_item": (),
    "reports:plan_item_edit": (),
    "reports:benchmark": (),
    "reports:benchmark_export": ("start", "end"),
    "reports:target_checkpoints": (),
    "reports:checkpoint_edit": (),
    "reports:checkpoint_delete": (),
    # sessions (audits.sessions)
    "session:status": (),
    "session:extend": (),
    "session:signed_out": ("next", "limit", "saved"),
    "session:kept": ("next",),
    "session:discard": (),
}

# Fewer examples where each is slow to answer (a PDF, a workbook), more where there are many
# arguments to combine.
EXAMPLES = {"audits:pdf": 6, "reports:pdf": 6, "reports:export": 10}
PER_ARGUMENT = 8
AT_LEAST = 15

# A method the view does not expect must change nothing either.
OTHER_METHODS = ["HEAD", "OPTIONS", "PUT", "PATCH", "DELETE", "TRACE", "PROPFIND"]

# Opening these writes something besides the security log, by design: the set-up page makes
# the secret the person's app will hold (unconfirmed until they enter a code from it).
WRITES = {"two_factor:setup": frozenset({"otp_totp.TOTPDevice"})}


def _names() -> set[str]:
    return {name for name in _url_names() if not name.startswith("admin:")}


def test_every_url_is_in_the_table():
    assert set(PARAMETERS) == _names()


def test_every_argument_the_code_reads_from_a_query_string_is_in_the_table():
    """A new request.GET.get("...") in the apps' code names an argument the table must list."""
    read = set()
    for app in ("audits", "moderation", "reports", "config"):
        for source in (PROJECT / app).rglob("*.py"):
            read |= set(GET_ARGUMENT.findall(source.read_text()))
    assert read, "the pattern finds nothing: has the code changed its way of reading them?"
    assert read <= {argument for name in PARAMETERS for argument in query_names(name)}


def routes(patterns=None, prefix: str = "", namespace: str = "") -> dict[str, str]:
    """Each named URL's route as written in the URLconfs, with its prefixes: "audits/<int:pk>/"."""
    found = {}
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found |= routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            found.setdefault(namespace + pattern.name, prefix + str(pattern.pattern))
    return found


PROJECT = Path(__file__).resolve().parents[2]
GET_ARGUMENT = re.compile(r"request\.GET(?:\.get\(|\[)\s*[\"']([\w-]+)[\"']")
ARGUMENT = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def query_names(name: str) -> list[str]:
    names = []
    for item in PARAMETERS[name]:
        if isinstance(item, str):
            names.append(item)
        elif hasattr(item, "base_filters"):
            names += list(item.base_filters)
        else:
            names += list(item.base_fields)
    return names


def who_may_open(name: str) -> tuple[str, tuple[str, ...]]:
    """("GET", the users the access table lets open it), or ("POST", its form's users)."""
    if name.startswith("oidc_authentication"):
        return "GET", ("anonymous",)  # with the council sign-in on (the table has it off)
    if name in OTHER_ROLES:
        return "GET", OTHER_ROLES[name]
    allowed = tuple(who for who, answer in zip(USERS, EXPECTED[name]) if answer in (200, 302))
    if allowed:
        return "GET", allowed
    return "POST", FORMS[name].roles if name in FORMS else BUTTONS[name]


# Pages for a role none of the access table's users holds: the case holder's (audits.holders).
OTHER_ROLES = {"audits:my_cases": ("case_holder_user",)}


# POST-only URLs that read nothing posted (test_forms.IGNORES_POST), with who may press them.
BUTTONS = {
    "reports:make_pdf": ("qa_lead_user",),
    "session:extend": ("owner", "qa_lead_user"),
    "session:discard": ("owner",),
}


def segments(converter: str | None, valid) -> st.SearchStrategy:
    """A path argument: the valid one, or hostile text; for a number, numbers of every size."""
    hostile = values
    if converter == "int":
        hostile = st.one_of(
            values,
            st.sampled_from([n for n in NUMBERS if n.isdigit()]),
            st.integers(min_value=0).map(str),
        )
    return st.one_of(st.just(str(valid)), hostile)


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_bad_input_in_every_url_parameter(request, world, name):
    if name.startswith("oidc_authentication"):
        # With the council sign-in off, both are 404 before reading anything: turn it on.
        request.getfixturevalue("council_sign_in")
    method, roles = who_may_open(name)
    users = {who: None if who == "anonymous" else request.getfixturevalue(who) for who in roles}
    route = routes()[name]
    valid = _kwargs(name, world)
    arguments = {
        m["name"]: segments(m["converter"], valid[m["name"]]) for m in ARGUMENT.finditer(route)
    }
    needed = [
        tuple(pair.split("="))
        for pair in NEEDED_QUERY.get(name, "?").lstrip("?").split("&")
        if pair
    ]
    keys = query_names(name)
    known = known_values(needed) + [s.value for s in Status] + [s.value for s in AgreedAction.State]
    known += ["csv", "xlsx", "yes", "no", "2026", "2026-07-01", "/", "/reports/"]
    client = Client()
    leave_out = WRITES.get(name, frozenset())
    budget = EXAMPLES.get(name, max(AT_LEAST, PER_ARGUMENT * (len(keys) + len(arguments))))

    @settings_(max_examples=examples(budget), **SETTINGS)
    @given(
        who=st.sampled_from(sorted(users)),
        path=st.fixed_dictionaries(arguments),
        changes=mutations(keys, sorted(set(known))),
        verb=st.one_of(st.just(method), st.just(method), st.sampled_from(OTHER_METHODS)),
    )
    def run(who, path, changes, verb):
        url = "/" + ARGUMENT.sub(lambda m: segment(path[m["name"]]), route)
        query = encode(changed(needed, changes))
        what = f"{verb} {url}?{query[:200]} as {who}"
        with transaction.atomic():
            client.cookies.clear()
            if users[who] is not None:
                client.force_login(users[who])
            before = snapshot(leave_out=leave_out)
            response = client.generic(verb, f"{url}?{query}", "", content_type=URLENCODED)
            assert_clear_answer(response, what)
            if verb != "POST" or response.status_code >= 400:
                assert_unchanged(before, snapshot(leave_out=leave_out), what)
            transaction.set_rollback(True)

    run()


@pytest.fixture
def world(owner, qa_lead_user):
    return World(owner, qa_lead_user)
