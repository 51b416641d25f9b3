"""The map page's components: the grid choropleth, building dots, optional tiles and the legend."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_leaflet as dl
import shapely
import shapely.geometry
from dash import html
from dash.development.base_component import Component
from dash_extensions.javascript import Namespace, arrow_function

from dashboard.maps.choropleth import Classes
from gridgov.i18n import text
from layers.basemap import Bounds

# functions defined in assets/gridgov_map.js
_js = Namespace("gridgov", "map")

GRID_CLASS = "grid-polygon"  # CSS class of every drawn grid polygon (browser tests select on it)
# Beijing, only used when no grid is loaded yet
_FALLBACK_CENTER = (39.9042, 116.4074)


def grid_map(
    grids: dict[str, Any],
    buildings: dict[str, Any],
    bounds: Bounds | None,
    classes: Classes,
    *,
    tile_url: str = "",
    tile_attribution: str = "",
    lang: str,
    extra: Sequence[Component] = (),
) -> Component:
    """A Leaflet map of the grids shaded by special-group households, fitted to the grids; `extra` layers on top."""
    layers: list[Component] = []
    if tile_url:  # offline installations leave it empty: the vector layers are the base map
        tile_kwargs = {"attribution": tile_attribution} if tile_attribution else {}
        layers.append(dl.TileLayer(url=tile_url, **tile_kwargs))
    layers.append(
        dl.GeoJSON(
            id="grid-layer",
            data=grids,
            style=_js("gridStyle"),
            onEachFeature=_js("gridTooltip"),
            hoverStyle=arrow_function({"weight": 4, "color": "#17324d"}),
            hideout={
                "property": "special_households",
                "thresholds": classes.thresholds,
                "colors": classes.colors,
                "className": GRID_CLASS,
                "labels": {
                    "households": text("households", lang),
                    "special_households": text("special_households", lang),
                },
            },
        )
    )
    layers.append(dl.GeoJSON(id="building-layer", data=buildings, pointToLayer=_js("buildingPoint")))
    layers.extend(extra)
    view: dict[str, Any]
    if bounds is None:
        view = {"center": list(_FALLBACK_CENTER), "zoom": 11}
    else:
        view = {
            "bounds": [[bounds.south, bounds.west], [bounds.north, bounds.east]],
            # room on the right for the legend
            "boundsOptions": {"paddingTopLeft": [24, 24], "paddingBottomRight": [170, 24]},
            # dash-leaflet's viewport tracking reads `center` even when `bounds` sets the view
            "center": [(bounds.south + bounds.north) / 2, (bounds.west + bounds.east) / 2],
        }
    return dl.Map(layers, id="grid-map", className="gg-map", zoomSnap=0.25, **view)


def legend(classes: Classes, *, lang: str) -> html.Div:
    """The colour classes of the choropleth with the count range of each."""
    rows = [
        html.Div(
            [html.Span(className="gg-legend-swatch", style={"background": color}), html.Span(label)],
            className="gg-legend-row",
        )
        for color, label in zip(classes.colors, classes.labels, strict=True)
    ]
    return html.Div([html.Div(text("legend_title", lang), className="gg-legend-title"), *rows], className="gg-legend")


def bounds_of(features: dict[str, Any]) -> Bounds | None:
    """The extent of a FeatureCollection's geometries, or None when it has none."""
    geoms = [shapely.geometry.shape(f["geometry"]) for f in features.get("features", []) if f.get("geometry")]
    if not geoms:
        return None
    west, south, east, north = shapely.GeometryCollection(geoms).bounds
    return Bounds(west, south, east, north)
