"""Complaint density (诉求密度): complaints per grid, and inside a grid on a fine hexagon grid.

The aggregate is the complaints of the filters per grid. The detail, for the
zoomed view, counts them on hexagons of edge HEX_EDGE_M metres (52 m across the
flats, about 2,300 m² each, a few dozen per grid) laid out as PostGIS's
ST_HexagonGrid does in the UTM zone of the centre of all grids, so a cell is the
same wherever and for whomever it is drawn. Only cells with complaints are
returned, each clipped to the grid its complaints were placed in and tagged with
its grid_code: a cell on a boundary is one feature per grid. Never a point.

Who sees what: the secretary sees the cells of every grid (counts only, no
complaint), a grid leader those of their own grid. A planner gets the per-grid
count only (withheld below 5 in their export): a cell of one or two complaints
at one building is close to a person's address, and the detail function does
not know the viewer, so it cannot withhold small cells for a planner alone.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import psycopg

from gridgov.settings import Settings
from layers.complaints import FILTERS, counts, over_complaints, params
from layers.registry import Access, Column, Filters, Layer, Legend, Role, register

HEX_EDGE_M = 30.0


def utm_srid(conn: psycopg.Connection) -> int:
    """EPSG code of the UTM zone (WGS-84) holding the centre of all grids; zone 50N when there are none."""
    row = conn.execute(
        "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(ST_Extent(geom)::geometry) AS c FROM grids) AS s"
    ).fetchone()
    if row is None or row[0] is None:
        return 32650
    lon, lat = row
    zone = min(60, max(1, int((lon + 180) // 6) + 1))
    return (32600 if lat >= 0 else 32700) + zone


def _aggregate(conn: psycopg.Connection, filters: Filters, settings: Settings) -> pd.DataFrame:
    return counts(conn, filters, settings)


def cells(conn: psycopg.Connection, filters: Filters, settings: Settings) -> dict[str, Any]:
    """The hexagon cells with complaints in the grids of the filters, as a GeoJSON FeatureCollection."""
    values = {**params(filters, settings), "srid": utm_srid(conn), "size": HEX_EDGE_M}
    row = conn.execute(over_complaints("density_cells"), values).fetchone()
    assert row is not None  # the query aggregates
    value: dict[str, Any] = row[0]
    return value


LAYER = register(
    Layer(
        name="complaint_density",
        label_zh="诉求密度",
        label_en="Complaint density",
        accepts=FILTERS,
        columns=(Column("complaints", "int", "诉求数", "complaints"),),
        aggregate=_aggregate,
        legend=Legend(
            property="complaints",
            kind="count",
            title_zh="诉求密度",
            title_en="Complaint density",
            note_zh=f"放大后按边长 {HEX_EDGE_M:g} 米的六边形网格统计诉求数，只显示有诉求的格子，不显示单个诉求位置。",
            note_en=(
                f"Zoomed in: complaints counted on hexagons of {HEX_EDGE_M:g} m edge; only cells with complaints "
                "are drawn, never a single complaint's location."
            ),
        ),
        access={Role.SECRETARY: Access.DETAIL, Role.PLANNER: Access.AGGREGATE, Role.GRID_LEADER: Access.DETAIL},
        detail=cells,
        detail_columns=(
            Column("grid_code", "str", "网格编码", "grid code"),
            Column("i", "int", "列号", "cell column (ST_HexagonGrid i)"),
            Column("j", "int", "行号", "cell row (ST_HexagonGrid j)"),
            Column("complaints", "int", "诉求数", "complaints in the cell"),
        ),
        suppress={"complaints": ()},
        reads=frozenset({"complaints", "grids"}),
    )
)
