""" "My audits" and "All audits": who sees what, every filter, pagination, the CSV link, and query
counts that do not grow with the number of audits."""

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits import roles, services
from audits.grades import Grade
from audits.models import Audit, Status
from tests import factories
from tests.helpers import complete_content, date_parts, draft_audit, submitted_audit

pytestmark = pytest.mark.django_db

MINE = reverse("audits:mine")
ALL = reverse("audits:all")
SUBMIT_DAY = datetime.date(2026, 11, 25)


def listed(response):
    """The case references in the table of a list page, in the order shown."""
    assert response.status_code == 200
    html = response.content.decode()
    return re.findall(
        r'<tr class="govuk-table__row">\s*<td class="govuk-table__cell">'
        r'<a class="govuk-link" href="[^"]+">([^<]+)</a>',
        html,
    )


def _audit(
    auditor,
    ref,
    *,
    date,
    activity,
    strand="social_care",
    case_type="child_in_need",
    overall=Grade.MEETS,
    submit=True,
):
    content = complete_content(
        case_reference=ref, audit_date=date, activity=activity, overall=overall
    )
    content.header["strand"] = factories.strand(strand)
    content.header["case_type"] = factories.case_type(case_type)
    audit = services.audit_save_draft(audit=None, by=auditor, content=content)
    if submit:
        audit = services.audit_submit(audit=audit, by=auditor, today=SUBMIT_DAY)
    return audit


@pytest.fixture
def cohort(owner, colleague):
    # Each activity runs over two months (its month, then up to its due date), so that the
    # activity filters and the date filters pick different audits. Submit refuses an audit
    # dated outside its activity's month and due date.
    october = factories.AuditActivityFactory(
        name="Neglect", month=datetime.date(2026, 9, 1), due_date=datetime.date(2026, 10, 31)
    )
    november = factories.AuditActivityFactory(
        name="Care leavers", month=datetime.date(2026, 10, 1), due_date=datetime.date(2026, 11, 30)
    )
    audits = {
        "CR-A1": _audit(owner, "CR-A1", date=datetime.date(2026, 9, 10), activity=october),
        "CR-A2": _audit(
            owner,
            "CR-A2",
            date=datetime.date(2026, 10, 5),
            activity=november,
            strand="early_help",
            case_type="early_help",
            overall=Grade.DOES_NOT_MEET,
        ),
        "CR-A3": _audit(
            owner, "CR-A3", date=datetime.date(2026, 10, 20), activity=october, submit=False
        ),
        "CR-B1": _audit(
            colleague,
            "CR-B1",
            date=datetime.date(2026, 10, 12),
            activity=october,
            case_type="child_protection",
            overall=Grade.EXCEEDS,
        ),
        "CR-B2": _audit(
            colleague,
            "CR-B2",
            date=datetime.date(2026, 11, 1),
            activity=november,
            case_type="looked_after",
        ),
        "CR-B3": _audit(
            colleague, "CR-B3", date=datetime.date(2026, 10, 30), activity=november, submit=False
        ),
    }
    # Moderation is not part of this app yet: put one audit at the end of the road by hand,
    # so the state filter has more than one state to choose from.
    Audit.objects.filter(pk=audits["CR-B2"].pk).update(
        status=Status.COMPLETED, moderated_grade=Grade.DOES_NOT_MEET
    )
    return {"audits": audits, "october": october, "november": november}


# --- Who sees what -----------------------------------------------------------------------------


def test_my_audits_shows_only_my_own_in_every_state_newest_first(client, owner, cohort):
    client.force_login(owner)

    response = client.get(MINE)

    assert listed(response) == ["CR-A3", "CR-A2", "CR-A1"]
    html = response.content.decode()
    assert "<strong>3</strong> audits" in html
    # My own draft opens its form, my submitted audits their read-only page.
    assert f'href="{reverse("audits:edit", args=[cohort["audits"]["CR-A3"].pk])}"' in html
    assert f'href="{reverse("audits:detail", args=[cohort["audits"]["CR-A1"].pk])}"' in html
    # No auditor column and no auditor filter: they are all mine.
    assert 'name="auditor"' not in html
    assert "format=csv" not in html


