"""How long the wall screen takes to build again after a change, against building it from nothing, at city scale.

    .venv/bin/python bench/wall_rebuild_bench.py [--repeat 3] [--note TEXT] [--no-results]

The city (bench/make_city.py) in the database `bench_layers`, loaded as bench/layers_bench.py does. In one
process, the wall (dashboard.wall.content, for the secretary, as `gridgov serve` builds it) is built:
- from nothing, every kept answer forgotten (the baseline: what start-up costs);
- after one visit is recorded (what grid leaders do all day): only what reads `visits` is computed again;
- after one work order arrives: everything built on complaints is computed again.
Each change is undone after it is measured. Figures: the median of --repeat runs, written to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from flask import g

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "RESULTS.md"
BEGIN, END = "<!-- wall-rebuild-bench -->", "<!-- /wall-rebuild-bench -->"

sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))
from _results import preamble, replace_section  # noqa: E402
from layers_bench import prepare  # noqa: E402

from dashboard.app import create_app  # noqa: E402
from dashboard.wall import content as wall_content  # noqa: E402
from gridgov.access import Role  # noqa: E402
from gridgov.accounts import Account  # noqa: E402
from gridgov.database import resolve_url  # noqa: E402
from gridgov.settings import DashboardSettings, DatabaseSettings, Settings  # noqa: E402
from layers import answers  # noqa: E402

SECRETARY = Account("(bench)", Role.SECRETARY, (), False, datetime.now(UTC), "")
VISIT = (
    "INSERT INTO visits (visit_id, household_id, visited_at, visitor, grid_code, load_run_id, source_row)"
    " SELECT 'BENCH-V', household_id, now(), 'bench', grid_code, load_run_id, 1 FROM households LIMIT 1"
)
ORDER = (
    "INSERT INTO complaints (ticket_id, received_at, category, geocoded_by, geom, grid_code, load_run_id, source_row)"
    " SELECT 'BENCH-C', now(), '噪音扰民', 'wgs84', geom, grid_code, load_run_id, 1 FROM households LIMIT 1"
)
UNDO = ("DELETE FROM visits WHERE visit_id = 'BENCH-V'", "DELETE FROM complaints WHERE ticket_id = 'BENCH-C'")


def seconds(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=BENCH / "out" / "city")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--note", action="append", default=[])
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args(argv)

    url = prepare(resolve_url(DatabaseSettings()), args.data)
    app = create_app(Settings(database=DatabaseSettings(database_url=url), dashboard=DashboardSettings(secret_key=secrets.token_urlsafe(48))), url)
    times: dict[str, list[float]] = {"from nothing": [], "after a visit": [], "after a work order": []}
    with psycopg.connect(url, autocommit=True) as conn, app.server.test_request_context("/wall"):
        g.gridgov_account = SECRETARY
        names = wall_content.playlist()

        def build() -> None:
            wall_content._build(names, "zh")

        for statement in UNDO:
            conn.execute(statement)
        for run in range(args.repeat):
            answers.clear()
            times["from nothing"].append(seconds(build))
            for kind, change in (("after a visit", VISIT), ("after a work order", ORDER)):
                build()  # everything kept
                conn.execute(change)
                times[kind].append(seconds(build))
                for statement in UNDO:
                    conn.execute(statement)
            print(f"run {run + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()), flush=True)
    app.server.extensions["gridgov.pool"].close()

    base = statistics.median(times["from nothing"])
    lines = [
        *preamble("The wall screen built again after a change, against from nothing: 3,300 grids", "wall_rebuild_bench.py"),
        "- data: the city of bench/make_city.py in `bench_layers`",
        f"- each figure: the median of {args.repeat} runs; the baseline, from nothing, in the same process",
        *(f"- note: {n}" for n in args.note),
        "",
        "| the wall built | seconds | / from nothing |",
        "|---|---:|---:|",
        *(f"| {kind} | {statistics.median(v):.2f} | **{statistics.median(v) / base:.2f}** |" for kind, v in times.items()),
    ]
    section = "\n".join(lines)
    print(section)
    if not args.no_results:
        replace_section(RESULTS, BEGIN, END, section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
