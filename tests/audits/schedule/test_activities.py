"""Audit activities: the QA lead plans them month by month and sees how many audits each has."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.models import AuditActivity
from tests import factories
from tests.helpers import draft_audit, submitted_audit

pytestmark = pytest.mark.django_db

LIST = reverse("audits:activities")
NEW = reverse("audits:activity_new")


@pytest.fixture
def qa_client(client, qa_lead_user):
    client.force_login(qa_lead_user)
    return client


def _plan(name, month, **extra):
    """The activity form as a browser posts it (the moderation fields come filled in). A month
    "YYYY-MM" is typed in the month and year boxes (audits.dates); anything else is posted
    under the field's own name, which the field still reads."""
    boxes = re.fullmatch(r"(\d{4})-(\d{2})", month)
    return {
        "name": name,
        **(
            {"month_month": str(int(boxes[2])), "month_year": boxes[1]}
            if boxes
            else {"month": month}
        ),
        "moderation_rate": "100",
        "always_moderate_not_met": "on",
        **extra,
    }


def _this_month(months=0):
    """A month the schedule shows whatever the date the tests run on (it shows six back and
    three ahead)."""
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


# The columns of the schedule table.
NAME, STRAND, AUDITORS, DUE, PLANNED, SUBMITTED, COMPLETED = range(7)


def _cells(html, name):
    """The cells (as HTML) of the schedule row whose activity is ``name``."""
    table = html[html.index("<tbody") :]
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        if cells and f"<strong>{name}</strong>" in cells[NAME]:
            return cells
    raise AssertionError(f"no row for {name!r}")


def _row(html, name):
    """The cells of the schedule row whose activity is ``name``, as text."""
    return [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in _cells(html, name)]


def test_the_new_activity_form(qa_client):
    response = qa_client.get(NEW)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="month"' not in html  # the GOV.UK date input's month and year boxes instead
    assert 'name="month_month"' in html and 'name="month_year"' in html
    assert 'name="name"' in html


def test_a_qa_lead_creates_an_activity_from_a_month(qa_client, qa_lead_user):
    response = qa_client.post(NEW, _plan("Children in need plans", "2026-12"), follow=True)

    assert response.redirect_chain == [(LIST, 302)]
    activity = AuditActivity.objects.get()
    assert activity.name == "Children in need plans"
    assert activity.month == datetime.date(2026, 12, 1)
    assert activity.created_by == qa_lead_user
    assert activity.strand is None
    assert "Activity “Children in need plans” saved." in response.content.decode()


def test_a_new_activity_is_on_the_schedule_with_nothing_submitted(qa_client):
    month = _this_month(1)

    response = qa_client.post(
        NEW, _plan("Children in need plans", f"{month:%Y-%m}", planned_audits="8"), follow=True
    )

    html = response.content.decode()
    assert f"{month:%B %Y}" in html
    row = _row(html, "Children in need plans")
    assert row[STRAND] == "Any strand"
    assert (row[PLANNED], row[SUBMITTED], row[COMPLETED]) == ("8", "0", "0")


def test_an_activity_may_name_a_strand_and_case_types(client, administrator_user):
    client.force_login(administrator_user)
    early_help = factories.strand("early_help")
    types = [factories.case_type("early_help"), factories.case_type("child_in_need")]

    response = client.post(
        NEW,
        _plan(
            "Early help step-down",
            f"{_this_month():%Y-%m}",
            strand=early_help.pk,
            case_types=[t.pk for t in types],
        ),
    )

    assert response.status_code == 302
    activity = AuditActivity.objects.get()
    assert activity.strand == early_help
    assert set(activity.case_types.all()) == set(types)
    cell = _cells(client.get(LIST).content.decode(), "Early help step-down")[STRAND]
    strand, case_types = re.fullmatch(r"(.*?)<div[^>]*>(.*)</div>", cell).groups()
    assert strand == "Early help"
    assert set(case_types.split(", ")) == {"Early help", "Child in need"}


@pytest.mark.parametrize("month", ["2026-12", "2026-12-01", "2026-12-17"])
def test_the_same_name_in_the_same_month_is_refused_on_the_name_field(qa_client, month):
    qa_client.post(NEW, _plan("Neglect", "2026-12"))

    response = qa_client.post(NEW, _plan("Neglect", month))

    assert response.status_code == 400
    assert AuditActivity.objects.count() == 1
    html = response.content.decode()
    error = re.search(r'<(p|div)[^>]*id="id_name_error"[^>]*>(.*?)</\1>', html, re.S)
    assert error
    assert "There is already an activity called “Neglect” in December 2026." in error.group(2)
    assert 'href="#id_name"' in html
    assert 'id="id_month_error"' not in html
    # What was typed comes back.
    assert 'value="Neglect"' in html


def test_the_same_name_in_another_month_is_a_new_activity(qa_client):
    qa_client.post(NEW, _plan("Neglect", "2026-12"))

    response = qa_client.post(NEW, _plan("Neglect", "2027-01"))

    assert response.status_code == 302
    assert sorted(AuditActivity.objects.values_list("month", flat=True)) == [
        datetime.date(2026, 12, 1),
        datetime.date(2027, 1, 1),
    ]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (_plan("", "2026-12"), "name"),
        (_plan("Neglect", ""), "month"),
        (_plan("Neglect", "December"), "month"),
        (_plan("Neglect", "2026-13"), "month"),
        (_plan("x" * 201, "2026-12"), "name"),
        (_plan("Neglect", "2026-12", moderation_rate="101"), "moderation_rate"),
    ],
)
def test_a_missing_or_malformed_value_is_shown_on_its_field(qa_client, data, field):
    response = qa_client.post(NEW, data)

    assert response.status_code == 400
    assert not AuditActivity.objects.exists()
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    # A month's link lands on its first box (audits.dates).
    assert f'href="#id_{field}{"_0" if field == "month" else ""}"' in html


