"""Every write to QA targets: set, change and remove a year's targets, and enter the actual
value of a manual target for a period, and set a target's in-year checkpoints. QA leads only."""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audits import periods
from audits.periods import Period, financial_year_of, fy_label
from audits.permissions import require
from audits.revisions import bump_revision, check_revision
from reports.models import DOMAIN_MEASURES, ManualActual, Measure, Target, TargetCheckpoint
from reports.services import ReportError

HUNDRED = Decimal(100)


class TargetError(ReportError):
    """A target request the rules refuse. ``errors`` lists every problem found, each as
    (field, message), the field being the form field the message belongs beside (or None);
    the exception's own message is the first of them."""

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        errors: list[tuple[str | None, str]] | None = None,
    ):
        super().__init__(message)
        self.field = field
        self.errors = errors or [(field, message)]

    @classmethod
    def of(cls, errors: list[tuple[str | None, str]]) -> "TargetError":
        field, message = errors[0]
        return cls(message, field=field, errors=errors)


def _require_qa_lead(user) -> None:
    require("reports.set_targets", user, error=TargetError)


def _percentage(value, *, what: str) -> tuple[Decimal | None, str | None]:
    """A percentage from 0 to 100 with at most two decimal places, or the reason it is not."""
    if value is None or value == "":
        return None, _("Enter the %(what)s.") % {"what": what}
    try:
        value = Decimal(str(value))
    except ArithmeticError:
        value = None
    if value is None or not value.is_finite():
        return None, _("The %(what)s must be a number.") % {"what": what}
    if not 0 <= value <= HUNDRED:
        return None, _("The %(what)s is a percentage: between 0 and 100.") % {"what": what}
    if value.as_tuple().exponent < -2:
        return None, _("Give the %(what)s to at most two decimal places.") % {"what": what}
    return value, None


def _domain(measure: str, domain_number) -> tuple[int | None, str | None]:
    if measure not in DOMAIN_MEASURES:
        if domain_number not in (None, ""):
            return None, _(
                "Only the domain measures take a domain; leave it empty for this measure."
            )
        return None, None
    if domain_number in (None, ""):
        return None, _("Choose the domain this target measures.")
    try:
        number = int(domain_number)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= 12:
        return None, _("The domain is a number from 1 to 12.")
    return number, None


def _clean(
    *, name: str, measure: str, domain_number, direction: str, target_value, amber_tolerance
) -> dict:
    """The target's values, checked; raises TargetError listing every problem at once."""
    errors = []
    name = (name or "").strip()
    if not name:
        errors.append(("name", _("Give the target a name, as the board will read it.")))
    elif len(name) > 200:
        errors.append(("name", _("Keep the name to 200 characters or fewer.")))
    if measure not in Measure.values:
        errors.append(("measure", _("Choose what the target measures.")))
    domain_number, problem = _domain(measure, domain_number)
    if problem:
        errors.append(("domain_number", problem))
    if direction not in Target.Direction.values:
        errors.append(
            ("direction", _("Choose whether the actual should be at least or at most the target."))
        )
    target_value, problem = _percentage(target_value, what=_("target"))
    if problem:
        errors.append(("target_value", problem))
    tolerance, problem = _percentage(
        0 if amber_tolerance in (None, "") else amber_tolerance, what=_("amber tolerance")
    )
    if problem:
        errors.append(("amber_tolerance", problem))
    if errors:
        raise TargetError.of(errors)
    return {
        "name": name,
        "measure": measure,
        "domain_number": domain_number,
        "direction": direction,
        "target_value": target_value,
        "amber_tolerance": tolerance,
    }


