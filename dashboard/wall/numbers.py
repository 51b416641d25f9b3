"""The wall screen's numbers: the community's key figures and each grid's, from the layers through data_access.

Every figure is a sum over the per-grid aggregates the session may see, taken
by layers.community (the rates as layers.rates defines them), so the tiles,
the ranking and a grid's pop-up always agree with the map and with the data
URLs. The windows, on the community's calendar (settings.layers.timezone):

- complaints this week: received from Monday of the current ISO week to today;
- the three rates: over the last RATE_DAYS days up to today, each the summed
  numerator ÷ the summed denominator over the grids (never an average of grid rates);
- visits: households that missed the previous period's visit and have not
  been visited in this one yet (the visits layer's `overdue`: 上期漏访), and
  those still due in this period (`not_yet_visited`);
- hazards: not closed (open + in progress) and overdue, as of today.

A grid needs attention by a transparent score (layers.ranking): its overdue
hazards, households overdue a visit, complaint hot-spot level (Gi* confidence
bin 1–3, 0 when not a hot spot) and 1 when the emerging hot-spot analysis warns
that it is becoming one, each times the weight the settings give it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from dashboard.web import data_access
from gridgov.settings import Settings
from layers import community, ranking
from layers.ranking import Ranked, Weights
from layers.rates import SPECIAL_PER_100, Rate
from layers.registry import Filters

RATE_DAYS = 30
# the layers the figures are sums of
LAYERS = ("special_groups", "visits", "complaints", "hazards", "complaint_hotspots", "emerging_hotspots")


@dataclass(frozen=True)
class GridNumbers:
    """One grid's figures on the wall."""

    code: str
    name: str
    households: int
    special: int
    visits_overdue: int
    complaints_week: int
    hazards_open: int
    hazards_overdue: int
    hot_bin: int  # Gi* confidence bin, −3…3
    early_warning: bool

    @property
    def hot_level(self) -> int:
        """The hot-spot part of the score: the confidence bin when it is a hot spot, else 0."""
        return max(self.hot_bin, 0)

    def counts(self) -> dict[str, int]:
        """What the ranking weighs (layers.ranking.PARTS)."""
        return {
            "hazards_overdue": self.hazards_overdue,
            "visits_overdue": self.visits_overdue,
            "hotspot": self.hot_level,
            "early_warning": int(self.early_warning),
        }


@dataclass(frozen=True)
class Figures:
    """The community's key figures and every grid's, at one moment."""

    today: date
    week_start: date
    rate_start: date
    households: int
    special: int
    special_share: Rate  # special-group households per 100 households
    visits_due: int
    visits_pending: int
    visits_overdue: int
    complaints_week: int
    complaints_recent: int
    response: Rate
    resolution: Rate
    satisfaction: Rate
    hazards_open: int
    hazards_in_progress: int
    hazards_overdue: int
    grids: tuple[GridNumbers, ...]
    weights: Weights = field(default_factory=Weights)

    def score(self, grid: GridNumbers) -> float:
        """How much `grid` needs attention, by this installation's weights."""
        return ranking.score(grid.counts(), self.weights)

    @functools.cached_property
    def _ranked(self) -> list[Ranked[GridNumbers]]:  # once: the panel, each layer's outlines and labels read it
        return ranking.rank(self.grids, GridNumbers.counts, lambda g: g.code, self.weights)

    def needing_attention(self, limit: int) -> list[Ranked[GridNumbers]]:
        """The grids with a score above 0, highest first (ties: layers.ranking), at most `limit`."""
        return self._ranked[:limit]


def _by_grid(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["properties"]["grid_code"]: f["properties"] for f in answer["features"]}


def _int(props: dict[str, Any] | None, key: str) -> int:
    value = (props or {}).get(key)
    return int(value) if value is not None else 0


def gather(settings: Settings, today: date | None = None) -> Figures:
    """The figures as the signed-in session may see them, on `today` (the community's today by default)."""
    today = today or settings.layers.clock().today()
    week_start = today - timedelta(days=today.weekday())  # ISO weeks start on Monday
    rate_start = today - timedelta(days=RATE_DAYS - 1)
    asks = [
        ("special_groups", Filters()),
        ("visits", Filters(as_of=today)),
        ("complaints", Filters(start=week_start, end=today)),
        ("complaints", Filters(start=rate_start, end=today)),
        ("hazards", Filters(as_of=today)),
        ("complaint_hotspots", Filters()),
        ("emerging_hotspots", Filters()),
    ]
    assert {name for name, _ in asks} == set(LAYERS)
    people, visits, week, recent, hazards, hot, emerging = data_access.aggregates(asks)
    visits_of, week_of, hazards_of, hot_of, emerging_of = (_by_grid(a) for a in (visits, week, hazards, hot, emerging))
    complaints = community.complaints(recent, settings.layers)
    grids = tuple(
        GridNumbers(
            code=code,
            name=props.get("grid_name") or code,
            households=_int(props, "households"),
            special=_int(props, "special_households"),
            visits_overdue=_int(visits_of.get(code), "overdue"),
            complaints_week=_int(week_of.get(code), "complaints"),
            hazards_open=_int(hazards_of.get(code), "open") + _int(hazards_of.get(code), "in_progress"),
            hazards_overdue=_int(hazards_of.get(code), "overdue"),
            hot_bin=_int(hot_of.get(code), "gi_bin"),
            early_warning=bool((emerging_of.get(code) or {}).get("early_warning")),
        )
        for code, props in sorted(_by_grid(people).items())
    )
    return Figures(
        today=today,
        week_start=week_start,
        rate_start=rate_start,
        households=community.total(people, "households"),
        special=community.total(people, "special_households"),
        special_share=community.rate(people, SPECIAL_PER_100, settings.layers),
        visits_due=community.total(visits, "due"),
        visits_pending=community.total(visits, "not_yet_visited"),
        visits_overdue=community.total(visits, "overdue"),
        complaints_week=community.total(week, "complaints"),
        complaints_recent=complaints.complaints,
        response=complaints.response,
        resolution=complaints.resolution,
        satisfaction=complaints.satisfaction,
        hazards_open=community.total(hazards, "open", "in_progress"),
        hazards_in_progress=community.total(hazards, "in_progress"),
        hazards_overdue=community.total(hazards, "overdue"),
        grids=grids,
        weights=Weights.of(settings.dashboard),
    )
