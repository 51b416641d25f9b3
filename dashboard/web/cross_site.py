"""Data and Dash's endpoints answer this site's own pages only: a request another site started is a 403.

Browsers say who started a request in the Fetch Metadata header
`Sec-Fetch-Site`: `same-origin` (this dashboard's own page), `none` (typed
into the address bar, a bookmark), or `same-site` / `cross-site` (a page of
another host made the browser ask, e.g. by a link, a form or an <img>). Such
a request for a data URL, a download or a callback would carry the signed-in
user's cookie and run as them (a view or an export audited in their name): it
is refused here before anything is read. A browser that sends no such header
(older than 2023) is let through; downloads need the session's CSRF token in a
POST as well (dashboard.web.downloads), and the session cookie is SameSite=Lax,
so another site's POST carries no session at all. Pages may still be linked
to from anywhere.
"""

from __future__ import annotations

from flask import Flask, Response, request

from dashboard.web.http_errors import answer, is_api

_FOREIGN = frozenset({"same-site", "cross-site"})


def _check() -> Response | None:
    if is_api(request.path) and request.headers.get("Sec-Fetch-Site", "").lower() in _FOREIGN:
        return answer(403, "this address answers the dashboard's own pages only, not a request from another site")
    return None


def install(server: Flask) -> None:
    """Refuse other sites' requests for data before every route."""
    server.before_request(_check)
