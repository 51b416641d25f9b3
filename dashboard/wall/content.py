"""What the wall shows at one moment, keyed by the (component id, property) it fills.

The grids' shapes reach the browser once, by URL (dashboard.web.data_urls); what
changes with the layer on the map and with the data is small: each grid's
value, its colour rules, its tooltip and pop-up text (the grid layer's
`hideout`), the labels, the legend and the panels. `Wall` holds all of it for
every layer of the playlist, built by one function from the data the session
may see (data_access) and kept until the data changes (layers.answers, and at
most FRESH_SECONDS, since the rates depend on the clock). When it is out of
date, the wall is built again in a thread while requests get the one before:
the browser asks again CATCH_UP_MS later (the refresh timer's `interval` is part of
the answer), so a change shows within seconds of the refresh that found it, and no refresh waits for a build. The
page's first build and every refresh read it, so the two can never disagree,
and a refresh costs a lookup. Each layer comes with a digest (MAP_KEY): a refresh whose map is the
one the browser shows already need not send it again.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dash.development.base_component import Component

from dashboard.wall import cases, numbers, orders, view
from dashboard.wall import playlist as layer_playlist
from dashboard.wall.numbers import Figures, gather
from dashboard.web import data_access, data_age
from dashboard.web.appctx import settings
from dashboard.web.session import current_viewer
from gridgov.i18n import text
from layers import answers, registry
from layers.ranking import Weights
from layers.registry import Filters, Layer

Key = tuple[str, str]

MAP: tuple[Key, ...] = (
    ("wall-grid-layer", "hideout"),
    ("wall-rank-layer", "hideout"),  # the ranked grids' outlines
    ("wall-label-layer", "hideout"),
    ("wall-layer-title", "children"),
    ("wall-legend", "children"),
    ("wall-progress", "children"),
)
MAP_KEY: Key = ("wall-map-key", "data")
PANELS: tuple[Key, ...] = (
    ("wall-kpis", "children"),
    ("wall-ranking", "children"),
    ("wall-orders", "children"),
    ("wall-cases", "children"),  # the case loop: open, overdue, escalated (read afresh: dashboard.wall.cases)
    ("wall-waiting", "children"),  # under the ranking: the units called in and awaited longest, with their wait
    ("wall-updated", "children"),
    ("wall-age", "children"),  # 数据截至: the newest record of each source, and a warning when one is old
    ("wall-ok", "data"),  # when this refresh was made, and the stale notice that names its time
)
REFRESH: Key = ("wall-refresh", "interval")  # the refresh timer: soon again after an answer from older data
FILLED: tuple[Key, ...] = (*MAP, MAP_KEY, *PANELS, REFRESH)
CATCH_UP_MS = 3000  # the wall being built afresh in a thread takes about this long on the demo
LABEL_ALL_UP_TO = 60  # grids: with more, only the grids the ranking lists are labelled (3,300 labels are a blur)
ROW_SEPARATOR = "\u001f"  # between a grid's pop-up values in the hideout (the ASCII unit separator; assets/wall.js)
FRESH_SECONDS = 30  # the rates count pending work orders late as time passes: built afresh this often at most


@dataclass(frozen=True)
class Shown:
    """One layer of the playlist, ready for the map: what each of MAP's properties gets, and its digest."""

    filled: dict[Key, Any]
    digest: str


@dataclass(frozen=True)
class Wall:
    """Everything the wall shows but the time: each playlist layer, the figures and the panels."""

    names: tuple[str, ...]
    layers: tuple[Shown, ...]
    figures: Figures
    panels: dict[Key, Any]
    communities: tuple[str, ...]


def _plain(value: Any) -> Any:
    return value.to_plotly_json() if isinstance(value, Component) else str(value)


def digest(filled: dict[Key, Any]) -> str:
    """A fingerprint of the map's part of the wall."""
    plain = json.dumps([filled[key] for key in MAP], sort_keys=True, default=_plain)
    return hashlib.sha256(plain.encode()).hexdigest()


def _warnings(grids: dict[str, Any], lang: str) -> dict[str, str]:
    """On a layer with an early warning (emerging hot spots), the grids it warns of, marked."""
    return {
        f["properties"]["grid_code"]: text("wall_label_warning", lang)
        for f in grids["features"]
        if f["properties"].get("early_warning")
    }


def _ranks(figures: Figures) -> dict[str, int]:
    """grid_code -> its place in the ranking, of the grids the ranking lists (outlined and numbered on the map)."""
    return {r.unit.code: r.rank for r in figures.needing_attention(view.RANKED)}


def _labelled(grids: dict[str, Any], figures: Figures) -> dict[str, str]:
    """grid_code -> name of the grids written on the map: all of a community, the ranked ones of a city."""
    names = {
        f["properties"]["grid_code"]: f["properties"].get("grid_name") or f["properties"]["grid_code"]
        for f in grids["features"]
    }
    if len(names) <= LABEL_ALL_UP_TO:
        return names
    return {code: names[code] for code in _ranks(figures) if code in names}


