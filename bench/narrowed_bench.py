"""A planner's narrowed question against the same question over every category, in the same process.

    .venv/bin/python bench/narrowed_bench.py [--database bench_layers] [--layer complaints]

On a loaded city (the database `bench/layers_bench.py` makes: 3,300 grids, 990,000 work orders), times
`layers.export.planner_frame` for every category (the baseline: no differencing check is needed), for all
categories but one, and for one category. A narrowed question also runs the check that no two questions
can be subtracted to a small count (layers.export.divided_grids), which asks the layer once per category
× status. Prints seconds and the ratio narrowed / every category; nothing is cached between runs (each runs
in a transaction of its own that writes nothing, and the answers cache is keyed by the question).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import psycopg

from gridgov.database import resolve_url
from gridgov.settings import DatabaseSettings, LayerSettings
from layers import export
from layers.registry import Filters


def seconds(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="bench_layers", help="a database on the private cluster, loaded")
    parser.add_argument("--layer", default="complaints")
    args = parser.parse_args()
    url = resolve_url(DatabaseSettings()).rsplit("/", 1)[0] + "/" + args.database
    settings = LayerSettings()
    with psycopg.connect(url) as conn:
        categories = [r[0] for r in conn.execute(
            "SELECT DISTINCT category FROM complaints WHERE category IS NOT NULL ORDER BY 1"
        )]
        grids = conn.execute("SELECT count(*) FROM grids").fetchone()[0]  # type: ignore[index]
        conn.rollback()
        print(f"{args.layer} on {args.database}: {grids:,} grids, {len(categories)} categories")
        base = seconds(lambda: export.planner_frame(conn, args.layer, Filters(), settings))
        conn.rollback()
        print(f"every category: {base:.2f} s")
        for name, chosen in (("all but one", tuple(categories[1:])), ("one", tuple(categories[:1]))):
            took = seconds(lambda c=chosen: export.planner_frame(conn, args.layer, Filters(categories=c), settings))
            conn.rollback()
            print(f"{name}: {took:.2f} s, narrowed / every category = {took / base:.1f}")


if __name__ == "__main__":
    main()
