"""Build audits the way users do: through the services."""

import datetime
import logging

from audits import services
from audits.grades import Grade

from . import factories


def date_parts(name: str, value) -> dict[str, str]:
    """What a person types into a GOV.UK date input (audits.dates) for ``name``: its day, month
    and year boxes. ``value`` is a date, or "YYYY-MM" for a month-only input."""
    if isinstance(value, str):
        year, month = value.split("-")[:2]
        return {f"{name}_month": str(int(month)), f"{name}_year": year}
    return {
        f"{name}_day": str(value.day),
        f"{name}_month": str(value.month),
        f"{name}_year": str(value.year),
    }


def complete_content(
    *,
    overall=Grade.MEETS,
    audit_date=None,
    case_reference="CR-1001",
    activity=None,
    domain_grade=Grade.MEETS,
    with_action=True,
):
    """AuditContent for an audit that passes every submit rule."""
    audit_date = audit_date or datetime.date(2026, 10, 15)
    # An activity of the audit date's month: submit refuses an audit under another month's.
    activity = activity or factories.AuditActivityFactory(month=audit_date.replace(day=1))
    actions = []
    if with_action:
        actions.append(
            {
                "id": None,
                "description": "Update the chronology",
                "owner": "Team manager",
                "due_date": audit_date + datetime.timedelta(days=28),
            }
        )
    return services.AuditContent(
        header={
            "case_reference": case_reference,
            "audit_date": audit_date,
            "activity": activity,
            "strand": factories.strand(),
            "case_type": factories.case_type(),
            "age_band": factories.age_band(),
            "overall_grade": overall,
            "overall_comments": "Overall the work is purposeful.",
        },
        domains={
            n: {"grade": domain_grade, "text": f"Evaluation of domain {n}."} for n in range(1, 13)
        },
        actions=actions,
    )


def submitted_audit(*, auditor=None, today=datetime.date(2026, 11, 25), **kwargs):
    auditor = auditor or factories.auditor()
    audit = services.audit_save_draft(audit=None, by=auditor, content=complete_content(**kwargs))
    return services.audit_submit(audit=audit, by=auditor, today=today)


def draft_audit(*, auditor=None, **kwargs):
    auditor = auditor or factories.auditor()
    return services.audit_save_draft(audit=None, by=auditor, content=complete_content(**kwargs))


def taken_audit(*, moderator, auditor=None, **kwargs):
    """A submitted audit (the activity's rate is 100% unless given) taken by ``moderator``."""
    from moderation import services as moderation_services

    audit = submitted_audit(auditor=auditor, **kwargs)
    return moderation_services.moderation_take(audit=audit, moderator=moderator)


def moderation_form(audit, **fields) -> dict:
    """What the moderation page posts to record the auditor's grade, with no actions added;
    ``fields`` change or add to it."""
    return {
        "action": "record",
        "grade": audit.overall_grade,
        "rationale": "",
        "feedback": "",
        "revision": audit.revision,
        "actions-TOTAL_FORMS": "0",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "1000",
        **fields,
    }


def moderated_audit(*, moderator=None, grade=None, rationale="", auditor=None, **kwargs):
    """An audit taken and moderated to ``grade`` (the auditor's grade, agreeing, by default)."""
    from moderation import services as moderation_services

    moderator = moderator or factories.moderator()
    audit = taken_audit(moderator=moderator, auditor=auditor, **kwargs)
    grade = grade or audit.overall_grade
    if grade != audit.overall_grade and not rationale:
        rationale = "The evidence supports a different grade."
    moderation_services.moderation_record(
        audit=audit, moderator=moderator, grade=grade, rationale=rationale
    )
    audit.refresh_from_db()
    return audit


def fetch_problems(caplog) -> list[str]:
    """Warnings while making a PDF: the fetcher's ("refused to fetch", audits.pdf) or
    WeasyPrint's ("Failed to load stylesheet")."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.WARNING
        and record.name.split(".")[0] in ("audits", "reports", "weasyprint")
    ]


def main_menu(html: str) -> str:
    """The service navigation's list of links (templates/base.html), from a whole page."""
    start = html.index('<nav aria-label="Main menu"')
    return html[start : html.index("</nav>", start)]
