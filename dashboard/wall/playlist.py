"""The wall's map layers: the playlist it rotates through, and how each layer is coloured, labelled and explained.

A layer's legend (layers.registry.Legend) says which property colours the
grids and how: a count or a rate in classes, a hot-spot bin or an emerging
pattern as categories with the layer's own colours. This module turns that into
the `hideout` the browser's style function reads (assets/wall.js: each grid's
value by its code, and how values map to colours), the legend's rows and the
text shown for each grid's value. Titles and category names come
from the registry in the session's language, like every layer name on the site.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, replace
from typing import Any

from dashboard.maps.choropleth import count_classes
from dashboard.maps.map_view import GRID_CLASS
from dashboard.wall import spots
from gridgov.i18n import text
from gridgov.settings import Settings
from layers import registry
from layers.registry import Layer, Viewer

_log = logging.getLogger(__name__)

DEFAULT_PLAYLIST = ("special_groups",)
NO_DATA_COLOR = "#4a5563"  # a grid without a value: grey, distinct from every class colour
RATE_THRESHOLDS = (0, 20, 40, 60, 80)
RATE_COLORS = ("#b30000", "#e34a33", "#fc8d59", "#fdcc8a", "#fef0d9")  # a low rate is the alarming one


@functools.cache
def _warn_skipped(names: tuple[str, ...]) -> None:
    """Say once, not at every refresh, which names of the playlist are no layer the wall may show."""
    _log.warning("GRIDGOV_WALL_PLAYLIST: %s skipped (no such layer, or not one a secretary may see)", ", ".join(names))


def playlist(settings: Settings, viewer: Viewer) -> tuple[str, ...]:
    """The layers of settings.dashboard.wall_playlist the viewer may see, in its order; DEFAULT_PLAYLIST when none is."""
    visible = {layer.name for layer in registry.visible_to(viewer)}
    wanted = [name.strip() for name in settings.dashboard.wall_playlist.split(",") if name.strip()]
    skipped = tuple(name for name in wanted if name not in visible)
    if skipped:
        _warn_skipped(skipped)
    return tuple(name for name in wanted if name in visible) or DEFAULT_PLAYLIST


def layer_label(layer: Layer, lang: str) -> str:
    """The layer's name in `lang`."""
    return text(layer.label, lang)


def legend_title(layer: Layer, lang: str) -> str:
    """What the colours mean, in `lang`."""
    return text(layer.legend.title, lang)


@dataclass(frozen=True)
class Swatch:
    """One row of the legend: its colour (and shades of it), what it stands for, and whether any grid has it now."""

    color: str
    label: str
    present: bool = True
    shades: tuple[str, ...] = ()  # further colours of the same row (a hot spot's three confidence levels)


@dataclass(frozen=True)
class Styled:
    """A layer ready to draw: its hideout for the style function, its legend rows and each grid's value as text."""

    hideout: dict[str, Any]
    swatches: tuple[Swatch, ...]
    values: dict[str, str]  # grid_code -> the value as shown
    title: str = ""  # the legend's title when the wall words it otherwise than the layer ("": legend_title)
    notice: str = ""  # said in words beside the legend (暂无显著热点)
    shades_note: str = ""  # what a row's shades mean, behind the legend's "?"


def _categorical(layer: Layer, values: dict[str, Any], lang: str) -> Styled:
    """A hot-spot layer, in the wall's plain words (dashboard.wall.spots)."""
    worded = spots.plain(layer, values, lang)
    hideout = {"mode": "categories", "categories": worded.colors}
    swatches = tuple(Swatch(r.colors[-1], r.label, r.present, r.colors[:-1]) for r in worded.rows)
    shown = {
        code: worded.names.get(str(v), str(v)) if v is not None else text("wall_no_value", lang)
        for code, v in values.items()
    }
    return Styled(hideout, swatches, shown, worded.title, worded.notice, worded.shades_note)


def _classed(layer: Layer, values: dict[str, Any], lang: str) -> Styled:
    numbers = [float(v) for v in values.values() if v is not None]
    if layer.legend.kind == "rate":
        thresholds = list(RATE_THRESHOLDS)
        colors = list(RATE_COLORS)
        uppers = [*RATE_THRESHOLDS[1:], 100]
        labels = [f"{lo}–{hi}%" for lo, hi in zip(thresholds, uppers, strict=True)]
        shown = {
            code: f"{float(v):.1f}%" if v is not None else text("wall_no_value", lang) for code, v in values.items()
        }
    else:
        classes = count_classes(int(max(numbers, default=0)))
        thresholds, colors, labels = classes.thresholds, classes.colors, classes.labels
        shown = {code: f"{int(v):,}" if v is not None else text("wall_no_value", lang) for code, v in values.items()}
    hideout = {"mode": "classes", "thresholds": thresholds, "colors": colors}
    return Styled(hideout, tuple(Swatch(c, label) for c, label in zip(colors, labels, strict=True)), shown)


def style(layer: Layer, grids: dict[str, Any], lang: str) -> Styled:
    """How the grids of `grids` (the layer's aggregate) are coloured, the legend's rows and each grid's value."""
    prop = layer.legend.property
    values = {f["properties"]["grid_code"]: f["properties"].get(prop) for f in grids["features"]}
    styled = (
        _categorical(layer, values, lang) if layer.legend.kind in ("bin", "category") else _classed(layer, values, lang)
    )
    if any(v is None for v in values.values()):
        styled = replace(styled, swatches=(*styled.swatches, Swatch(NO_DATA_COLOR, text("wall_no_value", lang))))
    styled.hideout.update({"property": prop, "values": values, "none": NO_DATA_COLOR, "className": GRID_CLASS})
    return styled
