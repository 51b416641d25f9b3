"""What an audit row says of a layer's data leaving the server: the layer, the grids, and the filters asked for.

The dashboard's data URLs, downloads and callbacks and `gridgov export` all
describe what they hand out with `detail`, so the audit table reads the same
whichever way the data left: the filters by their data-URL names (`grid`,
`from`, `to`, `category`, `status`, `as_of`, `period`) with their values, and
the names of the filters used (`filters`, as Filters.used() calls them).
"""

from __future__ import annotations

from typing import Any

from layers.registry import Filters


def query(filters: Filters) -> dict[str, Any]:
    """The filters' values under their data-URL names; only those set to something other than the default."""
    out: dict[str, Any] = {}
    for key, values in (("grid", filters.grids), ("category", filters.categories), ("status", filters.statuses)):
        if values:
            out[key] = list(values)
    for key, day in (("from", filters.start), ("to", filters.end), ("as_of", filters.as_of)):
        if day is not None:
            out[key] = day.isoformat()
    if filters.period != "month":
        out["period"] = filters.period
    return out


def detail(layer: str, filters: Filters, via: str, **more: Any) -> dict[str, Any]:
    """An audit row's detail: the layer, the grids it covers (all: []), the filters, where it went (`via`), and `more`."""
    return {
        "layer": layer, "grids": list(filters.grids), "filters": sorted(filters.used()), "query": query(filters),
        "via": via, **more,
    }
