"""The planner's page (/export): pick a layer, grids, a time window and categories; preview; download; the OGC API.

The panel (dashboard.export.panel) shows the filters the picked layer accepts
(Layer.accepts); the grids and categories offered come from the data
(dashboard.export.options).
Every pick runs one callback on the server: it turns the picks into the query
parameters of the data URLs, checks them as the data URLs do, computes the
layer's de-identified per-grid features once for the legend and the count
(audited as a view of de-identified data), and hands the map a URL (geobuf)
and the two download buttons the URLs they post to. The features themselves
reach the browser from the data URL, never through the callback. The
callbacks answer only a signed-in planner: a crafted request from any other
role is a 403. The picks are bounded as a data URL's are
(dashboard.web.query_filters): a window too long, too many grids or a bad
value is shown as the error, before anything is computed.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_leaflet as dl
from dash import Input, Output, html
from dash.development.base_component import Component

from dashboard.export import options, panel
from dashboard.maps import layer_legend, layer_style, map_layers
from dashboard.maps.map_view import GRID_CLASS
from dashboard.web import data_access, data_urls
from dashboard.web.appctx import settings
from dashboard.web.chrome import shell
from dashboard.web.session import language, require_account
from gridgov import access
from gridgov.access import Access, Role
from gridgov.accounts import Account
from gridgov.errors import Forbidden, InputError
from gridgov.i18n import text
from layers import registry
from layers.export import OPEN_DATA_SCHEMA
from layers.registry import Viewer

PREVIEW_CLASS = f"{GRID_CLASS} export-polygon"
_HIDDEN = {"display": "none"}
_SHOWN: dict[str, str] = {}
_FALLBACK_VIEW: dict[str, Any] = {"center": [39.9042, 116.4074], "zoom": 12}  # replaced by the preview's extent once it loads


def _require_planner() -> Account:
    account = require_account()
    if not access.decide(account.role, access.page("/export")).allowed:
        raise Forbidden(f"a {account.role.value} may not use the planner's export page")
    return account


def _point_overlays(lang: str) -> list[tuple[str, Component, bool]]:
    """A clustered overlay of each layer whose detail points a planner may see (public places: facilities)."""
    viewer = Viewer(Role.PLANNER)
    overlays: list[tuple[str, Component, bool]] = []
    for lyr in registry.visible_to(viewer):
        if lyr.access.get(viewer.role) is Access.DETAIL:
            named = [c.name for c in lyr.detail_columns if c.type == "str" and not c.name.endswith("_id")][:2]
            layer = map_layers.point_layer(
                f"export-points-{lyr.name}", url=f"{data_urls.PREFIX}{lyr.name}/detail.json", hideout={"tooltip": named}
            )
            overlays.append((text("map_points", lang, layer=panel.label(lyr, lang)), layer, False))
    return overlays


def _map(lang: str) -> dl.Map:
    config = settings()
    preview = map_layers.grid_layer("export-preview")
    control = map_layers.layer_control(
        map_layers.base_layers(config.dashboard.tile_url, config.dashboard.tile_attribution, lang),
        [(text("map_preview", lang), preview, True), *_point_overlays(lang)],
    )
    return dl.Map([control], id="export-map", className="gg-map", zoomSnap=0.25, **_FALLBACK_VIEW)


def build(account: Account, lang: str) -> Component:
    """The page: the picks and downloads on the left, the preview map with its legend on the right."""
    _require_planner()
    layers = options.layers()
    body = html.Div(
        [panel.panel(lang, layers), html.Div([_map(lang), html.Div(id="export-legend")], className="gg-export-map")],
        className="gg-export",
    )
    return shell(text("title_export", lang), text("export_summary", lang), body)


def controls(name: Any) -> tuple[list[dict[str, str]], list[str], dict[str, str], dict[str, str], dict[str, str]]:
    """For the picked layer: the categories in the data, none picked, and which filter fields it shows."""
    _require_planner()
    layer = options.layer(name)
    choices = [{"label": c, "value": c} for c in options.categories(layer)]

    def shown(flt: str) -> dict[str, str]:
        return _SHOWN if flt in layer.accepts else _HIDDEN

    return choices, [], shown("grids"), shown("window"), shown("categories")


def preview(name: Any, grids: Any, start: Any, end: Any, categories: Any) -> tuple[Any, ...]:
    """The preview's URL and colours, the legend, the count, an error if any, the downloads' URLs and the API help."""
    _require_planner()
    lang = language()
    layer = options.layer(name)
    api_help = text("export_ogc_help", lang, collection=f"{OPEN_DATA_SCHEMA}.{layer.name}")
    try:
        query = options.params(layer, grids, start, end, categories)
        features = data_access.aggregate(layer.name, options.filters(query))
    except InputError as exc:
        error = text("export_bad_filter", lang, error=str(exc))
        return (dash.no_update, dash.no_update, dash.no_update, "", error, None, True, None, True, api_help)
    style = layer_style.style_of(layer, features, lang)
    hideout = layer_style.hideout(
        layer, style, lang, class_name=PREVIEW_CLASS,
        labels={"missing": text("value_missing", lang), "grid": text("grid_name", lang)},
    )
    count = len(features.get("features", []))
    return (
        data_urls.url(layer.name, query, "pbf"),
        hideout,
        layer_legend.legend(layer, style, lang),
        text("export_preview", lang, layer=panel.label(layer, lang), grids=count),
        "",
        data_urls.url(layer.name, query, "geojson"),
        False,
        data_urls.url(layer.name, query, "gpkg"),
        False,
        api_help,
    )


def register(app: dash.Dash) -> None:
    """Add the page's callbacks."""
    app.callback(
        Output("export-categories", "options"),
        Output("export-categories", "value"),
        Output("export-grids-box", "style"),
        Output("export-window-box", "style"),
        Output("export-categories-box", "style"),
        Input("export-layer", "value"),
    )(controls)
    app.callback(
        Output("export-preview", "url"),
        Output("export-preview", "hideout"),
        Output("export-legend", "children"),
        Output("export-status", "children"),
        Output("export-error", "children"),
        Output("export-geojson", "formAction"),
        Output("export-geojson", "disabled"),
        Output("export-gpkg", "formAction"),
        Output("export-gpkg", "disabled"),
        Output("export-ogc-help", "children"),
        Input("export-layer", "value"),
        Input("export-grids", "value"),
        Input("export-window", "start_date"),
        Input("export-window", "end_date"),
        Input("export-categories", "value"),
    )(preview)
