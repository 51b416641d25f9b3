"""Domain errors as HTTP answers, in one place: 401, 403, 400, 404 and 503, as JSON or a small page.

Data URLs and Dash's endpoints (paths under /data/ and /_) get JSON with the
error's message; a page a person opened gets a short page in their language.
"""

from __future__ import annotations

import json

import psycopg
from flask import Flask, Response, render_template_string, request

from dashboard.web.session import language
from gridgov.errors import DatabaseUnavailable, Forbidden, GridgovError, InputError, Unauthenticated
from gridgov.i18n import text

STATUS: dict[type[GridgovError], int] = {
    Unauthenticated: 401,
    Forbidden: 403,
    InputError: 400,
    DatabaseUnavailable: 503,
}
_MESSAGE_KEY = {401: "login_expired", 403: "forbidden", 404: "page_not_found", 503: "db_unavailable"}

_PAGE = """<!doctype html>
<html lang="{{ html_lang }}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ message }}</title><link rel="stylesheet" href="/assets/gridgov.css"></head>
<body class="gg-plain"><main class="gg-card"><p class="gg-message">{{ message }}</p>
<p><a href="/">{{ back }}</a></p></main></body></html>
"""


def status_of(exc: GridgovError) -> int:
    """The HTTP status of a domain error (500 for one that names none)."""
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def is_api(path: str) -> bool:
    """Whether a path is read by code (data URLs, Dash's own endpoints) rather than opened as a page."""
    return path.startswith(("/data/", "/_"))


def answer(status: int, message: str) -> Response:
    """The error as JSON for code, or as a short page in the session's language for a person."""
    if is_api(request.path):
        return Response(json.dumps({"error": message}, ensure_ascii=False), status=status, mimetype="application/json")
    lang = language()
    body = render_template_string(
        _PAGE, html_lang=text("html_lang", lang), message=text(_MESSAGE_KEY.get(status, "forbidden"), lang),
        back=text("back_home", lang),
    )
    return Response(body, status=status, mimetype="text/html")


def install(server: Flask) -> None:
    """Register the handlers on the Flask server (they win over Dash's for these exception types)."""

    @server.errorhandler(GridgovError)
    def _domain(exc: GridgovError) -> Response:
        return answer(status_of(exc), str(exc))

    @server.errorhandler(psycopg.OperationalError)
    def _database(exc: psycopg.OperationalError) -> Response:
        server.logger.error("database unavailable: %s", exc)
        return answer(503, "the database cannot be reached")
