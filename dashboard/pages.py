"""The pages, and the router that builds them for the roles the access policy lets open them.

One Dash app serves every page: the layout is a URL watcher and an empty
frame, and a router callback builds the page for the path. Who may open a page,
and where each role lands after signing in, is the access policy's
(gridgov.access). It is checked twice on the server, from the session's account: when the browser
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
from dashboard.cases import page as cases_page
from dashboard.export import page as export_page
from dashboard.grid import page as grid_page
from dashboard.overview import page as overview_page
from dashboard.queue import page as queue_page
from dashboard.street import page as street_page
from dashboard.unit import page as unit_page
from dashboard.wall import page as wall_page
from dashboard.web.session import language, require_account
from gridgov import access
from gridgov.access import Role
from gridgov.accounts import Account
from gridgov.errors import Forbidden, InputError
from gridgov.i18n import text


@dataclass(frozen=True)
class Page:
    """A path and the function that builds it for an account in a language."""

    path: str
    build: Callable[[Account, str], Component]

    @property
    def roles(self) -> frozenset[Role]:
        """The roles that may open the page."""
        return access.allowed_roles(access.page(self.path))


PAGES: dict[str, Page] = {
    p.path: p
    for p in (
        Page("/", overview_page.build),
        Page("/wall", wall_page.build),
        Page("/street", street_page.build),
        Page("/grid", grid_page.build),
        Page("/cases", cases_page.build),
        Page("/queue", queue_page.build),
        Page("/export", export_page.build),
        Page("/admin", admin_page.build),
    )
}


def landing(account: Account) -> str:
    """Where the account lands after signing in."""
    return access.LANDING[account.role]


def may_open(account: Account, path: str) -> bool:
    """Whether the account may open the page at `path` (False for a path that is no page)."""
    return path in PAGES and access.decide(account.role, access.page(path)).allowed


def render(path: object) -> Component:
    """The page at `path` for the signed-in account; Forbidden when the role may not open it."""
    if not isinstance(path, str):
        raise InputError("a page is a path")
    account = require_account()
    page = PAGES.get(path)
    if page is None:
        return html.Div(text("page_not_found", language()), className="gg-notice")
    if not may_open(account, path):
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
    cases_page.register(app)
    wall_page.register(app)
    export_page.register(app)
    queue_page.register(app)
    admin_page.register(app)
    unit_page.install(app.server)  # /unit/<token>: a unit's single-case link, no account (dashboard.unit)
    street_page.install(app.server)  # /street/open/<community>: a street officer opens one community
