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

from gridgov import i18n
from gridgov.settings import LayerSettings
from layers.complaints import FILTERS, READS, counts, over_complaints, params
from layers.registry import Column, Filters, Layer, Legend, register
from layers.suppression import Rule

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


def _aggregate(conn: psycopg.Connection, filters: Filters, settings: LayerSettings) -> pd.DataFrame:
    return counts(conn, filters, settings)


def cells(conn: psycopg.Connection, filters: Filters, settings: LayerSettings) -> dict[str, Any]:
    """The hexagon cells with complaints in the grids of the filters, as a GeoJSON FeatureCollection."""
    values = {**params(filters, settings), "srid": utm_srid(conn), "size": HEX_EDGE_M}
    row = conn.execute(over_complaints("density_cells"), values).fetchone()
    assert row is not None  # the query aggregates
    value: dict[str, Any] = row[0]
    return value


i18n.add({
    "zh": {
        "complaint_density.label": "诉求密度",
        "complaint_density.legend": "诉求密度",
        "complaint_density.note": f"放大后按边长 {HEX_EDGE_M:g} 米的六边形网格统计诉求数，只显示有诉求的格子，不显示单个诉求位置。",
        "complaint_density.complaints": "诉求数",
        "complaint_density.detail.grid_code": "网格编码",
        "complaint_density.detail.i": "列号",
        "complaint_density.detail.j": "行号",
        "complaint_density.detail.complaints": "诉求数",
    },
    "en": {
        "complaint_density.label": "Complaint density",
        "complaint_density.legend": "Complaint density",
        "complaint_density.note": (
            f"Zoomed in: complaints counted on hexagons of {HEX_EDGE_M:g} m edge; only cells with complaints "
            "are drawn, never a single complaint's location."
        ),
        "complaint_density.complaints": "complaints",
        "complaint_density.detail.grid_code": "grid code",
        "complaint_density.detail.i": "cell column (ST_HexagonGrid i)",
        "complaint_density.detail.j": "cell row (ST_HexagonGrid j)",
        "complaint_density.detail.complaints": "complaints in the cell",
    },
})

LAYER = register(
    Layer(
        name="complaint_density",
        label="complaint_density.label",
        accepts=FILTERS,
        columns=(Column("complaints", "int", "complaint_density.complaints"),),
        aggregate=_aggregate,
        legend=Legend(
            property="complaints",
            kind="count",
            title="complaint_density.legend",
            note="complaint_density.note",
        ),
        detail=cells,
        detail_columns=(
            Column("grid_code", "str", "complaint_density.detail.grid_code"),
            Column("i", "int", "complaint_density.detail.i"),
            Column("j", "int", "complaint_density.detail.j"),
            Column("complaints", "int", "complaint_density.detail.complaints"),
        ),
        suppress=Rule(counts=("complaints",), shared=frozenset({"complaints"})),
        reads=READS,
    )
)
