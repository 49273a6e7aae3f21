"""Issue 4 acceptance: a QA lead writes, publishes and downloads a quarter's scrutiny report,
and the published report does not change when an audit of the quarter later does.

Headless Chromium against the live server; the cohort of audits is built through the services.
"""

import datetime
import io
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from audits import periods
from audits import services as audit_services
from audits.grades import Grade
from moderation import services as moderation_services
from reports.models import Report
from tests import factories, helpers
from tests.reports import written_interval
from tests.worker import run_worker

# serialized_rollback: see test_audit_journey.py (the flush would wipe the migrated data).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

QUARTER_LABELS = {
    1: "Q1 (April to June)",
    2: "Q2 (July to September)",
    3: "Q3 (October to December)",
    4: "Q4 (January to March)",
}
GRADE_ROWS = ("Exceeds good", "Meets good", "Does not meet good")


def last_whole_quarter(today: datetime.date) -> tuple[int, int]:
    """(financial year, quarter) of the quarter before the one ``today`` is in: every day of
    it is in the past, so its audits can be submitted today."""
    fy = periods.financial_year_of(today)
    number = (today.month - 4) % 12 // 3 + 1
    return (fy, number - 1) if number > 1 else (fy - 1, 4)


def submit(*, auditor, audit_date, overall, case_reference, moderated):
    """A submitted audit. ``moderated``: in an activity that moderates every audit (it waits in
    the queue), else in one that moderates none (it is completed at once)."""
    activity = factories.AuditActivityFactory(
        name="Quarterly sample, moderated" if moderated else "Quarterly sample",
        month=audit_date.replace(day=1),
        moderation_rate=100 if moderated else 0,
        always_moderate_not_met=moderated,
    )
    draft = helpers.draft_audit(
        auditor=auditor,
        overall=overall,
        audit_date=audit_date,
        case_reference=case_reference,
        activity=activity,
    )
    return audit_services.audit_submit(audit=draft, by=auditor)


def percent(part, whole) -> str:
    """As the report writes it: one decimal place, without a trailing .0."""
    text = f"{100 * part / whole:.1f}"
    return (text[:-2] if text.endswith(".0") else text) + "%"


def share(part, whole) -> str:
    """As the grades table writes a share: with its 95% Wilson interval in whole percentages,
    from the oracle's closed form (tests/reports), "57.1% (25–84%)"."""
    return f"{percent(part, whole)} ({written_interval(part, whole)})"


def final_grades_on_page(page) -> dict[str, tuple[str, str]]:
    """Final grade (count, percent) per grade row of the overall grades table."""
    table = page.locator("#grades-table")
    result = {}
    for label in GRADE_ROWS:
        row = table.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name=label, exact=True)
        )
        cells = row.get_by_role("cell").all_inner_texts()
        result[label] = (cells[2].strip(), cells[3].strip())
    return result


def download_pdf(page) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        return handle.read()


def pdf_text(data: bytes) -> str:
    """All the text of the PDF with runs of whitespace made single spaces."""
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(p.extract_text() or "" for p in reader.pages))


def create_draft_report(page, *, fy, quarter):
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="New report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New scrutiny report")
    page.get_by_role("radio", name="A quarter", exact=True).check()
    page.get_by_label("Financial year (April to March)").select_option(label=periods.fy_label(fy))
    page.get_by_label("Quarter", exact=True).select_option(label=QUARTER_LABELS[quarter])
    page.get_by_role("button", name="Create draft report").click()
    expect(page.get_by_role("alert").filter(has_text="Draft report created")).to_be_visible()
    expect(page.locator("#report-state")).to_have_text("Draft")


