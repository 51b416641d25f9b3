"""What the OGC API answers when a request fails: a short message, never the database's words.

tipg's own handlers answer with `str(exception)`, which for a database error
is PostgreSQL's message, often with the SQL in it. These replace them: bad
input is 400 (a parameter FastAPI could not read, a filter or bound we
refuse: `Refused`, or tipg's checks of bbox, datetime and property names),
an unknown collection or feature 404, a query stopped by the reader role's
statement timeout 503, and anything else 500 with a fixed message, the
details going to the log only. Bodies follow the OGC API's exception shape,
`{"code": ..., "description": ...}`, as the sign-in answers do (api.auth).
"""

from __future__ import annotations

import logging

from asyncpg.exceptions import PostgresError, QueryCanceledError
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from tipg import errors as tipg_errors

log = logging.getLogger(__name__)

_BAD_INPUT: tuple[type[Exception], ...] = (
    tipg_errors.InvalidBBox, tipg_errors.InvalidDatetime, tipg_errors.InvalidLimit,
    tipg_errors.InvalidPropertyName, tipg_errors.InvalidGeometryColumnName,
    tipg_errors.InvalidDatetimeColumnName, tipg_errors.MissingDatetimeColumn,
)


class Refused(Exception):
    """A request the API will not run, with the short message (and status) its client gets."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def answer(status: int, message: str) -> JSONResponse:
    """The API's error body."""
    return JSONResponse({"code": status, "description": message}, status_code=status)


def _refused(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Refused)
    return answer(exc.status, exc.message)


def _invalid_parameters(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    names = sorted({str(e["loc"][-1]) for e in exc.errors() if e.get("loc")})
    return answer(400, f"invalid value of {', '.join(names) or 'a parameter'}")


def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    status = 400 if exc.status_code == 422 else exc.status_code
    return answer(status, str(exc.detail)[:200])


def _tipg(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, _BAD_INPUT):
        return answer(400, _tipg_message(exc))
    if isinstance(exc, tipg_errors.NotFound):
        return answer(404, "not found")
    log.error("tipg failed on %s", request.url.path, exc_info=exc)
    return answer(500, "the request could not be answered")


def _tipg_message(exc: Exception) -> str:
    if isinstance(exc, tipg_errors.MissingDatetimeColumn | tipg_errors.InvalidDatetimeColumnName):
        return "this collection has no time column: datetime cannot be used"
    if isinstance(exc, tipg_errors.InvalidDatetime):
        return "invalid datetime"
    if isinstance(exc, tipg_errors.InvalidBBox):
        return "invalid bbox"
    return str(exc)[:200]  # tipg's own words about a property or column name, no SQL


def _database(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, QueryCanceledError):
        log.warning("a query of %s was stopped by the statement timeout", request.url.path)
        return answer(503, "the query took too long and was stopped; ask for less (a smaller limit or a filter)")
    log.error("the database failed on %s", request.url.path, exc_info=exc)
    return answer(500, "the database could not answer this request")


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unexpected error on %s", request.url.path, exc_info=exc)
    return answer(500, "the request could not be answered")


def install(app: FastAPI) -> None:
    """Put these handlers on `app` (instead of tipg's)."""
    app.add_exception_handler(Refused, _refused)
    app.add_exception_handler(RequestValidationError, _invalid_parameters)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(tipg_errors.TiPgError, _tipg)
    app.add_exception_handler(PostgresError, _database)
    app.add_exception_handler(Exception, _unexpected)
