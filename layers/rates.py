"""The rates the layers report, each defined once: which count is over which, and the one place the division is done.

A rate is a percentage with one decimal, rounded half away from zero (as
PostgreSQL's round() does), and no value at all when its denominator is 0:

| rate                        | numerator                           | denominator       |
|-----------------------------|-------------------------------------|-------------------|
| response rate (响应率)       | responded_in_time                   | response_known    |
| resolution rate (解决率)     | resolved                            | outcome_known     |
| satisfaction rate (满意率)   | satisfied + w × basically_satisfied | rated             |
| special_per_100 (每百户)     | special_households                  | households        |

w is settings.basically_satisfied_weight; which work orders each count takes
(and the response limit behind `responded_in_time`) is in layers/complaints.py,
which counts them per grid in PostGIS. A grid's rate is taken of its own
counts (`with_rates`), a community's of the counts summed over its grids
(layers.community), never as an average of grid rates: both go through
`Definition.of`, so the map, the exports and the wall cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

from gridgov.settings import LayerSettings

_ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class Rate:
    """A percentage with the count it is computed over (percent None when that count is 0)."""

    percent: float | None
    base: int


def percent(part: Decimal | int, whole: int) -> float | None:
    """100 × part ÷ whole with one decimal, halves away from zero; None when whole is 0."""
    if not whole:
        return None
    return float((100 * Decimal(part) / whole).quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP))


def _count(counts: Mapping[str, Any], column: str) -> int:
    """A count of a grid (or a sum of grids) as a plain int; a missing one (a grid without rows) is 0."""
    value = counts.get(column)
    return 0 if value is None or pd.isna(value) else int(value)


@dataclass(frozen=True)
class Definition:
    """One rate: the column that holds it, the counts its numerator adds up and the count it is over."""

    column: str
    numerator: tuple[str, ...]
    denominator: str

    def weights(self, settings: LayerSettings) -> dict[str, Decimal]:
        """Each numerator count's weight: 1, but 基本满意 counts as settings.basically_satisfied_weight."""
        weighted = {"basically_satisfied": settings.basically_satisfied_weight}
        return {c: Decimal(str(weighted.get(c, 1))) for c in self.numerator}

    @property
    def counts(self) -> tuple[str, ...]:
        """Every count the rate is made of."""
        return (*self.numerator, self.denominator)

    def of(self, counts: Mapping[str, Any], settings: LayerSettings) -> Rate:
        """The rate of one grid's counts, or of counts summed over grids."""
        base = _count(counts, self.denominator)
        part = sum((w * _count(counts, c) for c, w in self.weights(settings).items()), Decimal(0))
        return Rate(percent(part, base), base)


RESPONSE = Definition("response_rate", ("responded_in_time",), "response_known")
RESOLUTION = Definition("resolution_rate", ("resolved",), "outcome_known")
SATISFACTION = Definition("satisfaction_rate", ("satisfied", "basically_satisfied"), "rated")
COMPLAINT_RATES = (RESPONSE, RESOLUTION, SATISFACTION)
SPECIAL_PER_100 = Definition("special_per_100", ("special_households",), "households")


def with_rates(table: pd.DataFrame, definitions: Iterable[Definition], settings: LayerSettings) -> pd.DataFrame:
    """`table` (one row of counts per grid) with a column of each rate added, null where it has no value."""
    out = table.copy()
    for definition in definitions:
        columns = list(definition.counts)
        rows = table[columns].itertuples(index=False, name=None)
        values = [definition.of(dict(zip(columns, row, strict=True)), settings).percent for row in rows]
        out[definition.column] = pd.Series(values, index=table.index, dtype="float64")
    return out
