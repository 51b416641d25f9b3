"""Geocode and place staged rows, set-based in PostGIS: every row gets a grid or a reason."""

from __future__ import annotations

import psycopg

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
    conn.execute(
        """
        UPDATE stage s SET grid_code = (
            SELECT g.grid_code FROM grids g WHERE ST_Covers(g.geom, ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326))
            ORDER BY g.grid_code LIMIT 1)
        WHERE s.reason IS NULL AND s.grid_code IS NULL
        """
    )
    conn.execute(
        "UPDATE stage SET reason = 'point outside every grid: ' || round(lon::numeric, 6) || ', ' "
        "|| round(lat::numeric, 6) WHERE reason IS NULL AND grid_code IS NULL"
    )
