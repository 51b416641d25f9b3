"""Benchmark the hot spots' spatial weights and the emerging hot spots on real-like polygons, against baselines in the same run.

    .venv/bin/python bench/weights_bench.py [--data DIR] [--repeat N] [--old-method] [--note TEXT] [--no-results]

1. Street polygons: 214 real-like grids of ~710 vertices (152,000 in all; geodata/boundaries.py, no defects)
   straight into the table grids of a fresh database `bench_weights_streets`, with 40,000 work orders.
   - building the contiguity (layers.contiguity.build: read the polygons, find the pairs, store them) against
     libpysal's `fuzzy_contiguity` within the same 1 m (the polygons read with geopandas, projected to the same
     local metres, each grown by 0.5 m, then intersected); both must find the same pairs. With --old-method,
     also the previous way (ST_DWithin on geography over whole polygons, at every request: minutes).
   - the complaint_hotspots layer once the weights are stored, and the first request after the grids changed.
2. The city (bench/make_city.py: 3,300 real-like grids of >= 500 vertices, 990,000 work orders), loaded into
   `bench_layers` as bench/layers_bench.py does: the same two comparisons, the hot spot layer against
   `fuzzy_contiguity` + esda `G_Local` on the same counts.
3. Emerging hot spots over 104 weeks at city scale: a copy of the city, `bench_weights_city2y`, with each work
   order also a year earlier (two years of weeks, none empty). Cold (no kept answer, no cached permutations):
   ours against the straightforward way on the same space-time cube: esda `G_Local` per week (its own
   conditional randomisation) and pymannkendall.original_test per grid.
4. Prints the table (seconds, ratio ours / baseline, < 1: ours is faster) and replaces the weights section of
   bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tracemalloc
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import psycopg
import shapely
from psycopg import sql

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "RESULTS.md"
BEGIN, END = "<!-- weights-bench -->", "<!-- /weights-bench -->"
STREETS, CITY2Y = "bench_weights_streets", "bench_weights_city2y"

sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(REPO / "geodata"))
from _results import preamble, replace_section, timed  # noqa: E402
from boundaries import make_boundaries  # noqa: E402
from layers_bench import _with_db, prepare  # noqa: E402

from gridgov import migrations  # noqa: E402
from gridgov.access import Role  # noqa: E402
from gridgov.database import resolve_url  # noqa: E402
from gridgov.settings import DatabaseSettings, LayerSettings  # noqa: E402
from layers import answers, contiguity, emerging, hotspots, registry  # noqa: E402
from layers.registry import Filters, Viewer  # noqa: E402

Row = tuple[str, float, float | None, str]  # what, ours (s), baseline (s), note


def fresh_database(server: str, name: str) -> str:
    url = _with_db(server, name)
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with psycopg.connect(url) as conn:
        migrations.upgrade(conn)
    return url


def load_streets(url: str) -> tuple[int, int]:
    """214 real-like street polygons (~152,000 vertices) and 40,000 work orders, straight into the tables."""
    grids = make_boundaries(214, seed=0, vertices_per_grid=710, defects=False)
    with psycopg.connect(url) as conn:
        run = conn.execute(
            "INSERT INTO load_runs (dataset, source_file, sha256, loaded_by) VALUES ('grids', 'bench', %s, 'bench')"
            " RETURNING id",
            ["0" * 64],
        ).fetchone()
        assert run is not None
        with conn.cursor().copy(
            "COPY grids (grid_code, grid_name, community_name, geom, load_run_id, source_row) FROM STDIN"
        ) as copy:
            for i, r in enumerate(grids.itertuples(), start=1):
                wkb = shapely.to_wkb(shapely.multipolygons([r.geometry]), hex=True)
                copy.write_row([r.grid_code, r.grid_name, r.community_name, wkb, run[0], i])
        # work orders in the last 12 months, more of them in a cluster of grids (so there is a hot spot)
        conn.execute(
            "INSERT INTO complaints (ticket_id, received_at, category, geocoded_by, geom, grid_code, load_run_id,"
            " source_row)"
            " SELECT 'B' || g.n || '-' || k, now() - (k %% 360) * interval '1 day' - (k %% 24) * interval '1 hour',"
            "  '噪音扰民', 'coordinates', ST_PointOnSurface(g.geom), g.grid_code, %s, k"
            " FROM (SELECT grid_code, geom, row_number() OVER (ORDER BY grid_code) AS n FROM grids) AS g,"
            "  generate_series(1, CASE WHEN g.n %% 37 < 4 THEN 600 ELSE 170 END) AS k",
            [run[0]],
        )
        conn.commit()
        conn.execute("ANALYZE")
        vertices, orders = conn.execute(
            "SELECT (SELECT sum(ST_NPoints(geom)) FROM grids), (SELECT count(*) FROM complaints)"
        ).fetchone() or (0, 0)
    return int(vertices), int(orders)


def polygons_in_metres(url: str) -> gpd.GeoDataFrame:
    """The grids with geopandas, in the same local metres as layers.contiguity (what an analyst would do)."""
    from sqlalchemy import create_engine

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        grids = gpd.read_postgis("SELECT grid_code, geom FROM grids ORDER BY grid_code", engine, geom_col="geom")
    finally:
        engine.dispose()
    return grids.set_geometry(contiguity._to_local_metres(np.asarray(grids.geometry.values)), crs=None)


def baseline_pairs(url: str) -> set[tuple[str, str]]:
    """libpysal fuzzy_contiguity within contiguity.TOLERANCE_M: each polygon grown by half of it, then intersected."""
    from libpysal.weights import fuzzy_contiguity

    grids = polygons_in_metres(url)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = fuzzy_contiguity(grids, buffering=True, buffer=contiguity.TOLERANCE_M / 2, silence_warnings=True)
    codes = list(grids["grid_code"])
    return {(min(codes[i], codes[j]), max(codes[i], codes[j])) for i, near in w.neighbors.items() for j in near}


def ours_pairs(url: str) -> set[tuple[str, str]]:
    with psycopg.connect(url) as conn:
        pairs = contiguity.build(conn)
        conn.commit()
    return set(pairs)


def old_method(url: str) -> set[tuple[str, str]]:
    """The contiguity query as it ran at every request before migration 014 (ST_DWithin on geography)."""
    query = """
        SELECT a.grid_code, b.grid_code FROM grids AS a JOIN grids AS b
          ON a.grid_code < b.grid_code AND b.geom && ST_Expand(a.geom, 2e-5)
         AND ST_DWithin(a.geom::geography, b.geom::geography, %s)"""
    with psycopg.connect(url) as conn:
        return {(a, b) for a, b in conn.execute(query, [contiguity.TOLERANCE_M])}


def compare(ours: set[tuple[str, str]], base: set[tuple[str, str]]) -> str:
    """The pair sets compared."""
    if ours == base:
        return f"same {len(ours):,} pairs"
    return f"**differ**: {len(ours - base)} only ours, {len(base - ours)} only the baseline ({len(ours):,} / {len(base):,})"


def weights_rows(url: str, label: str, repeat: int, *, old: bool) -> list[Row]:
    rows: list[Row] = []
    ours_s, ours = timed(lambda: ours_pairs(url), repeat)
    base_s, base = timed(lambda: baseline_pairs(url), repeat)
    touching = ours - nearest_pairs(url)  # fuzzy_contiguity has no island rule
    rows.append((f"{label}: build the contiguity (ours: read, find, store; baseline: read_postgis, project, "
                 "fuzzy_contiguity)", ours_s, base_s, compare(touching, base)))
    if old:
        old_s, old_pairs = timed(lambda: old_method(url), 1, warm=False)
        rows.append((f"{label}: the same, the previous way (ST_DWithin on geography, every request)", ours_s, old_s,
                     compare(touching, old_pairs)))
    return rows


def nearest_pairs(url: str) -> set[tuple[str, str]]:
    with psycopg.connect(url) as conn:
        return {(a, b) for a, b in conn.execute("SELECT grid_code, neighbour FROM grid_neighbours WHERE kind = 'nearest'")}


def hotspot_rows(url: str, label: str, repeat: int, settings: LayerSettings) -> list[Row]:
    rows: list[Row] = []
    secretary = Viewer(Role.SECRETARY)
    layer = registry.get("complaint_hotspots")
    with psycopg.connect(url) as conn:
        contiguity.neighbours(conn)  # the weights exist
        conn.commit()
        conn.autocommit = True

        def numbers() -> object:
            return layer.aggregate(conn, Filters(), settings)

        def features() -> object:
            # new work orders: the numbers are computed afresh (a kept answer would time a lookup), while the
            # grids' GeoJSON is kept per version of the grids, as in the dashboard
            conn.execute("UPDATE complaints SET category = category WHERE false")
            return registry.aggregate(conn, "complaint_hotspots", secretary, Filters(), settings)

        def features_cold() -> object:
            answers.clear()  # nothing kept: the polygons are turned into GeoJSON too
            return registry.aggregate(conn, "complaint_hotspots", secretary, Filters(), settings)

        def stale() -> object:
            conn.execute("UPDATE grids SET grid_name = grid_name WHERE false")  # a statement on grids: a new version
            return layer.aggregate(conn, Filters(), settings)

        base_s, _ = timed(lambda: baseline_gi(url, settings), max(1, repeat // 2))
        numbers_s, _ = timed(numbers, repeat)
        rows.append((f"{label}: complaint_hotspots, the per-grid numbers, weights stored (baseline: fuzzy_contiguity "
                     f"+ esda G_Local, {settings.hotspot_permutations} permutations)", numbers_s, base_s, ""))
        features()  # the grids' GeoJSON, once per version of the grids
        features_s, _ = timed(features, repeat)
        rows.append((f"{label}: complaint_hotspots as the map asks for it after the work orders changed "
                     "(registry.aggregate: the numbers afresh, every grid's polygon as GeoJSON kept), weights stored",
                     features_s, base_s, ""))
        cold_s, _ = timed(features_cold, repeat)
        rows.append((f"{label}: the same with nothing kept (the polygons turned into GeoJSON again)", cold_s, base_s,
                     ""))
        stale_s, _ = timed(stale, repeat)
        rows.append((f"{label}: complaint_hotspots, the first request after the grids changed (weights built "
                     "again)", stale_s, base_s, ""))
    return rows


def baseline_gi(url: str, settings: LayerSettings) -> Any:
    """Gi* the straightforward way: fuzzy_contiguity on the polygons, esda G_Local on the same counts."""
    from esda.getisord import G_Local
    from libpysal.weights import fuzzy_contiguity

    grids = polygons_in_metres(url)
    with psycopg.connect(url) as conn:
        counts = dict(conn.execute("SELECT grid_code, count(*) FROM complaints GROUP BY 1").fetchall())
    y = np.array([counts.get(code, 0) for code in grids["grid_code"]], dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = fuzzy_contiguity(grids, buffering=True, buffer=contiguity.TOLERANCE_M / 2, silence_warnings=True)
        w.transform = "B"
        return G_Local(y, w, star=True, permutations=settings.hotspot_permutations, seed=settings.hotspot_seed)


def city_two_years(server: str, city_url: str) -> tuple[str, dt.date, dt.date]:
    """A copy of the city with each work order also 52 weeks earlier; the 104 weeks that hold them all."""
    url = _with_db(server, CITY2Y)
    with psycopg.connect(server, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [CITY2Y]).fetchone()
        if not exists:
            print(f"copying the city into {CITY2Y} (not timed) …", flush=True)
            admin.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(CITY2Y), sql.Identifier(city_url.rsplit("/", 1)[1])
                )
            )
            with psycopg.connect(url) as conn:
                conn.execute(
                    "INSERT INTO complaints (ticket_id, received_at, category, content, address, responded_at,"
                    " resolved_at, resolved, satisfaction, geocoded_by, geom, grid_code, extra, load_run_id, source_row)"
                    " SELECT 'Y1-' || ticket_id, received_at - interval '364 days', category, content, address,"
                    "  responded_at - interval '364 days', resolved_at - interval '364 days', resolved, satisfaction,"
                    "  geocoded_by, geom, grid_code, extra, load_run_id, source_row FROM complaints"
                )
                conn.commit()
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE complaints")
    with psycopg.connect(url) as conn:
        last = conn.execute("SELECT max(received_at AT TIME ZONE 'Asia/Shanghai')::date FROM complaints").fetchone()
    assert last and last[0]
    end = last[0]
    start = emerging.period_start(end, "week") - dt.timedelta(weeks=103)
    return url, start, end


def emerging_rows(url: str, start: dt.date, end: dt.date, repeat: int, settings: LayerSettings) -> tuple[list[Row], str]:
    layer = registry.get("emerging_hotspots")
    filters = Filters(start=start, end=end, period="week")
    with psycopg.connect(url) as conn:
        contiguity.neighbours(conn)
        conn.commit()
        conn.autocommit = True
        codes, steps, counts = emerging.cube(conn, filters, settings)
        w = hotspots.contiguity(conn, codes)

        def cold() -> object:
            answers.clear()
            hotspots._permuted_ids.cache_clear()
            return layer.aggregate(conn, filters, settings)

        ours_s, table = timed(cold, repeat, warm=False)
        statistic_s, _ = timed(lambda: statistics_only(counts, w, settings), repeat, warm=False)
    base_s, _ = timed(lambda: baseline_emerging(counts, w, settings), 1, warm=False)
    tracemalloc.start()
    emerging.mann_kendall(np.random.default_rng(0).normal(size=counts.shape))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    live = int((counts.sum(axis=0) > 0).sum())
    what = f"{len(codes):,} grids x {len(steps)} weeks ({live} with work orders; {int(counts.sum()):,} in all)"
    rows = [
        (f"emerging_hotspots, {what}, cold: cube query + weights read + Gi* of every week + Mann-Kendall (baseline: "
         "esda G_Local per week + pymannkendall per grid, on the same cube)", ours_s, base_s,
         f"{int((table['early_warning']).sum())} grids flagged"),
        ("the statistics alone (Gi* of every week + both Mann-Kendall tests), same baseline", statistic_s, base_s, ""),
    ]
    return rows, f"{peak / 2**20:.0f} MiB"


def statistics_only(counts: np.ndarray, w: Any, settings: LayerSettings) -> object:
    z, _, _ = hotspots.gi_star_periods(counts, w, settings.hotspot_permutations, settings.hotspot_seed)
    return emerging.mann_kendall(z), emerging.mann_kendall(emerging.shares(counts))


def baseline_emerging(counts: np.ndarray, w: Any, settings: LayerSettings) -> object:
    """The straightforward way: esda per week (seed + week, as before), pymannkendall per grid."""
    import pymannkendall
    from esda.getisord import G_Local

    star = hotspots.star(w)
    z = np.zeros(counts.shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for t in range(counts.shape[1]):
            if np.ptp(counts[:, t]) > 0:
                g = G_Local(counts[:, t], star, transform="B", star=True, permutations=settings.hotspot_permutations,
                            seed=settings.hotspot_seed + t, n_jobs=1, keep_simulations=False)
                z[:, t] = np.nan_to_num(g.Zs)
        shares = emerging.shares(counts)
        out = []
        for i in range(len(counts)):
            out.append(pymannkendall.original_test(z[i]).z)
            share = shares[i][~np.isnan(shares[i])]
            out.append(pymannkendall.original_test(share).z if len(share) > 2 else 0.0)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=BENCH / "out" / "city")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--old-method", action="store_true", help="also time the previous contiguity query (minutes)")
    parser.add_argument("--note", action="append", default=[])
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args(argv)

    settings = LayerSettings()
    server = resolve_url(DatabaseSettings())
    rows: list[Row] = []
    facts: list[str] = []

    print("street polygons …", flush=True)
    streets = fresh_database(server, STREETS)
    vertices, orders = load_streets(streets)
    facts.append(f"street polygons: 214 grids, {vertices:,} vertices (geodata/boundaries.py, seed 0, ~710 per grid, "
                 f"no defects), {orders:,} work orders")
    rows += weights_rows(streets, "214 street polygons", args.repeat, old=args.old_method)
    rows += hotspot_rows(streets, "214 street polygons", args.repeat, settings)

    print("city …", flush=True)
    city = prepare(server, args.data)
    with psycopg.connect(city) as conn:
        n, least, most, total, orders = conn.execute(
            "SELECT count(*), min(ST_NPoints(geom)), max(ST_NPoints(geom)), sum(ST_NPoints(geom)),"
            " (SELECT count(*) FROM complaints) FROM grids"
        ).fetchone() or (0, 0, 0, 0, 0)
    if least < 500:
        raise SystemExit(f"{city}: the city's grids have as few as {least} vertices: a city made before its "
                         "boundaries were real-like; drop the database bench_layers and rerun")
    facts.append(f"city: {n:,} grids, {least:,} to {most:,} vertices each, {total:,} in all (bench/make_city.py, loaded "
                 f"with `gridgov load` into bench_layers), {orders:,} work orders")
    rows += weights_rows(city, f"city, {n:,} grids", args.repeat, old=False)
    rows += hotspot_rows(city, f"city, {n:,} grids", args.repeat, settings)

    print("emerging hot spots, 104 weeks …", flush=True)
    two_years, start, end = city_two_years(server, city)
    emerging_table, peak = emerging_rows(two_years, start, end, args.repeat, settings)
    rows += emerging_table
    facts.append(f"emerging: {CITY2Y} (the city, each work order also 52 weeks earlier), weeks {start} to {end}; "
                 f"Mann-Kendall of {n:,} grids x 104 weeks peaks at {peak} of Python allocations")

    section = render(args, rows, facts)
    print(section)
    if not args.no_results:
        replace_section(RESULTS, BEGIN, END, section)
    return 0


def render(args: argparse.Namespace, rows: list[Row], facts: list[str]) -> str:
    lines = [
        *preamble("Hot spot weights and emerging hot spots on real-like polygons", "weights_bench.py"),
        f"- each figure: the median of {args.repeat} runs (after a warm-up, except the cold ones); the baselines "
        "run in the same command, on the same data",
        *(f"- {fact}" for fact in facts),
        *(f"- note: {n}" for n in args.note),
        "",
        "| question | ours (s) | baseline (s) | ours / baseline | check |",
        "|---|---:|---:|---:|---|",
    ]
    for what, ours, base, note in rows:
        ratio = f"**{ours / base:.3f}**" if base else "—"
        lines.append(f"| {what} | {ours:.3f} | {base:.3f} | {ratio} | {note} |" if base else
                     f"| {what} | {ours:.3f} | — | — | {note} |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