@pytest.mark.parametrize("who", ["moderator_user", "qa_lead_user", "administrator_user"])
def test_all_audits_never_shows_a_draft(client, request, who, cohort):
    client.force_login(request.getfixturevalue(who))

    response = client.get(ALL)

    assert listed(response) == ["CR-B2", "CR-B1", "CR-A2", "CR-A1"]
    html = response.content.decode()
    assert "<strong>4</strong> audits" in html
    assert 'name="auditor"' in html
    # The state filter does not offer Draft, and asking for drafts by hand shows none.
    assert 'value="draft"' not in html
    assert not {"CR-A3", "CR-B3"} & set(listed(client.get(ALL, {"status": "draft"})))


def test_all_audits_shows_the_moderated_final_grade(client, moderator_user, cohort):
    client.force_login(moderator_user)

    html = client.get(ALL, {"case_type": factories.case_type("looked_after").pk}).content.decode()

    row = html[html.index("CR-B2") : html.index("</tr>", html.index("CR-B2"))]
    assert "Meets good" in row  # the auditor's grade
    assert "Does not meet good" in row  # the final, moderated grade
    assert "Completed" in row


def test_a_row_shows_the_auditor_activity_strand_and_case_type(client, moderator_user, cohort):
    owner = cohort["audits"]["CR-A2"].auditor
    owner.first_name, owner.last_name = "Ada", "Okafor"
    owner.save()
    nameless = cohort["audits"]["CR-B1"].auditor
    nameless.first_name = nameless.last_name = ""
    nameless.save()
    Audit.objects.filter(pk=cohort["audits"]["CR-B1"].pk).update(strand=None, activity=None)
    client.force_login(moderator_user)

    html = client.get(ALL).content.decode()

    def cells(ref):
        at = html.index(f">{ref}</a>")
        row = html[html.rindex("<tr", 0, at) : html.index("</tr>", at)]
        return re.findall(r'<td class="govuk-table__cell">(.*?)</td>', row, re.S)

    # reference, date, auditor, activity, strand, case type, grades, state
    a2 = cells("CR-A2")
    assert a2[2] == "Ada Okafor"
    assert a2[3] == "Care leavers"
    assert a2[4] == factories.strand("early_help").name
    assert a2[5] == factories.case_type("early_help").name
    # No name: the username; no activity or strand: a dash.
    b1 = cells("CR-B1")
    assert b1[2] == nameless.username
    assert b1[3] == "—"
    assert b1[4] == "—"
    assert b1[5] == factories.case_type("child_protection").name


def _list_queries(client, user) -> list[str]:
    """The SQL of the list page of all audits, opened a second time (its filter form drawn)."""
    client.force_login(user)
    client.get(ALL)

    with CaptureQueriesContext(connection) as context:
        response = client.get(ALL)

    assert response.status_code == 200
    return [q["sql"] for q in context.captured_queries]


def test_the_list_counts_its_audits_without_joining_the_names_it_shows(client, moderator_user):
    counts = [sql for sql in _list_queries(client, moderator_user) if "COUNT(" in sql]
    audit_counts = [sql for sql in counts if "audits_audit" in sql]
    assert audit_counts and all("JOIN" not in sql for sql in audit_counts)


# --- Filters ------------------------------------------------------------------------------------


