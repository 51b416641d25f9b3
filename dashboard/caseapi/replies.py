"""JSON answers of the case API and Open311, and their errors in each one's format.

The case API answers an error as `{"error": "..."}` (409 adds `"allowed"`: the
actions the case allows the caller now); Open311 as the standard's list,
`[{"code": 400, "description": "..."}]`, the description in the language the
request's Accept-Language asks for (zh or en; without one the default, 简体中文)
when the error was worded from the catalogue (GridgovError.said), else as it
was written. Domain errors raised by a route map to statuses as everywhere in
the dashboard (dashboard.web.http_errors STATUS), NotFound to 404 and
NotAllowed to 409; nothing carries a traceback or SQL.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import HTTPException

from dashboard.web.http_errors import status_of
from gridgov.cases import NotAllowed
from gridgov.errors import GridgovError, NotFound
from gridgov.i18n import DEFAULT_LANGUAGE, LANGUAGES, text

JSON = "application/json"
INTERNAL = "internal error (logged on the server)"
HTTP_KEYS = {405: "open311_http_405", 413: "open311_http_413"}  # Open311's words for the HTTP errors it meets


def reply(value: Any, status: int = 200) -> Response:
    """`value` as a JSON answer."""
    return Response(orjson.dumps(value), status=status, mimetype=JSON)


def error(status: int, message: str, **extra: Any) -> Response:
    """An error of the case API."""
    return reply({"error": message, **extra}, status)


def open311_error(status: int, message: str) -> Response:
    """An error in Open311's format."""
    return reply([{"code": status, "description": message}], status)


def open311_language() -> str:
    """The language of Open311's error descriptions: the one Accept-Language prefers, else the default one."""
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)


def open311_said(status: int, key: str, **values: object) -> Response:
    """An error in Open311's format, worded by the catalogue's `key` in the request's language."""
    return open311_error(status, text(key, open311_language(), **values))


def _status(exc: GridgovError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, NotAllowed):
        return 409
    return status_of(exc)


def install_errors(blueprint: Blueprint, *, open311: bool) -> None:
    """Answer the blueprint's errors in its own format (they win over the app's handlers for its routes)."""
    shape = open311_error if open311 else error

    @blueprint.errorhandler(GridgovError)
    def _domain(exc: GridgovError) -> Response:
        status = _status(exc)
        if isinstance(exc, NotAllowed) and not open311:
            return error(status, str(exc), allowed=list(exc.allowed))
        if status == 500:  # a domain error no status is named for: logged, not shown
            current_app.logger.error("case API error on %s: %s", request.path, exc)
            return open311_said(500, "open311_internal") if open311 else error(500, INTERNAL)
        answer = open311_error(status, exc.words(open311_language())) if open311 else error(status, str(exc))
        if status == 401:
            answer.headers["WWW-Authenticate"] = 'Bearer realm="gridgov"'
        return answer

    @blueprint.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:  # 413 (a body over the limit), 405, …
        code = exc.code or 500
        if open311 and code in HTTP_KEYS:
            return open311_said(code, HTTP_KEYS[code])
        return shape(code, exc.name.lower())
