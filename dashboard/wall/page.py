"""The secretary's wall screen (/wall): a full-screen, dark, self-updating overview for a screen across the room.

The page is built complete on the server (key figures, ranking, banner and the
map's colours: dashboard.wall.content; the grids' shapes the map fetches once
by URL, dashboard.web.data_urls), then kept current by one server callback, fired by two
dcc.Interval timers: `wall-refresh` (settings.dashboard.wall_refresh_seconds) and
`wall-rotate` (settings.dashboard.wall_rotate_seconds), whose count picks the layer of
the playlist (settings.dashboard.wall_playlist) shown on the map. Its inputs are the two
counts and the digest of the map on screen, which only decides whether the
map is sent again; what it returns is decided on the server from the session
(data_access), for a role in ROLES only: the secretary, or a wall screen's own
device sign-in (gridgov.devices), which opens this page and nothing else.

A browser-side timer (`wall-clock`, assets/wall.js) runs the clock and the
stale-data notice: when no refresh has succeeded for two refresh periods (plus
STALE_GRACE_MS), or one failed because the database could not be reached, the
last figures stay on screen under a notice with the time of the last good
refresh; the next good refresh clears it. A refresh the database cannot answer
usually fails before the callback runs (the session's account is read from the
database: HTTP 503), hence the timer; one that fails inside says so at once.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import dash
import dash_leaflet as dl
import psycopg
from dash import ClientsideFunction, Input, Output, State, dcc, html, no_update
from dash.development.base_component import Component
from dash_extensions.javascript import Namespace, arrow_function

from dashboard.wall.content import FILLED, MAP, MAP_KEY, Key, content, playlist, wall
from dashboard.web import data_access, data_urls
from dashboard.web.appctx import settings
from dashboard.web.chrome import user_bar
from dashboard.web.session import language, require_account
from gridgov import access
from gridgov.accounts import Account
from gridgov.errors import DatabaseUnavailable, Forbidden, InputError
from gridgov.i18n import text

_log = logging.getLogger(__name__)
_js = Namespace("gridgov", "wall")  # functions in assets/wall.js

ROLES = access.allowed_roles(access.page("/wall"))
CLOCK_MS = 1000
STALE_GRACE_MS = 10_000  # on top of two refresh periods: a request may wait this long for a database connection
FAILED: Key = ("wall-fail", "data")  # the callback's last output: when a refresh could not reach the database
_FALLBACK_VIEW: dict[str, Any] = {"center": [39.9042, 116.4074], "zoom": 11}  # Beijing, while no grid is loaded


def _require_wall() -> Account:
    account = require_account()
    if account.role not in ROLES:
        raise Forbidden(f"a {account.role.value} may not open /wall")
    return account


def _turn(n: Any) -> int:
    """The rotation count of the browser's timer, checked: a non-negative whole number."""
    if n is None:
        return 0
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise InputError("the rotation count is a non-negative whole number")
    return n


def update(n_refresh: Any, n_rotate: Any, map_key: Any) -> list[Any]:
    """The callback: the wall afresh; when the database cannot be reached, nothing changes but wall-fail."""
    _require_wall()
    turn = _turn(n_rotate)
    try:
        shown = content(turn, language())
    except (psycopg.OperationalError, DatabaseUnavailable):  # PoolTimeout is an OperationalError too
        _log.exception("wall: refresh failed, the database cannot be reached")
        return [no_update] * len(FILLED) + [{"at": int(time.time() * 1000)}]
    kept = (*MAP, MAP_KEY) if shown[MAP_KEY] == map_key else ()  # the browser shows this map already
    return [no_update if key in kept else shown[key] for key in FILLED] + [no_update]


def _shapes(shown: dict[Key, Any], key: str, url: str, **functions: Any) -> Component:
    """A layer of the grids' shapes (fetched once by URL) drawn by `functions` of assets/wall.js from its hideout."""
    return dl.GeoJSON(id=key, url=url, format="geobuf", hideout=shown[(key, "hideout")], **functions)