def _filters(cohort, colleague):
    return [
        ({**date_parts("date_from", datetime.date(2026, 10, 1))}, ["CR-B2", "CR-B1", "CR-A2"]),
        ({**date_parts("date_to", datetime.date(2026, 10, 12))}, ["CR-B1", "CR-A2", "CR-A1"]),
        (
            {
                **date_parts("date_from", datetime.date(2026, 10, 1)),
                **date_parts("date_to", datetime.date(2026, 10, 31)),
            },
            ["CR-B1", "CR-A2"],
        ),
        (
            {
                **date_parts("date_from", datetime.date(2026, 10, 5)),
                **date_parts("date_to", datetime.date(2026, 10, 5)),
            },
            ["CR-A2"],
        ),
        ({"activity": cohort["october"].pk}, ["CR-B1", "CR-A1"]),
        ({"activity": cohort["november"].pk}, ["CR-B2", "CR-A2"]),
        ({"strand": factories.strand("early_help").pk}, ["CR-A2"]),
        ({"strand": factories.strand("social_care").pk}, ["CR-B2", "CR-B1", "CR-A1"]),
        ({"case_type": factories.case_type("child_protection").pk}, ["CR-B1"]),
        ({"case_type": factories.case_type("adoption").pk}, []),
        ({"overall_grade": Grade.MEETS}, ["CR-B2", "CR-A1"]),
        ({"overall_grade": Grade.EXCEEDS}, ["CR-B1"]),
        ({"overall_grade": Grade.DOES_NOT_MEET}, ["CR-A2"]),
        ({"status": Status.COMPLETED}, ["CR-B2"]),
        ({"status": Status.SUBMITTED}, ["CR-B1", "CR-A2", "CR-A1"]),
        ({"auditor": colleague.pk}, ["CR-B2", "CR-B1"]),
        (
            {
                "auditor": colleague.pk,
                "activity": cohort["october"].pk,
                **date_parts("date_from", datetime.date(2026, 10, 1)),
            },
            ["CR-B1"],
        ),
    ]


def test_every_filter_of_all_audits(client, moderator_user, colleague, cohort):
    client.force_login(moderator_user)

    for query, expected in _filters(cohort, colleague):
        response = client.get(ALL, query)
        assert listed(response) == expected, query
        html = response.content.decode()
        assert f"<strong>{len(expected)}</strong> audit" in html, query
        if not expected:
            assert "No audits match." in html


def test_the_filters_of_my_audits(client, owner, cohort):
    client.force_login(owner)

    assert listed(client.get(MINE, {"status": Status.DRAFT})) == ["CR-A3"]
    assert listed(client.get(MINE, {"status": Status.SUBMITTED})) == ["CR-A2", "CR-A1"]
    assert listed(client.get(MINE, {"activity": cohort["october"].pk})) == ["CR-A3", "CR-A1"]
    assert listed(client.get(MINE, {**date_parts("date_from", datetime.date(2026, 10, 1))})) == [
        "CR-A3",
        "CR-A2",
    ]
    assert listed(client.get(MINE, {"strand": factories.strand("early_help").pk})) == ["CR-A2"]
    assert listed(client.get(MINE, {"overall_grade": Grade.MEETS})) == ["CR-A3", "CR-A1"]
    # There is no auditor filter on My audits: asking for a colleague changes nothing.
    colleague_pk = cohort["audits"]["CR-B1"].auditor_id
    assert listed(client.get(MINE, {"auditor": colleague_pk})) == ["CR-A3", "CR-A2", "CR-A1"]


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "not-a-date"},
        {"activity": "abc"},
        {"strand": "999999"},
        {"overall_grade": "brilliant"},
        {"status": "deleted"},
        {"page": "abc"},
        {"page": "999"},
    ],
)
def test_a_bad_filter_value_does_not_break_the_page(client, moderator_user, cohort, query):
    client.force_login(moderator_user)

    response = client.get(ALL, query)

    assert response.status_code == 200
    assert set(listed(response)) <= {"CR-A1", "CR-A2", "CR-B1", "CR-B2"}


# --- Pagination -------------------------------------------------------------------------------


