"""The OGC API's HTML pages: our own templates, escaped, with every asset served by the API itself.

tipg's templates print values unescaped (its Jinja environment has no
autoescape), so a grid name such as `<img src=x onerror=alert(1)>` ran as
script in the browser of whoever opened the items page, on the dashboard's
site; and they load Bootstrap, jQuery, Leaflet and map tiles from public
hosts. Here tipg renders our templates (api/templates) in an environment that
escapes every value; the data a map needs is a JSON block (`tojson` escapes
`<`, `>` and `&`) read by one script of ours (api/static/map.js). The assets
are this server's: Leaflet 1.9.4 (the `dist` files of its npm package, with
its BSD licence, in api/static/leaflet) and a small stylesheet of ours;
Bootstrap and jQuery are gone, and so is the base map (the shapes are drawn
alone). `/api.html`, FastAPI's Swagger page (itself loaded from a CDN), is a
plain page of ours listing the operations. Every response also carries a
Content-Security-Policy that lets a page run and load only this server's
files, so a value that escaped escaping still could not run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from api.auth import ASGIApp, Message, Receive, Scope, Send

HERE = Path(__file__).resolve().parent
STATIC_PREFIX = "/static/"
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self';"
    " base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]

templates = Jinja2Templates(
    env=jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)
)


class SecurityHeadersMiddleware:
    """Pure ASGI: every response gets the Content-Security-Policy and its companions."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *_HEADERS]}
            await send(message)

        await self.app(scope, receive, with_headers)


def _api_page(app: FastAPI, title: str) -> Any:
    def page(request: Request) -> Response:
        base = str(request.base_url).rstrip("/")
        return templates.TemplateResponse(request, "api.html", {
            "title": title, "paths": app.openapi().get("paths", {}),
            "template": {"api_root": base, "params": request.query_params, "title": f"{title}: API"},
            "crumbs": [{"url": base, "part": "Home"}, {"url": f"{base}/api.html", "part": "API"}],
            "url": f"{base}/api.html", "params": "",
        })

    return page


def install(app: FastAPI, title: str) -> None:
    """Serve the static assets and the `/api.html` page on `app` (the name tipg's landing page links to)."""
    app.mount(STATIC_PREFIX.rstrip("/"), StaticFiles(directory=HERE / "static"), name="static")
    app.add_api_route("/api.html", _api_page(app, title), name="swagger_ui_html", include_in_schema=False,
                      methods=["GET"])