def test_renaming_an_activity_onto_another_in_the_same_month_is_refused(qa_client):
    qa_client.post(NEW, _plan("Neglect", "2026-12"))
    qa_client.post(NEW, _plan("Domestic abuse", "2026-12"))
    other = AuditActivity.objects.get(name="Domestic abuse")

    response = qa_client.post(
        reverse("audits:activity_edit", args=[other.pk]), _plan("Neglect", "2026-12")
    )

    assert response.status_code == 400
    assert 'id="id_name_error"' in response.content.decode()
    other.refresh_from_db()
    assert other.name == "Domestic abuse"


def test_the_edit_form_shows_the_month_as_the_month_input_takes_it(qa_client):
    qa_client.post(NEW, _plan("Neglect", "2026-12"))
    activity = AuditActivity.objects.get()

    html = qa_client.get(reverse("audits:activity_edit", args=[activity.pk])).content.decode()

    assert re.search(r'<input type="text" name="month_month" value="12"', html)
    assert re.search(r'<input type="text" name="month_year" value="2026"', html)


def test_the_list_shows_each_activity_with_its_submitted_count(qa_client, owner, colleague):
    earlier, later = _this_month(-1), _this_month()
    qa_client.post(NEW, _plan("Long-term foster care", f"{earlier:%Y-%m}"))
    foster = AuditActivity.objects.get()
    quiet = factories.AuditActivityFactory(name="Private fostering", month=later)
    # Dated in the activity's month, as submit requires; the schedule shows recent months.
    in_month = {"activity": foster, "audit_date": earlier, "today": timezone.localdate()}
    submitted_audit(auditor=owner, case_reference="CR-8001", **in_month)
    submitted_audit(auditor=colleague, case_reference="CR-8002", **in_month)
    # Drafts are work in progress: not counted.
    draft_audit(auditor=owner, case_reference="CR-8003", activity=foster)
    draft_audit(auditor=owner, case_reference="CR-8004", activity=quiet)

    html = qa_client.get(LIST).content.decode()

    assert _row(html, "Long-term foster care")[SUBMITTED] == "2"
    assert _row(html, "Private fostering")[SUBMITTED] == "0"
    # Each under its own month, in date order.
    assert (
        html.index(f">{earlier:%B %Y}")
        < html.index("<strong>Long-term foster care")
        < html.index(f">{later:%B %Y}")
        < html.index("<strong>Private fostering")
    )


def test_the_list_says_when_nothing_is_planned(qa_client):
    assert "Nothing planned yet." in qa_client.get(LIST).content.decode()


def test_the_list_makes_the_same_queries_for_few_or_many_activities(
    qa_client, django_assert_max_num_queries
):
    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as context:
            assert qa_client.get(LIST).status_code == 200
        return len(context.captured_queries)

    for n in range(3):
        factories.AuditActivityFactory(
            name=f"Activity {n}", month=_this_month(-(n % 3))
        ).case_types.add(factories.case_type())
    few = count()
    for n in range(3, 30):
        factories.AuditActivityFactory(
            name=f"Activity {n}", month=_this_month(-(n % 3))
        ).case_types.add(factories.case_type())

    assert count() == few
    with django_assert_max_num_queries(10):
        qa_client.get(LIST)


@pytest.mark.parametrize("who", ["owner", "moderator_user", "no_role_user"])
def test_others_cannot_create_an_activity(client, request, who):
    client.force_login(request.getfixturevalue(who))

    response = client.post(NEW, _plan("Neglect", "2026-12"))

    assert response.status_code == 403
    assert not AuditActivity.objects.exists()


def test_two_qa_leads_changing_one_activity_the_second_sees_both_and_nothing_is_lost(
    qa_client, client, administrator_user
):
    qa_client.post(NEW, _plan("Neglect", "2026-12", planned_audits="10"))
    activity = AuditActivity.objects.get()
    edit = reverse("audits:activity_edit", args=[activity.pk])
    opened = {"revision": str(activity.revision), "page": "second-page"}
    # The first saves a new plan; the second, whose page was opened before, saves another.
    assert qa_client.post(edit, _plan("Neglect", "2026-12", planned_audits="12")).status_code == 302
    client.force_login(administrator_user)

    response = client.post(edit, {**_plan("Neglect", "2026-12", planned_audits="8"), **opened})

    assert response.status_code == 409
    html = response.content.decode()
    assert "This was saved from another page since you opened it" in html
    assert 'data-use-saved="planned_audits"' in html and 'data-values="[&quot;12&quot;]"' in html
    activity.refresh_from_db()
    assert activity.planned_audits == 12
    # Seeing both, the second saves their choice.
    revision = re.search(r'name="revision" value="(\d+)"', html).group(1)
    again = {**_plan("Neglect", "2026-12", planned_audits="8"), **opened, "revision": revision}
    assert client.post(edit, again).status_code == 302
    activity.refresh_from_db()
    assert activity.planned_audits == 8