def _layer(layer: Layer, index: int, names: tuple[str, ...], figures: Figures, lang: str) -> Shown:
    grids = data_access.aggregate(layer.name, Filters())
    styled = layer_playlist.style(layer, grids, lang)
    title = styled.title or layer_playlist.legend_title(layer, lang)
    by_code = {g.code: g for g in figures.grids}
    # one string per grid, its values joined by ROW_SEPARATOR: 3,300 strings travel faster than 26,400
    rows = {
        code: ROW_SEPARATOR.join(value for _, value in view.popup_rows(g, figures, lang)) for code, g in by_code.items()
    }
    row_labels = [label for label, _ in view.popup_rows(figures.grids[0], figures, lang)] if figures.grids else []
    grid_hideout = {
        **styled.hideout,
        "tips": {code: f"{title}：{shown}" for code, shown in styled.values.items()},
        "rowLabels": row_labels,
        "rows": rows,
    }
    values = styled.values if layer.legend.kind in ("count", "rate") else _warnings(grids, lang)
    ranks = _ranks(figures)
    labels = {
        code: {"name": name, "value": values.get(code, ""), "rank": ranks.get(code)}
        for code, name in _labelled(grids, figures).items()
    }
    explain = " ".join(filter(None, [styled.shades_note, registry.legend_note(layer, lang, settings().layers)]))
    filled: dict[Key, Any] = {
        ("wall-grid-layer", "hideout"): grid_hideout,
        ("wall-rank-layer", "hideout"): {"ranks": ranks},
        ("wall-label-layer", "hideout"): {"labels": labels},
        ("wall-layer-title", "children"): layer_playlist.layer_label(layer, lang),
        ("wall-legend", "children"): view.legend(title, styled, explain, lang),
        ("wall-progress", "children"): view.progress(
            [layer_playlist.layer_label(registry.get(n), lang) for n in names], index
        ),
    }
    return Shown(filled, digest(filled))


def playlist() -> tuple[str, ...]:
    """The layers the wall rotates through, for the session's viewer."""
    return layer_playlist.playlist(settings(), current_viewer())


def _build(names: tuple[str, ...], lang: str) -> Wall:
    config = settings()
    figures = gather(config)
    layers = tuple(_layer(registry.get(name), i, names, figures, lang) for i, name in enumerate(names))
    people = data_access.aggregate("special_groups", Filters())["features"]
    panels: dict[Key, Any] = {
        ("wall-kpis", "children"): view.tiles(figures, lang),
        ("wall-ranking", "children"): view.ranking(figures, lang),
        ("wall-orders", "children"): view.banner(orders.latest(), lang, config.layers.timezone),
    }
    communities = tuple(dict.fromkeys(f["properties"]["community_name"] for f in people))
    return Wall(names, layers, figures, panels, communities)


def wall(lang: str) -> Wall:
    """The wall for the session's viewer in `lang`, kept until the data changes (or FRESH_SECONDS pass)."""
    names = playlist()
    config = settings()
    # the ranking's weights are in the key: two apps of one process (tests) may weigh differently
    key = ("wall", current_viewer(), names, lang, registry.today(config.layers), config.layers.model_dump_json(),
           Weights.of(config.dashboard))
    reads = data_access.reads_of((*names, *numbers.LAYERS), *orders.READS)
    return data_access.remembered(
        key, lambda: _build(names, lang), reads=reads, fresh_for=FRESH_SECONDS, meanwhile_older=True
    )


def content(turn: int, lang: str) -> dict[Key, Any]:
    """Everything the wall shows, for the playlist's layer at `turn`, as the session may see it."""
    shown_wall = wall(lang)
    older = answers.served_older()  # read at once: later look-ups of this request reset it
    layer = shown_wall.layers[turn % len(shown_wall.names)]
    # when this refresh happened, on the community's wall clock: a real instant even when settings.layers.now pins
    # the community's calendar (the browser compares it with its own clock)
    now = datetime.now(settings().layers.clock().zone).strftime("%H:%M:%S")
    return {
        **layer.filled,
        MAP_KEY: layer.digest,
        **shown_wall.panels,
        ("wall-cases", "children"): cases.panel(lang),
        ("wall-waiting", "children"): cases.waiting(lang),
        ("wall-updated", "children"): text("wall_updated", lang, time=now),
        ("wall-age", "children"): data_age.current(lang),
        ("wall-ok", "data"): {"at": int(time.time() * 1000), "stale": text("wall_stale", lang, time=now)},
        REFRESH: CATCH_UP_MS if older else settings().dashboard.wall_refresh_seconds * 1000,
    }
