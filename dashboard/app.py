"""The Dash app: one connection pool per app, a page built from layers/ at every page load."""

from __future__ import annotations

import atexit
import logging
from pathlib import Path
from typing import Any

import dash
import psycopg
from dash import html
from dash.development.base_component import Component
from psycopg_pool import ConnectionPool

from dashboard import map_view
from dashboard.choropleth import count_classes
from dashboard.i18n import DEFAULT_LANGUAGE, text
from gridgov.settings import Settings
from layers import basemap, special_groups

ASSETS = Path(__file__).resolve().parent / "assets"
_log = logging.getLogger(__name__)


def create_app(settings: Settings, database_url: str) -> dash.Dash:
    """A Dash app serving the community grid map from the database at `database_url`."""
    # opened here, not at import: importing the module never connects
    pool = ConnectionPool(database_url, min_size=1, max_size=4, timeout=10, open=True, name="gridgov-dashboard")
    atexit.register(pool.close)
    app = dash.Dash(
        __name__,
        title=text("app_title", DEFAULT_LANGUAGE),
        assets_folder=str(ASSETS),
        serve_locally=True,  # closed networks: every script comes from this server
        update_title="",  # keep the tab title still while the page loads
    )
    app.index_string = app.index_string.replace("<html>", '<html lang="zh-CN">', 1)
    app.server.extensions["gridgov.pool"] = pool

    def page() -> Component:
        # a function layout: every page load reads the database afresh
        return _page(pool, settings, lang=DEFAULT_LANGUAGE)

    app.layout = page
    return app


def _page(pool: ConnectionPool, settings: Settings, *, lang: str) -> Component:
    try:
        with pool.connection() as conn:
            grids = special_groups.grid_summary(conn)
            buildings = basemap.buildings(conn)
            bounds = basemap.grid_bounds(conn)
    except psycopg.OperationalError:  # PoolTimeout is one too
        _log.exception("dashboard: database unavailable")
        return _shell(text("title_map", lang), "", html.Div(text("db_unavailable", lang), className="gg-notice"))

    props = [f["properties"] for f in grids["features"]]
    classes = count_classes(max((p["special_households"] for p in props), default=0))
    communities = text("separator", lang).join(dict.fromkeys(p["community_name"] for p in props))
    title = " · ".join(filter(None, [text("title_map", lang), communities]))
    summary = text(
        "summary",
        lang,
        grids=len(props),
        households=sum(p["households"] for p in props),
        special=sum(p["special_households"] for p in props),
    )
    body: list[Any] = [
        map_view.grid_map(
            grids,
            buildings,
            bounds,
            classes,
            tile_url=settings.tile_url,
            tile_attribution=settings.tile_attribution,
            lang=lang,
        ),
        map_view.legend(classes, lang=lang),
    ]
    if not props:
        body.append(html.Div(text("no_grids", lang), className="gg-notice"))
    return _shell(title, summary, *body)


def _shell(title: str, summary: str, *body: Any) -> Component:
    return html.Div(
        [
            html.Header([html.H1(title), html.Span(summary, className="gg-summary")], className="gg-titlebar"),
            html.Main(list(body), className="gg-map-wrap"),
        ],
        className="gg-page",
    )
