"""What the wall shows at one moment, keyed by the (component id, property) it fills.

One function, `content`, reads everything for the playlist's layer at a turn
(the map layer through data_access, the figures, the latest work orders) and
renders it; the page's first build and every refresh use it, so the two can
never disagree. The map's part comes with a digest (MAP_KEY): a refresh whose
map is the one the browser already shows need not send it again.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from dash.development.base_component import Component

from dashboard import data_access, wall_layers, wall_orders, wall_view
from dashboard.appctx import settings
from dashboard.i18n import text
from dashboard.session import current_viewer
from dashboard.wall_numbers import Figures, gather
from layers import registry
from layers.registry import Filters

Key = tuple[str, str]

MAP: tuple[Key, ...] = (
    ("wall-grid-layer", "data"),
    ("wall-grid-layer", "hideout"),
    ("wall-label-layer", "data"),
    ("wall-layer-title", "children"),
    ("wall-legend", "children"),
    ("wall-progress", "children"),
)
MAP_KEY: Key = ("wall-map-key", "data")
PANELS: tuple[Key, ...] = (
    ("wall-kpis", "children"),
    ("wall-ranking", "children"),
    ("wall-orders", "children"),
    ("wall-updated", "children"),
    ("wall-ok", "data"),  # when this refresh was made, and the stale notice that names its time
)
FILLED: tuple[Key, ...] = (*MAP, MAP_KEY, *PANELS)


def _decorated(grids: dict[str, Any], figures: Figures, values: dict[str, str], tip: str, lang: str) -> dict[str, Any]:
    """The layer's features (copied: the registry's are cached) with the text the browser shows for each grid."""
    by_code = {g.code: g for g in figures.grids}
    features = []
    for f in grids["features"]:
        code = f["properties"]["grid_code"]
        extra = {
            "wall_tip": f"{tip}：{values.get(code, '')}",
            "wall_rows": wall_view.popup_rows(by_code.get(code), lang),
        }
        features.append({**f, "properties": {**f["properties"], **extra}})
    return {"type": "FeatureCollection", "features": features}


def _warnings(grids: dict[str, Any], lang: str) -> dict[str, str]:
    """On a layer with an early warning (emerging hot spots), the grids it warns of, marked."""
    return {
        f["properties"]["grid_code"]: text("wall_popup_warning", lang)
        for f in grids["features"]
        if f["properties"].get("early_warning")
    }


def _plain(value: Any) -> Any:
    return value.to_plotly_json() if isinstance(value, Component) else str(value)


def digest(shown: dict[Key, Any]) -> str:
    """A fingerprint of the map's part of the wall."""
    plain = json.dumps([shown[key] for key in MAP], sort_keys=True, default=_plain)
    return hashlib.sha256(plain.encode()).hexdigest()


def playlist() -> tuple[str, ...]:
    """The layers the wall rotates through, for the session's viewer."""
    return wall_layers.playlist(settings(), current_viewer())


def content(turn: int, lang: str) -> dict[Key, Any]:
    """Everything the wall shows, for the playlist's layer at `turn`, as the session may see it."""
    config = settings()
    names = playlist()
    index = turn % len(names)
    layer = registry.get(names[index])
    grids = data_access.aggregate(layer.name, Filters())
    figures = gather(config)
    orders = wall_orders.latest()
    styled = wall_layers.style(layer, grids, lang)
    title = wall_layers.legend_title(layer, lang)
    labels = styled.values if layer.legend.kind in ("count", "rate") else _warnings(grids, lang)
    now = datetime.now(ZoneInfo(config.timezone)).strftime("%H:%M:%S")
    shown: dict[Key, Any] = {
        ("wall-grid-layer", "data"): _decorated(grids, figures, styled.values, title, lang),
        ("wall-grid-layer", "hideout"): styled.hideout,
        ("wall-label-layer", "data"): wall_layers.label_points(grids, labels),
        ("wall-layer-title", "children"): wall_layers.layer_label(layer, lang),
        ("wall-legend", "children"): wall_view.legend(title, styled.swatches),
        ("wall-progress", "children"): wall_view.progress(
            [wall_layers.layer_label(registry.get(n), lang) for n in names], index
        ),
        ("wall-kpis", "children"): wall_view.tiles(figures, lang),
        ("wall-ranking", "children"): wall_view.ranking(figures, lang),
        ("wall-orders", "children"): wall_view.banner(orders, lang, config.timezone),
        ("wall-updated", "children"): text("wall_updated", lang, time=now),
        ("wall-ok", "data"): {"at": int(time.time() * 1000), "stale": text("wall_stale", lang, time=now)},
    }
    shown[MAP_KEY] = digest(shown)
    return shown
