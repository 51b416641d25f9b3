"""The two hot-spot layers on the wall in plain words: 热点/冷点, 新增热点, 持续热点…, calm when nothing stands out.

The layers' own legends (layers.hotspots, layers.emerging) name a Gi*
confidence bin or an ArcGIS pattern, for planners. Across a room those words
and the statistics behind them (z, p, Gi*, Mann-Kendall) are noise: the wall
says hot spot or cold spot, and for the emerging analysis its kind (new,
persistent, …), with the method behind a "?" (the layer's note). A grid that is
not significant is drawn in CALM, a muted slate of the dark theme, not the
layers' pale yellow or white; when no grid is a hot spot the wall says so in
words (暂无显著热点) and the map shows no warm colour at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gridgov.i18n import text
from layers.registry import Layer

CALM = "#2b4055"  # not significant, no pattern: a muted slate that reads as "nothing here" on the dark wall
HOT, COLD, NEITHER = "hot", "cold", "neither"


@dataclass(frozen=True)
class Row:
    """One row of a plain legend: its colours (lightest first), its words, whether a grid has it now."""

    colors: tuple[str, ...]
    label: str
    present: bool


@dataclass(frozen=True)
class Plain:
    """A hot-spot layer in plain words: colours by value, legend rows, each value's words, and the notice."""

    colors: dict[str, str]
    rows: tuple[Row, ...]
    names: dict[str, str]  # value -> its words
    notice: str  # "" unless no grid is a hot spot
    title: str
    shades_note: str  # what the shades mean ("" when one colour is one thing)


def _side(layer: Layer, value: str) -> str:
    """Whether a category of the layer is a hot spot, a cold spot, or neither."""
    if layer.legend.kind == "bin":
        n = int(value)
        return HOT if n > 0 else COLD if n < 0 else NEITHER
    if value.endswith("_hot_spot"):
        return HOT
    if value.endswith("_cold_spot"):
        return COLD
    return NEITHER


def _pattern(value: str, lang: str) -> str:
    """An emerging pattern (`new_hot_spot`) in plain words (新增热点)."""
    kind, side = value.removesuffix("_spot").rsplit("_", 1)
    return text("wall_pattern", lang, kind=text(f"wall_pattern_{kind}", lang), spot=text(f"wall_pattern_{side}", lang))


def _bins(layer: Layer, present: set[str], lang: str) -> Plain:
    """Gi* bins: 热点 and 冷点 in three shades each (the layer's colours), 不显著 calm."""
    colors = {value: (CALM if _side(layer, value) == NEITHER else color) for value, _, color in layer.legend.categories}
    words = {HOT: text("wall_spots_hot", lang), COLD: text("wall_spots_cold", lang), NEITHER: text("wall_spots_neither", lang)}
    names = {value: words[_side(layer, value)] for value, _, _ in layer.legend.categories}
    rows = []
    for side in (HOT, NEITHER, COLD):
        values = sorted((v for v in colors if _side(layer, v) == side), key=lambda v: abs(int(v)))
        rows.append(Row(tuple(colors[v] for v in values), words[side], bool(present & set(values))))
    return Plain(colors, tuple(rows), names, "", text("wall_spots_title", lang), text("wall_spots_shades", lang))


def _patterns(layer: Layer, present: set[str], lang: str) -> Plain:
    """Emerging patterns: the ones some grid has now, hot first, in plain words; no pattern calm."""
    colors = {value: (CALM if _side(layer, value) == NEITHER else color) for value, _, color in layer.legend.categories}
    names = {
        value: _pattern(value, lang) if _side(layer, value) != NEITHER else text("wall_pattern_none", lang)
        for value in colors
    }
    shown = [v for v in colors if v in present and _side(layer, v) != NEITHER]
    rows = [Row((colors[v],), names[v], True) for v in shown]
    calm = [v for v in colors if _side(layer, v) == NEITHER]
    rows += [Row((CALM,), text("wall_pattern_none", lang), bool(present & set(calm)))]
    return Plain(colors, tuple(rows), names, "", text("wall_pattern_title", lang), "")


def plain(layer: Layer, values: dict[str, Any], lang: str) -> Plain:
    """The layer (kind bin or category) in plain words for the grids' `values` (grid_code -> category)."""
    present = {str(v) for v in values.values() if v is not None}
    made = _bins(layer, present, lang) if layer.legend.kind == "bin" else _patterns(layer, present, lang)
    if not any(_side(layer, v) == HOT for v in present):
        return Plain(made.colors, made.rows, made.names, text("wall_spots_none", lang), made.title, made.shades_note)
    return made
