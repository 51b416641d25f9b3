"""The grid leader's numbers: visits due, done, still to do and overdue; open complaints and hazards.

Shown for the grid picked (or clicked on the map), else for all the leader's
grids. The numbers are the layers' per-grid aggregates (cached until the data
changes, so a visit just recorded is counted at once), summed over the grids.
A visit tile is a button: a tap shows its households in the visits list, whose
filter of the same name counts the same households (gridgov.visits.COUNTED_STATUSES).
"""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Input, Output, ctx, exceptions, html
from dash.development.base_component import Component

from dashboard.grid import scope
from dashboard.web import data_access
from dashboard.web.session import language
from gridgov.errors import InputError
from gridgov.i18n import text
from gridgov.visits import COUNTED_STATUSES
from layers.registry import Filters

# (layer, its aggregate columns summed into one number, the catalogue key of its label)
COUNTS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("visits", ("due",), "count_due"),
    ("visits", ("visited",), "count_visited"),
    ("visits", ("not_yet_visited",), "count_not_yet_visited"),
    ("visits", ("overdue",), "count_overdue"),
    ("complaints", ("pending", "in_progress"), "count_open_complaints"),
    ("hazards", ("open", "in_progress"), "count_open_hazards"),
    ("hazards", ("overdue",), "count_overdue_hazards"),
)


TILE = {"type": "visit-tile", "filter": ALL}  # a visit tile, naming the visits list's filter it shows


def _tile(key: str, value: int, lang: str) -> Component:
    name = key.removeprefix("count_")
    data: dict[str, Any] = {"data-count": name}
    body = [html.Span(str(value), className="gg-count-value"), html.Span(text(key, lang), className="gg-count-label")]
    if name in COUNTED_STATUSES:
        return html.Button(body, id={"type": "visit-tile", "filter": name}, n_clicks=0, className="gg-count", **data)
    return html.Div(body, className="gg-count", **data)


def counts(grid: Any, version: Any) -> Component:
    """The numbers of the picked grid (all the leader's grids when none), under the grids' names."""
    grids = scope.grids(grid)
    lang = language()
    asked = list(dict.fromkeys(c[0] for c in COUNTS))
    answers = dict(zip(asked, data_access.aggregates([(name, Filters(grids=grids)) for name in asked]), strict=True))
    props = {name: [f["properties"] for f in answer["features"]] for name, answer in answers.items()}
    names = [p.get("grid_name") or p["grid_code"] for p in props["visits"]]
    title = text("separator", lang).join(names) or text("all_my_grids", lang)
    tiles = [
        _tile(key, sum(int(p.get(column) or 0) for p in props[layer] for column in columns), lang)
        for layer, columns, key in COUNTS
    ]
    return html.Div([html.H2(title, className="gg-counts-title"), html.Div(tiles, className="gg-count-tiles")])


def pick(click: Any) -> str:
    """The grid a click on the map picks (only one of the leader's own: another is a 403)."""
    scope.leader()
    if not isinstance(click, dict):
        raise exceptions.PreventUpdate
    properties = click.get("properties")
    code = properties.get("grid_code") if isinstance(properties, dict) else None
    if code is None:
        raise exceptions.PreventUpdate
    scope.grids(code)
    return str(code)


def show(clicks: Any) -> str:
    """The visits list's filter a tap on a visit tile picks (the tile's own count)."""
    scope.leader()
    if not ctx.triggered or not ctx.triggered[0].get("value"):
        raise exceptions.PreventUpdate  # the tiles drawn again are no tap
    trigger = ctx.triggered_id
    name = trigger.get("filter") if isinstance(trigger, dict) else None
    if name not in COUNTED_STATUSES:
        raise InputError("a visit tile names one of the visit counts")
    return str(name)


def register(app: dash.Dash) -> None:
    """Add the tiles' callback (the numbers themselves are the page's)."""
    app.callback(Output("visit-status", "value"), Input(TILE, "n_clicks"), prevent_initial_call=True)(show)
