"""The audit form page through the test client: saving drafts, submitting, errors and re-audits."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils.html import escape

from audits.grades import Grade
from audits.models import AgreedAction, Audit, AuditTool, DomainGrade, RiskCategory, Status
from tests import factories
from tests.helpers import draft_audit, submitted_audit, taken_audit

pytestmark = pytest.mark.django_db

AUDIT_DATE = datetime.date(2026, 10, 15)
NEW = "/audits/new/"


# --- Reading the page --------------------------------------------------------------------------


class _Elements(HTMLParser):
    """Every start tag of a page as (tag, attributes)."""

    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements(html, tag=None, **attrs):
    parser = _Elements()
    parser.feed(html)
    return [
        a
        for t, a in parser.elements
        if (tag is None or t == tag) and all(a.get(k) == v for k, v in attrs.items())
    ]


def checked_values(html, name):
    return [a["value"] for a in elements(html, "input", name=name) if "checked" in a]


def input_value(html, name):
    (found,) = elements(html, "input", name=name)
    return found.get("value")


def date_value(html, name):
    """What a GOV.UK date input's boxes hold, as YYYY-MM-DD."""
    day, month, year = (input_value(html, f"{name}_{part}") for part in ("day", "month", "year"))
    return f"{year}-{int(month):02d}-{int(day):02d}"


def error_summary_links(html):
    match = re.search(r'<div[^>]*id="error-summary"[^>]*>(.*?)</div>', html, re.S)
    assert match, "no error summary on the page"
    return re.findall(r'<a href="#([^"]+)">', match.group(1))


def form_action(html):
    (form,) = elements(html, "form", id="audit-form")
    return form["action"]


# --- Building what the browser posts -----------------------------------------------------------


def post_data(*, action="save", header=None, domains=None, risks=(), actions=(), initial_forms=0):
    """The form as a browser posts it: every header field (blank unless given), the twelve
    domains, the action rows with their management form, and the button pressed."""
    data = {
        name: ""
        for name in (
            "case_reference",
            "audit_date",
            "activity",
            "age_band",
            "strand",
            "case_type",
            "team",
            "feedback_date",
            "feedback_with",
            "feedback_notes",
            "overall_comments",
        )
    }
    data.update(header or {})
    for number in range(1, 13):
        values = (domains or {}).get(number, {})
        if values.get("grade"):
            data[f"domain-{number}-grade"] = values["grade"]
        data[f"domain-{number}-text"] = values.get("text", "")
    if risks:
        data["domain-1-risks"] = [str(r.pk) for r in risks]
    data["actions-TOTAL_FORMS"] = str(len(actions))
    data["actions-INITIAL_FORMS"] = str(initial_forms)
    data["actions-MIN_NUM_FORMS"] = "0"
    data["actions-MAX_NUM_FORMS"] = "1000"
    for index, row in enumerate(actions):
        for key, value in row.items():
            data[f"actions-{index}-{key}"] = value
    data["action"] = action
    return as_date_boxes(data)


DATE_FIELDS = re.compile(r"(\A|-)(audit_date|feedback_date|due_date)\Z")
ISO = re.compile(r"\A(\d{4})-(\d{1,2})-(\d{1,2})\Z")


def as_date_boxes(data: dict) -> dict:
    """Dates as the GOV.UK date input posts them (audits.dates): a day, a month and a year box
    for each. What is no ISO date at all ("yesterday") stays under the field's own name, which
    the field still reads (and refuses)."""
    out = {}
    for name, value in data.items():
        if not DATE_FIELDS.search(name) or not isinstance(value, str):
            out[name] = value
        elif value == "":
            out.update({f"{name}_day": "", f"{name}_month": "", f"{name}_year": ""})
        elif match := ISO.match(value):
            year, month, day = match.groups()
            out.update({f"{name}_day": day, f"{name}_month": month, f"{name}_year": year})
        else:
            out[name] = value
    return out