def test_qa_lead_publishes_a_quarter_report_that_later_audit_changes_do_not_alter(
    page, live_server, login
):
    qa_lead = factories.qa_lead()
    auditor = factories.auditor()
    moderator = factories.moderator()
    today = timezone.localdate()
    fy, quarter = last_whole_quarter(today)
    period = periods.quarter(fy, quarter)
    day = period.start + datetime.timedelta(days=10)

    # Seven audits in the quarter: 1 Exceeds, 4 Meets (one waiting for moderation), 2 Does not
    # meet good. Outside the count: one dated after the quarter and one still a draft.
    waiting = submit(
        auditor=auditor,
        audit_date=day,
        overall=Grade.MEETS,
        case_reference="CR-Q-MOD",
        moderated=True,
    )
    cohort = [(Grade.EXCEEDS, 1), (Grade.MEETS, 3), (Grade.DOES_NOT_MEET, 2)]
    n = 0
    for grade, how_many in cohort:
        for _ in range(how_many):
            n += 1
            submit(
                auditor=auditor,
                audit_date=day + datetime.timedelta(days=n),
                overall=grade,
                case_reference=f"CR-Q-{n}",
                moderated=False,
            )
    submit(
        auditor=auditor,
        audit_date=period.end + datetime.timedelta(days=1),
        overall=Grade.DOES_NOT_MEET,
        case_reference="CR-NEXT-Q",
        moderated=False,
    )
    helpers.draft_audit(
        auditor=auditor, audit_date=day, case_reference="CR-Q-DRAFT", overall=Grade.DOES_NOT_MEET
    )
    total = 7
    before = {"Exceeds good": 1, "Meets good": 4, "Does not meet good": 2}
    expected_before = {label: (str(count), share(count, total)) for label, count in before.items()}

    # The QA lead creates the draft for the quarter and writes the narrative.
    login(page, live_server, qa_lead)
    create_draft_report(page, fy=fy, quarter=quarter)
    report = Report.objects.get()
    assert (report.start, report.end, report.period_label) == (
        period.start,
        period.end,
        period.label,
    )
    expect(page.locator(".period-line")).to_contain_text(period.label)
    assert final_grades_on_page(page) == expected_before

    page.get_by_label("Summary", exact=True).fill("Audit activity held up this quarter.")
    page.get_by_label("Findings", exact=True).fill(
        "Plans are <b>bold?</b> but rarely reviewed on time."
    )
    page.get_by_label("Recommendations", exact=True).fill(
        "Review every child in need plan within six weeks."
    )
    page.get_by_role("button", name="Save narrative").click()
    expect(page.get_by_role("alert").filter(has_text="Narrative saved.")).to_be_visible()
    findings = page.get_by_role("region", name="Findings", exact=True)
    expect(findings).to_contain_text("Plans are <b>bold?</b> but rarely reviewed on time.")
    expect(findings.locator("b")).to_have_count(0)  # shown as text, never as markup
    expect(page.get_by_role("region", name="Recommendations")).to_contain_text(
        "Review every child in need plan within six weeks."
    )

    # Publish: the button asks for confirmation first.
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Publish report").click()
    expect(
        page.get_by_role("alert")
        .filter(has_text="Report published")
        .locator(".govuk-notification-banner__heading")
    ).to_have_text(
        "Report published. Its figures and narrative are now fixed; its PDF is being made."
    )
    assert dialogs and dialogs[0].startswith("Publish this report?")
    expect(page.locator("#report-state")).to_have_text("Published")
    expect(page.get_by_role("button", name="Save narrative")).to_have_count(0)
    assert final_grades_on_page(page) == expected_before

    # The worker makes the PDF a moment later; until then the page says so.
    expect(page.locator("#pdf-state")).to_contain_text("The PDF is being made.")
    expect(page.get_by_role("link", name="Download PDF")).to_have_count(0)
    assert run_worker() == 1
    page.reload()
    expect(page.locator("#pdf-state")).to_have_count(0)
    published_pdf = download_pdf(page)
    text = pdf_text(published_pdf)
    assert period.label in text
    assert f"Of the {total} cases audited" in text
    assert f"4 cases ({percent(4, total)}) as Meets good" in text, text
    assert "Plans are <b>bold?</b> but rarely reviewed on time." in text
    report.refresh_from_db()
    frozen = report.frozen_figures

    # Later, a moderator lowers the grade of one audit of the quarter.
    moderation_services.moderation_take(audit=waiting, moderator=moderator)
    moderation_services.moderation_record(
        audit=waiting,
        moderator=moderator,
        grade=Grade.DOES_NOT_MEET,
        rationale="Risks were not reassessed.",
    )

    # The published report and its PDF are as they were.
    page.reload()
    expect(page.locator("#report-state")).to_have_text("Published")
    assert final_grades_on_page(page) == expected_before
    assert download_pdf(page) == published_pdf
    report.refresh_from_db()
    assert report.frozen_figures == frozen

    # A fresh draft for the same quarter counts the audits as they are now.
    create_draft_report(page, fy=fy, quarter=quarter)
    after = {"Exceeds good": 1, "Meets good": 3, "Does not meet good": 3}
    assert final_grades_on_page(page) == {
        label: (str(count), share(count, total)) for label, count in after.items()
    }
    expect(page.get_by_role("region", name="Moderation", exact=True)).to_contain_text(
        f"1 of {total} audits were moderated"
    )
    draft_text = pdf_text(download_pdf(page))
    assert f"3 cases ({percent(3, total)}) as Does not meet good" in draft_text
    assert "DRAFT — not for circulation" in draft_text
