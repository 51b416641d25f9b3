"""A map of what the role may see: the special-groups layer as the registry gives it to the session's Viewer.

Used by the grid leader's page; the planner's page is dashboard.export_page.
"""

from __future__ import annotations

from typing import Any

from dash.development.base_component import Component

from dashboard import data_access, map_view
from dashboard.appctx import settings
from dashboard.choropleth import count_classes
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

