"""The grid leader's map: only their grid polygons, fitted to them, with clustered household, complaint and hazard points.

The polygons come from the registry as the session's Viewer may see them (a
grid leader's own grids, nothing else is ever sent); the point layers start
empty and are filled by the page's callbacks. Points cluster when zoomed out
(at street level, zoom 16 and closer, each is its own dot) and carry tooltips;
the words come from the catalogue (gridgov.i18n) through each layer's hideout.
"""

from __future__ import annotations

from typing import Any

import dash_leaflet as dl
from dash.development.base_component import Component
from dash_extensions.javascript import Namespace

from dashboard.maps import map_view
from dashboard.maps.choropleth import Classes
from dashboard.web import data_access
from dashboard.web.appctx import settings
from gridgov.groups import SPECIAL_GROUPS
from gridgov.i18n import text
from gridgov.vocabulary import COMPLAINT_STATUSES, HAZARD_SEVERITIES, HAZARD_STATUSES
from layers.registry import Filters

GRID_LAYER = "special_groups"  # the polygons, with the households and special-group households of the tooltip
EMPTY: dict[str, Any] = {"type": "FeatureCollection", "features": []}
CLUSTER_OPTIONS = {"radius": 40, "maxZoom": 15}  # no clusters at zoom 16 and closer
POINT_CLASS = {"household": "household-point", "complaint": "complaint-point", "hazard": "hazard-point"}
# bottom to top: points of one building sit on one spot, so the households are the widest ring and the
# complaints the smallest dot, each layer in its own pane (z-index in assets/grid.css) whatever loads first
POINT_ORDER = ("household", "hazard", "complaint")
# one calm colour: a leader's map is not a choropleth (the numbers are beside it and in the tooltip)
PLAIN = Classes(thresholds=[0], colors=["#dde7f0"], labels=[""])

_js = Namespace("gridgovGrid", "points")


def _hideout(kind: str, lang: str) -> dict[str, Any]:
    hideout: dict[str, Any] = {
        "kind": kind,
        "className": POINT_CLASS[kind],
        "pane": f"gg-{kind}",
        "cluster": text(f"cluster_{kind}", lang),
        "separator": text("separator", lang),
    }
    if kind == "household":
        hideout["groups"] = {g: text(f"group_{g}", lang) for g in SPECIAL_GROUPS}
    elif kind == "complaint":
        hideout["statuses"] = {s: text(f"complaint_status_{s}", lang) for s in COMPLAINT_STATUSES}
    else:
        hideout["statuses"] = {s: text(f"hazard_status_{s}", lang) for s in HAZARD_STATUSES}
        hideout["severities"] = {s: text(f"severity_{s}", lang) for s in HAZARD_SEVERITIES}
        hideout["deadline"] = text("deadline_prefix", lang)
    return hideout


def point_layer(kind: str, lang: str) -> Component:
    """An empty, clustered point layer `<kind>-layer` (household, complaint or hazard) in its own pane."""
    layer = dl.GeoJSON(
        id=f"{kind}-layer",
        data=EMPTY,
        cluster=True,
        superClusterOptions=CLUSTER_OPTIONS,
        pointToLayer=_js("point"),
        clusterToLayer=_js("cluster"),
        hideout=_hideout(kind, lang),
    )
    return dl.Pane(layer, name=f"gg-{kind}", className=f"gg-pane-{kind}")


def build(lang: str) -> tuple[Component, dict[str, Any]]:
    """The map of the session's grids with the three point layers, and the grid features drawn."""
    grids = data_access.aggregate(GRID_LAYER, Filters())
    config = settings()
    leaflet = map_view.grid_map(
        grids, EMPTY, map_view.bounds_of(grids), PLAIN,
        tile_url=config.dashboard.tile_url, tile_attribution=config.dashboard.tile_attribution, lang=lang,
        extra=tuple(point_layer(kind, lang) for kind in POINT_ORDER),
    )
    if isinstance(leaflet, dl.Map) and getattr(leaflet, "bounds", None):
        # no legend over this map (the counts sit beside it): the same margin on every side, phone or desk
        leaflet.boundsOptions = {"padding": [20, 20]}
    return leaflet, grids
