"""Geocode and place staged rows, set-based in PostGIS: every row gets a grid or a reason."""

from __future__ import annotations

import numpy as np
import pandas as pd
import psycopg
import shapely

from etl.datasets import Dataset
from etl.fuzzy import FuzzyMatcher
from etl.geocoders import Geocoder, geocode_unmatched


def place(
    conn: psycopg.Connection, dataset: Dataset, *, fuzzy: FuzzyMatcher | None = None, geocoder: Geocoder | None = None
) -> None:
    """Give every good staged row its point and grid, or a reason."""
    if dataset.placement == "polygon":
        return  # grids are the polygons themselves
    if dataset.placement == "household":
        # a visit belongs to the grid of the household visited
        conn.execute(
            "UPDATE stage s SET grid_code = h.grid_code FROM households h "
            "WHERE s.reason IS NULL AND h.household_id = s.household_id"
        )
        conn.execute(
            "UPDATE stage SET reason = 'household is not in the register: ' || household_id "
            "WHERE reason IS NULL AND grid_code IS NULL"
        )
        return
    # Given coordinates won already, and exact gazetteer matches were made while parsing
    # (etl.gazetteer); what is left has no point yet.
    if dataset.name == "buildings":
        conn.execute("UPDATE stage SET reason = 'building has no coordinates' WHERE reason IS NULL AND lon IS NULL")
    else:
        (fuzzy or FuzzyMatcher()).match(conn)
        if geocoder is not None:
            geocode_unmatched(conn, geocoder)
        _unmatched_reasons(conn)
    _grids(conn)


def _unmatched_reasons(conn: psycopg.Connection) -> None:
    conn.execute(
        """
        UPDATE stage SET reason = CASE
            WHEN unmatched IS NOT NULL THEN unmatched
            WHEN address IS NULL THEN 'no address and no coordinates'
            WHEN match_key IS NULL THEN 'address has no compound and building number: ' || address
            WHEN EXISTS (SELECT 1 FROM buildings b WHERE b.match_key = stage.match_key)
                THEN 'address matches more than one building: ' || address
            ELSE 'address matched no building: ' || address END
        WHERE reason IS NULL AND lon IS NULL
        """
    )


def _grids(conn: psycopg.Connection) -> None:
    # Exactly one grid per point: ST_Covers counts the boundary, and on a shared
    # edge the lowest grid code wins, so the choice never depends on row order.
    # Rows that came with their candidate grids (GridBoxes) are tested against those only;
    # the others (placed by a geocoder in PostGIS, say) search every grid through the index.
    if _has_grid_boxes(conn):
        conn.execute(
            "UPDATE stage s SET grid_code = (SELECT min(b.grid_code) FROM grid_boxes b WHERE b.n = ANY(s.grid_candidates) "
            "AND ST_Covers(b.geom, ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326))) "
            "WHERE s.reason IS NULL AND s.grid_code IS NULL AND s.grid_candidates IS NOT NULL"
        )
    conn.execute(
        """
        UPDATE stage s SET grid_code = (
            SELECT g.grid_code FROM grids g WHERE ST_Covers(g.geom, ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326))
            ORDER BY g.grid_code LIMIT 1)
        WHERE s.reason IS NULL AND s.grid_code IS NULL AND s.grid_candidates IS NULL
        """
    )
    conn.execute(
        "UPDATE stage SET reason = 'point outside every grid: ' || round(lon::numeric, 6) || ', ' "
        "|| round(lat::numeric, 6) WHERE reason IS NULL AND grid_code IS NULL"
    )


def _has_grid_boxes(conn: psycopg.Connection) -> bool:
    row = conn.execute("SELECT to_regclass('pg_temp.grid_boxes') IS NOT NULL").fetchone()
    return bool(row and row[0])


class GridBoxes:
    """The grids' bounding boxes, held in memory during a load, and numbered in a temporary table.

    A grid covers a point only if its bounding box (exact: the least and greatest coordinates
    of its vertices) holds the point, so the grids whose boxes hold a point are all the grids
    that can cover it; PostGIS then decides among those few with the same ST_Covers, without
    searching its spatial index once per point. Grids tile the city, so a point has one
    candidate, or two or four on an edge or corner.
    """

    def __init__(self, conn: psycopg.Connection) -> None:
        conn.execute("DROP TABLE IF EXISTS grid_boxes")
        conn.execute(
            "CREATE TEMP TABLE grid_boxes ON COMMIT DROP AS "
            "SELECT (row_number() OVER (ORDER BY grid_code))::integer - 1 AS n, grid_code, geom FROM grids"
        )
        conn.execute("ALTER TABLE grid_boxes ADD PRIMARY KEY (n)")
        conn.execute("ANALYZE grid_boxes")
        shapes = [bytes(r[0]) for r in conn.execute("SELECT ST_AsBinary(geom) FROM grid_boxes ORDER BY n")]
        self.tree = shapely.STRtree(shapely.from_wkb(shapes))

    def candidates(self, lon: pd.Series, lat: pd.Series) -> pd.Series:
        """For each point, the numbers of the grids whose bounding box holds it (a list, maybe empty)."""
        points = shapely.points(lon.to_numpy(dtype=np.float64), lat.to_numpy(dtype=np.float64))
        point, grid = self.tree.query(points)  # pairs whose bounding boxes intersect
        order = np.lexsort((grid, point))
        point, grid = point[order], grid[order]
        cuts = np.searchsorted(point, np.arange(1, len(points)))
        return pd.Series([g.tolist() for g in np.split(grid, cuts)], index=lon.index, dtype="object")
