"""Writing the security log: one call per event, from views, services and signal receivers.

Entries are only ever added (audits.models.SecurityEvent refuses changes and deletion).
"""

import ipaddress

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import SecurityEvent


class Event(models.TextChoices):
    # Opening a record or a download that shows case data.
    VIEWED_AUDIT = "viewed_audit", _("Opened an audit")
    VIEWED_AUDIT_PDF = "viewed_audit_pdf", _("Downloaded an audit's PDF")
    VIEWED_CASE = "viewed_case", _("Opened a case timeline")
    VIEWED_ACTION = "viewed_action", _("Opened an agreed action")
    VIEWED_MODERATION = "viewed_moderation", _("Opened an audit to moderate")
    VIEWED_REPORT = "viewed_report", _("Opened a report")
    VIEWED_REPORT_PDF = "viewed_report_pdf", _("Downloaded a report's PDF")
    EXPORTED_CSV = "exported_csv", _("Exported audits as CSV")
    EXPORTED_XLSX = "exported_xlsx", _("Exported audits as XLSX")
    VIEWED_SUMMARY = "viewed_summary", _("Downloaded the JSON summary")
    EXPORTED_LOG = "exported_log", _("Exported the security log")
    # Signing in and out.
    SIGNED_IN = "signed_in", _("Signed in")
    SIGNED_OUT = "signed_out", _("Signed out")
    SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
    LOCKED_OUT = "locked_out", _("Locked out after failed sign-ins")
    UNLOCKED = "unlocked", _("Sign-in unlocked by an administrator")
    TWO_FACTOR_ENROLLED = "two_factor_enrolled", _("Set up two-factor sign-in")
    TWO_FACTOR_FAILED = "two_factor_failed", _("Wrong two-factor code")
    RECOVERY_CODE_USED = "recovery_code_used", _("Signed in with a recovery code")
    RECOVERY_CODES_REPLACED = "recovery_codes_replaced", _("Made new recovery codes")
    TWO_FACTOR_RESET = "two_factor_reset", _("Two-factor sign-in reset by an administrator")
    # A save that arrived after its session ended, kept for its owner (audits.sessions).
    SAVE_KEPT = "save_kept", _("Kept a save made after the session ended")
    SAVE_RESTORED = "save_restored", _("Posted a kept save again")
    SAVE_DISCARDED = "save_discarded", _("Discarded a kept save")
    # Accounts and records.
    ROLES_CHANGED = "roles_changed", _("Roles changed")
    RETENTION_DELETED = "retention_deleted", _("Audit deleted under the retention schedule")


def client_address(request) -> str | None:
    """The address a request came from. Behind a reverse proxy (settings.TRUSTED_PROXIES
    proxies in front of the app) the address is read from X-Forwarded-For, counting from the
    right so a client cannot put a false one in front. None when it is not an address."""
    if request is None:
        return None
    proxies = getattr(settings, "TRUSTED_PROXIES", 0)
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return _address(forwarded[-proxies])
    return _address(request.META.get("REMOTE_ADDR") or "")


def _address(text: str) -> str | None:
    """``text`` as an IP address, without the port some proxies add (Azure's Application
    Gateway writes 203.0.113.7:51234, or [2001:db8::7]:443); None for anything else, which the
    logs' address columns (PostgreSQL's inet) would refuse, failing the request."""
    port = ""
    if text.startswith("[") and "]:" in text:
        text, _, port = text[1:].partition("]:")
    elif text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    elif text.count(":") == 1:
        text, _, port = text.partition(":")
    if port and not (port.isascii() and port.isdigit()):
        return None
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def record(
    event: str,
    *,
    request=None,
    user=None,
    username: str = "",
    obj=None,
    object_label: str = "",
    case_reference: str = "",
    changes: dict | None = None,
) -> SecurityEvent:
    """Add one entry. ``user`` defaults to the request's signed-in user; ``username`` names
    someone without an account (a failed sign-in's attempted name). ``obj`` is described by its
    model and primary key (or ``object_label`` says what was seen), and gives the case reference
    when it has one."""
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        if candidate is not None and candidate.is_authenticated:
            user = candidate
    if user is not None:
        username = user.get_username()
    if obj is not None and not case_reference:
        if hasattr(obj, "get_additional_data"):  # a record about a case (models.CaseRecord)
            case_reference = obj.get_additional_data()["case_reference"] or ""
        else:
            case_reference = getattr(obj, "case_reference", "") or ""
    return SecurityEvent.objects.create(
        at=timezone.now(),
        actor=user,
        username=username[:150],
        event=str(event),
        object=object_label or describe(obj),
        case_reference=case_reference,
        address=client_address(request),
        path=request.get_full_path()[:500] if request is not None else "",
        changes=changes or {},
    )


def describe(obj) -> str:
    """How the log names a record: its kind and number, e.g. "audit 42"."""
    if obj is None:
        return ""
    if hasattr(obj, "get_username"):
        return f"user {obj.pk} ({obj.get_username()})"
    return f"{obj._meta.verbose_name} {obj.pk}"


def record_bulk_creation(objects, *, fields: tuple[str, ...], by=None) -> None:
    """The change history of records made in bulk (an import), which django-auditlog's signals
    do not see: one "created" entry per record with the values it was made with."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from .middleware import current_request

    objects = list(objects)
    if not objects:
        return
    content_type = ContentType.objects.get_for_model(objects[0])
    address = client_address(current_request.get())
    now = timezone.now()
    LogEntry.objects.bulk_create(
        [
            LogEntry(
                content_type=content_type,
                object_pk=str(obj.pk),
                object_id=obj.pk,
                object_repr=str(obj)[:200],
                action=LogEntry.Action.CREATE,
                changes={
                    name: [None, _json_value(getattr(obj, name))]
                    for name in fields
                    if getattr(obj, name) not in (None, "")
                },
                actor=by,
                remote_addr=address,
                timestamp=now,
                additional_data=obj.get_additional_data()
                if hasattr(obj, "get_additional_data")
                else None,
            )
            for obj in objects
        ],
        batch_size=1000,
    )


def _json_value(value):
    return value if isinstance(value, (bool, int, float, str)) else str(value)
