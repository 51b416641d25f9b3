"""The Dash app: one connection pool per app, sign-in in front of everything, pages built from layers/ per request.

create_app wires the pieces, each in its own module: the session secret
(dashboard.web.secret), sign-in and out (dashboard.web.login), the guard every request
passes (dashboard.web.guard), domain errors as HTTP statuses (dashboard.web.http_errors),
the data URLs (dashboard.web.data_urls) and the pages with their callbacks
(dashboard.pages).
"""

from __future__ import annotations

import atexit
from pathlib import Path

import dash
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard import caseapi, pages
from dashboard.cases import photo_routes, raise_route
from dashboard.web import (
    appctx,
    cross_site,
    data_urls,
    fast_json,
    guard,
    headers,
    http_errors,
    login,
    request_limits,
    timing,
)
from dashboard.web.secret import session_secret
from dashboard.web.session import CookieSessions, cookie_lifetime, language
from gridgov.i18n import DEFAULT_LANGUAGE, text
from gridgov.settings import Settings

ASSETS = Path(__file__).resolve().parent / "assets"
BACKGROUND_CONNECTIONS = 2


class _App(dash.Dash):
    """The Dash app whose page (<html lang>, <title>) is in the session's language, asked afresh per request."""

    def interpolate_index(
        self, metas: str = "", title: str = "", css: str = "", config: str = "", scripts: str = "",
        app_entry: str = "", favicon: str = "", renderer: str = "",
    ) -> str:
        lang = language()
        page: str = super().interpolate_index(
            metas=metas, title=text("app_title", lang), css=css, config=config, scripts=scripts,
            app_entry=app_entry, favicon=favicon, renderer=renderer,
        )
        page = page.replace("<script", f'<script nonce="{headers.nonce()}"')  # the page's own, for the CSP
        return page.replace("<html>", f'<html lang="{text("html_lang", lang)}">', 1)


def create_app(settings: Settings, database_url: str) -> dash.Dash:
    """A Dash app serving the community grid map from the database at `database_url`."""
    secret = session_secret(settings)  # refuse to start without one, before anything is opened
    fast_json.install()
    # opened here, not at import: importing the module never connects
    # one connection per request thread, and BACKGROUND_CONNECTIONS for the wall's builds in the background;
    # every statement on them is stopped after statement_timeout_seconds (a session setting: SET LOCAL ROLE keeps it)
    timeout = f"-c statement_timeout={round(settings.dashboard.statement_timeout_seconds * 1000)}"
    options = f"{conninfo_to_dict(database_url).get('options') or ''} {timeout}".strip()  # the URL's own kept
    pool = ConnectionPool(
        database_url,
        kwargs={"options": options},
        min_size=1,
        max_size=settings.dashboard.serve_threads + BACKGROUND_CONNECTIONS,
        timeout=10,
        open=True,
        name="gridgov-dashboard",
    )
    atexit.register(pool.close)
    app = _App(
        __name__,
        title=text("app_title", DEFAULT_LANGUAGE),
        assets_folder=str(ASSETS),
        serve_locally=True,  # closed networks: every script comes from this server
        update_title="",  # keep the tab title still while the page loads
        suppress_callback_exceptions=True,  # a page's components exist only once the router has built it
    )
    server = app.server
    server.config.update(
        SECRET_KEY=secret,
        SESSION_COOKIE_NAME="gridgov_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.dashboard.secure_cookies,
        PERMANENT_SESSION_LIFETIME=cookie_lifetime(settings.dashboard),  # a session's record decides its end
        MAX_CONTENT_LENGTH=settings.dashboard.max_body_bytes,  # a longer body is a 413, never read
    )
    server.session_interface = CookieSessions()  # the cookie expires with its session
    if settings.dashboard.proxy_hops:  # behind a reverse proxy: the client's address (for the audit) is in X-Forwarded-For
        hops = settings.dashboard.proxy_hops
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    appctx.attach(server, pool, settings)
    timing.install(server)  # first, so the time includes the guard and the sign-in check
    http_errors.install(server)
    guard.install(server)
    headers.install(server, settings.dashboard.tile_url)
    cross_site.install(server)
    request_limits.install(app)  # after the guard: an anonymous request is a 401 before its body is read
    login.install(server)
    data_urls.install(server)
    caseapi.install(server)  # /api/v1 and /open311/v2: each route decides who asks (a session or a token)
    photo_routes.install(server)  # case photos: a leader's upload, a viewer's fetch (under /data/)
    raise_route.install(server)  # a leader's new case with the photos chosen in its form (under /data/)
    pages.register(app)
    return app
