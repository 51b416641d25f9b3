"""How much a request may ask the server to read, checked before any route or callback runs.

- The body: at most GRIDGOV_MAX_BODY_BYTES (1 MiB; Flask's MAX_CONTENT_LENGTH,
  set in create_app): a longer one is a 413 and is not read.
- The query string: at most MAX_QUERY_BYTES (a 414); what its filters may
  ask is bounded by dashboard.web.query_filters.
- A Dash callback (POST /_dash-update-component): its body must be JSON (read
  by orjson, which stops at 1,024 levels instead of recursing on), nested at
  most MAX_JSON_DEPTH levels, with no NUL character in any text (PostgreSQL
  refuses them), and name a callback this app has. Anything else is a 400 with
  a short message (a callback no page has: 404), before Dash parses it again.

Every size a user chooses beyond these (grids, categories, dates, windows) is
bounded where it is parsed (query_filters, which the export page's callbacks
use too; dashboard.grid.scope for the grid leader's page).
"""

from __future__ import annotations

from typing import Any

import dash
import orjson
from flask import Response, request

from dashboard.web.http_errors import answer

MAX_QUERY_BYTES = 128 * 1024  # the grid codes of a city (5,000 of them) fit
MAX_JSON_DEPTH = 64  # a callback's body is ~10 deep (a clicked grid's polygon); more is no browser's
CALLBACK_PATH = "/_dash-update-component"


def problem(value: Any) -> str | None:
    """What is wrong with a parsed JSON value (too deep, a NUL in a text), or None; walked without recursion."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return f"the body is nested more than {MAX_JSON_DEPTH} levels deep"
        if isinstance(item, str):
            if "\x00" in item:
                return "a value may not contain a NUL character"
        elif isinstance(item, dict):
            stack.extend((key, depth) for key in item)
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return None


def _callback(app: dash.Dash) -> Response | None:
    try:
        body = orjson.loads(request.get_data(cache=True))  # a body over the limit raises 413 here
    except orjson.JSONDecodeError:
        return answer(400, "the callback's body is not JSON (or is nested over 1,024 levels)")
    wrong = problem(body)
    if wrong is not None:
        return answer(400, wrong)
    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        return answer(400, "a callback's body is an object naming its output")
    if not isinstance(body.get("inputs", []), list) or not isinstance(body.get("state", []), list):
        return answer(400, "a callback's inputs and state are lists")
    if "callback" not in app.callback_map.get(body["output"], {}):  # none, or one that runs in the browser only
        return answer(404, "there is no such callback")
    return None


def _check(app: dash.Dash) -> Response | None:
    if len(request.query_string) > MAX_QUERY_BYTES:
        return answer(414, f"the query string is over {MAX_QUERY_BYTES:,} bytes")
    if request.method == "POST" and request.path == CALLBACK_PATH:
        return _callback(app)
    return None


def install(app: dash.Dash) -> None:
    """Check every request of the app's server before its route runs."""
    app.server.before_request(lambda: _check(app))