def complete_post(*, action="submit", case_reference="CR-3001", overall=Grade.MEETS, **extra):
    activity = factories.AuditActivityFactory(
        name="Child protection plans", month=datetime.date(2026, 10, 1)
    )
    header = {
        "case_reference": case_reference,
        "audit_date": AUDIT_DATE.isoformat(),
        "activity": str(activity.pk),
        "strand": str(factories.strand().pk),
        "case_type": str(factories.case_type().pk),
        "age_band": str(factories.age_band().pk),
        "overall_grade": overall,
        "overall_comments": "Purposeful work; the plan is starting to help.",
    }
    header.update(extra.pop("header", {}))
    return post_data(
        action=action,
        header=header,
        domains={
            n: {"grade": Grade.MEETS, "text": f"Evidence for domain {n}."} for n in range(1, 13)
        },
        actions=extra.pop(
            "actions",
            [
                {
                    "description": "Update the chronology",
                    "owner": "Team manager",
                    "due_date": "2026-11-12",
                }
            ],
        ),
        **extra,
    )


@pytest.fixture
def auditor_client(client, owner):
    client.force_login(owner)
    return client


# --- The empty form ------------------------------------------------------------------------------


def test_the_new_form_shows_the_twelve_domains_in_order_with_their_guidance(auditor_client):
    response = auditor_client.get(NEW)

    assert response.status_code == 200
    html = response.content.decode()
    tool = AuditTool.objects.get(is_current=True)
    positions = []
    for domain in tool.domains.order_by("number"):
        start = html.index(f'id="domain-{domain.number}"')
        positions.append(start)
        block = html[start : html.index("</fieldset>", start)]
        assert f"<legend>{domain.number}. {escape(domain.title)}</legend>" in block
        assert escape(domain.guidance) in block
    assert len(positions) == 12
    assert positions == sorted(positions)
    assert 'id="domain-13"' not in html


def test_the_risk_categories_are_asked_on_domain_1_only(auditor_client):
    html = auditor_client.get(NEW).content.decode()

    risk_boxes = elements(html, "input", name="domain-1-risks")
    assert len(risk_boxes) == 6
    assert all(box["type"] == "checkbox" for box in risk_boxes)
    first = html.index('name="domain-1-risks"')
    assert html.index('id="domain-1"') < first < html.index('id="domain-2"')
    assert re.findall(r'name="domain-(\d+)-risks"', html) == ["1"] * 6
    for label in ("Sexual exploitation", "Neglect", "Domestic abuse"):
        assert label in html


def test_the_new_form_has_no_error_summary_and_no_earlier_audits(auditor_client):
    html = auditor_client.get(NEW).content.decode()

    assert 'id="error-summary"' not in html
    assert "This case has been audited before" not in html
    assert form_action(html) == NEW


# --- Saving drafts -------------------------------------------------------------------------------


def test_saving_an_empty_form_creates_a_draft_and_goes_to_its_edit_page(auditor_client, owner):
    response = auditor_client.post(NEW, post_data())

    audit = Audit.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("audits:edit", args=[audit.pk])
    assert audit.status == Status.DRAFT
    assert audit.auditor == owner
    assert audit.case_reference == ""
    assert audit.domain_grades.count() == 12
    assert not audit.actions.exists()

    page = auditor_client.get(response.url)
    assert "Draft saved." in page.content.decode()


def test_saving_twice_on_the_edit_page_updates_the_same_draft(auditor_client):
    auditor_client.post(NEW, post_data())
    audit = Audit.objects.get()
    edit = reverse("audits:edit", args=[audit.pk])

    first = auditor_client.post(
        edit,
        post_data(
            header={"case_reference": "CR-4100"},
            domains={2: {"grade": Grade.MEETS, "text": "Child seen alone on each visit."}},
            actions=[{"description": "Book a strategy meeting", "owner": "Social worker"}],
        ),
    )
    action = AgreedAction.objects.get()
    second = auditor_client.post(
        edit,
        post_data(
            header={"case_reference": "CR-4101"},
            domains={2: {"grade": Grade.EXCEEDS, "text": "Child seen alone; views recorded."}},
            actions=[
                {
                    "id": str(action.pk),
                    "description": "Book a strategy meeting this week",
                    "owner": "Social worker",
                }
            ],
            initial_forms=1,
        ),
    )

    assert first.status_code == second.status_code == 302
    assert first.url == second.url == edit
    audit = Audit.objects.get()
    assert audit.case_reference == "CR-4101"
    assert audit.status == Status.DRAFT
    assert DomainGrade.objects.filter(audit=audit).count() == 12
    grade = audit.domain_grades.get(domain__number=2)
    assert (grade.grade, grade.text) == (Grade.EXCEEDS, "Child seen alone; views recorded.")
    assert list(audit.actions.values_list("pk", "description")) == [
        (action.pk, "Book a strategy meeting this week")
    ]


