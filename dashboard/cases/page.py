"""The grid leader's cases on the phone (/cases): the open cases most urgent first, a case's view, raising a case.

One page, three views chosen by the address's query (so the browser's back
button works and a view can be linked): `/cases` the list, `/cases?case=<id>`
a case with its actions and history, `/cases?raise=1` the form that raises a
case. The main job is three taps from the list: the case, 响应, 办结 (with its
note). Every callback decides on the server from the session
(dashboard.cases.scope) and reads or writes on the leader's row-level-security
connection (dashboard.cases.data): another grid's case is a 404, never shown.

Callbacks (outputs ← inputs, [state]):
    cases-body.children, case-message.children   ← cases-url.search, cases-version.data
    case-message.children, cases-version.data     ← {case-act}.n_clicks [{case-current|note|units|reason} of the case shown]
    raise-point.data                              ← raise-map.clickData  (and raise-locate.n_clicks, clientside)
    raise-marker.children, raise-where.children   ← raise-point.data
    raise-message.children, cases-url.search      ← raise-save.n_clicks [raise-category, raise-address, …]
                                                    (clientside: POSTs the form and its photos to /data/cases/raise)
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import dash
from dash import ALL, ClientsideFunction, Input, Output, State, ctx, dcc, html, no_update
from dash.development.base_component import Component

from dashboard.cases import actions, case_detail, case_list, data, raise_form, scope
from dashboard.web.appctx import settings
from dashboard.web.chrome import shell
from dashboard.web.session import language
from gridgov.accounts import Account
from gridgov.errors import InputError, NotFound
from gridgov.i18n import text

NOTICES = {"raised": "raise_saved", "raised_photos": "raise_saved_photos"}  # ?notice=… a view opens with (a fixed set: nothing sent is shown as is)


def build(account: Account, lang: str) -> Component:
    """The page's frame; the view is filled by the address's callback."""
    scope.leader()
    nav = html.Nav([dcc.Link(text("nav_grid", lang), href="/grid", className="gg-nav-link")], className="gg-cases-nav")
    body = html.Div(
        [
            nav,
            html.Div(id="case-message", role="status", className="gg-form-message gg-case-message"),
            html.Div(id="cases-body"),
            dcc.Location(id="cases-url", refresh=False),
            dcc.Store(id="cases-version", data=""),
        ],
        className="gg-cases-main",
    )
    return html.Div(shell(text("title_cases", lang), text("separator", lang).join(account.grids), body),
                    className="gg-grid-page gg-cases-page")  # the leader's pages share a look (grid.css)


def _query(search: Any) -> dict[str, str]:
    if search is not None and not isinstance(search, str):
        raise InputError("the address's query is text")
    return {k: v[0] for k, v in parse_qs((search or "").lstrip("?")).items()}


def show(search: Any, version: Any) -> tuple[Component, Any]:
    """The view the address names: (the view, the message line: a notice, cleared, or kept after an action)."""
    account = scope.leader()
    lang = language()
    zone = settings().layers.clock().zone
    query = _query(search)
    notice = NOTICES.get(query.get("notice", ""))
    line: Any = actions.message(text(notice, lang), ok=True) if notice else ""
    if ctx.triggered_id == "cases-version":
        line = no_update  # the action's own message stays
    if "case" in query:
        try:
            view = data.case_view(account, scope.case_id(query["case"]))
        except NotFound:  # another grid's (or reassigned away): nothing of it, in words
            return html.P(text("case_not_found", lang), className="gg-list-empty"), line
        return case_detail.detail(view, lang, zone), line
    if "raise" in query:
        return raise_form.view(lang), line
    return case_list.case_list(data.open_cases(account), lang, zone), line


def register(app: dash.Dash) -> None:
    """Add the page's callbacks."""
    app.callback(
        Output("cases-body", "children"),
        Output("case-message", "children"),
        Input("cases-url", "search"),
        Input("cases-version", "data"),
    )(show)
    app.callback(
        Output("case-message", "children", allow_duplicate=True),
        Output("cases-version", "data"),
        Input(case_detail.action_id(ALL), "n_clicks"),  # type: ignore[arg-type]
        State(case_detail.field_id("current", ALL), "data"),
        State(case_detail.field_id("note", ALL), "value"),
        State(case_detail.field_id("units", ALL), "value"),
        State(case_detail.field_id("reason", ALL), "value"),
        prevent_initial_call=True,
    )(actions.act)
    app.callback(Output("raise-point", "data"), Input("raise-map", "clickData"), prevent_initial_call=True)(
        raise_form.tapped
    )
    app.clientside_callback(
        ClientsideFunction(namespace="gridgovCases", function_name="locate"),
        Output("raise-point", "data", allow_duplicate=True),
        Input("raise-locate", "n_clicks"),
        prevent_initial_call=True,
    )
    app.callback(Output("raise-marker", "children"), Output("raise-where", "children"), Input("raise-point", "data"))(
        raise_form.marked
    )
    app.clientside_callback(  # the form and its photos go to dashboard.cases.raise_route (a callback takes 1 MiB)
        ClientsideFunction(namespace="gridgovCases", function_name="report"),
        Output("raise-message", "children"),
        Output("cases-url", "search"),
        Input("raise-save", "n_clicks"),
        State("raise-category", "value"),
        State("raise-address", "value"),
        State("raise-description", "value"),
        State("raise-point", "data"),
        prevent_initial_call=True,
    )
