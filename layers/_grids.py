"""Grid polygons for the per-grid layers, and the GeoJSON they are served as."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

DECIMALS = 7  # RFC 7946 §11.2: about 1 cm, more than any grid boundary is surveyed to


def polygons(conn: Any, codes: Sequence[str] = ()) -> gpd.GeoDataFrame:
    """grid_code, grid_name, community_name and polygon of the grids `codes` (all when empty), by grid_code."""
    rows = conn.execute(
        "SELECT grid_code, grid_name, community_name, ST_AsBinary(geom) FROM grids"
        " WHERE cardinality(%(codes)s::text[]) = 0 OR grid_code = ANY(%(codes)s::text[]) ORDER BY grid_code",
        {"codes": list(codes)},
    ).fetchall()
    return gpd.GeoDataFrame(
        {
            "grid_code": pd.Series([r[0] for r in rows], dtype="string"),
            "grid_name": [r[1] for r in rows],
            "community_name": [r[2] for r in rows],
        },
        geometry=shapely.from_wkb([bytes(r[3]) for r in rows]) if rows else gpd.GeoSeries([]),
        crs="EPSG:4326",
    )


def rfc7946(geometry: gpd.GeoSeries) -> gpd.GeoSeries:
    """Geometries as RFC 7946 wants them: exterior rings counter-clockwise, holes clockwise, 7 decimals."""
    values = shapely.orient_polygons(np.asarray(geometry.values), exterior_cw=False)
    values = shapely.transform(values, lambda xy: np.round(xy, DECIMALS))
    return gpd.GeoSeries(values, index=geometry.index, crs=geometry.crs)


def feature_collection(frame: gpd.GeoDataFrame, id_column: str = "grid_code") -> dict[str, Any]:
    """A GeoJSON FeatureCollection of `frame`: id from `id_column`, missing values as null, RFC 7946 geometry."""
    out = frame.set_geometry(rfc7946(frame.geometry)).set_index(id_column, drop=False)
    # via JSON text: numpy scalars become plain numbers and NaN becomes null in one step
    value: dict[str, Any] = json.loads(out.to_json(na="null", drop_id=False))
    return value