def test_the_edit_page_shows_what_was_saved(auditor_client, owner):
    neglect = RiskCategory.objects.get(slug="neglect", domain__tool__is_current=True)
    auditor_client.post(
        NEW,
        post_data(
            header={"case_reference": "CR-4200", "audit_date": "2026-10-01"},
            domains={5: {"grade": Grade.DOES_NOT_MEET, "text": "No joint visits with health."}},
            risks=[neglect],
            actions=[
                {
                    "description": "Invite the health visitor to the core group",
                    "owner": "Team manager",
                    "due_date": "2026-11-01",
                }
            ],
        ),
    )
    audit = Audit.objects.get()

    html = auditor_client.get(reverse("audits:edit", args=[audit.pk])).content.decode()

    assert input_value(html, "case_reference") == "CR-4200"
    assert date_value(html, "audit_date") == "2026-10-01"
    assert checked_values(html, "domain-5-grade") == [Grade.DOES_NOT_MEET]
    assert "No joint visits with health." in html
    assert checked_values(html, "domain-1-risks") == [str(neglect.pk)]
    assert "Invite the health visitor to the core group" in html
    assert input_value(html, "actions-0-id") == str(audit.actions.get().pk)
    assert form_action(html) == reverse("audits:edit", args=[audit.pk])


# --- Submitting with problems ------------------------------------------------------------------


def test_submitting_with_missing_fields_saves_the_draft_and_lists_every_problem(auditor_client):
    response = auditor_client.post(
        NEW,
        post_data(
            action="submit",
            header={"case_reference": "CR-4300", "overall_grade": Grade.DOES_NOT_MEET},
            domains={
                **{
                    n: {"grade": Grade.MEETS, "text": f"Evidence for domain {n}."}
                    for n in range(1, 13)
                    if n not in (2, 3, 4)
                },
                2: {"text": "Father's views not sought."},  # text, but no grade
                3: {"grade": Grade.EXCEEDS},  # a grade, but no text
                # 4: nothing at all
            },
        ),
    )

    assert response.status_code == 400
    # Saved as a draft with what was typed, though it could not be submitted.
    audit = Audit.objects.get()
    assert audit.status == Status.DRAFT
    assert audit.case_reference == "CR-4300"
    assert audit.overall_grade == Grade.DOES_NOT_MEET
    assert audit.domain_grades.get(domain__number=3).grade == Grade.EXCEEDS
    assert audit.domain_grades.get(domain__number=2).text == "Father's views not sought."

    html = response.content.decode()
    assert "cannot be submitted yet" in html
    assert error_summary_links(html) == [
        "id_audit_date_0",  # a date's first box (audits.dates)
        "id_activity",
        "id_strand",
        "id_case_type",
        "id_domain-2-grade_0",
        "id_domain-3-text",
        "id_domain-4-grade_0",
        "actions",
    ]
    assert "There are 8 problems" in html
    # Each problem also stands beside its field.
    for field_id in (
        "id_audit_date",
        "id_activity",
        "id_strand",
        "id_case_type",
        "id_domain-2-grade",
        "id_domain-3-text",
        "id_domain-4-grade",
    ):
        assert f'id="{field_id}_error"' in html
    assert 'aria-invalid="true"' in html
    actions_section = html[html.index('id="actions"') : html.index('id="feedback-title"')]
    assert "needs at least one agreed action" in actions_section

    # What was typed is all still there.
    assert input_value(html, "case_reference") == "CR-4300"
    assert escape("Father's views not sought.") in html
    assert checked_values(html, "domain-3-grade") == [Grade.EXCEEDS]
    assert checked_values(html, "overall_grade") == [Grade.DOES_NOT_MEET]
    assert checked_values(html, "domain-4-grade") == []

    # The page now posts to the draft it created, so pressing a button again cannot
    # start a second audit.
    assert form_action(html) == reverse("audits:edit", args=[audit.pk])


