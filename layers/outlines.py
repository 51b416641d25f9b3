"""The grids as shapes only, for a map that colours them from per-grid numbers sent apart (the wall screen).

A map of the whole city draws 3,300 polygons: fetched once, by URL, they need
not travel again with every change of colour. What comes here is what any
role that may see a grid may see of it: its code, its name, its community and
its shape (or a point inside it, where its label goes). A grid leader gets
only their own grids; every other role every grid.

The shapes are for drawing, so they are simplified (topology kept) by a
tolerance scaled to what the map shows: SIMPLIFY_SHARE of the larger side of
the grids' extent, half a pixel of a wall screen showing the whole extent.
A community's outlines keep everything but sub-decimetre digitising noise; a
city of 3,300 real boundaries (1.8 million vertices) comes to a few metres,
invisible at the wall's scale of ~14 m a pixel, and to a fraction of the bytes.
Placement, exports and the layers' own GeoJSON keep the polygons as loaded.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import psycopg
import shapely

from layers import _grids, answers
from layers.basemap import Bounds
from layers.registry import Viewer

READS = frozenset({"grids"})  # all that is read here
SIMPLIFY_SHARE = 1 / 4000  # of the extent's larger side: half a pixel of a 2,000-pixel-wide view of all of it
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
    return viewer.grid_codes


def outlines(conn: psycopg.Connection, viewer: Viewer) -> dict[str, Any]:
    """The viewer's grids as a FeatureCollection (id and grid_code, grid_name, community_name); kept until they change."""
    codes = _codes(viewer)

    def compute() -> dict[str, Any]:
        frame = _grids.polygons(conn, codes)
        if len(frame):
            west, south, east, north = frame.total_bounds
            tolerance = max(east - west, north - south) * SIMPLIFY_SHARE
            frame = frame.set_geometry(
                shapely.simplify(np.asarray(frame.geometry.values), tolerance, preserve_topology=True), crs=frame.crs
            )
        return _grids.feature_collection(frame)

    return answers.cached(conn, ("outlines", codes), compute, reads=READS)


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
