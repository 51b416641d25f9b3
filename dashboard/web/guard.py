"""Every request passes here first: who is signed in decides what they may reach.

Open to anyone: the sign-in page, the language switch, sign-out, the static
files in dashboard/assets (CSS and the map's JS, no data) and the favicon.
Anything else needs a signed-in account: an anonymous request for a page is
sent to /login (and back afterwards); one for a data URL or a Dash endpoint
(/data/…, /_dash-…) gets a 401. A signed-in account may open only the pages
of its role (403, or from `/` to its own landing page) and paths that exist
(404); a data URL other than the grids' shapes only if the policy's
`data_urls` allows the role (a wall device: 403). A public or data path that no route of ours answers is a 404 too, for
anyone: Dash would answer it with its page. Data URLs and callbacks decide
what the account may see themselves, from the session
(dashboard.web.data_access). Responses are marked no-store unless the route
says otherwise: pages and data carry what one account may see.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, Response, redirect, request

from dashboard import caseapi, pages
from dashboard.web import data_urls
from dashboard.web.http_errors import answer, is_api
from dashboard.web.session import current_account
from gridgov import access

PUBLIC_PATHS = frozenset({"/login", "/logout", "/_favicon.ico"})
PUBLIC_PREFIXES = ("/assets/", "/language/", "/wall/device/", "/unit/")  # a wall device signs in (dashboard.web.login);
# a unit's single-case link (dashboard.unit.page): its token is the credential, checked by the route
# the grids' shapes: any role with community data (a wall device too); other data URLs need the policy's data_urls
GRID_SHAPES = frozenset({data_urls.OUTLINES, data_urls.LABEL_POINTS})
# Dash's own endpoints (the layout, the callbacks, the component bundles)
DASH_PREFIXES = ("/_dash-", "/_reload-hash")
# a signed-in action of a page that decides who may use it itself: a street officer opening a community
# (dashboard.street.page, which refuses every other role with 403)
ACTION_PREFIXES = ("/street/open/",)
# Dash answers every path no other route takes with its index page (200): a path it catches that is no page is a 404
_CATCH_ALL = frozenset({"/", "/<path:path>"})


def is_public(path: str) -> bool:
    """Whether anyone may fetch `path` without signing in."""
    # the case API and Open311 too: each of their routes asks for a session or a system's token (dashboard.caseapi)
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES) or path.startswith(caseapi.PREFIXES)


def _unrouted(path: str) -> bool:
    """Whether only Dash's catch-all route would answer `path` (with the index page) though it is no page."""
    rule = request.url_rule
    return (rule is None or rule.rule in _CATCH_ALL) and path not in pages.PAGES


def _check() -> Response | None:
    path = request.path
    if is_public(path):
        return answer(404, "not found") if _unrouted(path) else None
    account = current_account()
    if account is None:
        if is_api(path):
            return answer(401, "sign in first")
        return redirect("/login?" + urlencode({"next": path}))  # type: ignore[return-value]
    if path.startswith("/data/") and path not in GRID_SHAPES and not access.decide(account.role, access.DATA_URLS).allowed:
        return answer(403, f"a {account.role.value} may not use the data URLs")
    if path.startswith("/data/") or path.startswith(DASH_PREFIXES) or path.startswith(ACTION_PREFIXES):
        return answer(404, "not found") if _unrouted(path) else None
    if is_api(path) or path not in pages.PAGES:
        return answer(404, "not found")
    if not pages.may_open(account, path):
        if path == "/":
            return redirect(pages.landing(account))  # type: ignore[return-value]
        return answer(403, f"a {account.role.value} may not open {path}")
    return None


def _no_store(response: Response) -> Response:
    # a route may allow this browser to keep what it sent (the grids' shapes: "private, no-cache", with an ETag)
    if (
        not request.path.startswith(("/assets/", "/_dash-component-suites/"))
        and "Cache-Control" not in response.headers
    ):
        response.headers["Cache-Control"] = "no-store"
    return response


def install(server: Flask) -> None:
    """Run the check before every request the server answers."""
    server.before_request(_check)
    server.after_request(_no_store)