def test_submitting_again_after_fixing_the_problems_submits_the_same_audit(auditor_client):
    auditor_client.post(NEW, post_data(action="submit", header={"case_reference": "CR-4400"}))
    audit = Audit.objects.get()

    response = auditor_client.post(
        reverse("audits:edit", args=[audit.pk]), complete_post(case_reference="CR-4400")
    )

    assert response.status_code == 302
    assert Audit.objects.get().status == Status.SUBMITTED
    assert Audit.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "typed"),
    [
        ("audit_date", "2026-13-45"),
        ("audit_date", "2026-02-30"),
        ("case_reference", "has space"),
        ("case_reference", "CR-1\u00e9"),
    ],
)
@pytest.mark.parametrize("button", ["save", "submit"])
def test_a_malformed_value_saves_nothing_and_keeps_what_was_typed(
    auditor_client, field, typed, button
):
    header = {"case_reference": "CR-4500", "audit_date": "2026-10-01", field: typed}
    response = auditor_client.post(
        NEW,
        post_data(
            action=button,
            header=header,
            domains={6: {"grade": Grade.MEETS, "text": "Interpreter used for every visit."}},
        ),
    )

    assert response.status_code == 400
    assert not Audit.objects.exists()
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert error_summary_links(html) == [
        f"id_{field}_0" if field == "audit_date" else f"id_{field}"
    ]
    assert f'id="id_{field}_error"' in html

    def typed_in(name):
        return date_value(html, name) if name == "audit_date" else input_value(html, name)

    assert typed_in(field) == typed
    other = "audit_date" if field == "case_reference" else "case_reference"
    assert typed_in(other) == header[other]
    assert "Interpreter used for every visit." in html
    assert checked_values(html, "domain-6-grade") == [Grade.MEETS]
    assert form_action(html) == NEW


def test_a_malformed_value_on_the_edit_page_leaves_the_draft_as_it_was(auditor_client, owner):
    audit = draft_audit(auditor=owner, case_reference="CR-4600")
    before = audit.revision

    response = auditor_client.post(
        reverse("audits:edit", args=[audit.pk]),
        post_data(action="save", header={"case_reference": "CR-4601", "audit_date": "yesterday"}),
    )

    assert response.status_code == 400
    audit.refresh_from_db()
    assert audit.case_reference == "CR-4600"
    assert audit.audit_date == AUDIT_DATE
    assert audit.revision == before
    assert input_value(response.content.decode(), "case_reference") == "CR-4601"


def test_an_action_row_with_an_owner_but_no_description_is_an_error_on_that_row(auditor_client):
    response = auditor_client.post(
        NEW,
        post_data(
            actions=[
                {"description": "Visit the child at school", "owner": "Social worker"},
                {"description": "", "owner": "Team manager", "due_date": "2026-12-01"},
            ]
        ),
    )

    assert response.status_code == 400
    assert not Audit.objects.exists()
    html = response.content.decode()
    assert error_summary_links(html) == ["id_actions-1-description"]
    assert 'id="id_actions-1-description_error"' in html
    assert 'id="id_actions-0-description_error"' not in html
    assert "Describe the action, or remove the row." in html
    # Both rows come back as typed.
    assert "Visit the child at school" in html
    assert input_value(html, "actions-1-owner") == "Team manager"
    assert date_value(html, "actions-1-due_date") == "2026-12-01"


