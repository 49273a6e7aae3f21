"""What counts as a clear answer to bad input, and whether a request changed the database."""

import json
import re

from django.apps import apps

# Anything else (a 500 above all) fails. 405 is a view that takes another method, 429 the
# sign-in page refusing after too many failures (config.lockout).
CLEAR = {200, 302, 400, 403, 404, 405, 429}

# The project's pages for each refusal (templates/400.html, 403.html, 404.html).
PAGE_HEADINGS = {
    400: "Sorry, this request could not be used",
    403: "You cannot do that",
    404: "Page not found",
}

_SUMMARY = re.compile(r'<div[^>]*id="error-summary"[^>]*>(.*?)</div>', re.S)


def assert_clear_answer(response, what: str) -> None:
    """``response`` is a clear answer: a status in CLEAR; a refusal is the project's page for
    it, or (a 400) a form shown again with an error summary whose every link lands on a field
    of the page, a message saying why, or JSON naming the error."""
    status = response.status_code
    assert status in CLEAR, f"{what}: answered {status}"
    if getattr(response, "streaming", False):
        # A download written as it is sent: an error while writing it breaks it as surely.
        b"".join(response.streaming_content)
        return
    if status not in PAGE_HEADINGS or response.request.get("REQUEST_METHOD") == "HEAD":
        return  # an answer to HEAD has no body to read
    content_type = response.get("Content-Type", "")
    body = response.content.decode("utf-8", "replace")
    if content_type.startswith("application/json"):
        assert status == 400, f"{what}: JSON {status}"
        assert json.loads(body)["error"], f"{what}: no error in {body[:200]!r}"
        return
    assert content_type.startswith("text/html"), f"{what}: {status} as {content_type}"
    if PAGE_HEADINGS[status] in body:
        return
    assert status == 400, f"{what}: {status} is not the project's page: {body[:300]!r}"
    summary = _SUMMARY.search(body)
    if summary is None:
        assert 'class="alert alert-danger"' in body, f"{what}: a 400 that says nothing"
        return
    for anchor in re.findall(r'<a href="#([^"]+)">', summary.group(1)):
        assert f'id="{anchor}"' in body, f"{what}: the error summary links to #{anchor}, not here"


# The security log records what was seen and refused, and the sign-in lockout counts failures:
# both are meant to be written when a request is refused. Sessions hold the messages shown.
NOT_RECORDS = {
    "audits.SecurityEvent",
    "axes.AccessAttempt",
    "axes.AccessFailureLog",
    "axes.AccessLog",
    "sessions.Session",
}
RECORD_APPS = ("audits", "moderation", "reports", "auth", "auditlog", "otp_totp", "otp_static")


def snapshot(*, leave_out: frozenset = frozenset()) -> dict:
    """Every row of the records a request could change, to compare before and after."""
    rows = {}
    for label in RECORD_APPS:
        for model in apps.get_app_config(label).get_models():
            name = model._meta.label
            if name not in NOT_RECORDS and name not in leave_out:
                rows[name] = list(model.objects.order_by("pk").values_list())
    return rows


def assert_unchanged(before: dict, after: dict, what: str) -> None:
    changed = sorted(name for name in before if before[name] != after[name])
    assert not changed, f"{what}: refused, yet changed {', '.join(changed)}"
