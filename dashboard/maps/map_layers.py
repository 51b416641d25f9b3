"""Map layers any page can put in a dash-leaflet map: a layer control, base maps, per-grid and point layers by URL.

- `base_layers`: the tile layer of the settings (when there is one) and a blank base, so the map is whole
  without any tile server;
- `grid_layer`: a per-grid layer fetched by the browser from its data URL (geobuf, dashboard.web.data_urls),
  coloured in the browser from a layer_style hideout, with a tooltip on hover and the grid's numbers on click;
- `point_layer`: detail points fetched from their data URL and clustered (supercluster) until zoomed in;
- `layer_control`: the Leaflet layer control over base layers and named overlays.

Large feature sets never pass through a Dash callback: a callback sets a URL,
and the browser fetches it from the data URLs, which check the session.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_leaflet as dl
from dash.development.base_component import Component
from dash_extensions.javascript import Namespace, arrow_function

from gridgov.i18n import text

_js = Namespace("gridgov", "map")

CLUSTER_RADIUS = 60  # pixels: points closer than this at the current zoom are drawn as one cluster
POINT_CLASS = "detail-point"


def base_layers(tile_url: str, tile_attribution: str, lang: str) -> list[Component]:
    """The tiles of the settings and a blank base (vector layers only); none at all when no tile URL is set."""
    if not tile_url:  # offline installations: the vector layers are the whole map, nothing to choose
        return []
    kwargs = {"attribution": tile_attribution} if tile_attribution else {}
    return [
        dl.BaseLayer(dl.TileLayer(url=tile_url, **kwargs), name=text("map_base_tiles", lang), checked=True),
        dl.BaseLayer(dl.LayerGroup([]), name=text("map_base_none", lang), checked=False),
    ]


def grid_layer(id: str, *, url: str | None = None, hideout: dict[str, Any] | None = None, fit: bool = True) -> dl.GeoJSON:
    """A per-grid layer read from `url` (geobuf), styled by `hideout` (dashboard.maps.layer_style.hideout)."""
    return dl.GeoJSON(
        id=id,
        url=url,
        format="geobuf",
        style=_js("layerStyle"),
        onEachFeature=_js("layerFeature"),
        hoverStyle=arrow_function({"weight": 4, "color": "#17324d"}),
        hideout=hideout or {},
        zoomToBounds=fit,
    )


def point_layer(id: str, *, url: str | None = None, hideout: dict[str, Any] | None = None) -> dl.GeoJSON:
    """Detail points read from `url` (GeoJSON), clustered until zoomed in; a tooltip names each point."""
    return dl.GeoJSON(
        id=id,
        url=url,
        cluster=True,
        superClusterOptions={"radius": CLUSTER_RADIUS},
        zoomToBoundsOnClick=True,
        pointToLayer=_js("detailPoint"),
        hideout={"className": POINT_CLASS, **(hideout or {})},
    )


def layer_control(base: Sequence[Component], overlays: Sequence[tuple[str, Component, bool]]) -> dl.LayersControl:
    """The layer control: the base layers, and each overlay as (name, layer, shown at first)."""
    items = [*base, *(dl.Overlay(layer, name=name, checked=checked) for name, layer, checked in overlays)]
    return dl.LayersControl(items, position="topright", collapsed=False)
