"""The OGC API's query parameters that reach SQL, bounded and checked before tipg uses them.

- `limit` (features per page, and collections per page) is clamped to
  `MAX_ITEMS` (`MAX_COLLECTIONS`): the OGC API – Features standard says a
  limit above the server's maximum is no error, the server uses its maximum,
  and the `next` link then pages on from there. A limit that is no whole
  number ≥ 0 is refused (400).
- `offset` above `MAX_OFFSET`, and `simplify` that is not a finite number from
  0 to `MAX_SIMPLIFY` degrees, are refused (400): both go into the SQL as
  numbers (an offset beyond a bigint or a NaN tolerance was a database error).
- `bbox` must be 4 or 6 finite numbers (tipg read `nan` and failed on words),
  `ids` at most `MAX_ITEMS` of at most `MAX_ID_CHARS` characters each.
- `filter` is checked by api.cql, and the `PROPERTY=VALUE` parameters (tipg's
  equality filters) must give a number for a numeric property.

`bbox`, `ids` and `filter` are tipg's FastAPI dependencies, replaced here with
checked ones (`override`); `limit`, `offset` and `simplify` are plain
parameters of tipg's endpoints, so `BoundsMiddleware` looks at the query
string first, changing only a too-large `limit`.
"""

from __future__ import annotations

import json
import re
from typing import Annotated
from urllib.parse import unquote_plus

from cql2 import Expr
from fastapi import Depends, FastAPI, Query
from starlette.requests import Request
from tipg.collections import Collection
from tipg.dependencies import CollectionParams, FilterLang, bbox_query, filter_query, ids_query

from api.auth import ASGIApp, Receive, Scope, Send
from api.cql import checked
from api.errors import Refused, answer
from gridgov import numbers

MAX_ITEMS = 10_000  # a city of 3,300 grids is one page
MAX_COLLECTIONS = 1_000
MAX_OFFSET = 1_000_000
MAX_SIMPLIFY = 1.0  # degrees: about 100 km, more than any grid
MAX_ID_CHARS = 200
_LIMITED = {re.compile(r"^/collections/[^/]+/items/?$"): MAX_ITEMS, re.compile(r"^/collections/?$"): MAX_COLLECTIONS}


def _number(raw: str, name: str) -> float:
    value = numbers.finite(raw)
    if value is None:
        raise Refused(f"{name} must be a finite number")
    return value


def _whole(raw: str, name: str) -> int:
    if not (raw.strip().isascii() and raw.strip().isdigit()):
        raise Refused(f"{name} must be a whole number ≥ 0")
    return int(raw)


def _bounded_query(query: bytes, path: str) -> bytes:
    """The query string with `limit` clamped; Refused for a bad limit, offset or simplify."""
    maximum = next((m for pattern, m in _LIMITED.items() if pattern.match(path)), None)
    pairs = query.split(b"&") if query else []
    out = []
    for pair in pairs:
        key, _, value = pair.partition(b"=")
        name, raw = unquote_plus(key.decode("latin-1")), unquote_plus(value.decode("utf-8", "replace"))
        if name == "limit" and maximum is not None and _whole(raw, "limit") > maximum:
            pair = b"limit=" + str(maximum).encode()
        elif name == "offset" and _whole(raw, "offset") > MAX_OFFSET:
            raise Refused(f"offset may be at most {MAX_OFFSET}")
        elif name == "simplify" and not 0 <= _number(raw, "simplify") <= MAX_SIMPLIFY:
            raise Refused(f"simplify must be from 0 to {MAX_SIMPLIFY} (degrees)")
        out.append(pair)
    return b"&".join(out)


class BoundsMiddleware:
    """Pure ASGI: clamps `limit`, refuses a bad `limit`, `offset` or `simplify` (400) before tipg sees them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            try:
                query = _bounded_query(scope.get("query_string", b""), scope["path"])
            except Refused as refused:
                await answer(refused.status, refused.message)(scope, receive, send)
                return
            scope = {**scope, "query_string": query}
        await self.app(scope, receive, send)


def checked_bbox(bbox: Annotated[str | None, Query(description="Spatial filter: minx,miny,maxx,maxy (4 or 6 numbers).")] = None) -> list[float] | None:
    """tipg's `bbox`, with 4 or 6 finite numbers in range."""
    if bbox is None:
        return None
    parts = bbox.split(",")
    if len(parts) not in (4, 6):
        raise Refused("bbox must be 4 or 6 comma-separated numbers")
    bounds = [_number(p, "bbox") for p in parts]
    half = len(bounds) // 2
    lons, lats = (bounds[0], bounds[half]), (bounds[1], bounds[half + 1])
    if any(abs(x) > 180 for x in lons) or any(abs(y) > 90 for y in lats):
        raise Refused("bbox must be longitude and latitude in degrees (WGS-84)")
    return bounds


def checked_ids(ids: Annotated[str | None, Query(description="Filter by ids (comma-separated).")] = None) -> list[str] | None:
    """tipg's `ids`, at most MAX_ITEMS of at most MAX_ID_CHARS characters each."""
    if not ids:
        return None
    values = ids.split(",")
    if len(values) > MAX_ITEMS or any(len(v) > MAX_ID_CHARS or "\x00" in v for v in values):
        raise Refused(f"ids takes at most {MAX_ITEMS} ids of at most {MAX_ID_CHARS} characters")
    return values


def _check_property_values(request: Request, collection: Collection) -> None:
    """tipg compares `?households=abc` in SQL, a database error: a numeric property takes a number."""
    numeric = {c.name for c in collection.properties if c.json_type == "number"}
    for key, value in request.query_params.multi_items():
        if key in numeric:
            _number(value, key)


def checked_filter(
    request: Request,
    collection: Annotated[Collection, Depends(CollectionParams)],
    query: Annotated[str | None, Query(alias="filter", description="CQL2 filter (comparisons of properties with values, spatial predicates).")] = None,
    filter_lang: Annotated[FilterLang | None, Query(alias="filter-lang", description="cql2-text (default) or cql2-json.")] = None,
) -> Expr | None:
    """tipg's `filter`, in the small language api.cql allows; its geometries as CRS84 as tipg does (JSON round trip).

    Also checks the `PROPERTY=VALUE` filters, which tipg reads inside its endpoint, out of reach of an override."""
    _check_property_values(request, collection)
    if query is None:
        return None
    if filter_lang == "cql2-json":
        try:
            json.loads(query)
        except ValueError:
            raise Refused("filter-lang is cql2-json but the filter is not JSON") from None
    return checked(query, collection)


def override(app: FastAPI) -> None:
    """Make `app` use the checked parameters wherever tipg's endpoints take the unchecked ones."""
    app.dependency_overrides[bbox_query] = checked_bbox
    app.dependency_overrides[ids_query] = checked_ids
    app.dependency_overrides[filter_query] = checked_filter
