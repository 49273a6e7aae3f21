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


def draw(
    order: Sequence[Candidate],
    auditors: Sequence[Auditor],
    rng: random.Random,
    *,
    size: int | None = None,
    per_team: int | None = None,
    one_per_holder: bool = False,
    exclude_own_team: bool = False,
) -> list[tuple[Candidate, Auditor | None]]:
    """The cases drawn from ``order`` (already shuffled, see ``draw_order``), each with its
    auditor, in draw order.

    ``size``: the first ``size`` cases; with ``one_per_holder`` at least one case of every case
    holder among them. ``per_team``: the first ``per_team`` cases of every team (all of a
    team's where it has fewer).

    The cases are allocated evenly: with k auditors and n cases each gets ⌊n/k⌋ or ⌈n/k⌉.
    Which auditors get the extra cases is random (they are sorted by key, then shuffled by
    ``rng``). With ``exclude_own_team`` nobody is allocated a case of their own team, and a
    case that could only be allocated by breaking evenness is passed over for the next one in
    the order. Raises DrawError when the draw cannot be made. With no auditors nothing is
    allocated (None).
    """
    if per_team is not None:
        counts: dict[Hashable, int] = {}
        for candidate in order:
            counts[candidate.team] = counts.get(candidate.team, 0) + 1
        total = sum(min(per_team, n) for n in counts.values())
        if not total:
            raise DrawError(_("No case is eligible for the draw."), field="per_team")
    else:
        assert size is not None
        total = size
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
    allocator = _EvenAllocator(
        shuffled(sorted(auditors, key=lambda a: a.key), rng),
        total=total,
        exclude_own_team=exclude_own_team,
    )
    chosen: dict[int, Auditor | None] = {}  # position in order -> auditor

    if one_per_holder:
        holders: dict[Hashable, list[int]] = {}
        for position, candidate in enumerate(order):
            holders.setdefault(candidate.holder, []).append(position)
        if len(holders) > total:
            raise DrawError(
                _(
                    "The draw asks for %(size)s cases but at least one case of each of the "
                    "%(n)s case holders needs %(n)s."
                )
                % {"size": total, "n": len(holders)},
                field="size",
            )
        for positions in holders.values():
            for position in positions:
                if allocator.place(position, order[position]):
                    chosen[position] = None
                    break
            else:
                raise _uneven(total, len(auditors))

    taken: dict[Hashable, int] = {}
    for position in chosen:
        taken[order[position].team] = taken.get(order[position].team, 0) + 1
    for position, candidate in enumerate(order):
        if len(chosen) == total:
            break
        if position in chosen:
            continue
        if per_team is not None and taken.get(candidate.team, 0) >= per_team:
            continue
        if allocator.place(position, candidate):
            chosen[position] = None
            taken[candidate.team] = taken.get(candidate.team, 0) + 1
    if len(chosen) < total:
        raise _uneven(total, len(auditors))
    return [(order[position], allocator.auditor_of(position)) for position in sorted(chosen)]


def _uneven(total: int, k: int) -> DrawError:
    return DrawError(
        ngettext(
            "%(n)s cases cannot be drawn and shared evenly among the activity's %(k)s auditor "
            "without giving someone a case of their own team.",
            "%(n)s cases cannot be drawn and shared evenly among the activity's %(k)s auditors "
            "without giving someone a case of their own team.",
            k,
        )
        % {"n": total, "k": k},
        field="exclude_own_team",
    )


