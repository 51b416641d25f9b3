"""The grids as shapes only, for a map that colours them from per-grid numbers sent apart (the wall screen).

A map of the whole city draws 3,300 polygons: fetched once, by URL, they need
not travel again with every change of colour. What comes here is what any
role that may see a grid may see of it: its code, its name, its community and
its shape (or a point inside it, where its label goes). A grid leader gets
only their own grids; every other role every grid.
"""

from __future__ import annotations

from typing import Any

import psycopg

from layers import _grids, answers
from layers.basemap import Bounds
from layers.registry import Role, Viewer

READS = frozenset({"grids"})  # all that is read here
_LABEL_POINTS = """
SELECT grid_code, grid_name, ST_X(p), ST_Y(p)
FROM (SELECT grid_code, grid_name, ST_PointOnSurface(geom) AS p FROM grids
      WHERE cardinality(%(codes)s::text[]) = 0 OR grid_code = ANY(%(codes)s::text[])) AS s
ORDER BY grid_code
"""
_EXTENT = """
SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
FROM (SELECT ST_Extent(geom) AS e FROM grids
      WHERE cardinality(%(codes)s::text[]) = 0 OR grid_code = ANY(%(codes)s::text[])) AS s
"""


def _codes(viewer: Viewer) -> tuple[str, ...]:
    """The grids the viewer may see, () for every grid."""
    return viewer.grid_codes if viewer.role is Role.GRID_LEADER else ()


def outlines(conn: psycopg.Connection, viewer: Viewer) -> dict[str, Any]:
    """The viewer's grids as a FeatureCollection (id and grid_code, grid_name, community_name); kept until they change."""
    codes = _codes(viewer)
    return answers.cached(
        conn, ("outlines", codes), lambda: _grids.feature_collection(_grids.polygons(conn, codes)), reads=READS
    )


def label_points(conn: psycopg.Connection, viewer: Viewer) -> dict[str, Any]:
    """A point inside each of the viewer's grids (where its label is written), with its grid_code and grid_name."""
    codes = _codes(viewer)

    def compute() -> dict[str, Any]:
        rows = conn.execute(_LABEL_POINTS, {"codes": list(codes)}).fetchall()
        features = [
            {
                "type": "Feature",
                "id": code,
                "geometry": {"type": "Point", "coordinates": [round(x, _grids.DECIMALS), round(y, _grids.DECIMALS)]},
                "properties": {"grid_code": code, "grid_name": name},
            }
            for code, name, x, y in rows
            if x is not None
        ]
        return {"type": "FeatureCollection", "features": features}

    return answers.cached(conn, ("label_points", codes), compute, reads=READS)


def extent(conn: psycopg.Connection, viewer: Viewer) -> Bounds | None:
    """The extent of the viewer's grids, or None when there is none; kept until they change."""
    codes = _codes(viewer)

    def compute() -> Bounds | None:
        row = conn.execute(_EXTENT, {"codes": list(codes)}).fetchone()
        return Bounds(*row) if row and row[0] is not None else None

    return answers.cached(conn, ("extent", codes), compute, reads=READS)
