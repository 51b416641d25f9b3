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


GRID_COLUMNS = ("grid_code", "grid_name", "community_name")


def shapes(conn: Any, codes: Sequence[str] = ()) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """grid_code -> (RFC 7946 geometry, the grid's own properties) of the grids `codes` (all when empty).

    Real boundaries carry thousands of vertices per grid: turned into GeoJSON once per version of the grids
    (the caller keeps this), a per-grid layer's answer costs its numbers only (`with_numbers`)."""
    frame = polygons(conn, codes)
    collection = feature_collection(frame)
    return {f["id"]: (f["geometry"], f["properties"]) for f in collection["features"]}


def _plain(value: Any) -> Any:
    """A cell as JSON has it: numpy scalars as Python numbers, missing values (NaN, NA, None) as None."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    return value


def with_numbers(shapes_: dict[str, tuple[dict[str, Any], dict[str, Any]]], table: pd.DataFrame) -> dict[str, Any]:
    """The FeatureCollection `feature_collection` makes of the polygons joined with `table` (indexed by
    grid_code), from shapes kept by `shapes`: the same features, properties and order."""
    columns = [str(c) for c in table.columns]
    numbers = {
        str(code): {c: _plain(v) for c, v in zip(columns, row, strict=True)}
        for code, row in zip(table.index, table.itertuples(index=False, name=None), strict=True)
    }
    empty = dict.fromkeys(columns)
    features = [
        {
            "id": code,
            "type": "Feature",
            "properties": {**own, **numbers.get(code, empty)},
            "geometry": geometry,
        }
        for code, (geometry, own) in shapes_.items()
    ]
    return {"type": "FeatureCollection", "features": features}


def feature_collection(frame: gpd.GeoDataFrame, id_column: str = "grid_code") -> dict[str, Any]:
    """A GeoJSON FeatureCollection of `frame`: id from `id_column`, missing values as null, RFC 7946 geometry."""
    out = frame.set_geometry(rfc7946(frame.geometry)).set_index(id_column, drop=False)
    # via JSON text: numpy scalars become plain numbers and NaN becomes null in one step
    value: dict[str, Any] = json.loads(out.to_json(na="null", drop_id=False))
    return value
