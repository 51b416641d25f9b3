"""The `filter` parameter of the OGC API, checked before tipg turns it into SQL.

tipg hands a CQL2 filter to the cql2 library, which writes it out as SQL
almost word for word: a function call in the filter (`pg_sleep(20)`,
`version()`, `query_to_xml(...)`, `pg_try_advisory_lock(...)`) becomes a call
of that database function, and a property name becomes a column reference.
So the filter is parsed here with the same library tipg uses (one parser, no
difference in what it understands), in either language (`cql2-text` or
`cql2-json`), and only a small language is let through, rebuilt node by node
from what was checked: comparisons (`=`, `<>`, `<`, `<=`, `>`, `>=`), `LIKE`,
`BETWEEN`, `IN` and `IS NULL` of one published property with literals of its
type; `AND`, `OR` and `NOT` of those; and the spatial predicates (`S_INTERSECTS`
and the other seven) of the geometry with a literal GeoJSON geometry or
`BBOX(...)`. Anything else, a function or operator of any kind, a property
compared with a property, an unknown property, or a filter longer than
`MAX_FILTER_CHARS` or with more than `MAX_NODES` parts, is refused (HTTP 400,
`api.errors.Refused`) with a short message before any SQL is written.
"""

from __future__ import annotations

import math
from typing import Any

from cql2 import Expr
from tipg.collections import Collection

from api.errors import Refused

MAX_FILTER_CHARS = 4000
MAX_NODES = 500
COMPARISONS = frozenset({"=", "<>", "<", "<=", ">", ">="})
SPATIAL = frozenset({
    "s_intersects", "s_equals", "s_disjoint", "s_touches", "s_within", "s_overlaps", "s_crosses", "s_contains",
})
_GEOMETRY_DEPTH = {  # how deep each GeoJSON type nests its positions
    "Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3,
}
_SCALAR_TYPES = {"string": (str,), "number": (int, float), "integer": (int, float), "boolean": (bool,)}

Json = Any


class _Check:
    """Walks one parsed filter against one collection's published columns, and rebuilds what it allows."""

    def __init__(self, collection: Collection) -> None:
        self.geometries = {c.name for c in collection.geometry_columns}
        self.columns = {c.name: c.json_type for c in collection.properties if c.name not in self.geometries}
        self.nodes = 0

    def predicate(self, node: Json) -> Json:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise Refused(f"the filter has more than {MAX_NODES} parts")
        if not isinstance(node, dict) or set(node) != {"op", "args"} or not isinstance(node["args"], list):
            raise Refused("the filter must be made of comparisons of properties with values")
        op, args = str(node["op"]), node["args"]
        if op in ("and", "or") and len(args) >= 2:
            return {"op": op, "args": [self.predicate(a) for a in args]}
        if op == "not" and len(args) == 1:
            return {"op": op, "args": [self.predicate(args[0])]}
        if op in COMPARISONS and len(args) == 2:
            return self.comparison(op, args)
        if op == "like" and len(args) == 2:
            name = self.property(args[0])
            return {"op": op, "args": [{"property": name}, self.literal(args[1], name, "string")]}
        if op == "between" and len(args) == 3:
            name = self.property(args[0])
            return {"op": op, "args": [{"property": name}, *(self.literal(a, name) for a in args[1:])]}
        if op == "in" and len(args) == 2 and isinstance(args[1], list) and args[1]:
            name = self.property(args[0])
            return {"op": op, "args": [{"property": name}, [self.literal(a, name) for a in args[1]]]}
        if op == "isNull" and len(args) == 1:
            return {"op": op, "args": [{"property": self.property(args[0])}]}
        if op in SPATIAL and len(args) == 2:
            return self.spatial(op, args)
        raise Refused(f"the filter may not use {op!r}: only comparisons, LIKE, BETWEEN, IN, IS NULL,"
                      " AND, OR, NOT and spatial predicates of the geometry are allowed")

    def comparison(self, op: str, args: list[Json]) -> Json:
        left, right = args
        if _is_property(right) and not _is_property(left):
            name = self.property(right)
            return {"op": op, "args": [self.literal(left, name), {"property": name}]}
        name = self.property(left)
        return {"op": op, "args": [{"property": name}, self.literal(right, name)]}

    def spatial(self, op: str, args: list[Json]) -> Json:
        first, second = args
        if _is_property(second) and not _is_property(first):
            return {"op": op, "args": [_geometry(first), {"property": self.geometry(second)}]}
        return {"op": op, "args": [{"property": self.geometry(first)}, _geometry(second)]}

    def property(self, node: Json) -> str:
        if not _is_property(node):
            raise Refused("each comparison in the filter must have a published property on one side and a value on the other")
        name = str(node["property"])
        if name not in self.columns:
            raise Refused(f"the filter names a property this collection does not publish: {name[:60]!r}")
        return name

    def geometry(self, node: Json) -> str:
        name = str(node.get("property")) if isinstance(node, dict) else ""
        if not _is_property(node) or name not in self.geometries:
            raise Refused("a spatial predicate must compare the collection's geometry with a geometry")
        return name

    def literal(self, value: Json, name: str, want: str | None = None) -> Json:
        kind = want or self.columns[name]
        types = _SCALAR_TYPES.get(kind)
        if types is None:
            raise Refused(f"the property {name!r} cannot be filtered on")
        if not isinstance(value, types) or (kind != "boolean" and isinstance(value, bool)):
            raise Refused(f"the property {name!r} is compared with a value of the wrong type (it takes a {kind})")
        if isinstance(value, float) and not math.isfinite(value):
            raise Refused("numbers in the filter must be finite")
        if isinstance(value, str) and "\x00" in value:
            raise Refused("text in the filter may not contain a NUL character")
        return value


