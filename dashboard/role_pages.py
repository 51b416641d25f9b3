"""The landing pages of the secretary (/wall) and the planner (/export): a map of what the role may see.

First cut: each draws the special-groups layer as the registry gives it to the
session's Viewer (the planner's de-identified, small counts withheld); the
export page also lists the data URLs a planner may download.
"""

from __future__ import annotations

from typing import Any

from dash import html
from dash.development.base_component import Component

from dashboard import data_access, map_view
from dashboard.appctx import settings
from dashboard.choropleth import count_classes
from dashboard.chrome import shell
from dashboard.i18n import text
from dashboard.session import current_viewer
from gridgov.accounts import Account
from layers import registry
from layers.registry import Filters

EMPTY: dict[str, Any] = {"type": "FeatureCollection", "features": []}
MAP_LAYER = "special_groups"


def role_map(lang: str, *, extra: tuple[Component, ...] = ()) -> tuple[list[Component], dict[str, Any]]:
    """The map and legend of MAP_LAYER as the session may see it, and the features drawn."""
    grids = data_access.aggregate(MAP_LAYER, Filters())
    values = [f["properties"].get("special_households") or 0 for f in grids["features"]]
    classes = count_classes(max(values, default=0))
    config = settings()
    leaflet = map_view.grid_map(
        grids, EMPTY, map_view.bounds_of(grids), classes,
        tile_url=config.tile_url, tile_attribution=config.tile_attribution, lang=lang, extra=extra,
    )
    return [leaflet, map_view.legend(classes, lang=lang)], grids


def wall(account: Account, lang: str) -> Component:
    """The secretary's overview of every grid."""
    body, grids = role_map(lang)
    return shell(text("title_wall", lang), _grid_count(grids, lang), *body)


def export(account: Account, lang: str) -> Component:
    """The planner's de-identified map and the layers they may download."""
    body, grids = role_map(lang)
    links = [
        html.Li(html.A(layer.label_zh if lang == "zh" else layer.label_en, href=f"/data/{layer.name}.json"))
        for layer in registry.visible_to(current_viewer())
    ]
    panel = html.Div([html.Div(text("downloads", lang), className="gg-legend-title"), html.Ul(links)], className="gg-panel")
    return shell(text("title_export", lang), _grid_count(grids, lang), *body, panel)


def _grid_count(grids: dict[str, Any], lang: str) -> str:
    names = [f["properties"].get("grid_name") or f["properties"]["grid_code"] for f in grids["features"]]
    return text("separator", lang).join(names)
