"""Geocode and place staged rows, set-based in PostGIS: every row gets a grid or a reason."""

from __future__ import annotations

import psycopg
from psycopg import sql

from etl import fuzzy
from etl.datasets import Dataset
from etl.geocoders import Geocoder, geocode_unmatched


def check_rows(conn: psycopg.Connection, dataset: Dataset) -> None:
    """Rules that need the whole file: duplicate ids and dates in the future."""
    key = sql.Identifier(dataset.key)
    conn.execute(
        sql.SQL(
            "UPDATE stage s SET reason = {label} || s.{key} || ' (first at row ' || d.first_row || ')' "
            "FROM (SELECT {key} AS k, min(source_row) AS first_row FROM stage "
            "      WHERE reason IS NULL GROUP BY 1 HAVING count(*) > 1) d "
            "WHERE s.reason IS NULL AND s.{key} = d.k AND s.source_row > d.first_row"
        ).format(key=key, label=sql.Literal(f"duplicate {dataset.key} "))
    )
    for column in dataset.not_future:
        conn.execute(
            sql.SQL(
                "UPDATE stage SET reason = {label} || to_char({col} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') "
                "WHERE reason IS NULL AND {col} > now() + interval '1 day'"
            ).format(col=sql.Identifier(column), label=sql.Literal(f"{column} is in the future: "))
        )


def place(conn: psycopg.Connection, dataset: Dataset, *, geocoder: Geocoder | None = None) -> None:
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
    # Given coordinates win over geocoding.
    conn.execute(
        "UPDATE stage SET geom = ST_SetSRID(ST_MakePoint(lon, lat), 4326) WHERE reason IS NULL AND lon IS NOT NULL"
    )
    if dataset.name == "buildings":
        conn.execute("UPDATE stage SET reason = 'building has no coordinates' WHERE reason IS NULL AND geom IS NULL")
    else:
        _gazetteer(conn)
        fuzzy.match(conn)
        if geocoder is not None:
            geocode_unmatched(conn, geocoder)
        _unmatched_reasons(conn)
    _grids(conn)


def _gazetteer(conn: psycopg.Connection) -> None:
    # Exact match on compound + building. A gazetteer building already knows its
    # grid, so rows matched here inherit it instead of a point-in-polygon test.
    conn.execute(
        """
        UPDATE stage s
        SET geom = b.geom, building_id = b.building_id, grid_code = b.grid_code, geocoded_by = 'gazetteer'
        FROM buildings b
        JOIN (SELECT match_key FROM buildings GROUP BY 1 HAVING count(*) = 1) unique_key USING (match_key)
        WHERE s.reason IS NULL AND s.geom IS NULL AND s.match_key = b.match_key
        """
    )


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
        WHERE reason IS NULL AND geom IS NULL
        """
    )


def _grids(conn: psycopg.Connection) -> None:
    # Exactly one grid per point: ST_Covers counts the boundary, and on a shared
    # edge the lowest grid code wins, so the choice never depends on row order.
    conn.execute(
        """
        UPDATE stage s SET grid_code = (
            SELECT g.grid_code FROM grids g WHERE ST_Covers(g.geom, s.geom) ORDER BY g.grid_code LIMIT 1)
        WHERE s.reason IS NULL AND s.grid_code IS NULL
        """
    )
    conn.execute(
        "UPDATE stage SET reason = 'point outside every grid: ' || round(ST_X(geom)::numeric, 6) || ', ' "
        "|| round(ST_Y(geom)::numeric, 6) WHERE reason IS NULL AND grid_code IS NULL"
    )