def test_a_due_date_before_the_audit_date_is_shown_on_the_row_it_belongs_to(auditor_client):
    # A blank first row is skipped when saving: the problem of the first saved action
    # must still land on the row the user typed it in.
    data = complete_post(
        actions=[
            {"description": "", "owner": ""},
            {"description": "Review the plan", "owner": "Team manager", "due_date": "2026-09-01"},
        ]
    )

    response = auditor_client.post(NEW, data)

    assert response.status_code == 400
    html = response.content.decode()
    assert error_summary_links(html) == ["id_actions-1-due_date_0"]
    assert 'id="id_actions-1-due_date_error"' in html
    assert Audit.objects.get().status == Status.DRAFT


def test_an_empty_extra_action_row_is_ignored(auditor_client):
    response = auditor_client.post(NEW, post_data(actions=[{"description": "", "owner": ""}]))

    assert response.status_code == 302
    assert not AgreedAction.objects.exists()


def test_a_removed_action_row_is_deleted(auditor_client, owner):
    audit = draft_audit(auditor=owner)
    action = audit.actions.get()

    auditor_client.post(
        reverse("audits:edit", args=[audit.pk]),
        post_data(
            actions=[
                {
                    "id": str(action.pk),
                    "description": action.description,
                    "owner": action.owner,
                    "DELETE": "on",
                }
            ],
            initial_forms=1,
        ),
    )

    assert not audit.actions.exists()


# --- The activity's month ----------------------------------------------------------------------

WRONG_MONTH = (
    "The audit date (3 March 2026) is not in this activity's month (May 2026): "
    "choose the activity for March or correct the date."
)


def _may_activity():
    return factories.AuditActivityFactory(
        name="Neglect thematic audit", month=datetime.date(2026, 5, 1)
    )


def warnings_of(html):
    return re.findall(r'<div class="alert alert-warning"[^>]*>(.*?)</div>', html, re.S)


def test_a_draft_under_another_months_activity_is_saved_with_a_warning(auditor_client):
    may = _may_activity()

    response = auditor_client.post(
        NEW,
        post_data(
            header={"case_reference": "CR-5100", "audit_date": "2026-03-03", "activity": may.pk}
        ),
    )

    # Saved as typed: a draft never loses what was entered, even what submit will refuse.
    assert response.status_code == 302
    audit = Audit.objects.get()
    assert (audit.status, audit.audit_date, audit.activity) == (
        Status.DRAFT,
        datetime.date(2026, 3, 3),
        may,
    )
    html = auditor_client.get(response.url).content.decode()
    assert "Draft saved." in html
    assert warnings_of(html) == [escape(WRONG_MONTH)]


def test_a_draft_under_its_own_months_activity_has_no_warning(auditor_client):
    may = _may_activity()

    response = auditor_client.post(
        NEW, post_data(header={"audit_date": "2026-05-31", "activity": may.pk}), follow=True
    )

    assert "Draft saved." in response.content.decode()
    assert warnings_of(response.content.decode()) == []


def test_submitting_under_another_months_activity_is_refused_beside_the_activity(
    auditor_client,
):
    may = _may_activity()

    response = auditor_client.post(
        NEW, complete_post(header={"audit_date": "2026-03-03", "activity": may.pk})
    )

    assert response.status_code == 400
    audit = Audit.objects.get()
    assert (audit.status, audit.activity, audit.submitted_at) == (Status.DRAFT, may, None)
    assert not audit.transitions.exists()
    html = response.content.decode()
    assert error_summary_links(html) == ["id_activity"]
    assert escape(WRONG_MONTH) in html
    (activity_select,) = elements(html, "select", name="activity")
    assert activity_select.get("aria-invalid") == "true"

    # Correcting the date (or choosing March's activity) submits the same audit.
    fixed = auditor_client.post(
        reverse("audits:edit", args=[audit.pk]),
        complete_post(header={"audit_date": "2026-05-12", "activity": may.pk}),
    )
    assert fixed.status_code == 302
    audit.refresh_from_db()
    assert audit.status == Status.SUBMITTED


# --- Submitting a complete audit ---------------------------------------------------------------


