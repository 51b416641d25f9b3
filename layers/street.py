"""A street's communities ranked by how much they need attention, from the same per-grid figures as a wall.

A street officer (街道) sees every community of their street. Each community's row is built from the per-grid
answers the officer was given (so it agrees with every community's wall): its grids' counts summed and weighed
as the wall weighs a grid's (layers.ranking, the installation's weights), with the same reasons the grid
ranking gives (households overdue a visit, overdue hazards, hot spots and early
warnings), its work orders this week and its three rates over the summed counts of its grids (never an
average of grid rates: layers.community).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from gridgov.settings import LayerSettings
from layers import community, ranking
from layers.rates import Rate


class Scored(Protocol):
    """What the ranking needs of a grid's figures (the wall's GridNumbers)."""

    @property
    def code(self) -> str: ...
    @property
    def complaints_week(self) -> int: ...
    @property
    def hot_level(self) -> int: ...
    @property
    def early_warning(self) -> bool: ...
    def counts(self) -> dict[str, int]: ...


@dataclass(frozen=True)
class CommunityRank:
    """One community of the street: its score, the reasons behind it, its work orders and rates."""

    name: str
    grids: int
    score: float
    visits_overdue: int
    hazards_overdue: int
    hot_grids: int
    early_warnings: int
    complaints_week: int
    response: Rate
    resolution: Rate
    satisfaction: Rate


def rank(
    grids: Sequence[Scored],
    weights: ranking.Weights,
    community_of: Mapping[str, str],
    recent: Mapping[str, Any],
    settings: LayerSettings,
) -> list[CommunityRank]:
    """The communities of `grids` (by `community_of`, grid code -> community), most in need first by the wall's
    ranking (layers.ranking: the weighted sum of the parts, summed over the community's grids; ties as there),
    then those with nothing to weigh, by name; `recent` is the complaints answer the rates are over."""
    members: dict[str, list[Scored]] = {}
    for grid in grids:
        members.setdefault(community_of.get(grid.code, ""), []).append(grid)
    features: dict[str, list[Any]] = {}
    for feature in recent.get("features", []):
        features.setdefault(community_of.get(feature["properties"]["grid_code"], ""), []).append(feature)

    def counts(name: str) -> dict[str, int]:
        return {part: sum(g.counts().get(part, 0) for g in members[name]) for part in ranking.PARTS}

    ranked = ranking.rank(members, counts, lambda name: name, weights)
    order = [r.unit for r in ranked] + sorted(set(members) - {r.unit for r in ranked})
    rows = []
    for name in order:
        own, summed = members[name], counts(name)
        rates = community.complaints({"features": features.get(name, [])}, settings)
        rows.append(CommunityRank(
            name=name, grids=len(own), score=ranking.score(summed, weights),
            visits_overdue=summed["visits_overdue"], hazards_overdue=summed["hazards_overdue"],
            hot_grids=sum(1 for g in own if g.hot_level > 0), early_warnings=sum(1 for g in own if g.early_warning),
            complaints_week=sum(g.complaints_week for g in own),
            response=rates.response, resolution=rates.resolution, satisfaction=rates.satisfaction,
        ))
    return rows
