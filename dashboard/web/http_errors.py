"""Errors as HTTP answers, in one place: domain errors, HTTP errors and the unexpected, as JSON or a small page.

Data URLs, Dash's endpoints and the case API (paths under /data/, /_, /api/ and /open311/) get JSON with the
error's message; a page a person opened gets a short page in their language.
No answer carries a traceback, SQL or a database's message: a statement the
database stopped (the statement timeout) is a 503 saying so, an unknown Dash
component bundle a 404, any other HTTP error its status with a one-line
message, and an unexpected exception a 500 with a fixed message, its details
in the server's log only.
"""

from __future__ import annotations

import json

import psycopg
from dash.exceptions import DependencyException
from flask import Flask, Response, render_template_string, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from dashboard.web.appctx import settings
from dashboard.web.session import language
from gridgov import i18n
from gridgov.errors import DatabaseUnavailable, Forbidden, GridgovError, InputError, NotFound, Unauthenticated
from gridgov.i18n import text

STATUS: dict[type[GridgovError], int] = {
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    InputError: 400,
    DatabaseUnavailable: 503,
}
_MESSAGE_KEY = {
    400: "request_bad", 401: "login_expired", 403: "forbidden", 404: "page_not_found", 405: "request_bad",
    413: "request_too_large", 414: "request_too_large", 500: "server_error", 503: "db_unavailable",
}
i18n.add({
    "zh": {
        "request_bad": "请求有误，请返回页面重试。",
        "request_too_large": "请求过大，服务器未予处理。",
        "server_error": "服务器出错，已记录在日志中，请稍后重试或联系管理员。",
    },
    "en": {
        "request_bad": "The request was not valid; go back to the page and try again.",
        "request_too_large": "The request was too large; the server did not read it.",
        "server_error": "The server failed; this was logged. Try again later or ask the administrator.",
    },
})

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
    return path.startswith(("/data/", "/_", "/api/", "/open311/"))


def answer(status: int, message: str) -> Response:
    """The error as JSON for code, or as a short page in the session's language for a person."""
    if is_api(request.path):
        return Response(json.dumps({"error": message}, ensure_ascii=False), status=status, mimetype="application/json")
    lang = language()
    body = render_template_string(
        _PAGE, html_lang=text("html_lang", lang), message=text(_MESSAGE_KEY.get(status, "request_bad"), lang),
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

    @server.errorhandler(psycopg.errors.QueryCanceled)
    def _too_long(exc: psycopg.errors.QueryCanceled) -> Response:
        server.logger.warning("statement stopped on %s: %s", request.path, exc)
        seconds = settings().dashboard.statement_timeout_seconds
        return answer(503, f"the request took longer than {seconds:g} s and was stopped; ask for less (fewer grids, a shorter window)")

    @server.errorhandler(DependencyException)
    def _no_bundle(exc: DependencyException) -> Response:
        return answer(404, "not found")

    @server.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:  # Flask passes redirects of its routing on, not here
        reply = answer(exc.code or 500, exc.name.lower())
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            reply.headers["Allow"] = ", ".join(exc.valid_methods)
        return reply

    @server.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        server.logger.exception("unexpected error on %s %s", request.method, request.path)
        return answer(500, "internal error (logged on the server)")
