"""Which units need attention first: a weighted sum of what is wrong in each, with the weights an installation sets.

A unit is whatever is ranked: a community's grids on its wall, a street's
communities on its officer's wall. Each brings its counts of the PARTS (overdue
hazards, households that missed last period's visit, its complaint hot-spot
level 1–3, and 1 for an early warning of an emerging hot spot); its score is the
sum of each count times that part's weight (settings.DashboardSettings
rank_weight_*: GRIDGOV_RANK_WEIGHT_*). Ties go to the unit with more of the
heaviest part, then the next, then by key, so a grid with overdue hazards is
never put below a grid with as many points from visits alone unless the weights
make the visits heavier. Nothing here reads the database: the counts come from
the layers' answers the viewer was given, so the ranking can never disagree
with the map beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from gridgov.settings import DashboardSettings

# the parts of a score, in the order they are explained and break ties when weighed the same
PARTS = ("hazards_overdue", "visits_overdue", "hotspot", "early_warning")

T = TypeVar("T")


@dataclass(frozen=True)
class Weights:
    """Points per overdue hazard, per household that missed its visit, per hot-spot level, for an early warning."""

    hazards_overdue: float = 3.0
    visits_overdue: float = 1.0
    hotspot: float = 1.0
    early_warning: float = 2.0

    @classmethod
    def of(cls, settings: DashboardSettings) -> Weights:
        """The installation's weights."""
        return cls(
            hazards_overdue=settings.rank_weight_hazards_overdue,
            visits_overdue=settings.rank_weight_visits_overdue,
            hotspot=settings.rank_weight_hotspot,
            early_warning=settings.rank_weight_early_warning,
        )

    def of_part(self, part: str) -> float:
        """The weight of one of PARTS."""
        weight: float = getattr(self, part)
        return weight

    def heaviest_first(self) -> tuple[str, ...]:
        """The parts with a weight above 0, the heaviest first (PARTS' order among equals): the formula's terms."""
        weighed = [p for p in PARTS if self.of_part(p) > 0]
        return tuple(sorted(weighed, key=lambda p: -self.of_part(p)))


@dataclass(frozen=True)
class Ranked(Generic[T]):
    """A unit in the ranking: its place (1 first), its score, and the parts that make it up (part, count, points)."""

    unit: T
    rank: int
    score: float
    parts: tuple[tuple[str, int, float], ...]


def score(counts: Mapping[str, int], weights: Weights) -> float:
    """The weighted sum of a unit's counts of PARTS (a part it lacks counts 0)."""
    return sum(counts.get(part, 0) * weights.of_part(part) for part in PARTS)


def rank(
    units: Iterable[T],
    counts: Callable[[T], Mapping[str, int]],
    key: Callable[[T], str],
    weights: Weights,
    limit: int | None = None,
) -> list[Ranked[T]]:
    """The units with a score above 0, highest first (module docstring: ties), at most `limit`."""
    order = weights.heaviest_first()
    scored = []
    for unit in units:
        of = counts(unit)
        total = score(of, weights)
        if total > 0:
            tie = tuple(-of.get(part, 0) for part in order)
            scored.append(((-total, tie, key(unit)), unit, total, of))
    scored.sort(key=lambda entry: entry[0])
    return [
        Ranked(
            unit,
            place,
            total,
            tuple((p, of[p], of[p] * weights.of_part(p)) for p in order if of.get(p, 0)),
        )
        for place, (_, unit, total, of) in enumerate(scored[:limit] if limit is not None else scored, start=1)
    ]


def number(value: float) -> str:
    """A weight or a score as written on the wall: 3, 0.5 (no trailing zeros)."""
    return f"{value:g}"
