"""A community's figures: a layer's per-grid numbers summed over the grids of an answer, and rates of those sums.

The figures are taken from a per-grid answer the viewer was given (a
FeatureCollection of registry.aggregate, through the front-end's scoped
connection), not asked of the database again: so a community's figure always
agrees with the grids on the map beside it, and sees only the grids its viewer
may see. A rate is that of the summed numerator over the summed denominator
(layers.rates), never an average of the grids' rates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gridgov.settings import LayerSettings
from layers import rates
from layers.rates import Rate


def _properties(answer: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [f["properties"] for f in answer["features"]]


def total(answer: Mapping[str, Any], *columns: str) -> int:
    """The sum of `columns` over the answer's grids (a grid without a value counts 0)."""
    return sum(int(p.get(c) or 0) for p in _properties(answer) for c in columns)


def rate(answer: Mapping[str, Any], definition: rates.Definition, settings: LayerSettings) -> Rate:
    """The rate over all the answer's grids: the sum of its numerator over the sum of its denominator."""
    return definition.of({c: total(answer, c) for c in definition.counts}, settings)


@dataclass(frozen=True)
class Complaints:
    """The work orders of a complaints answer, and the three rates over all its grids."""

    complaints: int
    response: Rate
    resolution: Rate
    satisfaction: Rate


def complaints(answer: Mapping[str, Any], settings: LayerSettings) -> Complaints:
    """The community's work orders and rates, from the complaints layer's per-grid answer."""
    return Complaints(
        complaints=total(answer, "complaints"),
        response=rate(answer, rates.RESPONSE, settings),
        resolution=rate(answer, rates.RESOLUTION, settings),
        satisfaction=rate(answer, rates.SATISFACTION, settings),
    )
