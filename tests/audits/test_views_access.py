"""Who may open which page: every URL of audits/urls.py against every kind of user.

healthchecks style: the owner of the audits, a colleague auditor and the outsiders (no role,
moderator, QA lead, administrator), plus anonymous. 404 for what a user may not see (nobody
learns that a colleague's draft exists), 403 for what they may see but not do.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from audits.models import Audit, Status
from tests import factories, helpers
from tests.helpers import draft_audit, submitted_audit

pytestmark = pytest.mark.django_db

USERS = [
    "no_role_user",
    "owner",
    "colleague",
    "moderator_user",
    "qa_lead_user",
    "administrator_user",
]

# page -> (HTTP method, URL name, which of the owner's audits it needs, if any)
PAGES = {
    "home": ("get", "audits:home", None),
    "new": ("get", "audits:new", None),
    "mine": ("get", "audits:mine", None),
    "all": ("get", "audits:all", None),
    "earlier": ("get", "audits:earlier", None),
    "draft-detail": ("get", "audits:detail", "draft"),
    "draft-pdf": ("get", "audits:pdf", "draft"),
    "draft-edit": ("get", "audits:edit", "draft"),
    "draft-section": ("get", "audits:section", "draft"),
    "draft-check": ("get", "audits:check", "draft"),
    "draft-delete": ("post", "audits:delete", "draft"),
    "draft-autosave": ("post", "audits:autosave", "draft"),
    "autosave-new": ("post", "audits:autosave_new", None),
    "submitted-detail": ("get", "audits:detail", "submitted"),
    "submitted-pdf": ("get", "audits:pdf", "submitted"),
    "submitted-edit": ("get", "audits:edit", "submitted"),
    "submitted-section": ("get", "audits:section", "submitted"),
    "submitted-check": ("get", "audits:check", "submitted"),
    "submitted-submit": ("post", "audits:check", "submitted"),
    "submitted-delete": ("post", "audits:delete", "submitted"),
    "submitted-autosave": ("post", "audits:autosave", "submitted"),
    "draft-timeline": ("get", "audits:case_timeline", "draft"),
    "submitted-timeline": ("get", "audits:case_timeline", "submitted"),
    "find-case": ("get", "audits:find_case", None),
    "activities": ("get", "audits:activities", None),
    "activity-new": ("get", "audits:activity_new", None),
    "activity-edit": ("get", "audits:activity_edit", "activity"),
    "security-log": ("get", "audits:security_log", None),
    "security-log-csv": ("get", "audits:security_log_csv", None),
    "my-cases": ("get", "audits:my_cases", None),
    "draft-response": ("get", "audits:holder_response", "draft"),
    "submitted-response": ("get", "audits:holder_response", "submitted"),
}
# The agreed-action pages have their own matrix in test_action_views.py.
ELSEWHERE = {
    "audits:actions",
    "audits:action_detail",
    "audits:action_done",
    "audits:action_not_needed",
    "audits:action_reopen",
    "audits:action_assign",
    # The tool builder: tests/audits/tools/test_views.py and tests/test_access_every_url.py.
    "audits:tools",
    "audits:tool_new",
    "audits:tool",
    "audits:tool_preview",
    "audits:tool_edit",
    "audits:tool_scale",
    "audits:tool_new_version",
    "audits:tool_make_current",
    "audits:tool_section_new",
    "audits:tool_section_edit",
    "audits:tool_section_remove",
    "audits:tool_question_new",
    "audits:tool_question_edit",
    "audits:tool_question_remove",
    # The import pages: tests/audits/imports/test_views.py.
    "audits:imports",
    "audits:import_upload",
    "audits:import_preview",
    # The sample draw's pages and manager compliance: tests/audits/cases/test_views.py and
    # test_start.py, tests/audits/compliance/test_views.py (and tests/test_access_every_url.py).
    "audits:draws",
    "audits:draw_new",
    "audits:drawn_case_replace",
    "audits:allocated_case_start",
    "audits:compliance",
}

# The expected status for each page, in the order of USERS:
#                    no role  owner  colleague  moderator  QA lead  administrator
EXPECTED = {
    "home": (200, 200, 200, 200, 200, 200),
    "new": (403, 200, 200, 403, 403, 403),
    "mine": (403, 200, 200, 403, 403, 403),
    "all": (403, 403, 403, 200, 200, 200),
    "earlier": (200, 200, 200, 200, 200, 200),
    "draft-detail": (404, 200, 404, 404, 404, 404),
    "draft-pdf": (404, 200, 404, 404, 404, 404),  # whoever may open the page, as the page
    "draft-edit": (404, 200, 404, 404, 404, 404),
    "draft-section": (404, 200, 404, 404, 404, 404),
    "draft-check": (404, 200, 404, 404, 404, 404),
    "draft-delete": (404, 302, 404, 404, 404, 404),
    # An empty POST is no form at all: nothing saved, 400, for whoever may edit the draft.
    "draft-autosave": (404, 400, 404, 404, 404, 404),
    # A new audit's first page (About the case) holds no list of rows: an empty POST is that
    # page with nothing typed, and starts a draft for whoever may start audits.
    "autosave-new": (403, 200, 200, 403, 403, 403),
    "submitted-detail": (404, 200, 404, 200, 200, 200),
    "submitted-pdf": (404, 200, 404, 200, 200, 200),
    "submitted-edit": (404, 403, 404, 403, 403, 403),
    "submitted-section": (404, 403, 404, 403, 403, 403),
    "submitted-check": (404, 403, 404, 403, 403, 403),
    "submitted-submit": (404, 403, 404, 403, 403, 403),
    "submitted-delete": (404, 403, 404, 403, 403, 403),
    "submitted-autosave": (404, 403, 404, 403, 403, 403),
    # A case's timeline lists its audits past draft that the user may see; none is a 404.
    "draft-timeline": (404, 404, 404, 404, 404, 404),
    "submitted-timeline": (404, 200, 404, 200, 200, 200),
    # Everyone with a role may search, among what they may see (tests/audits/test_find_case.py).
    "find-case": (403, 200, 200, 200, 200, 200),
    "activities": (403, 403, 403, 403, 200, 200),
    "activity-new": (403, 403, 403, 403, 200, 200),
    "activity-edit": (403, 403, 403, 403, 200, 200),
    "security-log": (403, 403, 403, 403, 403, 200),
    "security-log-csv": (403, 403, 403, 403, 403, 200),
    # Case holders' pages: for the Case holder role only (tests/audits/holders/test_views.py
    # has the case holder's own matrix).
    "my-cases": (403, 403, 403, 403, 403, 403),
    "draft-response": (404, 403, 404, 404, 404, 404),
    "submitted-response": (404, 403, 404, 403, 403, 403),
}
assert set(EXPECTED) == set(PAGES)


def test_every_url_of_the_app_is_in_the_matrix():
    from audits.urls import urlpatterns

    assert {f"audits:{p.name}" for p in urlpatterns} - ELSEWHERE == {
        name for _, name, _ in PAGES.values()
    }


def _every_url():
    """Every URL of the app, with a made-up argument where it takes one."""
    from audits.urls import urlpatterns

    for pattern in urlpatterns:
        args = [
            1 if converter.regex == "[0-9]+" else "CR-1"
            for converter in pattern.pattern.converters.values()
        ]
        yield pytest.param(reverse(f"audits:{pattern.name}", args=args), id=pattern.name)


@pytest.mark.parametrize("url", _every_url())
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_url_needs_login(client, url, method):
    response = getattr(client, method)(url)

    assert response.status_code == 302
    location = urlsplit(response.url)
    assert location.path == "/accounts/login/"
    assert parse_qs(location.query)["next"] == [url]


@pytest.fixture
def owners_audits(owner):
    return {
        "draft": draft_audit(auditor=owner, case_reference="CR-DRAFT"),
        "submitted": submitted_audit(auditor=owner, case_reference="CR-DONE"),
        "activity": factories.AuditActivityFactory(name="Neglect in early help"),
    }


def _url(page, audits):
    _, name, target = PAGES[page]
    if not target:
        return reverse(name)
    if name == "audits:case_timeline":
        return reverse(name, args=[audits[target].case_reference])
    if name in ("audits:section", "audits:autosave"):
        return reverse(name, args=[audits[target].pk, "actions"])
    return reverse(name, args=[audits[target].pk])


def _request(client, page, url):
    method = PAGES[page][0]
    return client.post(url) if method == "post" else client.get(url)


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_log_in_and_back(client, owners_audits, page):
    url = _url(page, owners_audits)

    response = _request(client, page, url)

    assert response.status_code == 302
    location = urlsplit(response.url)
    assert location.path == "/accounts/login/"
    assert parse_qs(location.query)["next"] == [url]
    # Nothing was deleted on the way.
    assert Audit.objects.count() == 2


@pytest.mark.parametrize(
    ("page", "who", "expected"),
    [
        pytest.param(page, who, EXPECTED[page][i], id=f"{page}-{who}")
        for page in PAGES
        for i, who in enumerate(USERS)
    ],
)
def test_access_matrix(client, request, owners_audits, page, who, expected):
    user = request.getfixturevalue(who)
    client.force_login(user)

    response = _request(client, page, _url(page, owners_audits))

    assert response.status_code == expected
    if page == "draft-delete":
        # Only the owner's delete goes through; everyone else leaves the draft alone.
        assert Audit.objects.filter(pk=owners_audits["draft"].pk).exists() is (expected != 302)
    if page == "submitted-delete":
        assert Audit.objects.filter(pk=owners_audits["submitted"].pk).exists()


def test_delete_refuses_get(client, owner, owners_audits):
    client.force_login(owner)

    response = client.get(reverse("audits:delete", args=[owners_audits["draft"].pk]))

    assert response.status_code == 405
    assert Audit.objects.filter(pk=owners_audits["draft"].pk).exists()


def test_the_owner_deleting_a_draft_goes_back_to_my_audits(client, owner, owners_audits):
    client.force_login(owner)

    response = client.post(reverse("audits:delete", args=[owners_audits["draft"].pk]), follow=True)

    assert response.redirect_chain == [(reverse("audits:mine"), 302)]
    assert "Draft deleted." in response.content.decode()


def test_posting_to_the_edit_page_of_a_submitted_audit_is_refused_and_changes_nothing(
    client, owner, owners_audits
):
    audit = owners_audits["submitted"]
    client.force_login(owner)

    response = client.post(
        reverse("audits:edit", args=[audit.pk]),
        {
            "action": "save",
            "case_reference": "CR-CHANGED",
            "actions-TOTAL_FORMS": "0",
            "actions-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 403
    audit.refresh_from_db()
    assert audit.case_reference == "CR-DONE"
    assert audit.status == Status.SUBMITTED


def test_a_colleague_cannot_post_to_the_owners_draft(client, colleague, owners_audits):
    audit = owners_audits["draft"]
    client.force_login(colleague)

    response = client.post(
        reverse("audits:edit", args=[audit.pk]),
        {
            "action": "submit",
            "case_reference": "CR-HIJACK",
            "actions-TOTAL_FORMS": "0",
            "actions-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 404
    audit.refresh_from_db()
    assert audit.case_reference == "CR-DRAFT"


def test_the_owner_may_edit_but_not_delete_a_returned_audit(client, owner, owners_audits):
    audit = owners_audits["submitted"]
    Audit.objects.filter(pk=audit.pk).update(status=Status.RETURNED)
    client.force_login(owner)

    assert client.get(reverse("audits:edit", args=[audit.pk])).status_code == 200
    assert client.post(reverse("audits:delete", args=[audit.pk])).status_code == 403
    assert Audit.objects.filter(pk=audit.pk).exists()


def test_a_missing_audit_is_404_for_everyone(client, owner):
    client.force_login(owner)

    assert client.get(reverse("audits:detail", args=[999_999])).status_code == 404
    assert client.get(reverse("audits:edit", args=[999_999])).status_code == 404


@pytest.mark.parametrize(
    ("who", "links"),
    [
        ("no_role_user", set()),
        ("owner", {"new", "mine"}),
        ("moderator_user", {"all"}),
        ("qa_lead_user", {"all", "activities", "tools"}),
        ("administrator_user", {"all", "activities", "tools"}),
    ],
)
def test_the_menu_offers_only_the_pages_the_user_may_open(client, request, who, links):
    client.force_login(request.getfixturevalue(who))

    html = client.get(reverse("audits:home")).content.decode()
    nav = helpers.main_menu(html)

    offered = {
        name
        for name in ("new", "mine", "all", "activities", "tools")
        if f'href="{reverse("audits:" + name)}"' in nav
    }
    assert offered == links


def test_a_user_with_no_role_is_told_to_ask_for_one(client, no_role_user):
    client.force_login(no_role_user)

    response = client.get(reverse("audits:home"))

    assert "You have no role yet" in response.content.decode()


def test_a_user_with_two_roles_gets_both(client, owners_audits):
    from audits import roles

    both = factories.UserFactory(roles=[roles.AUDITOR, roles.MODERATOR])
    client.force_login(both)

    assert client.get(reverse("audits:mine")).status_code == 200
    assert client.get(reverse("audits:all")).status_code == 200
    # Seeing all submitted audits never extends to a colleague's draft.
    assert client.get(reverse("audits:detail", args=[owners_audits["draft"].pk])).status_code == 404
