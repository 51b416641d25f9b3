"""The baseline of the benchmark: what a competent user writes by hand with geopandas.

    BENCH_DATABASE_URL=postgresql://… .venv/bin/python bench/baseline.py DATA_DIR

Reads grids.geojson and the already-geocoded points in DATA_DIR/baseline/ (WGS-84 lon/lat), places every
point in its grid with a spatial join, and writes grids, households and complaints to PostGIS with
GeoDataFrame.to_postgis (which COPYs the rows). No validation, no geocoding, no quarantine, no upsert:
that is the work our ETL does on top. Prints `peak_rss_kib=N` (this process's ru_maxrss) as its last line.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
from sqlalchemy import create_engine

CHUNK = 100_000
GRID_COLUMNS = {"网格编码": "grid_code", "网格名称": "grid_name", "社区名称": "community_name", "网格员": "leader",
                "街道": "street_name", "街道代码": "street_code", "社区代码": "community_code"}
TIMES = ("received_at", "responded_at", "resolved_at")


def points(path: Path, grids: gpd.GeoDataFrame, dtype: dict[str, str]) -> gpd.GeoDataFrame:
    """Read pre-geocoded points and attach the grid each lies within."""
    df = pd.read_csv(path, dtype=dtype)  # empty cells become NULL
    for col in TIMES:
        if col in df:
            df[col] = pd.to_datetime(df[col], format="%Y-%m-%d %H:%M:%S")
    gdf = gpd.GeoDataFrame(df.drop(columns=["lon", "lat"]), geometry=gpd.points_from_xy(df["lon"], df["lat"]),
                           crs="EPSG:4326")
    del df
    placed = gpd.sjoin(gdf, grids[["grid_code", "geometry"]], how="inner", predicate="within")
    return placed.drop(columns="index_right")


def main(argv: list[str]) -> int:
    data = Path(argv[1])
    url = os.environ["BENCH_DATABASE_URL"]
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    t0 = time.perf_counter()

    grids = gpd.read_file(data / "grids.geojson").rename(columns=GRID_COLUMNS)
    grids.to_postgis("grids", engine, if_exists="replace", index=False)
    print(f"grids: {len(grids)} rows, {time.perf_counter() - t0:.1f} s", flush=True)

    households = points(data / "baseline" / "households_points.csv", grids,
                        {"household_id": "str", "address": "str", "head_name": "str", "id_number": "str",
                         "phone": "str", "members": "Int64", "groups": "str"})
    households.to_postgis("households", engine, if_exists="replace", index=False, chunksize=CHUNK)
    print(f"households: {len(households)} rows, {time.perf_counter() - t0:.1f} s", flush=True)
    del households

    complaints = points(data / "baseline" / "complaints_points.csv", grids,
                        {"ticket_id": "str", "category": "str", "content": "str", "address": "str",
                         "resolved": "str", "satisfied": "str"})
    complaints.to_postgis("complaints", engine, if_exists="replace", index=False, chunksize=CHUNK)
    print(f"complaints: {len(complaints)} rows, {time.perf_counter() - t0:.1f} s", flush=True)
    engine.dispose()
    print(f"peak_rss_kib={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
