"""Print the security log and the change history as JSON lines, for the council's SIEM.

    python manage.py security_log --since 2026-11-01 [--until 2026-11-30] [--user U] [--case REF]

One event per line, oldest first: {"at", "actor", "event", "object", "case_reference",
"address", "path", "changes"} (audits.security.selectors). --until is inclusive.
"""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from audits.security.selectors import LogQuery, as_json_ready, log_events


def _date(option: str, value: str | None) -> datetime.date | None:
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: {value!r} is not a date written YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = "Print the security log and the change history as JSON lines (oldest first)."

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--until", help="last day, YYYY-MM-DD (inclusive)")
        parser.add_argument("--user", default="", help="only this username's events")
        parser.add_argument("--case", default="", help="only this case reference's events")

    def handle(self, *args, **options):
        since = _date("--since", options["since"])
        until = _date("--until", options["until"])
        if until is not None and until < since:
            raise CommandError("--until: the last day is before --since.")
        query = LogQuery(
            since=since,
            until=until,
            user=options["user"].strip(),
            case_reference=options["case"].strip(),
        )
        for event in log_events(query):
            self.stdout.write(json.dumps(as_json_ready(event), ensure_ascii=False, default=str))
