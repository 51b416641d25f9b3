"""The grid step alone: `load_file` of a grid file into a fresh database, with the CPU of the backends it used.

    .venv/bin/python bench/grid_check_bench.py [--data DIR] [--repeat N] [--one-connection]

Loads DIR/grids.geojson (default: bench/out/city, the city of bench/etl_bench.py) N times, each into a
fresh database `bench_gridcheck` on the server of GRIDGOV_DATABASE_URL (or the private cluster), and prints
per run: wall time, this process's CPU, the CPU of the PostgreSQL backends of that database (polled from
/proc every 0.1 s, so the check's second connection is counted before it closes; the load's connection's
apart, as on a busy machine the wall time says little), the peak RSS of this
process, the problems by kind, and two digests: of the problems (kind, grids, area, place, message, action,
in the order the load reports them) and of the stored grids (EWKB by code). Equal digests: the same result.
`--one-connection` checks on the load's connection only (etl.gridsplit.SPLIT_FROM_GRIDS set out of reach),
to compare with the split check in the same command. No result file: it prints.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg

from etl import gridsplit
from etl.datasets import DATASETS
from etl.load import load_file
from gridgov.settings import EtlSettings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from etl_bench import OUT, BackendCpu, fresh_databases, server_url

DATABASE = "bench_gridcheck"


def one_run(data: Path) -> str:
    url = fresh_databases(server_url(), {"ours": DATABASE})["ours"]
    cpu = BackendCpu(DATABASE)
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            cpu.poll()
            time.sleep(0.1)

    with psycopg.connect(url) as conn:
        load_pid = conn.info.backend_pid
        cpu.start()
        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        before, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        result = load_file(conn, data / "grids.geojson", DATASETS["grids"], clock=EtlSettings().clock())
        wall, after = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF)
        done.set()
        poller.join()
        cpu.poll()
        conn.commit()
        stored = hashlib.sha256()
        for code, ewkb in conn.execute("SELECT grid_code, ST_AsEWKB(geom) FROM grids ORDER BY grid_code COLLATE \"C\""):
            stored.update(code.encode() + bytes(ewkb))
    found = hashlib.sha256()
    for p in result.grid_problems:
        found.update(repr((p.kind, p.grids, p.area_m2, p.lon, p.lat, p.message, p.action, p.community)).encode())
    backends, _ = cpu.seconds()
    # the load's own backend apart: with a second connection working at once, the grid step waits about as long
    # as this process and the load's backend are busy, not for the sum of both backends
    ticks = cpu.mine.get(load_pid, 0) - cpu.before.get(load_pid, 0)
    own = ticks / cpu.tick
    client = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    kinds = dict(sorted(Counter(p.kind for p in result.grid_problems).items()))
    return (f"wall {wall:.1f} s, client CPU {client:.1f} s, backend CPU {backends or 0:.1f} s "
            f"(the load's connection {own:.1f} s, others {(backends or 0) - own:.1f} s), "
            f"peak RSS {after.ru_maxrss / 1024:,.0f} MiB; {kinds}; "
            f"problems {found.hexdigest()[:16]}, grids {stored.hexdigest()[:16]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=OUT / "city")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--one-connection", action="store_true", help="check on the load's connection only")
    args = parser.parse_args()
    if args.one_connection:
        gridsplit.SPLIT_FROM_GRIDS = sys.maxsize
    os.environ.setdefault("PYTHONHASHSEED", "0")
    for i in range(args.repeat):
        print(f"run {i + 1} ({'one connection' if args.one_connection else 'default'}): {one_run(args.data)}",
              flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
