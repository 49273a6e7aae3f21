"""The audit's section pages and Check your answers through the test client: saving drafts,
submitting, errors and re-audits."""

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


SECTIONS = ["case", *[f"domain-{n}" for n in range(1, 13)], "actions", "overall"]


def section_url(audit, slug):
    return reverse("audits:section", args=[audit.pk, slug])


def check_url(audit):
    return reverse("audits:check", args=[audit.pk])


def fill(client, data, audit=None, *, only=None) -> Audit:
    """Post ``data`` to each section page in turn (a new audit's About the case page first), as
    someone working down the task list: each page takes its own fields from it."""
    slugs = only or SECTIONS
    if audit is None:
        response = client.post(NEW, data)
        assert response.status_code == 302, response.content.decode()
        audit = Audit.objects.latest("pk")
        slugs = [s for s in slugs if s != "case"]
    for slug in slugs:
        response = client.post(section_url(audit, slug), data)
        assert response.status_code == 302, (slug, response.content.decode())
    return audit


def submit(client, audit, **kwargs):
    return client.post(check_url(audit), **kwargs)


# --- The empty form ------------------------------------------------------------------------------


def test_each_domain_has_its_own_page_with_its_guidance(auditor_client, owner):
    audit = draft_audit(auditor=owner)
    tool = AuditTool.objects.get(is_current=True)
    for domain in tool.domains.order_by("number"):
        response = auditor_client.get(section_url(audit, f"domain-{domain.number}"))

        assert response.status_code == 200
        html = response.content.decode()
        assert f'<h1 class="govuk-heading-l">{domain.number}. {escape(domain.title)}</h1>' in html
        assert escape(domain.guidance) in html
        assert re.findall(r'name="domain-(\d+)-grade"', html) == [str(domain.number)] * 4
    assert auditor_client.get(section_url(audit, "domain-13")).status_code == 404


def test_the_risk_categories_are_asked_on_domain_1_only(auditor_client, owner):
    audit = draft_audit(auditor=owner)
    html = auditor_client.get(section_url(audit, "domain-1")).content.decode()

    risk_boxes = elements(html, "input", name="domain-1-risks")
    assert len(risk_boxes) == 6
    assert all(box["type"] == "checkbox" for box in risk_boxes)
    for label in ("Sexual exploitation", "Neglect", "Domestic abuse"):
        assert label in html
    assert (
        "domain-1-risks" not in auditor_client.get(section_url(audit, "domain-2")).content.decode()
    )


def test_a_new_audit_starts_on_about_the_case_with_no_error_summary(auditor_client):
    html = auditor_client.get(NEW).content.decode()

    assert '<h1 class="govuk-heading-l">About the case</h1>' in html
    assert 'id="error-summary"' not in html
    assert "This case has been audited before" not in html
    assert form_action(html) == NEW
    # The case's questions only: no domain, action or overall grade here.
    assert not elements(html, "input", name="domain-1-grade")
    assert not elements(html, "input", name="overall_grade")
    assert not elements(html, "input", name="actions-TOTAL_FORMS")
    assert elements(html, "input", name="case_reference")


# --- Saving drafts -------------------------------------------------------------------------------


def test_saving_the_new_audits_first_page_creates_a_draft_and_continues(auditor_client, owner):
    response = auditor_client.post(NEW, post_data(action="continue"))

    audit = Audit.objects.get()
    assert response.status_code == 302
    assert response.url == section_url(audit, "domain-1")
    assert audit.status == Status.DRAFT
    assert audit.auditor == owner
    assert audit.case_reference == ""
    assert audit.domain_grades.count() == 12
    assert not audit.actions.exists()


def test_saving_twice_on_a_section_page_updates_the_same_draft(auditor_client):
    audit = fill(auditor_client, post_data(), only=["case"])

    first = fill(
        auditor_client,
        post_data(
            header={"case_reference": "CR-4100"},
            domains={2: {"grade": Grade.MEETS, "text": "Child seen alone on each visit."}},
            actions=[{"description": "Book a strategy meeting", "owner": "Social worker"}],
        ),
        audit,
        only=["case", "domain-2", "actions"],
    )
    action = AgreedAction.objects.get()
    fill(
        auditor_client,
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
        audit,
        only=["case", "domain-2", "actions"],
    )

    assert first == audit
    audit = Audit.objects.get()
    assert audit.case_reference == "CR-4101"
    assert audit.status == Status.DRAFT
    assert DomainGrade.objects.filter(audit=audit).count() == 12
    grade = audit.domain_grades.get(domain__number=2)
    assert (grade.grade, grade.text) == (Grade.EXCEEDS, "Child seen alone; views recorded.")
    assert list(audit.actions.values_list("pk", "description")) == [
        (action.pk, "Book a strategy meeting this week")
    ]


