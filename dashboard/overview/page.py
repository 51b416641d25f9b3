"""The community grid map (`/`): every grid shaded by its special-group households, with the building points.

Like every page it reads through dashboard.web.data_access, for the signed-in
session: the grids' numbers are the registry's `special_groups` layer (kept
until the households or grids change), the building points the base map's.
"""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from dash import html
from dash.development.base_component import Component

from dashboard.maps import map_view
from dashboard.maps.choropleth import count_classes
from dashboard.web import data_access
from dashboard.web.appctx import settings
from dashboard.web.chrome import shell
from dashboard.web.session import current_viewer
from gridgov.accounts import Account
from gridgov.i18n import text
from layers import basemap
from layers.registry import Filters

_log = logging.getLogger(__name__)


def build(account: Account, lang: str) -> Component:
    """The page, read afresh from the database."""
    try:
        grids = data_access.aggregate("special_groups", Filters())
        viewer = current_viewer()
        with data_access.viewer_connection(viewer) as conn:
            buildings = basemap.buildings(conn, viewer.grid_codes)
            bounds = basemap.grid_bounds(conn, viewer.grid_codes)
    except psycopg.OperationalError:  # PoolTimeout is one too
        _log.exception("dashboard: database unavailable")
        return shell(text("title_map", lang), "", html.Div(text("db_unavailable", lang), className="gg-notice"))

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
    config = settings()
    body: list[Any] = [
        map_view.grid_map(
            grids, buildings, bounds, classes,
            tile_url=config.dashboard.tile_url, tile_attribution=config.dashboard.tile_attribution, lang=lang,
        ),
        map_view.legend(classes, lang=lang),
    ]
    if not props:
        body.append(html.Div(text("no_grids", lang), className="gg-notice"))
    return shell(title, summary, *body)
