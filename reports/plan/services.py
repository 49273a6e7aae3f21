"""Every write to the improvement plan: turn a report's recommendations into items, change an
item, record its progress (a note, and a move of its status through STATUS_MOVES).

Each write locks the item (``select_for_update``) inside ``transaction.atomic``, checks the
revision the page was opened at (audits.revisions: two tabs never silently overwrite each other)
and writes a PlanItemTransition row for every status change. Nothing is saved half-way: a
request with one bad item saves none of them, and says which item and which field.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.errors import DomainError
from audits.permissions import require
from audits.revisions import bump_revision, check_revision
from reports.models import PlanItem, PlanItemTransition, PlanNote, Report

Status = PlanItem.Status

# (from, to) -> what the move is called. Every status change of a plan item is listed here.
STATUS_MOVES: dict[tuple[str, str], str] = {
    (Status.NOT_STARTED, Status.IN_PROGRESS): gettext_lazy("start"),
    (Status.NOT_STARTED, Status.DONE): gettext_lazy("mark done"),
    (Status.NOT_STARTED, Status.DROPPED): gettext_lazy("drop"),
    (Status.IN_PROGRESS, Status.DONE): gettext_lazy("mark done"),
    (Status.IN_PROGRESS, Status.DROPPED): gettext_lazy("drop"),
    (Status.DONE, Status.IN_PROGRESS): gettext_lazy("reopen"),
    (Status.DROPPED, Status.IN_PROGRESS): gettext_lazy("reopen"),
}
# Items still to do: the ones that can be overdue.
OPEN_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS)

TITLE_MAX = 2000
OWNER_NAME_MAX = PlanItem._meta.get_field("owner_name").max_length


class PlanError(DomainError):
    """A plan change the rules refuse. ``errors`` lists (item number or None, field, message)
    so a page puts each message beside its field; the message names them all."""

    def __init__(self, message: str, *, errors: Sequence[tuple[int | None, str, str]] = ()):
        super().__init__(message)
        self.errors = list(errors)


@dataclass(frozen=True)
class NewItem:
    """One recommendation as the QA lead confirmed it."""

    title: str
    due_date: datetime.date | None
    owner: object = None  # an account, or None
    owner_name: str = ""


def _require_manager(by) -> None:
    require("reports.change_plan", by, error=PlanError)


def item_errors(*, title: str, due_date, owner, owner_name: str) -> list[tuple[str, str]]:
    """(field, message) for each rule an item breaks: what, an owner, a due date."""
    errors = []
    if not (title or "").strip():
        errors.append(("title", _("Say what is to be done.")))
    elif len(title.strip()) > TITLE_MAX:
        errors.append(
            ("title", _("What is to be done must be %(n)s characters or fewer.") % {"n": TITLE_MAX})
        )
    if owner is None and not (owner_name or "").strip():
        errors.append(("owner", _("Choose the owner's account or write the owner's name or role.")))
    if owner is not None and not owner.is_active:
        errors.append(("owner", _("This account is no longer active: choose another.")))
    if len((owner_name or "").strip()) > OWNER_NAME_MAX:
        errors.append(
            (
                "owner_name",
                _("The owner's name or role must be %(n)s characters or fewer.")
                % {"n": OWNER_NAME_MAX},
            )
        )
    if due_date is None:
        errors.append(("due_date", _("Enter the date it is due by.")))
    return errors


@transaction.atomic
def plan_items_create(*, report: Report, by, items: Sequence[NewItem]) -> list[PlanItem]:
    """Turn recommendations of ``report`` (draft or published) into plan items, all or none."""
    _require_manager(by)
    report = Report.objects.select_for_update().get(pk=report.pk)
    if not items:
        raise PlanError(_("Choose at least one recommendation to turn into a plan item."))
    errors = [
        (number, field, message)
        for number, item in enumerate(items, start=1)
        for field, message in item_errors(
            title=item.title, due_date=item.due_date, owner=item.owner, owner_name=item.owner_name
        )
    ]
    if errors:
        raise PlanError(
            _("No plan item was saved: %(errors)s")
            % {"errors": "; ".join(f"item {n}: {message}" for n, _f, message in errors)},
            errors=errors,
        )
    # One save per item, not a bulk insert: the change history (django-auditlog) records each.
    return [
        PlanItem.objects.create(
            report=report,
            title=item.title.strip(),
            owner=item.owner,
            owner_name=item.owner_name.strip(),
            due_date=item.due_date,
            created_by=by,
            revised_by=by,
            revised_at=timezone.now(),
        )
        for item in items
    ]


def _locked(item: PlanItem) -> PlanItem:
    return PlanItem.objects.select_for_update().get(pk=item.pk)


def _raise_first(errors: list[tuple[str, str]]) -> None:
    if errors:
        raise PlanError(
            "; ".join(message for _field, message in errors),
            errors=[(None, field, message) for field, message in errors],
        )


@transaction.atomic
def plan_item_update(
    *,
    item: PlanItem,
    by,
    title: str,
    due_date: datetime.date | None,
    owner=None,
    owner_name: str = "",
    evidence: str = "",
    expected_revision: int | None = None,
    page: str = "",
) -> PlanItem:
    """Change what an item is, who owns it, when it is due and its evidence. If the item was
    saved from another page since ``expected_revision``, RevisionConflict and nothing is
    written."""
    _require_manager(by)
    item = _locked(item)
    check_revision(item, expected=expected_revision, page=page, by=by)
    _raise_first(item_errors(title=title, due_date=due_date, owner=owner, owner_name=owner_name))
    item.title, item.due_date = title.strip(), due_date
    item.owner, item.owner_name = owner, owner_name.strip()
    item.evidence = evidence.strip()
    bump_revision(
        item, by=by, page=page, fields=["title", "due_date", "owner", "owner_name", "evidence"]
    )
    return item


def check_move(current: str, to: str) -> None:
    """Raise PlanError unless STATUS_MOVES allows moving an item from ``current`` to ``to``."""
    if (current, to) in STATUS_MOVES:
        return
    if current == to:
        raise PlanError(
            _("This item is already %(status)s.") % {"status": Status(to).label.lower()},
            errors=[(None, "status", "")],
        )
    raise PlanError(
        _("This item is %(current)s and cannot be marked %(target)s.")
        % {
            "current": Status(current).label.lower() if current in Status.values else current,
            "target": Status(to).label.lower() if to in Status.values else to,
        },
        errors=[(None, "status", "")],
    )


@transaction.atomic
def plan_item_record_progress(
    *,
    item: PlanItem,
    by,
    note: str,
    status: str | None = None,
    evidence: str = "",
    done_on: datetime.date | None = None,
    today: datetime.date | None = None,
    expected_revision: int | None = None,
    page: str = "",
) -> PlanItem:
    """Append a dated progress note (with its evidence) and, when ``status`` differs from the
    item's, move it through STATUS_MOVES. Done takes ``done_on`` (today when None, never
    later than today); dropping closes it today; reopening clears the date it was closed."""
    _require_manager(by)
    today = today or timezone.localdate()
    item = _locked(item)
    check_revision(item, expected=expected_revision, page=page, by=by)
    errors = []
    if not (note or "").strip():
        errors.append(("note", _("Say what progress has been made.")))
    status = status or item.status
    if status not in Status.values:
        errors.append(("status", _("Choose a status from the list.")))
    elif status != item.status and (item.status, status) not in STATUS_MOVES:
        try:
            check_move(item.status, status)
        except PlanError as error:
            errors.append(("status", str(error)))
    if done_on is not None and status != Status.DONE:
        errors.append(("done_on", _("Give the date it was done only when marking it done.")))
    if done_on is not None and done_on > today:
        errors.append(("done_on", _("The date it was done cannot be after today.")))
    _raise_first(errors)
    now = timezone.now()
    fields = []
    if status != item.status:
        PlanItemTransition.objects.create(
            item=item, from_status=item.status, to_status=status, by=by, at=now, comment=note
        )
        item.status = status
        if status == Status.DONE:
            item.closed_on = done_on or today
        elif status == Status.DROPPED:
            item.closed_on = today
        else:
            item.closed_on = None
        fields = ["status", "closed_on"]
    PlanNote.objects.create(item=item, text=note.strip(), evidence=evidence.strip(), by=by, at=now)
    bump_revision(item, by=by, page=page, fields=fields)
    return item
