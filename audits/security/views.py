"""The security log pages, for administrators: ask who looked at a case, or what someone saw and
changed between two dates; export the answer as CSV."""

import csv
import json

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from ..permissions import require
from .events import Event, record
from .forms import LogQueryForm
from .selectors import FIELDS, as_json_ready, count_events, latest_events, log_events

# The page shows the newest events; the export has them all.
PAGE_LIMIT = 500


def _query_form(request) -> LogQueryForm:
    require("audits.view_security_log", request.user, error=PermissionDenied)
    return LogQueryForm(request.GET or None)


def with_actor_names(events: list[dict]) -> list[dict]:
    """The page names people as the rest of the service does, beside the username the log
    keeps (the CSV export keeps the username alone: the SIEM contract). One query."""
    usernames = {event["actor"] for event in events if event["actor"]}
    names = {
        user.get_username(): user.get_full_name()
        for user in get_user_model().objects.filter(username__in=usernames)
    }
    return [{**event, "actor_name": names.get(event["actor"], "")} for event in events]


def security_log(request):
    form = _query_form(request)
    events, total = [], None
    if form.is_bound and form.is_valid():
        query = form.query()
        total = count_events(query)
        events = with_actor_names(latest_events(query, PAGE_LIMIT))
    elif not form.is_bound:
        form = LogQueryForm(initial={"until": timezone.localdate()})
    return render(
        request,
        "audits/security_log.html",
        {"form": form, "events": events, "total": total, "limit": PAGE_LIMIT},
        status=400 if form.errors else 200,
    )


class _Echo:
    def write(self, value):
        return value


def security_log_csv(request):
    form = _query_form(request)
    if not form.is_valid():
        return security_log(request)
    query = form.query()
    record(Event.EXPORTED_LOG, request=request, object_label=f"security log {query}"[:200])
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(FIELDS)
        for event in log_events(query):
            ready = as_json_ready(event)
            ready["changes"] = json.dumps(ready["changes"], ensure_ascii=False, default=str)
            yield writer.writerow([ready[key] for key in FIELDS])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="security-log-{stamp}.csv"'
    return response
