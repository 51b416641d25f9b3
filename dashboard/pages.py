"""The pages, who may open each, and where each role lands after signing in.

One Dash app serves every page: the layout is a URL watcher and an empty
frame, and a router callback builds the page for the path. Who may open a page
is checked twice on the server, from the session's account: when the browser
asks for the path (dashboard.web.guard) and again in the router, so a crafted
callback request for another role's page is a 403 too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import dash
from dash import Input, Output, dcc, html
from dash.development.base_component import Component

from dashboard.admin import page as admin_page
from dashboard.export import page as export_page
from dashboard.grid import page as grid_page
from dashboard.overview import page as overview_page
from dashboard.wall import page as wall_page
from dashboard.web.i18n import text
from dashboard.web.session import language, require_account
from gridgov.accounts import Account, AccountRole
from gridgov.errors import Forbidden, InputError


@dataclass(frozen=True)
class Page:
    """A path, the roles that may open it, and the function that builds it for an account in a language."""

    path: str
    roles: frozenset[AccountRole]
    build: Callable[[Account, str], Component]


PAGES: dict[str, Page] = {
    p.path: p
    for p in (
        Page("/", frozenset({AccountRole.SECRETARY}), overview_page.build),
        Page("/wall", wall_page.ROLES, wall_page.build),
        Page("/grid", frozenset({AccountRole.GRID_LEADER}), grid_page.build),
        Page("/export", frozenset({AccountRole.PLANNER}), export_page.build),
        Page("/admin", frozenset({AccountRole.ADMIN}), admin_page.build),
    )
}
LANDING: dict[AccountRole, str] = {
    AccountRole.SECRETARY: "/wall",
    AccountRole.GRID_LEADER: "/grid",
    AccountRole.PLANNER: "/export",
    AccountRole.ADMIN: "/admin",
}


def landing(account: Account) -> str:
    """Where the account lands after signing in."""
    return LANDING[account.role]


def may_open(account: Account, path: str) -> bool:
    """Whether the account may open the page at `path` (False for a path that is no page)."""
    page = PAGES.get(path)
    return page is not None and account.role in page.roles


def render(path: object) -> Component:
    """The page at `path` for the signed-in account; Forbidden when the role may not open it."""
    if not isinstance(path, str):
        raise InputError("a page is a path")
    account = require_account()
    page = PAGES.get(path)
    if page is None:
        return html.Div(text("page_not_found", language()), className="gg-notice")
    if account.role not in page.roles:
        raise Forbidden(f"a {account.role.value} may not open {path}")
    return page.build(account, language())


def layout() -> Component:
    """The frame every page is built into."""
    return html.Div([dcc.Location(id="url"), html.Div(id="page", className="gg-page-host")])


def register(app: dash.Dash) -> None:
    """Set the layout and add the router and the pages' callbacks."""
    app.layout = layout
    app.callback(Output("page", "children"), Input("url", "pathname"))(render)
    grid_page.register(app)
    wall_page.register(app)
    export_page.register(app)
