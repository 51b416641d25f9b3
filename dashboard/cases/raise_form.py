"""Raising a case in the field (未诉先办): category, a point (a tap on the map or the phone's position), description.

The map shows the leader's own grids as vector outlines (tiles only when the
installation names a tile server: it works with none). A tap on it, or the
phone's position (navigator.geolocation, in assets/cases.js as a clientside
callback: no inline script), sets the `raise-point` store. On 上报 the server
checks the leader, the fields and that the point lies in one of their grids
(else a message), opens a 'raised' case there from the field, audits it, and
opens the new case's view (saying it was raised), where photos are added.
"""

from __future__ import annotations

from typing import Any

import dash_leaflet as dl
from dash import dcc, exceptions, html, no_update
from dash.development.base_component import Component

from dashboard.cases import case_list, data, scope
from dashboard.cases.actions import message
from dashboard.maps import map_view
from dashboard.web import data_access
from dashboard.web.appctx import settings
from dashboard.web.session import language
from gridgov.case_store import Opening
from gridgov.cases import Kind
from gridgov.i18n import text
from layers.registry import Filters

GRID_LAYER = "special_groups"  # the leader's grid polygons, as their own map draws them
GRID_STYLE = {"color": "#17324d", "weight": 2, "fillColor": "#dde7f0", "fillOpacity": 0.35}
MAX_ADDRESS = 200


def _map(lang: str) -> Component:
    grids = data_access.aggregate(GRID_LAYER, Filters())
    bounds = map_view.bounds_of(grids)
    config = settings().dashboard
    layers: list[Component] = []
    if config.tile_url:
        layers.append(dl.TileLayer(url=config.tile_url, attribution=config.tile_attribution or None))
    layers += [dl.GeoJSON(data=grids, style=GRID_STYLE, interactive=False, id="raise-grids"),
               dl.LayerGroup(id="raise-marker")]
    view: dict[str, Any] = {"center": [39.9042, 116.4074], "zoom": 12}
    if bounds is not None:
        view = {"bounds": [[bounds.south, bounds.west], [bounds.north, bounds.east]],
                "center": [(bounds.south + bounds.north) / 2, (bounds.west + bounds.east) / 2],
                "boundsOptions": {"padding": [16, 16]}}
    return dl.Map(layers, id="raise-map", className="gg-raise-map", zoomSnap=0.25, **view)


def view(lang: str) -> Component:
    """The form."""
    choices = data.categories(scope.leader())
    return html.Div(
        [
            dcc.Link(text("case_back", lang), href="/cases", className="gg-case-back"),
            html.H2(text("raise_title", lang), className="gg-case-name"),
            html.Label(text("raise_category", lang), htmlFor="raise-category", className="gg-field-label"),
            dcc.Input(id="raise-category", type="text", list="raise-categories", maxLength=100, value="",
                      placeholder=text("raise_category_placeholder", lang), className="gg-field gg-text"),
            html.Datalist([html.Option(value=c) for c in choices], id="raise-categories"),
            html.Div(text("raise_place", lang), className="gg-field-label"),
            _map(lang),
            html.Div(
                [html.Button(text("raise_locate", lang), id="raise-locate", n_clicks=0, className="gg-button gg-button-plain"),
                 html.Span(text("raise_no_point", lang), id="raise-where", className="gg-raise-where")],
                className="gg-raise-place",
            ),
            dcc.Store(id="raise-point", data=None),
            html.Label(text("raise_address", lang), htmlFor="raise-address", className="gg-field-label"),
            dcc.Input(id="raise-address", type="text", maxLength=MAX_ADDRESS, value="", className="gg-field gg-text"),
            html.Label(text("raise_description", lang), htmlFor="raise-description", className="gg-field-label"),
            dcc.Textarea(id="raise-description", value="", maxLength=scope.MAX_TEXT, rows=3, className="gg-field gg-notes"),
            html.Button(text("raise_save", lang), id="raise-save", n_clicks=0, className="gg-button"),
            html.Div(id="raise-message", role="status", className="gg-form-message"),
        ],
        className="gg-raise",
    )


def _point(value: Any) -> tuple[float, float] | None:
    """(lon, lat) of a point the map or the phone gave; None for none; a 400 for a value of another shape."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise exceptions.PreventUpdate
    lon, lat = value.get("lon"), value.get("lat")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lon, lat)):
        return None
    if not (-180 <= float(lon) <= 180 and -90 <= float(lat) <= 90):  # type: ignore[arg-type]
        return None
    return float(lon), float(lat)  # type: ignore[arg-type]


def tapped(click: Any) -> dict[str, float]:
    """The point a tap on the map chose."""
    scope.leader()
    latlng = click.get("latlng") if isinstance(click, dict) else None
    if not isinstance(latlng, dict):
        raise exceptions.PreventUpdate
    point = _point({"lon": latlng.get("lng"), "lat": latlng.get("lat")})
    if point is None:
        raise exceptions.PreventUpdate
    return {"lon": round(point[0], 7), "lat": round(point[1], 7)}


def marked(point: Any) -> tuple[list[Component], str]:
    """The marker and the words for the chosen point (or why the phone's position is missing)."""
    scope.leader()
    lang = language()
    if isinstance(point, dict) and point.get("error"):
        return [], text("raise_no_location", lang)
    where = _point(point)
    if where is None:
        return [], text("raise_no_point", lang)
    lon, lat = where
    marker = dl.CircleMarker(center=[lat, lon], radius=10, color="#b30000", fillOpacity=0.8, id="raise-pin")
    return [marker], text("raise_point", lang, lat=f"{lat:.5f}", lon=f"{lon:.5f}")


def save(clicks: Any, category: Any, address: Any, description: Any, point: Any) -> tuple[Any, Any]:
    """Raise the case: (a message, the new case's address on this page, or no change)."""
    account = scope.leader()
    if not clicks:
        raise exceptions.PreventUpdate
    lang = language()
    cat, addr, desc = scope.words(category, "category"), scope.words(address, "address"), scope.words(description, "description")
    where = _point(point)
    problem = ("raise_need_category" if not cat else "raise_need_point" if where is None
               else "raise_need_description" if not desc else None)
    if problem is None and (len(cat) > 100 or len(addr) > MAX_ADDRESS or len(desc) > scope.MAX_TEXT):
        return message(text("case_text_too_long", lang, most=scope.MAX_TEXT, length=len(desc)), ok=False), no_update
    if problem is not None or where is None:
        return message(text(problem or "raise_need_point", lang), ok=False), no_update
    case_id = data.raise_case(account, Opening(Kind.RAISED, cat, desc, addr or None), where)
    if case_id is None:
        return message(text("raise_outside", lang), ok=False), no_update
    return no_update, case_list.href(case_id).removeprefix("/cases") + "&notice=raised"
