"""A planner's narrowed question against the same question over every category, in the same process.

    .venv/bin/python bench/narrowed_bench.py [--layer complaints] [--repeat 3] [--old-method]

On the loaded city of `bench/layers_bench.py` (database `bench_layers`: 3,300 grids, 990,000 work orders;
made, upgraded and loaded as that bench does), times `layers.export.planner_frame` for every category (the
baseline: no differencing check is needed), for all categories but one, and for one category. A narrowed
question also runs the check that no two questions can be subtracted to a small count
(layers.export.divided_grids) on its breakdown by grid, category and status (layers.breakdown: one query,
from which the complaints layer's per-grid answer is made too). With --old-method each narrowed question is
also answered as before that query (the layer asked once per category × status, and its answer by its own
query), and both answers must withhold the same cells. The questions are asked in turn, --repeat rounds (the
machine is shared: medians, and the ratio of medians narrowed / every category, are printed). Every timed
question starts with nothing kept (layers.answers cleared, the category list included, and the patterns
of small counts layers.suppression keeps), but the last: a
planner's second choice, asked after the first with its breakdown kept.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any
from unittest import mock

import pandas as pd
import psycopg

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))
from layers_bench import prepare  # noqa: E402

from gridgov.database import resolve_url  # noqa: E402
from gridgov.settings import DatabaseSettings, LayerSettings  # noqa: E402
from layers import answers, breakdown, export, suppression  # noqa: E402
from layers.registry import Filters  # noqa: E402


def timed(fn: Callable[[], Any], *, cold: bool = True) -> tuple[float, Any]:
    """Seconds fn() takes, and what it returns; `cold`: with nothing kept from before (layers.answers, and the
    rule's withholding of each pattern of small counts that layers.suppression keeps for the process)."""
    if cold:
        answers.clear()
        suppression._withheld.cache_clear()
        suppression._sums.cache_clear()
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=BENCH / "out" / "city", help="the city (bench/make_city.py)")
    parser.add_argument("--layer", default="complaints")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of every question, in turn (medians printed)")
    parser.add_argument("--old-method", action="store_true", help="also answer as before the one-query check")
    args = parser.parse_args()
    url = prepare(resolve_url(DatabaseSettings()), args.data)
    settings = LayerSettings()
    with psycopg.connect(url) as conn:
        categories = export.category_choices(conn, export.exportable_layer(args.layer))
        grids = conn.execute("SELECT count(*) FROM grids").fetchone()[0]  # type: ignore[index]
        conn.rollback()
        print(f"{args.layer} on bench_layers: {grids:,} grids, {len(categories)} categories, {args.repeat} rounds")
        questions = {
            "every category": Filters(),
            "all but one": Filters(categories=tuple(categories[1:])),
            "one": Filters(categories=tuple(categories[:1])),
        }
        second = "one, after all but one (its breakdown kept)"
        took: dict[str, list[float]] = {name: [] for name in (*questions, second)}
        for _ in range(args.repeat):
            for name, filters in questions.items():
                took[name].append(timed(partial(export.planner_frame, conn, args.layer, filters, settings))[0])
                conn.rollback()
            took[second].append(timed(partial(export.planner_frame, conn, args.layer, questions["one"], settings), cold=False)[0])
            conn.rollback()
        base = statistics.median(took["every category"])
        for name, seconds in took.items():
            ratio = "" if name == "every category" else f", narrowed / every category = {statistics.median(seconds) / base:.2f}"
            print(f"{name}: {statistics.median(seconds):.2f} s (median of {', '.join(f'{t:.2f}' for t in seconds)}){ratio}")
        if args.old_method:
            for name in ("all but one", "one"):
                ask = partial(export.planner_frame, conn, args.layer, questions[name], settings)
                _, frame = timed(ask)
                conn.rollback()
                with mock.patch.dict(breakdown._ATOM_QUERIES, clear=True):  # every layer asked per category × status
                    old, before = timed(ask)
                conn.rollback()
                pd.testing.assert_frame_equal(frame.drop(columns="geometry"), before.drop(columns="geometry"))
                print(f"{name}, the old method: {old:.2f} s ({old / base:.2f}), the same cells withheld")


if __name__ == "__main__":
    main()
