"""The arithmetic of a sample draw: pure functions over plain values, no database.

Deterministic by construction: the candidates are sorted by their case reference key before
anything random happens (never the database's row order), and the only randomness is
``random.Random(seed).random()``, whose sequence for a given seed Python guarantees not to change
between versions (its ``shuffle`` and ``sample`` carry no such promise, so the shuffle here is
written out). The same candidates, arguments and seed therefore always give the same cases and
the same allocation.
"""

import random
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audits.errors import DomainError


class DrawError(DomainError):
    """A draw the rules refuse; the message is written for the person who asked."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A case that may be drawn: ``key`` orders it (the case reference key), ``team`` and
    ``holder`` are what the quotas and the peer-audit rule compare."""

    key: str
    team: Hashable
    holder: Hashable
    ref: Any = None


@dataclass(frozen=True, slots=True)
class Auditor:
    """An auditor cases are allocated to: ``key`` orders them, ``team`` may be None."""

    key: str
    team: Hashable | None
    ref: Any = None


def rng_for(seed: str) -> random.Random:
    """The generator of a draw: a text seed (Python seeds text through SHA-512, stably)."""
    return random.Random(str(seed))


def shuffled(items: Sequence, rng: random.Random) -> list:
    """``items`` in a random order: Fisher–Yates driven by ``rng.random()`` alone."""
    items = list(items)
    for i in range(len(items) - 1, 0, -1):
        j = int(rng.random() * (i + 1))
        items[i], items[j] = items[j], items[i]
    return items


def draw_order(candidates: Sequence[Candidate], rng: random.Random) -> list[Candidate]:
    """The candidates sorted by key, then shuffled: the order in which they are drawn."""
    return shuffled(sorted(candidates, key=lambda c: c.key), rng)


def peer_eligible(candidates: Sequence[Candidate], auditors: Sequence[Auditor]) -> list[Candidate]:
    """The candidates some auditor may audit when nobody audits their own team's cases: a case
    is left out only when every auditor is in its team (with one auditor, their team's cases)."""
    if not auditors:
        return list(candidates)
    return [c for c in candidates if any(a.team is None or a.team != c.team for a in auditors)]


def select(
    order: Sequence[Candidate],
    *,
    size: int | None = None,
    per_team: int | None = None,
    one_per_holder: bool = False,
) -> list[Candidate]:
    """The cases drawn from ``order`` (already shuffled), kept in that order.

    ``size``: the first ``size`` cases; with ``one_per_holder`` the first case of every case
    holder comes first, the rest fill up to ``size``. ``per_team``: the first ``per_team`` cases
    of every team (all of a team's cases where it has fewer).
    """
    if per_team is not None:
        taken: dict[Hashable, int] = {}
        chosen = []
        for candidate in order:
            if taken.get(candidate.team, 0) < per_team:
                taken[candidate.team] = taken.get(candidate.team, 0) + 1
                chosen.append(candidate)
        if not chosen:
            raise DrawError(_("No case is eligible for the draw."), field="per_team")
        return chosen
    assert size is not None
    if size > len(order):
        raise DrawError(
            ngettext(
                "The draw asks for %(size)s cases but only %(n)s case is eligible.",
                "The draw asks for %(size)s cases but only %(n)s cases are eligible.",
                len(order),
            )
            % {"size": size, "n": len(order)},
            field="size",
        )
    if not one_per_holder:
        return list(order[:size])
    first: dict[Hashable, Candidate] = {}
    for candidate in order:
        first.setdefault(candidate.holder, candidate)
    if len(first) > size:
        raise DrawError(
            _(
                "The draw asks for %(size)s cases but at least one case of each of the "
                "%(n)s case holders needs %(n)s."
            )
            % {"size": size, "n": len(first)},
            field="size",
        )
    wanted = set(first.values())
    rest = [c for c in order if c not in wanted]
    wanted.update(rest[: size - len(first)])
    return [c for c in order if c in wanted]


def allocate(
    chosen: Sequence[Candidate],
    auditors: Sequence[Auditor],
    rng: random.Random,
    *,
    exclude_own_team: bool = False,
) -> list[Auditor | None]:
    """The auditor of each chosen case, evenly: every auditor gets ⌊n/k⌋ or ⌈n/k⌉ cases.

    With ``exclude_own_team`` nobody gets a case of their own team. Which auditors get the
    extra cases is random (the auditors, sorted by key, are shuffled by ``rng``). Raises
    DrawError when the cases cannot be shared so (too many of one auditor's team). With no
    auditors every case is unallocated (None).

    Cases are placed in draw order on the least-loaded auditor allowed to take them; when all
    those are full, a case already placed moves to make room (augmenting paths, as in Kuhn's
    matching): first with every auditor capped at ⌊n/k⌋, then at ⌈n/k⌉. Each phase finds the
    largest allocation its caps allow, so a draw is refused only when no even one exists.
    """
    n, k = len(chosen), len(auditors)
    if not k:
        return [None] * n
    people = shuffled(sorted(auditors, key=lambda a: a.key), rng)
    allowed: list[list[int]] = [
        [
            i
            for i, auditor in enumerate(people)
            if not (exclude_own_team and auditor.team is not None and auditor.team == c.team)
        ]
        for c in chosen
    ]
    owner: list[int | None] = [None] * n
    holding: list[list[int]] = [[] for _ in people]
    cap = 0

    def give(case: int, person: int) -> None:
        if owner[case] is not None:
            holding[owner[case]].remove(case)
        holding[person].append(case)
        owner[case] = person

    def place(case: int, visited: set[int]) -> bool:
        options = sorted(allowed[case], key=lambda i: (len(holding[i]), i))
        for person in options:
            if person in visited or person == owner[case]:
                continue
            visited.add(person)
            if len(holding[person]) < cap:
                give(case, person)
                return True
            for other in list(holding[person]):
                if place(other, visited):
                    give(case, person)
                    return True
        return False

    low = n // k
    for cap in (low, low + 1):  # place() reads cap
        for case in range(n):
            if owner[case] is None:
                place(case, set())
        if cap == low and sum(map(len, holding)) < low * k:
            break
    unplaced = owner.count(None)
    if unplaced:
        raise DrawError(
            ngettext(
                "The %(n)s cases drawn cannot be shared evenly among the activity's %(k)s "
                "auditor without giving someone a case of their own team.",
                "The %(n)s cases drawn cannot be shared evenly among the activity's %(k)s "
                "auditors without giving someone a case of their own team.",
                k,
            )
            % {"n": n, "k": k},
            field="exclude_own_team",
        )
    return [people[i] for i in owner]


def loads(allocation: Sequence[Auditor | None]) -> dict[Any, int]:
    """How many cases each auditor got (for tests and messages)."""
    counts: dict[Any, int] = {}
    for auditor in allocation:
        if auditor is not None:
            counts[auditor.key] = counts.get(auditor.key, 0) + 1
    return counts