def test_submitting_a_complete_audit_goes_to_its_read_only_page(auditor_client, owner):
    response = auditor_client.post(NEW, complete_post(), follow=True)

    audit = Audit.objects.get()
    assert response.redirect_chain == [(reverse("audits:detail", args=[audit.pk]), 302)]
    assert audit.status == Status.SUBMITTED
    assert audit.submitted_at is not None
    assert audit.transitions.get().to_status == Status.SUBMITTED
    html = response.content.decode()
    assert "Audit submitted. It is now read-only." in html
    assert "read-only" in html
    assert reverse("audits:edit", args=[audit.pk]) not in html
    assert "Continue editing" not in html
    assert "Evidence for domain 12." in html
    assert "Update the chronology" in html


def test_a_draft_detail_page_offers_its_auditor_the_edit_link(auditor_client, owner):
    audit = draft_audit(auditor=owner)

    html = auditor_client.get(reverse("audits:detail", args=[audit.pk])).content.decode()

    assert reverse("audits:edit", args=[audit.pk]) in html
    assert "read-only" not in html


def test_a_moderator_sees_a_submitted_audit_without_edit_link_or_owner_notice(
    client, moderator_user
):
    audit = submitted_audit()
    client.force_login(moderator_user)

    html = client.get(reverse("audits:detail", args=[audit.pk])).content.decode()

    assert reverse("audits:edit", args=[audit.pk]) not in html
    assert "CR-1001" in html


def test_submitting_a_submitted_audit_again_is_refused(auditor_client, owner):
    audit = submitted_audit(auditor=owner)

    response = auditor_client.post(reverse("audits:edit", args=[audit.pk]), complete_post())

    assert response.status_code == 403
    assert audit.transitions.count() == 1


# --- Re-audits: "This case has been audited before" --------------------------------------------


@pytest.fixture
def history(owner, colleague):
    """Case CR-7001: the owner audited it in 2025, a colleague in March 2026; drafts are noise."""
    return {
        "owner_2025": submitted_audit(
            auditor=owner,
            case_reference="CR-7001",
            audit_date=datetime.date(2025, 6, 1),
            overall=Grade.DOES_NOT_MEET,
        ),
        "colleague_2026": submitted_audit(
            auditor=colleague, case_reference="CR-7001", audit_date=datetime.date(2026, 3, 1)
        ),
        "colleague_draft": draft_audit(
            auditor=colleague, case_reference="CR-7001", audit_date=datetime.date(2026, 9, 1)
        ),
        "owner_draft": draft_audit(
            auditor=owner, case_reference="cr-7001", audit_date=datetime.date(2026, 10, 1)
        ),
        "other_case": submitted_audit(auditor=owner, case_reference="CR-70011"),
    }


def _detail(audit):
    return reverse("audits:detail", args=[audit.pk])


def _panel(html):
    start = html.index('id="earlier-audits-panel"')
    return html[start : html.index("</div>", start)]


def test_the_form_of_a_re_audit_lists_the_earlier_audits(auditor_client, history):
    html = auditor_client.get(
        reverse("audits:edit", args=[history["owner_draft"].pk])
    ).content.decode()

    panel = _panel(html)
    assert "This case has been audited before" in panel
    assert "(2 earlier audits)" in panel
    assert f'href="{_detail(history["owner_2025"])}"' in panel
    assert "1 June 2025 — Does not meet good" in panel
    # The colleague's audit is mentioned, dated, but cannot be opened.
    assert "1 March 2026 (by another auditor)" in panel
    assert _detail(history["colleague_2026"]) not in panel
    for noise in ("colleague_draft", "owner_draft", "other_case"):
        assert _detail(history[noise]) not in panel
    assert panel.index("1 June 2025") < panel.index("1 March 2026")


def test_the_form_lists_earlier_audits_of_the_case_reference_just_typed(auditor_client, history):
    response = auditor_client.post(
        NEW, post_data(header={"case_reference": "CR-7001", "audit_date": "not a date"})
    )

    assert response.status_code == 400
    panel = _panel(response.content.decode())
    assert f'href="{_detail(history["owner_2025"])}"' in panel
    assert "(by another auditor)" in panel


