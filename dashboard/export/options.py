"""What the planner's page offers to pick: the exportable layers, the grids, and the categories in the data.

The choices come from the server (layers.export): the layers from the registry
(what a planner may export), the grids and categories from the database on the
session's connection (dashboard.web.data_access). What is picked is turned into the query
parameters of the data URLs and checked there like any request
(dashboard.web.query_filters), so the page and a hand-made URL are held to the same
rules.
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from dashboard.web import data_access, query_filters
from layers import export
from layers.registry import Filters, Layer


def layers() -> list[Layer]:
    """The layers the page offers: those a planner may export, in registry order."""
    return export.exportable()


def layer(name: Any) -> Layer:
    """The offered layer called `name` (an InputError when there is none)."""
    return export.exportable_layer(name if isinstance(name, str) else "")


def grids() -> list[tuple[str, str]]:
    """(grid_code, grid_name) of every grid the session may see, by code."""
    return data_access.grid_choices()


def categories(layer: Layer) -> list[str]:
    """The distinct values the layer's category filter can match in the data (none when it takes no category)."""
    return data_access.category_choices(layer)


def _texts(value: Any) -> list[str]:
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, str) and v]


def _day(value: Any) -> str | None:
    """A date picker's value as YYYY-MM-DD (pickers may send a time too); None when empty."""
    if not isinstance(value, str) or not value:
        return None
    return value[:10]


def params(layer: Layer, grids: Any, start: Any, end: Any, cats: Any) -> dict[str, list[str]]:
    """The query parameters of what is picked, only for the filters the layer takes (others are not shown)."""
    out: dict[str, list[str]] = {}
    if "grids" in layer.accepts and _texts(grids):
        out["grid"] = _texts(grids)
    if "window" in layer.accepts:
        for key, value in (("from", _day(start)), ("to", _day(end))):
            if value:
                out[key] = [value]
    if "categories" in layer.accepts and _texts(cats):
        out["category"] = _texts(cats)
    return out


def filters(query: dict[str, list[str]]) -> Filters:
    """The Filters of the query parameters, parsed and bounded as a data URL's are (an InputError when wrong)."""
    return query_filters.parse_for_app(MultiDict([(k, v) for k, values in query.items() for v in values]))

