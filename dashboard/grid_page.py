"""The grid leader's page (/grid): their grids, and the households of special groups in the grid they pick.

The households arrive through a callback whose only input is the picked grid;
the grids offered, and those the callback will answer for, come from the
session's account on the server. A crafted request for another grid is a 403
(the registry's scope), and the query runs under row-level security anyway.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, dcc, html
from dash.development.base_component import Component

from dashboard import data_access, map_view
from dashboard.chrome import shell
from dashboard.i18n import text
from dashboard.role_pages import role_map
from gridgov.accounts import Account
from gridgov.errors import InputError
from layers.registry import Filters

DETAIL_LAYER = "special_groups"


def build(account: Account, lang: str) -> Component:
    """The page: a grid picker over the map of the leader's grids."""
    body, grids = role_map(lang, extra=(map_view.household_layer(),))
    names = {p["grid_code"]: p.get("grid_name") or p["grid_code"] for p in (f["properties"] for f in grids["features"])}
    picker = dcc.Dropdown(
        id="grid-select",
        options=[{"label": f"{code} {names.get(code, '')}".strip(), "value": code} for code in account.grids],
        value=None,
        placeholder=text("all_my_grids", lang),
        clearable=True,
        className="gg-grid-select",
    )
    summary = text("separator", lang).join(names.values())
    return shell(text("title_grid", lang), summary, html.Div(picker, className="gg-panel gg-panel-top"), *body)


def households(grid: Any) -> dict[str, Any]:
    """The special-group households of `grid` (all the leader's grids when None), as the session may see them."""
    if grid is not None and not isinstance(grid, str):
        raise InputError("a grid is one grid code")
    return data_access.detail(DETAIL_LAYER, Filters(grids=(grid,) if grid else ()))


def register(app: dash.Dash) -> None:
    """Add the page's callbacks."""
    app.callback(Output("household-layer", "data"), Input("grid-select", "value"))(households)