@pytest.fixture
def thirty(owner):
    # September's activity: the audits are dated 1 to 30 September.
    activity = factories.AuditActivityFactory(month=datetime.date(2026, 9, 1))
    start = datetime.date(2026, 9, 1)
    return [
        _audit(
            owner,
            f"CR-P{n:02d}",
            date=start + datetime.timedelta(days=n),
            activity=activity,
            strand="early_help" if n % 2 else "social_care",
        )
        for n in range(30)
    ]


def test_pagination_is_25_a_page(client, owner, thirty):
    client.force_login(owner)

    first = client.get(MINE)
    second = client.get(MINE, {"page": 2})

    assert len(listed(first)) == 25
    assert listed(first)[0] == "CR-P29"
    assert listed(second) == ["CR-P04", "CR-P03", "CR-P02", "CR-P01", "CR-P00"]
    assert "Page 2 of 2" in second.content.decode()
    assert "<strong>30</strong> audits" in second.content.decode()


def test_the_page_links_keep_the_filters(client, moderator_user, thirty):
    client.force_login(moderator_user)
    social_care = factories.strand("social_care").pk

    first = client.get(ALL, {"strand": social_care, "status": Status.SUBMITTED})
    # 15 of the 30 are social care: one page only, so no links.
    assert len(listed(first)) == 15
    assert "Page 1 of" not in first.content.decode()

    html = client.get(ALL).content.decode()
    assert 'href="?page=2"' in html
    html = client.get(ALL, {"status": Status.SUBMITTED}).content.decode()
    assert 'href="?status=submitted&amp;page=2"' in html
    second = client.get(ALL, {"status": Status.SUBMITTED, "page": 2})
    assert 'href="?status=submitted&amp;page=1"' in second.content.decode()
    assert len(listed(second)) == 5


# --- CSV -------------------------------------------------------------------------------------


def test_the_csv_link_carries_the_filters(client, moderator_user, cohort):
    client.force_login(moderator_user)
    early_help = factories.strand("early_help").pk

    html = client.get(ALL, {"strand": early_help}).content.decode()

    assert f'href="?strand={early_help}&amp;format=csv"' in html


