"""Dash's responses serialised by orjson in one pass, components included.

Dash turns every callback response and page into JSON with plotly's
`to_json_plotly`. Its orjson path first tries orjson alone, which fails on any
Dash component; it then walks the whole response in Python to clean it, one call
per value, before orjson runs. A wall page at city scale holds ~40,000 values, a
grid leader's visit list ~5,000: that walk was half of their server time. Here
orjson calls `_component` for what it cannot write itself, so a component
becomes its `to_plotly_json()` dict and orjson goes on in C. Whatever else it
cannot write (a pandas value, say) makes it fall back to plotly's own function,
so the output is always what plotly would write: tests/test_dashboard_layout.py
compares the two on real pages. The same characters are escaped as plotly
escapes them (the JSON may sit inside a <script> element of the page).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import plotly.io.json
from dash.development.base_component import Component

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY  # as plotly's orjson path
_ESCAPED = (("<", "\\u003c"), (">", "\\u003e"), ("/", "\\u002f"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))
_original: Callable[..., str] | None = None


def _component(value: Any) -> Any:
    if isinstance(value, Component):
        return value.to_plotly_json()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dumps(value: Any, pretty: bool = False, engine: str | None = None) -> str:
    """`plotly.io.json.to_json_plotly`, in one pass of orjson when it can."""
    assert _original is not None
    if pretty or engine not in (None, "orjson"):
        return _original(value, pretty, engine)
    try:
        text = orjson.dumps(value, default=_component, option=_OPTIONS).decode()
    except TypeError:
        return _original(value, pretty, engine)
    for unsafe, safe in _ESCAPED:
        if unsafe in text:
            text = text.replace(unsafe, safe)
    return text


def install() -> None:
    """Make Dash (which imports to_json_plotly from plotly.io.json at each call) use `dumps`."""
    global _original
    if _original is None:
        _original = plotly.io.json.to_json_plotly
        plotly.io.json.to_json_plotly = dumps  # type: ignore[assignment]


def plotly_dumps(value: Any) -> str:
    """What plotly itself writes for `value` (for tests comparing the two)."""
    assert _original is not None
    return _original(value)