def test_the_detail_page_of_a_later_audit_lists_the_earlier_ones(auditor_client, owner, history):
    later = submitted_audit(auditor=owner, case_reference="CR-7001", audit_date=AUDIT_DATE)

    html = auditor_client.get(_detail(later)).content.decode()

    panel = _panel(html)
    assert "This case has been audited before" in panel
    assert f'href="{_detail(history["owner_2025"])}"' in panel
    assert "1 March 2026 (by another auditor)" in panel
    assert _detail(history["colleague_2026"]) not in panel
    assert _detail(later) not in panel


def test_the_detail_page_does_not_list_later_audits_as_earlier(auditor_client, owner, history):
    html = auditor_client.get(_detail(history["owner_2025"])).content.decode()

    assert "This case has been audited before" not in html


def test_a_moderator_may_open_every_earlier_audit(client, moderator_user, owner, history):
    later = submitted_audit(auditor=owner, case_reference="CR-7001", audit_date=AUDIT_DATE)
    client.force_login(moderator_user)

    panel = _panel(client.get(_detail(later)).content.decode())

    assert f'href="{_detail(history["owner_2025"])}"' in panel
    assert f'href="{_detail(history["colleague_2026"])}"' in panel
    assert "by another auditor" not in panel


def test_the_earlier_audits_fragment(auditor_client, history):
    url = reverse("audits:earlier")

    response = auditor_client.get(
        url, {"case_reference": " cr-7001 ", "exclude": history["owner_draft"].pk}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # a fragment, not a page
    assert "(2 earlier audits)" in html
    assert f'href="{_detail(history["owner_2025"])}"' in html
    assert "1 March 2026 (by another auditor)" in html
    for hidden in ("colleague_2026", "colleague_draft", "owner_draft", "other_case"):
        assert _detail(history[hidden]) not in html


@pytest.mark.parametrize(
    "who",
    ["owner", "colleague", "moderator_user", "qa_lead_user", "administrator_user", "no_role_user"],
)
def test_the_fragment_never_shows_drafts(client, request, who, owner, colleague):
    draft_audit(auditor=owner, case_reference="CR-7100")
    draft_audit(auditor=colleague, case_reference="CR-7100")
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("audits:earlier"), {"case_reference": "CR-7100"})

    assert response.status_code == 200
    assert response.content.decode().strip() == ""


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"case_reference": ""},
        {"case_reference": "CR-7001", "exclude": "abc"},
        {"case_reference": "CR-7001", "exclude": "\u00b2"},
        {"case_reference": "x" * 500},
    ],
)
def test_the_fragment_copes_with_odd_queries(auditor_client, history, query):
    response = auditor_client.get(reverse("audits:earlier"), query)

    assert response.status_code == 200


# --- Retired vocabulary entries ------------------------------------------------------------------


def selected_options(html, name):
    match = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert match, f"no select {name}"
    return re.findall(r'<option value="([^"]*)"[^>]*selected[^>]*>([^<]*)</option>', match.group(1))


def test_a_retired_strand_stays_on_the_audit_that_has_it(auditor_client, owner):
    """An administrator retires a strand while a draft uses it: the draft's form still shows
    it, marked, and saving the draft keeps it. New audits are not offered it."""
    early_help = factories.strand("early_help")
    auditor_client.post(
        NEW, post_data(header={"case_reference": "CR-4300", "strand": str(early_help.pk)})
    )
    audit = Audit.objects.get()
    early_help.is_active = False
    early_help.save(update_fields=["is_active"])
    edit = reverse("audits:edit", args=[audit.pk])

    html = auditor_client.get(edit).content.decode()
    assert selected_options(html, "strand") == [
        (str(early_help.pk), f"{early_help.name} (no longer offered)")
    ]

    response = auditor_client.post(
        edit, post_data(header={"case_reference": "CR-4301", "strand": str(early_help.pk)})
    )
    assert response.status_code == 302
    audit.refresh_from_db()
    assert (audit.case_reference, audit.strand) == ("CR-4301", early_help)

    new_form = auditor_client.get(NEW).content.decode()
    assert f'value="{early_help.pk}"' not in re.search(
        r'<select name="strand"[^>]*>(.*?)</select>', new_form, re.S
    ).group(1)