def test_the_csv_download_has_exactly_the_filtered_rows(client, moderator_user, cohort):
    client.force_login(moderator_user)

    response = client.get(ALL, {"activity": cohort["october"].pk, "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "case_reference"
    # The October activity holds A1, B1 and the draft A3; drafts are never exported.
    assert sorted(row[0] for row in rows[1:]) == ["CR-A1", "CR-B1"]


@pytest.mark.parametrize("who", ["owner", "no_role_user"])
def test_the_csv_is_refused_to_those_who_may_not_see_all_audits(client, request, who, cohort):
    client.force_login(request.getfixturevalue(who))

    response = client.get(ALL, {"format": "csv"})

    assert response.status_code == 403
    assert "CR-A1" not in response.content.decode()


# --- Query counts ----------------------------------------------------------------------------

MAX_QUERIES = 15
# The audit page loads its six related tables by design (grades, domains, actions, risks,
# history and who made it), plus the earlier audits and moderation: a higher, still fixed cap.
MAX_QUERIES_AUDIT_PAGE = 20
# A QA lead's audit page also shows the audit's record (audits.security.history): its change
# history, one query for the names of each kind of related record it mentions (people, activity,
# strand, case type, age band, team), who opened it, and the entry saying this person did.
RECORD_QUERIES = 10


def _queries(client, url):
    # A first look counts the person's activity, which is written to their session at most
    # every 30 seconds (audits.sessions.limits.touch), so that write never lands in the count
    # however long making the audits took.
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def _more_audits(auditor, n, *, case_reference=None, drafts=False):
    made = []
    for i in range(n):
        ref = case_reference or f"CR-Q{Audit.objects.count():03d}"
        date = datetime.date(2026, 1, 1) + datetime.timedelta(days=Audit.objects.count())
        # The activity of the audit's month, as submit requires.
        activity = factories.AuditActivityFactory(name="Query count", month=date.replace(day=1))
        made.append(
            _audit(
                auditor,
                ref,
                date=date,
                activity=activity,
                submit=not drafts,
                strand="early_help" if i % 2 else "social_care",
            )
        )
    return made


@pytest.fixture
def both_roles():
    """Someone who audits and sees all audits, so every part of every page is drawn."""
    return factories.UserFactory(roles=[roles.AUDITOR, roles.MODERATOR, roles.QA_LEAD])


# The home page of someone with three roles draws three sections, the QA lead's from the
# report's own figures (tests/audits/test_home.py bounds each role's page).
MAX_QUERIES_HOME = 30


@pytest.mark.parametrize(
    "url, most",
    [(MINE, MAX_QUERIES), (ALL, MAX_QUERIES), (reverse("audits:home"), MAX_QUERIES_HOME)],
)
def test_list_pages_make_the_same_queries_for_3_or_30_audits(
    client, both_roles, colleague, url, most, django_assert_max_num_queries
):
    client.force_login(both_roles)
    _more_audits(both_roles, 2)
    _more_audits(both_roles, 1, drafts=True)
    _more_audits(colleague, 1)
    with_few = _queries(client, url)

    _more_audits(both_roles, 14)
    _more_audits(both_roles, 12, drafts=True)
    _more_audits(colleague, 12)
    with_many = _queries(client, url)

    assert with_many == with_few
    with django_assert_max_num_queries(most):
        client.get(url)


def test_the_detail_page_makes_the_same_queries_for_3_or_30_earlier_audits(
    client, both_roles, colleague, django_assert_max_num_queries
):
    client.force_login(both_roles)
    later = submitted_audit(
        auditor=both_roles, case_reference="CR-Q900", audit_date=datetime.date(2026, 11, 20)
    )
    url = reverse("audits:detail", args=[later.pk])
    _more_audits(both_roles, 2, case_reference="CR-Q900")
    _more_audits(colleague, 1, case_reference="CR-Q900")
    with_few = _queries(client, url)
    assert "(3 earlier audits)" in client.get(url).content.decode()

    _more_audits(both_roles, 14, case_reference="CR-Q900")
    _more_audits(colleague, 13, case_reference="CR-Q900")
    with_many = _queries(client, url)
    assert "(30 earlier audits)" in client.get(url).content.decode()

    assert with_many == with_few
    with django_assert_max_num_queries(MAX_QUERIES_AUDIT_PAGE + RECORD_QUERIES):
        client.get(url)


def test_the_draft_form_makes_the_same_queries_for_3_or_30_earlier_audits(
    client, owner, colleague, django_assert_max_num_queries
):
    client.force_login(owner)
    draft = draft_audit(auditor=owner, case_reference="CR-Q950")
    url = reverse("audits:section", args=[draft.pk, "case"])  # the page naming earlier audits
    _more_audits(colleague, 3, case_reference="CR-Q950")
    with_few = _queries(client, url)

    _more_audits(colleague, 27, case_reference="CR-Q950")
    with_many = _queries(client, url)

    assert with_many == with_few
    with django_assert_max_num_queries(MAX_QUERIES_AUDIT_PAGE):
        client.get(url)


def test_on_postgresql_the_page_reads_its_names_without_joins(client, moderator_user, cohort):
    """PostgreSQL plans a query joined to five tables for longer than it runs it: there the
    page's rows read each name by a subquery on its key (SQLite joins them, at no such cost)."""
    pages = [sql for sql in _list_queries(client, moderator_user) if " IN (SELECT" in sql]
    assert len(pages) == 1
    assert ('"auth_user"' in pages[0]) and ('"audits_strand"' in pages[0])
    joined = "JOIN" in pages[0]
    assert joined == (connection.vendor != "postgresql")
