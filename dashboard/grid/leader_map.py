"""The grid leader's map: only their grid polygons, fitted to them, with their households, complaints and hazards.

The polygons come from the registry as the session's Viewer may see them (a
grid leader's own grids, nothing else is ever sent). The points of the three
kinds arrive in three stores filled by the page's callbacks and are drawn as
one clustered layer (merged in the browser, assets/grid_points.js), so the
points of one building, whatever their kind, make one cluster at every zoom:
a tap on it zooms in, and where they share a spot, spreads them out on legs
(dash-leaflet's spiderfy, at the clusters' last zoom, which is the map's
deepest). Each kind has its colour and size, said by the legend over the
map; the tooltips' words come from the catalogue (gridgov.i18n) through the
layer's hideout.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_leaflet as dl
from dash import ClientsideFunction, Input, Output, dcc, html
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
MAX_ZOOM = 19  # the map's deepest zoom; clusters are kept down to it, so points on one spot always spread on a tap
CLUSTER_OPTIONS = {"radius": 40, "maxZoom": MAX_ZOOM}
POINT_CLASS = {"household": "household-point", "complaint": "complaint-point", "hazard": "hazard-point"}
KINDS = ("household", "hazard", "complaint")  # the legend's order; the stores' ids are `<kind>-layer`
# one calm colour: a leader's map is not a choropleth (the numbers are beside it and in the tooltip)
PLAIN = Classes(thresholds=[0], colors=["#dde7f0"], labels=[""])

_js = Namespace("gridgovGrid", "points")


def _hideout(lang: str) -> dict[str, Any]:
    """The points' classes and the words of their tooltips, for every kind."""
    return {
        "className": POINT_CLASS,
        "cluster": {kind: text(f"cluster_{kind}", lang) for kind in KINDS},
        "separator": text("separator", lang),
        "groups": {g: text(f"group_{g}", lang) for g in SPECIAL_GROUPS},
        "complaintStatuses": {s: text(f"complaint_status_{s}", lang) for s in COMPLAINT_STATUSES},
        "hazardStatuses": {s: text(f"hazard_status_{s}", lang) for s in HAZARD_STATUSES},
        "severities": {s: text(f"severity_{s}", lang) for s in HAZARD_SEVERITIES},
        "deadline": text("deadline_prefix", lang),
    }


def point_layer(lang: str) -> Component:
    """The one clustered layer of the leader's points (`point-layer`), filled from the three stores in the browser."""
    return dl.GeoJSON(
        id="point-layer",
        data=EMPTY,
        cluster=True,
        superClusterOptions=CLUSTER_OPTIONS,
        zoomToBoundsOnClick=True,
        spiderfyOnMaxZoom=True,
        pointToLayer=_js("point"),
        clusterToLayer=_js("cluster"),
        hideout=_hideout(lang),
    )


def legend(lang: str) -> Component:
    """What the map's marks mean: a swatch per kind of point, and the clusters' numbers."""
    def row(kind: str, swatch: str = "") -> Component:
        data: dict[str, Any] = {"data-kind": kind}
        return html.Div([html.Span(swatch, className=f"gg-swatch gg-swatch-{kind}"), html.Span(text(f"legend_{kind}", lang))],
                        className="gg-legend-row", **data)

    rows = [row(kind) for kind in KINDS]
    cluster = row("cluster", "3")
    title = html.Span(text("map_legend", lang), className="gg-legend-title")
    return html.Div([title, *rows, cluster], className="gg-point-legend", role="note")


def build(lang: str) -> tuple[list[Component], dict[str, Any]]:
    """The map of the session's grids with the points' layer, its legend and the points' stores; the grids drawn."""
    grids = data_access.aggregate(GRID_LAYER, Filters())
    config = settings()
    leaflet = map_view.grid_map(
        grids, EMPTY, map_view.bounds_of(grids), PLAIN,
        tile_url=config.dashboard.tile_url, tile_attribution=config.dashboard.tile_attribution, lang=lang,
        extra=(point_layer(lang),),
    )
    if isinstance(leaflet, dl.Map):
        leaflet.maxZoom = MAX_ZOOM
        if getattr(leaflet, "bounds", None):
            # the legend sits under the map: the same margin on every side, phone or desk
            leaflet.boundsOptions = {"padding": [20, 20]}
    stores = [dcc.Store(id=f"{kind}-layer", data=EMPTY) for kind in KINDS]
    return [leaflet, legend(lang), *stores], grids


def register(app: dash.Dash) -> None:
    """Merge the three stores into the points' layer, in the browser."""
    app.clientside_callback(
        ClientsideFunction(namespace="gridgovGrid", function_name="mergePoints"),
        Output("point-layer", "data"),
        *(Input(f"{kind}-layer", "data") for kind in KINDS),
    )