def test_a_section_page_saves_its_own_fields_only(auditor_client, owner):
    audit = draft_audit(auditor=owner, case_reference="CR-4150")
    neglect = RiskCategory.objects.get(slug="neglect", domain__tool__is_current=True)
    audit.risk_categories.set([neglect])

    # Whatever else a post holds, the domain 2 page saves domain 2.
    auditor_client.post(
        section_url(audit, "domain-2"),
        post_data(
            header={"case_reference": "CR-9999"},
            domains={2: {"grade": Grade.EXCEEDS, "text": "Seen alone."}},
        ),
    )

    audit.refresh_from_db()
    assert audit.case_reference == "CR-4150"
    assert audit.overall_comments == "Overall the work is purposeful."
    assert list(audit.risk_categories.all()) == [neglect]
    assert audit.actions.count() == 1
    assert audit.domain_grades.get(domain__number=1).text == "Evaluation of domain 1."
    assert audit.domain_grades.get(domain__number=2).text == "Seen alone."


def test_the_section_pages_show_what_was_saved(auditor_client, owner):
    neglect = RiskCategory.objects.get(slug="neglect", domain__tool__is_current=True)
    audit = fill(
        auditor_client,
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

    def page(slug):
        return auditor_client.get(section_url(audit, slug)).content.decode()

    html = page("case")
    assert input_value(html, "case_reference") == "CR-4200"
    assert date_value(html, "audit_date") == "2026-10-01"
    assert form_action(html) == section_url(audit, "case")
    html = page("domain-5")
    assert checked_values(html, "domain-5-grade") == [Grade.DOES_NOT_MEET]
    assert "No joint visits with health." in html
    assert checked_values(page("domain-1"), "domain-1-risks") == [str(neglect.pk)]
    html = page("actions")
    assert "Invite the health visitor to the core group" in html
    assert input_value(html, "actions-0-id") == str(audit.actions.get().pk)


@pytest.mark.parametrize(
    ("slug", "button", "goes_to"),
    [
        ("case", "continue", "domain-1"),
        ("domain-7", "continue", "domain-8"),
        ("domain-12", "continue", "actions"),
        ("actions", "continue", "overall"),
        ("overall", "continue", None),
        ("domain-7", "return", None),
        ("domain-7", "save", "domain-7"),
    ],
)
def test_save_and_continue_goes_to_the_next_section_then_the_task_list(
    auditor_client, owner, slug, button, goes_to
):
    audit = draft_audit(auditor=owner)

    response = auditor_client.post(section_url(audit, slug), post_data(action=button))

    assert response.status_code == 302
    expected = section_url(audit, goes_to) if goes_to else reverse("audits:edit", args=[audit.pk])
    assert response.url == expected


# --- Submitting with problems ------------------------------------------------------------------


def test_submitting_with_missing_fields_lists_every_problem_linking_to_its_page(auditor_client):
    audit = fill(
        auditor_client,
        post_data(
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

    response = submit(auditor_client, audit)

    assert response.status_code == 400
    audit.refresh_from_db()
    assert audit.status == Status.DRAFT
    html = response.content.decode()
    assert "There are 8 problems" in html
    assert 'id="error-summary"' in html
    links = re.findall(
        r'<a href="([^"]+)">', html[html.index('id="error-summary"') : html.index("<h1")]
    )
    back = "?return=check#"
    assert links == [
        section_url(audit, "case") + back + "id_audit_date_0",  # a date's first box
        section_url(audit, "case") + back + "id_activity",
        section_url(audit, "case") + back + "id_strand",
        section_url(audit, "case") + back + "id_case_type",
        section_url(audit, "domain-2") + back + "id_domain-2-grade_0",
        section_url(audit, "domain-3") + back + "id_domain-3-text",
        section_url(audit, "domain-4") + back + "id_domain-4-grade_0",
        section_url(audit, "actions") + back + "actions",
    ]
    assert "needs at least one agreed action" in html
    # The linked page has the field the link lands on.
    page = auditor_client.get(section_url(audit, "domain-3") + "?return=check").content.decode()
    assert 'id="id_domain-3-text"' in page


def test_submitting_again_after_fixing_the_problems_submits_the_same_audit(auditor_client):
    audit = fill(auditor_client, post_data(header={"case_reference": "CR-4400"}))
    assert submit(auditor_client, audit).status_code == 400

    fill(auditor_client, complete_post(case_reference="CR-4400"), audit)
    response = submit(auditor_client, audit)

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
@pytest.mark.parametrize("button", ["continue", "return"])
def test_a_malformed_value_saves_nothing_and_keeps_what_was_typed(
    auditor_client, field, typed, button
):
    header = {"case_reference": "CR-4500", "audit_date": "2026-10-01", field: typed}
    response = auditor_client.post(
        NEW, post_data(action=button, header={**header, "team": "", "age_band": ""})
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
    assert form_action(html) == NEW


def test_a_malformed_value_on_a_section_page_leaves_the_draft_as_it_was(auditor_client, owner):
    audit = draft_audit(auditor=owner, case_reference="CR-4600")
    before = audit.revision

    response = auditor_client.post(
        section_url(audit, "case"),
        post_data(header={"case_reference": "CR-4601", "audit_date": "yesterday"}),
    )

    assert response.status_code == 400
    audit.refresh_from_db()
    assert audit.case_reference == "CR-4600"
    assert audit.audit_date == AUDIT_DATE
    assert audit.revision == before
    assert input_value(response.content.decode(), "case_reference") == "CR-4601"


def test_an_action_row_with_an_owner_but_no_description_is_an_error_on_that_row(
    auditor_client, owner
):
    audit = draft_audit(auditor=owner, with_action=False)
    response = auditor_client.post(
        section_url(audit, "actions"),
        post_data(
            actions=[
                {"description": "Visit the child at school", "owner": "Social worker"},
                {"description": "", "owner": "Team manager", "due_date": "2026-12-01"},
            ]
        ),
    )

    assert response.status_code == 400
    assert not audit.actions.exists()
    html = response.content.decode()
    assert error_summary_links(html) == ["id_actions-1-description"]
    assert 'id="id_actions-1-description_error"' in html
    assert 'id="id_actions-0-description_error"' not in html
    assert "Describe the action, or remove the row." in html
    # Both rows come back as typed.
    assert "Visit the child at school" in html
    assert input_value(html, "actions-1-owner") == "Team manager"
    assert date_value(html, "actions-1-due_date") == "2026-12-01"


def test_a_due_date_before_the_audit_date_links_to_the_row_it_belongs_to(auditor_client):
    # A blank first row is skipped when saving: the problem names the saved action's row.
    audit = fill(
        auditor_client,
        complete_post(
            actions=[
                {"description": "", "owner": ""},
                {
                    "description": "Review the plan",
                    "owner": "Team manager",
                    "due_date": "2026-09-01",
                },
            ]
        ),
    )

    response = submit(auditor_client, audit)

    assert response.status_code == 400
    html = response.content.decode()
    assert section_url(audit, "actions") + "?return=check#id_actions-0-due_date_0" in html
    assert "cannot be before the audit date" in html
    assert Audit.objects.get().status == Status.DRAFT
    page = auditor_client.get(section_url(audit, "actions")).content.decode()
    assert date_value(page, "actions-0-due_date") == "2026-09-01"


def test_an_empty_extra_action_row_is_ignored(auditor_client, owner):
    audit = draft_audit(auditor=owner, with_action=False)
    response = auditor_client.post(
        section_url(audit, "actions"), post_data(actions=[{"description": "", "owner": ""}])
    )

    assert response.status_code == 302
    assert not AgreedAction.objects.exists()


def test_a_removed_action_row_is_deleted(auditor_client, owner):
    audit = draft_audit(auditor=owner)
    action = audit.actions.get()

    auditor_client.post(
        section_url(audit, "actions"),
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
    return re.findall(
        r'app-notification-banner--warning".*?govuk-notification-banner__heading">(.*?)</p>',
        html,
        re.S,
    )


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
    assert warnings_of(html) == [escape(WRONG_MONTH)]


def test_a_draft_under_its_own_months_activity_has_no_warning(auditor_client):
    may = _may_activity()

    response = auditor_client.post(
        NEW, post_data(header={"audit_date": "2026-05-31", "activity": may.pk}), follow=True
    )

    assert response.status_code == 200
    assert warnings_of(response.content.decode()) == []


def test_submitting_under_another_months_activity_is_refused_linking_to_the_activity(
    auditor_client,
):
    may = _may_activity()
    audit = fill(
        auditor_client, complete_post(header={"audit_date": "2026-03-03", "activity": may.pk})
    )

    response = submit(auditor_client, audit)

    assert response.status_code == 400
    audit.refresh_from_db()
    assert (audit.status, audit.activity, audit.submitted_at) == (Status.DRAFT, may, None)
    assert not audit.transitions.exists()
    html = response.content.decode()
    assert section_url(audit, "case") + "?return=check#id_activity" in html
    assert escape(WRONG_MONTH) in html

    # Correcting the date (or choosing March's activity) submits the same audit.
    fill(
        auditor_client,
        complete_post(header={"audit_date": "2026-05-12", "activity": may.pk}),
        audit,
        only=["case"],
    )
    fixed = submit(auditor_client, audit)
    assert fixed.status_code == 302
    audit.refresh_from_db()
    assert audit.status == Status.SUBMITTED


# --- Submitting a complete audit ---------------------------------------------------------------


def test_submitting_a_complete_audit_goes_to_its_read_only_page(auditor_client, owner):
    audit = fill(auditor_client, complete_post())

    response = submit(auditor_client, audit, follow=True)

    assert response.redirect_chain == [(reverse("audits:detail", args=[audit.pk]), 302)]
    audit.refresh_from_db()
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

    assert submit(auditor_client, audit).status_code == 403
    response = auditor_client.post(section_url(audit, "overall"), complete_post())

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
    html = auditor_client.get(section_url(history["owner_draft"], "case")).content.decode()

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
    edit = section_url(audit, "case")

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
    audit = fill(auditor_client, post_data(action="continue", header={"case_reference": "CR-4400"}))

    response = submit(auditor_client, audit)

    assert response.status_code == 400
    html = response.content.decode()
    # The error summary's own alert, and no other.
    assert html.count('role="alert"') == 1
    summary = html.index('id="error-summary"')
    assert html.index('role="alert"', summary) == html.index('role="alert"')
    assert "<title>Error: " in html


def test_an_error_message_without_a_summary_is_an_alert(client):
    # A moderator tries to take an audit another moderator already holds: refused with a
    # message on the queue page, which has no form errors.
    first, second = factories.moderator(), factories.moderator()
    audit = taken_audit(moderator=first)
    client.force_login(second)

    response = client.post(reverse("moderation:take", args=[audit.pk]), follow=True)

    html = response.content.decode()
    alerts = [a for a in elements(html) if a.get("role") == "alert"]
    assert len(alerts) == 1 and "app-notification-banner--warning" in alerts[0]["class"]


# --- The practice flag, fixed once submitted ---------------------------------------------------


def _returned(owner):
    audit = submitted_audit(auditor=owner, case_reference="CR-4500")
    # Moderation (another app) returns audits; here the state is set directly.
    Audit.objects.filter(pk=audit.pk).update(status=Status.RETURNED)
    return audit


def test_a_returned_audits_form_shows_the_practice_flag_fixed(auditor_client, owner):
    returned, draft = _returned(owner), draft_audit(auditor=owner)

    html = auditor_client.get(section_url(returned, "case")).content.decode()
    (box,) = elements(html, "input", name="is_practice")
    assert "disabled" in box
    assert "Fixed once the audit has been submitted" in html

    html = auditor_client.get(section_url(draft, "case")).content.decode()
    (box,) = elements(html, "input", name="is_practice")
    assert "disabled" not in box


def test_amending_a_returned_audit_keeps_its_practice_flag(auditor_client, owner):
    audit = _returned(owner)

    # A browser posts nothing for the disabled box: that is no change.
    fill(
        auditor_client,
        complete_post(action="save", header={"overall_comments": "Amended as asked."}),
        audit,
    )

    audit.refresh_from_db()
    assert (audit.is_practice, audit.overall_comments) == (False, "Amended as asked.")


def test_a_tick_posted_for_a_fixed_practice_flag_is_refused_beside_it(auditor_client, owner):
    audit = _returned(owner)

    response = auditor_client.post(
        section_url(audit, "case"),
        complete_post(action="save", header={"is_practice": "on", "case_reference": "CR-4599"}),
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "id_is_practice" in error_summary_links(html)
    assert "fixed once the audit has been submitted" in html
    # What was typed is still on the page, and nothing was saved.
    assert input_value(html, "case_reference") == "CR-4599"
    audit.refresh_from_db()
    assert (audit.is_practice, audit.case_reference) == (False, "CR-4500")
