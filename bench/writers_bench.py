"""The library against the hand-written code, in the same process: EWKB of points, and planners' GeoJSON.

    .venv/bin/python bench/writers_bench.py

1. EWKB: etl.direct's hex EWKB of 50,000 points (one chunk of a load) against shapely's
   `to_wkb(set_srid(points(lon, lat), 4326), hex=True, include_srid=True)`; both must give the same bytes.
2. GeoJSON of 3,300 synthetic grids of 520 vertices (1.7 million, a city's planner export): the file written
   by GDAL (gridgov.rfc7946.encode) against json.dumps of layers.export.geojson's features, and the features
   in memory (layers.export.geojson) against GDAL's text parsed back; both must hold the same features.

Prints seconds and the ratio library / hand-written (> 1: the library is slower). No database needed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from etl.direct import _ewkb_points
from gridgov import rfc7946
from layers import registry
from layers.export import geojson, schema


def best(f: Callable[[], Any], repeat: int) -> float:
    """The fastest of `repeat` runs, in seconds (the least disturbed by the machine)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)


def report(what: str, library: float, hand: float) -> None:
    print(f"{what}: library {library:.3f} s, hand-written {hand:.3f} s, library / hand-written = {library / hand:.2f}")


def ewkb() -> None:
    rng = np.random.default_rng(1)
    lon, lat = pd.Series(116 + rng.random(50_000)), pd.Series(39 + rng.random(50_000))

    def library() -> pa.Array:
        points = shapely.set_srid(shapely.points(lon.to_numpy(), lat.to_numpy()), 4326)
        return pa.array(shapely.to_wkb(points, hex=True, include_srid=True), type=pa.string())

    assert library().equals(_ewkb_points(lon, lat))
    report("EWKB of 50,000 points", best(library, 10), best(lambda: _ewkb_points(lon, lat), 10))


def planners_geojson() -> None:
    rng = np.random.default_rng(0)
    t = np.linspace(0, 2 * np.pi, 520)
    rings = [
        np.c_[116.2 + (i % 60) * 0.005 + r * np.cos(t), 39.8 + (i // 60) * 0.005 + r * np.sin(t)]
        for i, r in enumerate(0.0024 + 0.0001 * rng.random((3300, 520)))
    ]
    rings = [np.vstack([ring[:-1], ring[:1]]) for ring in rings]
    shapes = shapely.orient_polygons(shapely.polygons(rings), exterior_cw=False)
    shapes = shapely.transform(shapes, lambda xy: np.round(xy, 7))
    layer = registry.get("complaints")  # 21 properties of every type
    made = {"int": lambda: pd.Series(rng.integers(0, 900, 3300), dtype="Int64"),
            "float": lambda: pd.Series(rng.random(3300).round(1) * 100, dtype="Float64"),
            "str": lambda: pd.Series([f"G{i:05d}" for i in range(3300)], dtype="string")}
    frame = gpd.GeoDataFrame({c.name: made[c.type]() for c in schema(layer)}, geometry=shapes, crs="EPSG:4326")
    assert json.loads(rfc7946.encode(frame, layer.name)) == geojson(frame, layer)
    report(
        "GeoJSON file of 3,300 grids",
        best(lambda: rfc7946.encode(frame, layer.name), 3),
        best(lambda: json.dumps(geojson(frame, layer), ensure_ascii=False, separators=(",", ":")), 3),
    )
    report(
        "GeoJSON features in memory, 3,300 grids",
        best(lambda: json.loads(rfc7946.encode(frame, layer.name)), 3),
        best(lambda: geojson(frame, layer), 3),
    )


if __name__ == "__main__":
    ewkb()
    planners_geojson()
