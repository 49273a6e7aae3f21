"""Dating the demo's history: ``Clock`` keeps each audit's story in order and never later than
now; ``Stamps`` notes when each step really happened and moves the rows' timestamps back at
the end, since the services stamp everything "now"."""

import datetime
import random
from collections import defaultdict

from django.utils import timezone

from audits.models import (
    Audit,
    AuditTransition,
)


class Clock:
    """Back-dated moments: working hours on a day, or a little after another moment. Never
    later than the load began, and with its own seeded choices."""

    def __init__(self, *, now: datetime.datetime, today: datetime.date, seed: int):
        self.now = now
        self.today = today
        self.rng = random.Random(seed)

    def on(self, day: datetime.date) -> datetime.datetime:
        at = datetime.datetime.combine(
            day, datetime.time(self.rng.randint(9, 16), self.rng.randint(0, 59))
        )
        return min(timezone.make_aware(at), self.now)

    def after(
        self,
        start: datetime.datetime,
        *,
        days: tuple[int, int] = (0, 0),
        minutes: tuple[int, int] | None = None,
    ) -> datetime.datetime:
        """``minutes`` after ``start``, or working hours ``days`` later: always strictly after
        ``start`` (which must be before now) and never after now, so a story told in steps
        stays in order however close to today it runs."""
        if minutes:
            at = start + datetime.timedelta(minutes=self.rng.randint(*minutes))
        else:
            day = timezone.localdate(start) + datetime.timedelta(days=self.rng.randint(*days))
            at = self.on(min(day, self.today))
            if at <= start:
                at = start + datetime.timedelta(minutes=self.rng.randint(10, 120))
        if at >= self.now:
            at = start + (self.now - start) / 2
        return at


class Stamps:
    """When each thing happened. The services stamp every row "now"; the loader notes here the
    moment each should carry, and ``apply`` writes them all back in a few bulk updates."""

    def __init__(self):
        # audit pk -> the moment of each of its transitions, in the order the services made them
        self.transitions: dict[int, list[datetime.datetime]] = defaultdict(list)
        self.rows: dict[type, dict[int, dict]] = defaultdict(dict)

    def transition(self, audit: Audit, at: datetime.datetime) -> datetime.datetime:
        self.transitions[audit.pk].append(at)
        return at

    def set(self, obj, **fields) -> None:
        self.set_pk(type(obj), obj.pk, **fields)

    def set_pk(self, model: type, pk: int, **fields) -> None:
        self.rows[model].setdefault(pk, {}).update(fields)

    def get(self, obj, name: str):
        return self.rows[type(obj)][obj.pk][name]

    def apply(self) -> None:
        for audit_pk, moments in self.transitions.items():
            self.set_pk(Audit, audit_pk, updated_at=moments[-1])
        rows = (
            AuditTransition.objects.filter(audit_id__in=list(self.transitions))
            .order_by("audit_id", "pk")
            .values_list("pk", "audit_id")
        )
        made: dict[int, list[int]] = defaultdict(list)
        for pk, audit_id in rows:
            made[audit_id].append(pk)
        for audit_pk, moments in self.transitions.items():
            if len(made[audit_pk]) != len(moments):  # the loader's bookkeeping is wrong
                raise RuntimeError(
                    f"Audit {audit_pk}: {len(made[audit_pk])} transitions made, "
                    f"{len(moments)} moments noted."
                )
            for pk, at in zip(made[audit_pk], moments):
                self.set_pk(AuditTransition, pk, at=at)
        for model, by_pk in self.rows.items():
            groups: dict[tuple, list] = defaultdict(list)
            for pk, fields in by_pk.items():
                groups[tuple(sorted(fields))].append(model(pk=pk, **fields))
            for names, objs in groups.items():
                model.objects.bulk_update(objs, list(names), batch_size=250)
