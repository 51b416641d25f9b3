"""Run the gridgov command line in this process, then print this process's peak RSS.

    GRIDGOV_DATABASE_URL=postgresql://… .venv/bin/python bench/run_gridgov.py load DATA_DIR

Exactly what `.venv/bin/gridgov load DATA_DIR` does (same entry point, gridgov.cli:main), plus a last line
`peak_rss_kib=N` (resource.getrusage ru_maxrss, KiB on Linux) for bench/etl_bench.py.
"""

from __future__ import annotations

import resource
import sys

from gridgov.cli import main


def run(argv: list[str]) -> int:
    code: int = 0
    try:
        main(args=argv, prog_name="gridgov")
    except SystemExit as exc:  # click's standalone mode always exits
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.stdout.flush()
        print(f"peak_rss_kib={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}", flush=True)
    return code


if __name__ == "__main__":
    raise SystemExit(run(sys.argv[1:]))