class _EvenAllocator:
    """Cases placed one at a time on auditors so that, once ``total`` are placed, every auditor
    has ⌊total/k⌋ or ⌈total/k⌉ of them.

    A flow network: each case sends one unit to an auditor allowed to take it; each auditor
    passes ⌊total/k⌋ units straight to the sink and at most one more through a shared "extra"
    node, which lets total mod k through. A case is placed when an augmenting path from it
    reaches the sink (moving cases placed before between auditors if need be). The cases
    placed always form a maximum flow, so when no path exists no even allocation holds them
    and this one, and never will once more are placed: the case is refused for good.
    Neighbours are tried in a fixed order (the least-loaded auditor first), so the result is
    deterministic.
    """

    SINK, EXTRA = ("sink",), ("extra",)

    def __init__(self, auditors: Sequence[Auditor], *, total: int, exclude_own_team: bool):
        self.auditors = list(auditors)
        self.exclude_own_team = exclude_own_team
        k = len(self.auditors)
        low, extra = divmod(total, k) if k else (0, 0)
        self.capacity: dict[tuple, int] = {}
        self.flow: dict[tuple, int] = {}
        self.neighbours: dict[tuple, list[tuple]] = {self.SINK: [], self.EXTRA: []}
        self.load = [0] * k
        for i in range(k):
            node = ("auditor", i)
            self.neighbours[node] = []
            self._edge(node, self.SINK, low)
            if extra:
                self._edge(node, self.EXTRA, 1)
        if extra:
            self._edge(self.EXTRA, self.SINK, extra)
        self.owner: dict[int, int] = {}
        self.refused: set[tuple[int, ...]] = set()

    def _edge(self, u, v, capacity: int) -> None:
        self.capacity[u, v] = capacity
        self.neighbours[u].append(v)
        self.neighbours[v].append(u)

    def _residual(self, u, v) -> int:
        return self.capacity.get((u, v), 0) - self.flow.get((u, v), 0) + self.flow.get((v, u), 0)

    def auditor_of(self, position: int) -> Auditor | None:
        index = self.owner.get(position)
        return None if index is None else self.auditors[index]

    def place(self, position: int, candidate: Candidate) -> bool:
        if not self.auditors:
            return True
        allowed = tuple(
            i
            for i, auditor in enumerate(self.auditors)
            if not (
                self.exclude_own_team
                and auditor.team is not None
                and auditor.team == candidate.team
            )
        )
        if allowed in self.refused:
            # A case the same auditors may take was refused: this one would be too, as the
            # cases placed since only add to those it was refused beside.
            return False
        node = ("case", position)
        self.neighbours[node] = []
        for i in allowed:
            self._edge(node, ("auditor", i), 1)
        path = self._path(node)
        if path is None:
            for v in self.neighbours.pop(node):  # leave no trace of a refused case
                self.neighbours[v].remove(node)
                del self.capacity[node, v]
            self.refused.add(allowed)
            return False
        for u, v in zip(path, path[1:]):
            if self.flow.get((v, u), 0):
                self.flow[v, u] -= 1
            else:
                self.flow[u, v] = self.flow.get((u, v), 0) + 1
            if u[0] == "case" and v[0] == "auditor":
                self.owner[u[1]] = v[1]
                self.load[v[1]] += 1
            elif u[0] == "auditor" and v[0] == "case" and self.owner.get(v[1]) == u[1]:
                self.load[u[1]] -= 1  # the case moves on to the next auditor on the path
        return True

    def _order(self, node) -> list[tuple]:
        neighbours = self.neighbours[node]
        if node[0] == "case":
            return sorted(neighbours, key=lambda v: (self.load[v[1]], v[1]))
        # Towards the sink first, then back along cases already placed.
        return sorted(neighbours, key=lambda v: (v[0] != "sink", v[0] != "extra", v))

    def _path(self, start) -> list[tuple] | None:
        """Depth first, without recursion: a list of nodes from ``start`` to the sink."""
        visited = {start}
        stack = [(start, iter(self._order(start)))]
        while stack:
            node, options = stack[-1]
            for v in options:
                if v in visited or self._residual(node, v) <= 0:
                    continue
                if v == self.SINK:
                    return [n for n, _ in stack] + [v]
                visited.add(v)
                stack.append((v, iter(self._order(v))))
                break
            else:
                stack.pop()
        return None
