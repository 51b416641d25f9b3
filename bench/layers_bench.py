"""Benchmark the layers at city scale against straightforward baselines, in the same run, on the same server.

    .venv/bin/python bench/layers_bench.py [--data DIR] [--repeat N] [--note TEXT] [--no-results]

1. Loads the synthetic city (bench/make_city.py's output in DIR, default bench/out/city; generated if missing)
   into the database `bench_layers` with `gridgov load` (not timed; skipped when it is already loaded).
2. For every layer of the registry: the per-grid aggregate the map asks for (a GeoJSON FeatureCollection of
   every grid with its numbers, through `layers.registry.aggregate`), and the detail of one grid where the
   layer has detail. Each is run once to warm up, then N times with the answer cache cleared (so each run
   computes it; the dashboard then serves it from the cache until the data changes); the median counts.
3. The baselines a competent analyst would write without our schema's placement:
   - counts per grid: `geopandas.read_postgis` of the points and the grids, `gpd.sjoin(..., predicate="within")`,
     `groupby().size()`, joined back to the grids and written as GeoJSON (`to_json`);
   - Gi*: `libpysal.weights.fuzzy_contiguity` within 1 m on the polygons in local metres (queen contiguity
     that allows for the slivers of real boundaries, as ours) and `esda.G_Local(counts, w, star=True,
     permutations=999, seed=...)` on the same per-grid counts.
4. Prints the table (seconds and ratio ours / baseline, < 1: ours is faster) and replaces the layers section
   of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import geopandas as gpd
import psycopg
from psycopg import sql

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
BIN = Path(sys.executable).parent
RESULTS = BENCH / "RESULTS.md"
DATABASE = "bench_layers"
BEGIN, END = "<!-- layers-bench -->", "<!-- /layers-bench -->"

sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))
from _results import replace_section, timed  # noqa: E402

from gridgov.access import Role  # noqa: E402
from gridgov.database import resolve_url  # noqa: E402
from gridgov.settings import DatabaseSettings, LayerSettings  # noqa: E402
from layers import answers, registry  # noqa: E402
from layers.registry import Filters, Viewer  # noqa: E402


def _with_db(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def prepare(server: str, data: Path, database: str = DATABASE) -> str:
    """The URL of `database` (bench_layers) with the city of `data` loaded (loaded when it holds no households or
    no complaints; another scale goes to a database of its own: bench/dashboard_bench.py --database)."""
    if not (data / "households.csv").exists():
        subprocess.run([sys.executable, str(BENCH / "make_city.py"), "--out", str(data)], check=True)
    url = _with_db(server, database)
    with psycopg.connect(server, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    env = {**os.environ, "GRIDGOV_DATABASE_URL": url}
    subprocess.run([str(BIN / "gridgov"), "db", "upgrade"], check=True, env=env, stdout=subprocess.DEVNULL)
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT (SELECT count(*) FROM households), (SELECT count(*) FROM complaints)").fetchone()
    if not row or min(row) == 0:
        print(f"loading {data} into {database} (not timed) …", flush=True)
        started = time.perf_counter()
        subprocess.run([str(BIN / "gridgov"), "load", str(data)], check=True, env=env, stdout=subprocess.DEVNULL)
        print(f"  loaded in {time.perf_counter() - started:.0f} s", flush=True)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return url


def baseline_counts(url: str, table: str) -> str:
    """Per-grid counts the straightforward way: read points and grids, sjoin, group, GeoJSON."""
    engine_url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    from sqlalchemy import create_engine

    engine = create_engine(engine_url)
    try:
        grids = gpd.read_postgis("SELECT grid_code, grid_name, geom FROM grids", engine, geom_col="geom")
        points = gpd.read_postgis(sql_text(table), engine, geom_col="geom")
        joined = gpd.sjoin(points, grids, predicate="within")
        counts = joined.groupby("grid_code").size().rename("n")
        out = grids.join(counts, on="grid_code")
        out["n"] = out["n"].fillna(0).astype(int)
        return str(out.to_json())
    finally:
        engine.dispose()


def sql_text(table: str) -> str:
    return {
        "households": "SELECT household_id, geom FROM households",
        "complaints": "SELECT ticket_id, geom FROM complaints",
    }[table]


def baseline_gi(url: str, settings: LayerSettings) -> Any:
    """Gi* the straightforward way: libpysal fuzzy contiguity within 1 m of the polygons, esda G_Local on the counts."""
    import numpy as np
    from esda.getisord import G_Local
    from libpysal.weights import fuzzy_contiguity
    from sqlalchemy import create_engine

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        grids = gpd.read_postgis(
            "SELECT g.grid_code, g.geom, (SELECT count(*) FROM complaints c WHERE c.grid_code = g.grid_code) AS n"
            " FROM grids g ORDER BY g.grid_code",
            engine,
            geom_col="geom",
        )
    finally:
        engine.dispose()
    west, south, east, north = grids.total_bounds
    grids = grids.to_crs(f"+proj=tmerc +approx +lat_0={(south + north) / 2} +lon_0={(west + east) / 2} +units=m")
    w = fuzzy_contiguity(grids, buffering=True, buffer=0.5, silence_warnings=True)  # queen within 1 m
    w.transform = "B"
    return G_Local(
        np.asarray(grids["n"], dtype=float),
        w,
        star=True,
        permutations=settings.hotspot_permutations,
        seed=settings.hotspot_seed,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=BENCH / "out" / "city")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--note", action="append", default=[])
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args(argv)

    settings = LayerSettings()
    url = prepare(resolve_url(DatabaseSettings()), args.data)
    rows: list[tuple[str, str, float, float | None]] = []  # what, layer, ours, baseline
    with psycopg.connect(url) as conn:
        conn.autocommit = True  # each query sees the data as is; nothing here writes
        n_grids, n_households, n_complaints = conn.execute(
            "SELECT (SELECT count(*) FROM grids), (SELECT count(*) FROM households), (SELECT count(*) FROM complaints)"
        ).fetchone() or (0, 0, 0)
        busiest = conn.execute("SELECT grid_code FROM complaints GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()
        leader = Viewer(Role.GRID_LEADER, busiest[0] if busiest else "none")
        secretary = Viewer(Role.SECRETARY)
        baselines = {
            "special_groups": ("households per grid: read_postgis + sjoin + groupby", "households"),
            "complaints": ("complaints per grid: read_postgis + sjoin + groupby", "complaints"),
            "complaint_density": ("complaints per grid: read_postgis + sjoin + groupby", "complaints"),
        }
        base_cache: dict[str, float] = {}
        for layer in registry.available():
            print(f"{layer.name} …", flush=True)

            def computed(layer: registry.Layer = layer) -> object:
                answers.clear()  # computed afresh each time: a cached answer would time nothing but a lookup
                return registry.aggregate(conn, layer.name, secretary, Filters(), settings)

            ours, _ = timed(computed, args.repeat)
            base: float | None = None
            if layer.name in baselines:
                what, table = baselines[layer.name]
                if table not in base_cache:
                    base_cache[table], _ = timed(
                        lambda table=table: baseline_counts(url, table), max(1, args.repeat // 2)
                    )
                base = base_cache[table]
                rows.append((f"per-grid aggregate of every grid (baseline: {what})", layer.name, ours, base))
            elif layer.name == "complaint_hotspots":
                base, _ = timed(lambda: baseline_gi(url, settings), max(1, args.repeat // 2))
                rows.append(
                    (
                        f"Gi* with {settings.hotspot_permutations} permutations, every grid "
                        "(baseline: fuzzy_contiguity + esda G_Local)",
                        layer.name,
                        ours,
                        base,
                    ),
                )
            else:
                rows.append(("per-grid aggregate of every grid", layer.name, ours, None))
            if layer.detail is not None and layer.access.get(Role.GRID_LEADER):
                detail, _ = timed(
                    lambda layer=layer: registry.detail(conn, layer.name, leader, Filters(), settings), args.repeat
                )
                rows.append((f"detail of the busiest grid ({leader.grid_code}), grid leader", layer.name, detail, None))

    section = render(args, url, rows, (n_grids, n_households, n_complaints))
    print(section)
    if not args.no_results:
        replace_section(RESULTS, BEGIN, END, section)
    return 0


def render(
    args: argparse.Namespace, url: str, rows: list[tuple[str, str, float, float | None]], sizes: tuple[int, int, int]
) -> str:
    command = "python bench/layers_bench.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    lines = [
        f"## Layers at city scale: {sizes[0]:,} grids · {sizes[1]:,} households · {sizes[2]:,} complaints",
        "",
        f"- date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {os.cpu_count()} CPUs, Python {platform.python_version()}",
        f"- command: `{command.strip()}` (data: the city of bench/make_city.py, loaded into `{DATABASE}`)",
        f"- each figure: the median of {args.repeat} runs after a warm-up; baselines run in the same command",
        *(f"- note: {n}" for n in args.note),
        "",
        "| question | layer | ours (s) | baseline (s) | ours / baseline |",
        "|---|---|---:|---:|---:|",
    ]
    for what, layer, ours, base in rows:
        ratio = f"**{ours / base:.2f}**" if base else "—"
        lines.append(
            f"| {what} | {layer} | {ours:.3f} | {base:.3f} | {ratio} |"
            if base
            else f"| {what} | {layer} | {ours:.3f} | — | — |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