def _check_name_free(*, financial_year: int, name: str, exclude_pk: int | None = None) -> None:
    taken = Target.objects.filter(financial_year=financial_year, name__iexact=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise _name_clash(financial_year, name)


def _name_clash(financial_year: int, name: str) -> TargetError:
    return TargetError(
        _("%(year)s already has a target called “%(name)s”. Give this one another name.")
        % {"year": fy_label(financial_year), "name": name},
        field="name",
    )


@transaction.atomic
def target_create(
    *,
    by,
    financial_year: int,
    name: str,
    measure: str,
    direction: str,
    target_value,
    amber_tolerance=0,
    domain_number: int | None = None,
    order: int = 0,
) -> Target:
    """A QA target for ``financial_year`` (2026 for 2026/27).

    Every measure is a percentage, so the target and the amber tolerance lie between 0 and
    100. A domain measure needs its domain (1 to 12); no other measure takes one.
    """
    _require_qa_lead(by)
    if not periods.financial_year_allowed(int(financial_year)):
        raise TargetError(_("Choose a financial year."), field="financial_year")
    values = _clean(
        name=name,
        measure=measure,
        domain_number=domain_number,
        direction=direction,
        target_value=target_value,
        amber_tolerance=amber_tolerance,
    )
    _check_name_free(financial_year=financial_year, name=values["name"])
    try:
        with transaction.atomic():
            return Target.objects.create(
                financial_year=financial_year, order=order or 0, created_by=by, **values
            )
    except IntegrityError:
        # Another QA lead took the name between the check and the insert.
        raise _name_clash(financial_year, values["name"]) from None


@transaction.atomic
def target_update(
    *,
    target: Target,
    by,
    name: str,
    measure: str,
    direction: str,
    target_value,
    amber_tolerance=0,
    domain_number: int | None = None,
    order: int = 0,
    expected_revision: int | None = None,
    page: str = "",
) -> Target:
    """Change a target; it stays in its financial year. The values entered for a manual
    target are kept if it changes measure, and count again if it changes back. Refused with
    RevisionConflict if it was saved from another page since ``expected_revision``."""
    _require_qa_lead(by)
    target = Target.objects.select_for_update().get(pk=target.pk)
    check_revision(target, expected=expected_revision, page=page, by=by)
    values = _clean(
        name=name,
        measure=measure,
        domain_number=domain_number,
        direction=direction,
        target_value=target_value,
        amber_tolerance=amber_tolerance,
    )
    _check_name_free(
        financial_year=target.financial_year, name=values["name"], exclude_pk=target.pk
    )
    for key, value in {**values, "order": order or 0}.items():
        setattr(target, key, value)
    try:
        with transaction.atomic():
            bump_revision(target, by=by, page=page, fields=[*values, "order"])
    except IntegrityError:
        raise _name_clash(target.financial_year, values["name"]) from None
    return target


@transaction.atomic
def target_delete(*, target: Target, by) -> None:
    """Remove a target and the values entered for it. Published reports keep their frozen
    copy of the targets table."""
    _require_qa_lead(by)
    Target.objects.select_for_update().filter(pk=target.pk).delete()


@transaction.atomic
def manual_actual_set(*, target: Target, by, period: Period, value) -> ManualActual:
    """Enter (or correct) the actual value of a manual target for ``period``.

    A report shows it when the report's dates are exactly the period's, so enter it for the
    periods the board receives reports for (a quarter, a half year, the year).
    """
    _require_qa_lead(by)
    target = Target.objects.select_for_update().get(pk=target.pk)
    if target.measure != Measure.MANUAL:
        raise TargetError(
            _(
                "This target is counted from the audits; only manual targets take "
                "an actual value entered by hand."
            )
        )
    if financial_year_of(period.start) != target.financial_year:
        raise TargetError(
            _(
                "This target is for %(year)s: the period must start in that "
                "financial year (1 April %(start)s to 31 March %(end)s)."
            )
            % {
                "year": fy_label(target.financial_year),
                "start": target.financial_year,
                "end": target.financial_year + 1,
            },
            field="kind",
        )
    value, problem = _percentage(value, what=_("actual value"))
    if problem:
        raise TargetError(problem, field="value")
    actual, _created = ManualActual.objects.update_or_create(
        target=target,
        start=period.start,
        end=period.end,
        defaults={"value": value, "entered_by": by},
    )
    return actual


def _checkpoint_values(*, target: Target, date, target_value, exclude_pk=None) -> dict:
    """A checkpoint's date and target, checked against its target; raises TargetError listing
    every problem at once, each beside its field ("date", "target_value")."""
    errors = []
    year = periods.financial_year(target.financial_year)
    if not isinstance(date, datetime.date):
        errors.append(("date", _("Enter the checkpoint date.")))
    elif not year.start <= date <= year.end:
        errors.append(
            (
                "date",
                _(
                    "The checkpoint date must be in %(year)s, the target's financial year: "
                    "1 April %(start)s to 31 March %(end)s."
                )
                % {
                    "year": fy_label(target.financial_year),
                    "start": year.start.year,
                    "end": year.end.year,
                },
            )
        )
    elif TargetCheckpoint.objects.filter(target=target, date=date).exclude(pk=exclude_pk).exists():
        errors.append(("date", _duplicate_checkpoint(date).errors[0][1]))
    value, problem = _percentage(target_value, what=_("target at the checkpoint"))
    if problem:
        errors.append(("target_value", problem))
    if errors:
        raise TargetError.of(errors)
    return {"date": date, "target_value": value}


def _duplicate_checkpoint(date) -> TargetError:
    return TargetError(
        _("This target already has a checkpoint on %(date)s. Change that one instead.")
        % {"date": f"{date:%-d %B %Y}"},
        field="date",
    )


@transaction.atomic
def checkpoint_add(*, target: Target, by, date, target_value) -> TargetCheckpoint:
    """An in-year checkpoint of ``target``: by ``date`` (in the target's financial year, one
    checkpoint a date) the actual should reach ``target_value`` (a percentage), rated with the
    target's direction and amber tolerance."""
    _require_qa_lead(by)
    target = Target.objects.select_for_update().get(pk=target.pk)
    values = _checkpoint_values(target=target, date=date, target_value=target_value)
    try:
        with transaction.atomic():
            return TargetCheckpoint.objects.create(target=target, **values)
    except IntegrityError:
        # Another QA lead added the date between the check and the insert.
        raise _duplicate_checkpoint(values["date"]) from None


@transaction.atomic
def checkpoint_update(*, checkpoint: TargetCheckpoint, by, date, target_value) -> TargetCheckpoint:
    """Change a checkpoint's date or target; the same rules as ``checkpoint_add``."""
    _require_qa_lead(by)
    target = Target.objects.select_for_update().get(pk=checkpoint.target_id)
    checkpoint = TargetCheckpoint.objects.select_for_update().get(pk=checkpoint.pk)
    values = _checkpoint_values(
        target=target, date=date, target_value=target_value, exclude_pk=checkpoint.pk
    )
    checkpoint.date, checkpoint.target_value = values["date"], values["target_value"]
    try:
        with transaction.atomic():
            checkpoint.save(update_fields=["date", "target_value"])
    except IntegrityError:
        raise _duplicate_checkpoint(values["date"]) from None
    return checkpoint


@transaction.atomic
def checkpoint_delete(*, checkpoint: TargetCheckpoint, by) -> None:
    """Remove a checkpoint. Published reports keep their frozen copy of the targets table."""
    _require_qa_lead(by)
    TargetCheckpoint.objects.filter(pk=checkpoint.pk).delete()