def _map(shown: dict[Key, Any]) -> Component:
    config = settings()
    layers: list[Component] = []
    if config.dashboard.tile_url:  # dimmed under the dark theme; the grids are drawn without them
        kwargs = {"attribution": config.dashboard.tile_attribution} if config.dashboard.tile_attribution else {}
        layers.append(dl.TileLayer(url=config.dashboard.tile_url, opacity=0.35, **kwargs))
    layers += [
        _shapes(shown, "wall-grid-layer", data_urls.OUTLINES, style=_js("style"), onEachFeature=_js("feature"),
                hoverStyle=arrow_function({"weight": 5, "color": "#ffffff"})),
        # the ranked grids outlined, drawn over every grid's own edge
        _shapes(shown, "wall-rank-layer", data_urls.OUTLINES, filter=_js("ranked"), style=_js("rankStyle"),
                interactive=False),
        _shapes(shown, "wall-label-layer", data_urls.LABEL_POINTS, filter=_js("labelled"), pointToLayer=_js("label")),
    ]
    bounds = data_access.grid_extent()
    view = _FALLBACK_VIEW
    if bounds is not None:
        view = {
            "bounds": [[bounds.south, bounds.west], [bounds.north, bounds.east]],
            "boundsOptions": {"padding": [24, 24]},  # nothing lies over the map: its title and legend are beside it
            "center": [(bounds.south + bounds.north) / 2, (bounds.west + bounds.east) / 2],
        }
    return dl.Map(layers, id="wall-map", className="gg-wall-leaflet", zoomSnap=0.25, zoomControl=False, **view)


def _header(shown: dict[Key, Any], lang: str) -> Component:
    communities = text("separator", lang).join(wall(lang).communities)
    return html.Header(
        [
            html.H1(text("title_wall", lang)),
            html.Span(communities, className="gg-wall-community"),
            html.Span(id="wall-clock-text", className="gg-wall-clock"),
            html.Span(shown[("wall-updated", "children")], id="wall-updated", className="gg-wall-updated"),
            html.Span(shown[("wall-age", "children")], id="wall-age", className="gg-age gg-wall-age"),
            html.Span(id="wall-stale", className="gg-wall-stale", role="status"),
            user_bar(),
        ],
        className="gg-wall-header",
    )


def _timers(shown: dict[Key, Any], lang: str) -> list[Component]:
    config = settings()
    refresh_ms = config.dashboard.wall_refresh_seconds * 1000
    watch = {
        "staleAfterMs": 2 * refresh_ms + STALE_GRACE_MS,
        "timezone": config.layers.timezone,
        "locale": text("date_locale", lang),
    }
    return [
        dcc.Interval(id="wall-refresh", interval=refresh_ms),
        dcc.Interval(id="wall-rotate", interval=config.dashboard.wall_rotate_seconds * 1000, disabled=len(playlist()) < 2),
        dcc.Interval(id="wall-clock", interval=CLOCK_MS),
        dcc.Store(id="wall-ok", data=shown[("wall-ok", "data")]),
        dcc.Store(id="wall-fail", data=None),
        dcc.Store(id="wall-map-key", data=shown[MAP_KEY]),
        dcc.Store(id="wall-config", data=watch),
    ]


def build(account: Account, lang: str) -> Component:
    """The wall screen, complete at first paint."""
    _require_wall()
    shown = content(0, lang)

    def panel(key: str, class_name: str) -> html.Div:
        return html.Div(shown[(key, "children")], id=key, className=class_name)

    beside_map = html.Div(  # the layer's name, the playlist and the legend: beside the map, never over a grid
        [
            html.H2(shown[("wall-layer-title", "children")], id="wall-layer-title"),
            panel("wall-progress", "gg-wall-progress"),
            panel("wall-legend", "gg-wall-legend"),
        ],
        className="gg-wall-key",
    )
    return html.Div(
        [
            *_timers(shown, lang),
            _header(shown, lang),
            panel("wall-kpis", "gg-wall-kpis"),
            html.Main(
                [
                    html.Section([_map(shown)], className="gg-wall-map"),
                    beside_map,
                    html.Aside(
                        [
                            panel("wall-cases", "gg-wall-cases"),
                            html.Div(  # the ranking, and under it, in the room it leaves, the units awaited
                                [panel("wall-ranking", "gg-wall-rank-part"), panel("wall-waiting", "gg-wall-waiting")],
                                className="gg-wall-ranking",
                            ),
                        ],
                        className="gg-wall-side",
                    ),
                ],
                className="gg-wall-main",
            ),
            html.Footer(shown[("wall-orders", "children")], id="wall-orders", className="gg-wall-banner"),
        ],
        className="gg-wall",
        lang=text("html_lang", lang),
    )


def register(app: dash.Dash) -> None:
    """Add the wall's callbacks: the server's refresh and the browser's clock and stale-data watch."""
    app.callback(
        [Output(*key) for key in (*FILLED, FAILED)],
        Input("wall-refresh", "n_intervals"),
        Input("wall-rotate", "n_intervals"),
        State(*MAP_KEY),
        prevent_initial_call=True,
    )(update)
    app.clientside_callback(
        ClientsideFunction(namespace="gridgov_wall", function_name="watch"),
        Output("wall-stale", "children"),
        Output("wall-stale", "className"),
        Output("wall-clock-text", "children"),
        Input("wall-clock", "n_intervals"),
        State("wall-ok", "data"),
        State("wall-fail", "data"),
        State("wall-config", "data"),
    )