def _is_property(node: Json) -> bool:
    return isinstance(node, dict) and set(node) == {"property"} and isinstance(node["property"], str)


def _finite(value: Json) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Refused("coordinates in the filter must be finite numbers")
    return float(value)


def _positions(coordinates: Json, depth: int) -> Json:
    if not isinstance(coordinates, list):
        raise Refused("a geometry in the filter has malformed coordinates")
    if depth == 0:
        if len(coordinates) not in (2, 3):
            raise Refused("a position in the filter must have 2 or 3 coordinates")
        return [_finite(c) for c in coordinates]
    return [_positions(c, depth - 1) for c in coordinates]


def _geometry(node: Json) -> Json:
    """A literal geometry (GeoJSON, or a bbox), rebuilt from its checked parts only."""
    if isinstance(node, dict) and set(node) == {"bbox"} and isinstance(node["bbox"], list) and len(node["bbox"]) in (4, 6):
        box = [_finite(c) for c in node["bbox"]]
        half = len(box) // 2
        w, s, e, n = box[0], box[1], box[half], box[half + 1]
        # as a polygon: cql2 writes a BBOX as an envelope without SRID, which PostGIS will not compare with ours
        return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}
    if isinstance(node, dict) and node.get("type") in _GEOMETRY_DEPTH and "coordinates" in node:
        return {"type": node["type"], "coordinates": _positions(node["coordinates"], _GEOMETRY_DEPTH[node["type"]])}
    raise Refused("a spatial predicate must compare the geometry with a literal geometry or BBOX(...)")


def checked(text: str, collection: Collection) -> Expr:
    """The filter `text` (CQL2 text or JSON) as an expression of the allowed language, or Refused."""
    if len(text) > MAX_FILTER_CHARS:
        raise Refused(f"the filter is longer than {MAX_FILTER_CHARS} characters")
    try:
        tree = Expr(text).to_json()
    except Exception:  # the parser's own message repeats the input with markers; a short one is enough
        raise Refused("the filter is not valid CQL2 (text or JSON)") from None
    return Expr(_Check(collection).predicate(tree))
