"""Run by test_no_lost_update.py in its own interpreter, on the database that the app server
under test uses (DATABASE_URL): the suite's own SQLite database is in memory, out of the
server's reach, so the data is made and read here, through the services.

    python tests/parallel_world.py [--migrate]

It makes the records and prints their ids as one line of JSON, then answers each line
``KIND PK`` read from its input with that record's state as it is now in the database, as one
line of JSON, until its input ends. One interpreter for the whole test: starting Django takes
seconds, a question takes milliseconds.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from audits import periods  # noqa: E402
from audits.models import Audit  # noqa: E402
from moderation.models import ModerationCase  # noqa: E402
from reports.models import Report  # noqa: E402
from reports.services import report_create  # noqa: E402
from tests import factories, helpers  # noqa: E402
from tests.audits.tools import building  # noqa: E402

AUDITOR, MODERATOR, QA_LEADS = "race-auditor", "race-moderator", ("race-qa-1", "race-qa-2")


def seed() -> dict:
    if "--migrate" in sys.argv:
        call_command("migrate", verbosity=0)
    auditor = factories.auditor(username=AUDITOR)
    moderator = factories.moderator(username=MODERATOR)
    qa_leads = [factories.qa_lead(username=name) for name in QA_LEADS]
    draft = helpers.draft_audit(auditor=auditor, case_reference="CR-RACE-1")
    taken = helpers.taken_audit(moderator=moderator, case_reference="CR-RACE-2")
    report = report_create(by=qa_leads[0], period=periods.quarter(2026, 2))
    # An audit on a tool a QA lead built (audits.tools), complete.
    built = building.built_draft(auditor=auditor, case_reference="CR-RACE-3")
    return {"audit": draft.pk, "moderation": taken.pk, "report": report.pk, "built": built.pk}


def state(kind: str, pk: int) -> dict:
    if kind == "audit":
        audit = Audit.objects.get(pk=pk)
        return {
            "revision": audit.revision,
            "case_reference": audit.case_reference,
            "overall_comments": audit.overall_comments,
            "domain_1": audit.domain_grades.get(domain__number=1).text,
            "actions": sorted(audit.actions.values_list("description", flat=True)),
        }
    if kind == "built":
        audit = Audit.objects.get(pk=pk)
        answers = {
            f"{a.question.section.number}.{a.question.number}": a.text
            for a in audit.answers.select_related("question__section")
        }
        return {
            "revision": audit.revision,
            "case_reference": audit.case_reference,
            "overall_comments": audit.overall_comments,
            "comment_1_1": answers["1.1"],
            "text_2_3": answers["2.3"],
        }
    if kind == "moderation":
        audit = Audit.objects.get(pk=pk)
        return {
            "revision": audit.revision,
            "status": audit.status,
            "draft": ModerationCase.objects.get(audit=audit).draft,
        }
    report = Report.objects.get(pk=pk)
    return {
        "revision": report.revision,
        "state": report.state,
        "title": report.title,
        "summary": report.summary,
        "findings": report.findings,
    }


if __name__ == "__main__":
    print(json.dumps(seed()), flush=True)
    for line in sys.stdin:
        kind, pk = line.split()
        print(json.dumps(state(kind, int(pk))), flush=True)
