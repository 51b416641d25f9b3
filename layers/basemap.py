"""The vector base map drawn instead of tiles: grid extent and building points."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import psycopg

from layers import _queries


class Bounds(NamedTuple):
    """A lon/lat bounding box in WGS-84 (EPSG:4326)."""

    west: float
    south: float
    east: float
    north: float


def grid_bounds(conn: psycopg.Connection, codes: Sequence[str] = ()) -> Bounds | None:
    """The extent of the grids `codes` (none: every grid), or None when none of them is loaded."""
    row = conn.execute(
        "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom) AS e FROM grids"
        " WHERE cardinality(%(codes)s::text[]) = 0 OR grid_code = ANY (%(codes)s::text[])) AS s",
        {"codes": list(codes)},
    ).fetchone()
    if row is None or row[0] is None:
        return None
    return Bounds(*row)


def buildings(conn: psycopg.Connection, codes: Sequence[str] = ()) -> dict[str, Any]:
    """Building points of the grids `codes` (none: every grid) as a GeoJSON FeatureCollection (building_id, address,
    grid_code)."""
    return _queries.fetch_json(conn, "buildings", {"codes": list(codes)})
