"""Raising a case in the field (未诉先办): category, a point (a tap on the map or the phone's position), description,
photos.

The map shows the leader's own grids as vector outlines (tiles only when the
installation names a tile server: it works with none). A tap on it, or the
phone's position (navigator.geolocation, in assets/cases.js as a clientside
callback: no inline script), sets the `raise-point` store. 选择照片 picks up
to MAX_PHOTOS photos, kept in the browser (assets/cases.js lists them, each
removable) until 上报, which sends the fields, the point and the photos in one
request to dashboard.cases.raise_route: the server checks the leader, the
fields (`refusal`), that the point lies in one of their grids and every photo
by its bytes, then opens the case with its photos at once, or says what is
wrong and stores nothing (the form keeps what was typed and chosen). The new
case's view opens, saying it was raised.
"""

from __future__ import annotations

from typing import Any

import dash_leaflet as dl
from dash import dcc, exceptions, html
from dash.development.base_component import Component

from dashboard.cases import data, scope
from dashboard.maps import map_view
from dashboard.web import data_access
from dashboard.web.appctx import settings
from dashboard.web.session import csrf_token, language
from gridgov.i18n import text
from layers.registry import Filters

SUBMIT_URL = "/data/cases/raise"  # where 上报 sends the form (dashboard.cases.raise_route)
MAX_PHOTOS = 5  # photos sent with one report; more are added on the case afterwards
MAX_CATEGORY = 100
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
            dcc.Input(id="raise-category", type="text", list="raise-categories", maxLength=MAX_CATEGORY, value="",
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
            html.Div(text("raise_photos", lang, most=MAX_PHOTOS), className="gg-field-label"),
            html.Button(text("raise_photo_pick", lang), id="raise-photo-pick", className="gg-button gg-button-plain",
                        **dict[str, Any]({"data-most": str(MAX_PHOTOS), "data-remove": text("raise_photo_remove", lang)})),
            html.Ul(id="raise-photos", className="gg-raise-photos"),
            html.Button(text("raise_save", lang), id="raise-save", n_clicks=0, className="gg-button",
                        **dict[str, Any]({"data-submit": SUBMIT_URL, "data-csrf": csrf_token()})),
            html.Div(id="raise-message", role="status", className="gg-form-message"),
        ],
        className="gg-raise",
    )


def point(value: Any) -> tuple[float, float] | None:
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
    where = point({"lon": latlng.get("lng"), "lat": latlng.get("lat")})
    if where is None:
        raise exceptions.PreventUpdate
    return {"lon": round(where[0], 7), "lat": round(where[1], 7)}


def marked(chosen: Any) -> tuple[list[Component], str]:
    """The marker and the words for the chosen point (or why the phone's position is missing)."""
    scope.leader()
    lang = language()
    if isinstance(chosen, dict) and chosen.get("error"):
        return [], text("raise_no_location", lang)
    where = point(chosen)
    if where is None:
        return [], text("raise_no_point", lang)
    lon, lat = where
    marker = dl.CircleMarker(center=[lat, lon], radius=10, color="#b30000", fillOpacity=0.8, id="raise-pin")
    return [marker], text("raise_point", lang, lat=f"{lat:.5f}", lon=f"{lon:.5f}")


def refusal(category: str, address: str, description: str, where: tuple[float, float] | None, lang: str) -> str | None:
    """What keeps the form's fields from being raised, in words; None when they may be."""
    problem = ("raise_need_category" if not category else "raise_need_point" if where is None
               else "raise_need_description" if not description else None)
    if problem is not None:
        return text(problem, lang)
    if len(category) > MAX_CATEGORY or len(address) > MAX_ADDRESS or len(description) > scope.MAX_TEXT:
        return text("case_text_too_long", lang, most=scope.MAX_TEXT, length=len(description))
    return None
