"""The grid leader's page (/grid): their grids on a map, and beside it the work of the period.

Beside the map (below it on a phone): a grid picker (a click on a grid picks it
too), the grid's numbers, and the lists of households due a visit, complaints
and hazards, each filterable by status; the visit form is a sheet opened from a
household's row (dashboard.grid.visit_form). Only the leader's own
grids are ever sent to the browser. Every callback decides on the server from
the session (dashboard.grid.scope): a crafted request for another grid is a 403,
and the queries run under row-level security anyway. Recording a visit bumps
the `grid-version` store, so the list, the picker and the numbers are read
again at once.

Callbacks (outputs ← inputs, [state]):
    household-layer.data                 ← grid-select.value
    grid-select.value                    ← grid-layer.clickData
    grid-counts.children                 ← grid-select.value, grid-version.data
    visit-list.children, visit-household.options, visit-status.options
                                         ← grid-select.value, visit-status.value, grid-version.data
    visit-status.value                   ← a visit tile's n_clicks (dashboard.grid.counts)
    point-layer.data                     ← household-, hazard-, complaint-layer.data (in the browser: leader_map)
    complaint-list.children, complaint-layer.data ← grid-select.value, complaint-status.value
    hazard-list.children, hazard-layer.data       ← grid-select.value, hazard-status.value
    visit-sheet.className, visit-household.value, visit-error.children, visit-message.children,
    grid-version.data, visit-notes.value ← a row's record or undo, visit-new, visit-cancel, visit-save .n_clicks
                                           [visit-household.value, visit-date.date, visit-notes.value] (visit_form)
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, dcc, html
from dash.development.base_component import Component

from dashboard.grid import counts, leader_map, lists, scope, visit_form, visit_record
from dashboard.web import data_access
from dashboard.web.chrome import shell
from gridgov.accounts import Account
from gridgov.i18n import text
from gridgov.vocabulary import COMPLAINT_STATUSES, HAZARD_STATUSES
from layers.registry import Filters

DETAIL_LAYER = "special_groups"  # the household points on the map


def _filter(id_: str, statuses: tuple[str, ...], ticked: tuple[str, ...], prefix: str, lang: str) -> Component:
    return dcc.Checklist(
        id=id_,
        options=[{"label": text(f"{prefix}_{s}", lang), "value": s} for s in statuses],
        value=list(ticked),
        inline=True,
        className="gg-filter",
        inputClassName="gg-filter-box",
    )


def _section(title: str, *body: Component, open_: bool = True, name: str) -> Component:
    return html.Details([html.Summary(title, className="gg-section-title"), *body], open=open_,
                        className=f"gg-section gg-section-{name}")


def _picker(account: Account, names: dict[str, str], lang: str) -> Component:
    return dcc.Dropdown(
        id="grid-select",
        options=[{"label": f"{code} {names.get(code, '')}".strip(), "value": code} for code in account.grids],
        value=None,
        placeholder=text("all_my_grids", lang),
        clearable=True,
        searchable=False,
        className="gg-grid-select",
        labels=visit_form.dropdown_labels(lang),  # type: ignore[arg-type]
    )


def build(account: Account, lang: str) -> Component:
    """The page: the map of the leader's grids beside the numbers, the visit form and the lists."""
    scope.leader()
    leaflet, grids = leader_map.build(lang)
    names = {p["grid_code"]: p.get("grid_name") or p["grid_code"] for p in (f["properties"] for f in grids["features"])}
    side = html.Aside(
        [
            dcc.Link(text("nav_cases", lang), href="/cases", className="gg-button gg-nav-cases"),  # the case loop
            _picker(account, names, lang),
            html.Div(id="grid-counts", className="gg-counts"),
            _section(
                text("section_visits", lang),
                lists.visit_filter_control(lang),
                visit_form.message_area(lang),
                html.Div(id="visit-list"),
                name="visits",
            ),
            _section(
                text("section_complaints", lang),
                _filter("complaint-status", tuple(COMPLAINT_STATUSES), lists.COMPLAINT_OPEN, "complaint_status", lang),
                html.Div(id="complaint-list"),
                name="complaints",
            ),
            _section(
                text("section_hazards", lang),
                _filter("hazard-status", tuple(HAZARD_STATUSES), lists.HAZARD_OPEN, "hazard_status", lang),
                html.Div(id="hazard-list"),
                name="hazards",
            ),
        ],
        className="gg-grid-side",
    )
    body = html.Div(
        [html.Div(leaflet, className="gg-grid-mapbox"), side, visit_form.form(lang, visit_record.today()),
         dcc.Store(id="grid-version", data="")],
        className="gg-grid-body",
    )
    summary = text("separator", lang).join(names.values())
    return html.Div(shell(text("title_grid", lang), summary, body), className="gg-grid-page")


def households(grid: Any) -> dict[str, Any]:
    """The special-group households of `grid` (all the leader's grids when None), for the map."""
    return data_access.detail(DETAIL_LAYER, Filters(grids=scope.grids(grid)))


def register(app: dash.Dash) -> None:
    """Add the page's callbacks."""
    app.callback(Output("household-layer", "data"), Input("grid-select", "value"))(households)
    app.callback(Output("grid-select", "value"), Input("grid-layer", "clickData"), prevent_initial_call=True)(
        counts.pick
    )
    app.callback(Output("grid-counts", "children"), Input("grid-select", "value"), Input("grid-version", "data"))(
        counts.counts
    )
    app.callback(
        Output("visit-list", "children"),
        Output("visit-household", "options"),
        Output("visit-status", "options"),
        Input("grid-select", "value"),
        Input("visit-status", "value"),
        Input("grid-version", "data"),
    )(lists.visits)
    app.callback(
        Output("complaint-list", "children"),
        Output("complaint-layer", "data"),
        Input("grid-select", "value"),
        Input("complaint-status", "value"),
    )(lists.complaints)
    app.callback(
        Output("hazard-list", "children"),
        Output("hazard-layer", "data"),
        Input("grid-select", "value"),
        Input("hazard-status", "value"),
    )(lists.hazards)
    visit_form.register(app)
    counts.register(app)
    leader_map.register(app)