def test_a_field_with_two_errors_has_one_error_element_that_its_widget_names():
    from django.template.loader import render_to_string

    from audits.forms import AuditHeaderForm

    form = AuditHeaderForm({"case_reference": "not a reference!"})
    assert not form.is_valid()
    form.add_error("case_reference", "This case reference is already audited on that date.")
    html = render_to_string("_field.html", {"field": form["case_reference"]})

    assert html.count('id="id_case_reference_error"') == 1
    (widget,) = elements(html, "input", name="case_reference")
    assert "id_case_reference_error" in widget["aria-describedby"].split()
    assert "letters, digits or hyphens" in html and "already audited on that date" in html


def test_a_failed_submit_has_one_alert_the_error_summary(auditor_client):
    response = auditor_client.post(
        NEW, post_data(action="submit", header={"case_reference": "CR-4400"})
    )

    assert response.status_code == 400
    html = response.content.decode()
    alerts = [a for a in elements(html) if a.get("role") == "alert"]
    assert [a.get("id") for a in alerts] == ["error-summary"]
    assert "cannot be submitted yet" in html  # the message is still there, as a status


def test_an_error_message_without_a_summary_is_an_alert(client):
    # A moderator tries to take an audit another moderator already holds: refused with a
    # message on the queue page, which has no form errors.
    first, second = factories.moderator(), factories.moderator()
    audit = taken_audit(moderator=first)
    client.force_login(second)

    response = client.post(reverse("moderation:take", args=[audit.pk]), follow=True)

    html = response.content.decode()
    alerts = [a for a in elements(html) if a.get("role") == "alert"]
    assert len(alerts) == 1 and "alert-danger" in alerts[0]["class"]


# --- The practice flag, fixed once submitted ---------------------------------------------------


def _returned(owner):
    audit = submitted_audit(auditor=owner, case_reference="CR-4500")
    # Moderation (another app) returns audits; here the state is set directly.
    Audit.objects.filter(pk=audit.pk).update(status=Status.RETURNED)
    return audit


def test_a_returned_audits_form_shows_the_practice_flag_fixed(auditor_client, owner):
    returned, draft = _returned(owner), draft_audit(auditor=owner)

    html = auditor_client.get(reverse("audits:edit", args=[returned.pk])).content.decode()
    (box,) = elements(html, "input", name="is_practice")
    assert "disabled" in box
    assert "Fixed once the audit has been submitted" in html

    html = auditor_client.get(reverse("audits:edit", args=[draft.pk])).content.decode()
    (box,) = elements(html, "input", name="is_practice")
    assert "disabled" not in box


def test_amending_a_returned_audit_keeps_its_practice_flag(auditor_client, owner):
    audit = _returned(owner)

    # A browser posts nothing for the disabled box: that is no change.
    response = auditor_client.post(
        reverse("audits:edit", args=[audit.pk]),
        complete_post(action="save", header={"overall_comments": "Amended as asked."}),
    )

    assert response.status_code == 302
    audit.refresh_from_db()
    assert (audit.is_practice, audit.overall_comments) == (False, "Amended as asked.")


def test_a_tick_posted_for_a_fixed_practice_flag_is_refused_beside_it(auditor_client, owner):
    audit = _returned(owner)

    response = auditor_client.post(
        reverse("audits:edit", args=[audit.pk]),
        complete_post(
            action="save", header={"is_practice": "on", "overall_comments": "Amended as asked."}
        ),
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "id_is_practice" in error_summary_links(html)
    assert "fixed once the audit has been submitted" in html
    # What was typed is still on the page, and nothing was saved.
    assert "Amended as asked." in html
    audit.refresh_from_db()
    assert (audit.is_practice, audit.overall_comments) == (
        False,
        "Overall the work is purposeful.",
    )
