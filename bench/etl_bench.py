"""Benchmark `gridgov load` against a hand-written geopandas baseline, in the same run, on the same server.

    .venv/bin/python bench/etl_bench.py [--data DIR] [--households N] [--complaints N] [--buildings N]
                                        [--grids-x N] [--grids-y N] [--ours-timeout SECONDS] [--note TEXT]
                                        [--db-suffix SUFFIX]

1. Generates the synthetic city (bench/make_city.py) into DIR unless it is already there with the same scale
   (default DIR: bench/out/city at city scale, bench/out/city-<scale> otherwise).
2. Creates two fresh databases on the server of GRIDGOV_DATABASE_URL (unset: the project's private cluster
   under .gridgov/, started if needed): bench_baseline and bench_gridgov (with --db-suffix S: bench_baseline_S
   and bench_gridgov_S, so as not to drop what another session uses), each with PostGIS; the second
   gets the schema with `gridgov db upgrade` (not timed).
3. Runs the baseline (bench/baseline.py: geopandas sjoin of pre-geocoded points + to_postgis), then ours
   (bench/run_gridgov.py load DIR = `gridgov load DIR`: read, normalise, geocode, validate, place, upsert),
   one after the other, each in its own process; measures wall time and the process's peak RSS.
4. Checks both databases: row counts, quarantine against the generator's deliberately bad rows, and that
   every household and work order both loaded sits in the same grid in both.
5. Prints a summary and replaces this scale's section of bench/RESULTS.md.

Speed is reported as the ratio ours / baseline (< 1: ours is faster), never as an absolute target.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shlex
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pandas as pd
import psycopg
from psycopg import sql

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
BIN = Path(sys.executable).parent
OUT = BENCH / "out"
RESULTS = BENCH / "RESULTS.md"
DEFAULTS = {"households": 1_000_000, "complaints": 1_000_000, "buildings": 100_000, "grids_x": 60, "grids_y": 55}
DATABASES = {"baseline": "bench_baseline", "ours": "bench_gridgov"}
MEMORY_TARGET_KIB = 2 * 1024 * 1024  # 2 GiB
ADDRESS_DEFECTS = ("unknown_compound", "unknown_building", "blank_address")


@dataclass
class Run:
    """One timed child process."""

    name: str
    seconds: float = 0.0
    peak_rss_kib: int | None = None
    exit_code: int | None = None
    timed_out: bool = False
    cpu_seconds: float | None = None  # user + system of the process itself
    tree_cpu_seconds: float | None = None  # of its child processes that it does not wait for (parse workers)
    tree_peak_rss_kib: int | None = None  # the process and all its descendants, summed, sampled every 0.2 s
    server_cpu_seconds: float | None = None  # of the PostgreSQL processes serving its database (None: not visible)
    shared_cpu_seconds: float | None = None  # of the server's shared processes (checkpointer, WAL writer, …)
    other_cpu_seconds: float | None = None  # everything else on the machine meanwhile: noise
    lines: list[tuple[float, str]] = field(default_factory=list)  # (seconds since start, line)
    log: Path | None = None

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out


# ------------------------------------------------------------------------------------------- helpers


def say(text: str) -> None:
    print(f"[bench {dt.datetime.now():%H:%M:%S}] {text}", flush=True)


def scale_of(args: argparse.Namespace) -> dict[str, int]:
    return {k: getattr(args, k) for k in DEFAULTS}


def scale_slug(scale: dict[str, int]) -> str:
    return (f"h{scale['households']}-c{scale['complaints']}-b{scale['buildings']}-"
            f"g{scale['grids_x']}x{scale['grids_y']}")


def scale_title(scale: dict[str, int]) -> str:
    return (f"{scale['households']:,} households · {scale['complaints']:,} complaints · "
            f"{scale['buildings']:,} buildings · {scale['grids_x'] * scale['grids_y']:,} grids "
            f"({scale['grids_x']}×{scale['grids_y']})")


def with_database(url: str, dbname: str) -> str:
    """The same server URL pointing at another database."""
    if not url.startswith(("postgresql://", "postgres://")):
        raise SystemExit("etl_bench: GRIDGOV_DATABASE_URL must be a postgresql:// URL")
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + dbname))


def server_url() -> str:
    url = os.environ.get("GRIDGOV_DATABASE_URL")
    if url:
        return url
    from gridgov.database import resolve_url  # the private cluster, started if needed
    from gridgov.settings import DatabaseSettings

    return resolve_url(DatabaseSettings())


def secs(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.1f} s"


def kib(v: int | None) -> str:
    return "n/a" if v is None else f"{v / 1024:,.0f} MiB"


# ----------------------------------------------------------------------------------------------- data


def ensure_data(data: Path, scale: dict[str, int]) -> tuple[float | None, dict[str, Any]]:
    """Generate the dataset unless DIR already holds it at this scale; (generator seconds or None, expected)."""
    manifest = data / "baseline" / "expected.json"
    if manifest.exists():
        expected = json.loads(manifest.read_text(encoding="utf-8"))
        if expected["args"] == scale:
            say(f"reusing {data} ({scale_title(scale)})")
            return None, expected
        raise SystemExit(f"etl_bench: {data} holds data generated with {expected['args']}, not {scale}; "
                         "pass the matching scale or another --data")
    say(f"generating {data} ({scale_title(scale)}) …")
    cmd = [sys.executable, str(BENCH / "make_city.py"), "--out", str(data),
           "--households", str(scale["households"]), "--complaints", str(scale["complaints"]),
           "--buildings", str(scale["buildings"]), "--grids-x", str(scale["grids_x"]),
           "--grids-y", str(scale["grids_y"])]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=REPO)
    seconds = time.perf_counter() - t0
    return seconds, json.loads(manifest.read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------------------ databases


def fresh_databases(url: str, databases: dict[str, str]) -> dict[str, str]:
    """Drop and create the two databases (bench_baseline and bench_gridgov by default) with PostGIS; their URLs."""
    urls = {}
    with psycopg.connect(url, autocommit=True) as admin:
        for name, db in databases.items():
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db)))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db)))
            urls[name] = with_database(url, db)
    for u in urls.values():
        with psycopg.connect(u, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    env = {**os.environ, "GRIDGOV_DATABASE_URL": urls["ours"]}
    subprocess.run([str(BIN / "gridgov"), "db", "upgrade"], check=True, cwd=REPO, env=env, capture_output=True)
    return urls


def checkpoint(url: str) -> None:
    """Write out what is dirty before a run: each run starts with clean buffers and its own WAL, and a
    CHECKPOINT restarts checkpoint_timeout, so no timed checkpoint lands in the minute a run takes (one
    did, at 17:01 on 2026-11-23: 21 s of the checkpointer's CPU inside our run). Skipped where not allowed."""
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CHECKPOINT")
    except psycopg.Error as exc:
        say(f"no CHECKPOINT before the run ({exc.sqlstate}): buffers other work dirtied may be written meanwhile")


def server_facts(url: str) -> dict[str, str]:
    with psycopg.connect(url) as conn:
        version = conn.execute("SHOW server_version").fetchone()
        postgis = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'postgis'").fetchone()
        settings = dict(conn.execute(
            "SELECT name, setting || coalesce(unit, '') FROM pg_settings "
            "WHERE name IN ('shared_buffers', 'work_mem', 'maintenance_work_mem', 'max_wal_size', "
            "'synchronous_commit')").fetchall())
    return {"postgresql": version[0] if version else "?", "postgis": postgis[0] if postgis else "?", **settings}


# ------------------------------------------------------------------------------------------- children


class BackendCpu:
    """CPU seconds of the PostgreSQL processes working for one database on this machine: its backends and
    autovacuum workers (their process titles name the database) and parallel workers of those backends; and,
    apart, of the server's shared processes (checkpointer, WAL writer, background writer, postmaster), which
    write what every database's load dirties. Polled while a child runs, as a process's counters vanish when
    it exits; None for a server that is not on this machine."""

    def __init__(self, dbname: str) -> None:
        self.dbname = dbname
        self.tick = os.sysconf("SC_CLK_TCK")
        self.mine: dict[int, int] = {}  # pid -> utime + stime (ticks), last seen
        self.shared: dict[int, int] = {}
        self.before: dict[int, int] = {}
        self.visible = False

    def poll(self) -> None:
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                stat = (proc / "stat").read_text()
                if stat[stat.find("(") + 1:stat.rfind(")")] != "postgres":
                    continue
                words = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").split()
                fields = stat[stat.rfind(")") + 2:].split()
                ticks, pid = int(fields[11]) + int(fields[12]), int(proc.name)
            except (OSError, ValueError, IndexError):
                continue
            self.visible = True
            if not words or words[0] != "postgres:":
                self.shared[pid] = ticks  # the postmaster
            elif self.dbname in words or any(words[i:i + 3] == ["worker", "for", "PID"] and words[i + 3].isdigit()
                                             and int(words[i + 3]) in self.mine for i in range(len(words) - 3)):
                self.mine[pid] = ticks
            elif " ".join(words[1:3]) in ("checkpointer", "background writer", "walwriter", "autovacuum launcher",
                                          "logical replication", "archiver", "startup recovering"):
                self.shared[pid] = ticks

    def start(self) -> None:
        self.poll()
        self.before = {**self.mine, **self.shared}

    def _delta(self, seen: dict[int, int]) -> float:
        return sum(t - self.before.get(pid, 0) for pid, t in seen.items()) / self.tick

    def seconds(self) -> tuple[float | None, float | None]:
        """(its database's processes, the shared ones)."""
        if not self.visible:
            return None, None
        return self._delta(self.mine), self._delta(self.shared)


class TreeUsage:
    """CPU seconds and resident memory of a process's descendants (a load's parse workers and the fork server
    that starts them), polled from /proc: wait4 counts only the children a process waits for, and ru_maxrss
    only the process itself. The peak RSS is of the process and its descendants summed at one moment (pages
    they share are counted in each), sampled at every poll."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.tick = os.sysconf("SC_CLK_TCK")
        self.page_kib = os.sysconf("SC_PAGE_SIZE") // 1024
        self.seen: dict[int, int] = {}  # descendant pid -> utime + stime (ticks), last seen
        self.root_waited = 0  # ticks of children the root waited for (already in its wait4 figure)
        self.peak_rss_kib = 0

    def poll(self) -> None:
        parent: dict[int, int] = {}
        stats: dict[int, list[str]] = {}
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                stat = (proc / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rfind(")") + 2:].split()
            parent[int(proc.name)], stats[int(proc.name)] = int(fields[1]), fields
        tree, todo = {self.root}, [self.root]
        children: dict[int, list[int]] = {}
        for pid, pp in parent.items():
            children.setdefault(pp, []).append(pid)
        while todo:
            for child in children.get(todo.pop(), []):
                if child not in tree:
                    tree.add(child)
                    todo.append(child)
        rss = 0
        for pid in tree:
            try:
                rss += int((Path("/proc") / str(pid) / "statm").read_text().split()[1]) * self.page_kib
            except (OSError, ValueError, IndexError):
                continue
            fields = stats.get(pid)
            if fields is None:
                continue
            if pid == self.root:
                self.root_waited = int(fields[13]) + int(fields[14])  # cutime + cstime
            else:
                self.seen[pid] = int(fields[11]) + int(fields[12])
        self.peak_rss_kib = max(self.peak_rss_kib, rss)

    def seconds(self) -> float:
        """CPU of the descendants, less what the root waited for (which its own wait4 figure holds)."""
        return max(0.0, sum(self.seen.values()) - self.root_waited) / self.tick


def machine_busy() -> float | None:
    """CPU seconds the whole machine has been busy (all CPUs, /proc/stat), None where unknown."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    busy = sum(fields[:8]) - idle  # user nice system idle iowait irq softirq steal
    return busy / os.sysconf("SC_CLK_TCK")


def run_child(name: str, cmd: list[str], env: dict[str, str], log: Path, timeout: float | None,
              dbname: str) -> Run:
    """Run cmd, timestamping its output into log; wall time and peak RSS (from wait4 and the child's own line),
    CPU of the process (wait4) and of the PostgreSQL processes working for dbname (polled)."""
    run = Run(name, log=log)
    server = BackendCpu(dbname)
    server.start()
    busy0 = machine_busy()
    log.parent.mkdir(parents=True, exist_ok=True)
    say(f"{name}: {' '.join(shlex.quote(c) for c in cmd)}")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, env={**env, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace")
    assert proc.stdout is not None

    def pump() -> None:
        with log.open("w", encoding="utf-8") as f:
            for line in proc.stdout:  # type: ignore[union-attr]
                at = time.perf_counter() - t0
                line = line.rstrip("\n")
                run.lines.append((at, line))
                f.write(f"{at:9.1f}  {line}\n")
                f.flush()

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    tree = TreeUsage(proc.pid)
    rusage = None
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            run.seconds = time.perf_counter() - t0
            run.exit_code = os.waitstatus_to_exitcode(status)
            proc.returncode = run.exit_code
            rusage = usage
            break
        server.poll()
        tree.poll()
        if timeout is not None and time.perf_counter() - t0 > timeout and not run.timed_out:
            say(f"{name}: still running after {timeout:.0f} s: stopping it")
            run.timed_out = True
            proc.kill()
        time.sleep(0.2)
    reader.join(timeout=10)
    run.server_cpu_seconds, run.shared_cpu_seconds = server.seconds()
    busy1 = machine_busy()
    if rusage is not None:
        run.cpu_seconds = rusage.ru_utime + rusage.ru_stime
    run.tree_cpu_seconds = tree.seconds()
    if busy0 is not None and busy1 is not None and run.cpu_seconds is not None:
        run.other_cpu_seconds = max(0.0, busy1 - busy0 - run.cpu_seconds - run.tree_cpu_seconds
                                    - (run.server_cpu_seconds or 0.0) - (run.shared_cpu_seconds or 0.0))
    reported = [int(m.group(1)) for _, line in run.lines if (m := re.fullmatch(r"peak_rss_kib=(\d+)", line))]
    run.peak_rss_kib = reported[-1] if reported else (rusage.ru_maxrss if rusage else None)
    run.tree_peak_rss_kib = max(tree.peak_rss_kib, run.peak_rss_kib or 0)
    say(f"{name}: exit {run.exit_code}, {run.seconds:.1f} s, peak RSS {kib(run.peak_rss_kib)} "
        f"(process tree {kib(run.tree_peak_rss_kib)}), CPU {secs(run.cpu_seconds)} in the process, "
        f"{secs(run.tree_cpu_seconds)} in its child processes, {secs(run.server_cpu_seconds)} in its PostgreSQL backends "
        f"(+ {secs(run.shared_cpu_seconds)} shared), "
        f"{secs(run.other_cpu_seconds)} elsewhere on the machine")
    return run


# ------------------------------------------------------------------------------------------- checking


def table_counts(url: str, tables: Sequence[str]) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    with psycopg.connect(url) as conn:
        for t in tables:
            exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL", [f"public.{t}"]).fetchone()
            if exists and exists[0]:
                row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))).fetchone()
                out[t] = int(row[0]) if row else 0
            else:
                out[t] = None
    return out


def quarantine_reasons(url: str) -> list[tuple[str, str, int]]:
    with psycopg.connect(url) as conn:
        exists = conn.execute("SELECT to_regclass('public.quarantine') IS NOT NULL").fetchone()
        if not exists or not exists[0]:
            return []
        return [(d, r, int(n)) for d, r, n in conn.execute(
            "SELECT dataset, split_part(reason, ':', 1), count(*) FROM quarantine GROUP BY 1, 2 ORDER BY 1, 3 DESC")]


def placements(url: str, table: str, key: str) -> pd.Series:
    """id -> grid_code of every row of a table (empty when the table is missing)."""
    with psycopg.connect(url) as conn:
        exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL", [f"public.{table}"]).fetchone()
        if not exists or not exists[0]:
            return pd.Series(dtype=object)
        rows = conn.execute(sql.SQL("SELECT {}, grid_code FROM {}").format(sql.Identifier(key),
                                                                           sql.Identifier(table))).fetchall()
    ids, grids = zip(*rows, strict=True) if rows else ((), ())
    return pd.Series(list(grids), index=list(ids), dtype=object)


@dataclass
class Agreement:
    table: str
    ours: int
    baseline: int
    both: int
    same_grid: int
    grids_differing: int  # grids whose count over the rows both loaded differs
    ours_only: int  # rows ours loaded that the baseline did not have: spoilt addresses that ours placed anyway
    examples: list[tuple[str, ...]] = field(default_factory=list)  # a few of those: id, address, geocoded_by

    @property
    def ok(self) -> bool:
        return self.both > 0 and self.same_grid == self.both and self.grids_differing == 0 and self.ours_only == 0


def agreement(urls: dict[str, str], table: str, key: str) -> Agreement:
    ours = placements(urls["ours"], table, key)
    base = placements(urls["baseline"], table, key)
    both = ours.index.intersection(base.index)
    o, b = ours.loc[both], base.loc[both]
    same = int((o.to_numpy() == b.to_numpy()).sum())
    per_o, per_b = o.value_counts(), b.value_counts()
    per = pd.concat([per_o.rename("ours"), per_b.rename("baseline")], axis=1).fillna(0)
    differing = int((per["ours"] != per["baseline"]).sum())
    only = ours.index.difference(base.index)
    examples: list[tuple[str, ...]] = []
    if len(only):
        with psycopg.connect(urls["ours"]) as conn:
            examples = [tuple(str(v) for v in r) for r in conn.execute(
                sql.SQL("SELECT {k}, address, geocoded_by FROM {t} WHERE {k} = ANY(%s) ORDER BY {k} LIMIT 5").format(
                    k=sql.Identifier(key), t=sql.Identifier(table)), [list(only[:1000])])]
    return Agreement(table, len(ours), len(base), len(both), same, differing, len(only), examples)


# -------------------------------------------------------------------------------------------- results


def machine() -> dict[str, str]:
    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": str(os.cpu_count()), "memory": mem, "cpu": cpu,
            "os": f"{platform.system()} {platform.release()}", "python": platform.python_version()}


def command_line(argv: Sequence[str]) -> str:
    env = "GRIDGOV_DATABASE_URL=… " if os.environ.get("GRIDGOV_DATABASE_URL") else ""
    return env + ".venv/bin/python bench/etl_bench.py" + "".join(" " + shlex.quote(a) for a in argv)


def ours_steps(run: Run) -> list[tuple[str, float]]:
    """Seconds per file, from when the CLI's per-file lines appeared: `loading X as Y …` before a file
    or `loaded X as Y` after it (the wording has changed over time; both are understood)."""
    before = [(at, m.group(1)) for at, line in run.lines if (m := re.match(r"loading (\S+) as \S+", line))]
    after = [(at, m.group(1)) for at, line in run.lines if (m := re.match(r"loaded (\S+) as \S+", line))]
    steps = []
    if after:
        last = 0.0
        for at, name in after:  # the first one includes start-up (imports, connecting, migrations)
            steps.append((name, at - last))
            last = at
    elif before:
        end = next((at for at, line in run.lines if line.strip() == "gridgov load"), run.seconds)
        for i, (at, name) in enumerate(before):
            steps.append((name, (before[i + 1][0] if i + 1 < len(before) else end) - at))
    return steps


def baseline_steps(run: Run) -> list[tuple[str, float]]:
    steps, last = [], 0.0
    for at, line in run.lines:
        m = re.match(r"(\w+): (\d+) rows, ([\d.]+) s", line)
        if m:  # the first one includes start-up (imports, connecting)
            steps.append((m.group(1), at - last))
            last = at
    return steps


def total_cpu(run: Run) -> float | None:
    if run.cpu_seconds is None or run.server_cpu_seconds is None:
        return None
    return run.cpu_seconds + (run.tree_cpu_seconds or 0.0) + run.server_cpu_seconds + (run.shared_cpu_seconds or 0.0)


def render(ctx: dict[str, Any]) -> str:
    """This scale's section of RESULTS.md."""
    base, ours = ctx["runs"]["baseline"], ctx["runs"]["ours"]
    scale, expected = ctx["scale"], ctx["expected"]
    ratio = ours.seconds / base.seconds if base.ok and ours.ok and base.seconds else None
    lines = [f"<!-- bench:{scale_slug(scale)} -->", f"## {scale_title(scale)}", ""]
    lines += [f"- date: {ctx['date']}",
              f"- machine: {ctx['machine']['nproc']} CPUs ({ctx['machine']['cpu']}), {ctx['machine']['memory']} RAM, "
              f"{ctx['machine']['os']}, Python {ctx['machine']['python']}",
              f"- database: PostgreSQL {ctx['server']['postgresql']}, PostGIS {ctx['server']['postgis']} "
              f"({ctx['server_kind']}; shared_buffers {ctx['server'].get('shared_buffers', '?')}, "
              f"work_mem {ctx['server'].get('work_mem', '?')}, max_wal_size {ctx['server'].get('max_wal_size', '?')}); "
              "both loads go to the same server, one after the other",
              f"- command: `{ctx['command']}`",
              f"- data: `{ctx['data']}` ({'generated in this run in ' + format(ctx['gen_seconds'], '.1f') + ' s' if ctx['gen_seconds'] is not None else 'generated earlier by bench/make_city.py, reused'}); "
              f"{expected['communities']:,} communities, {expected['compounds']:,} compounds",
              "- order: baseline first, then ours", ""]
    if ratio is not None:
        verdict = "ours is faster" if ratio < 1 else "ours is slower"
        peak = ours.tree_peak_rss_kib or ours.peak_rss_kib
        lines += [f"**ours / baseline = {ratio:.2f}** in wall time ({verdict}; target ≤ 1.00). "
                  f"Peak RSS of ours {kib(peak)}, the loading process and its parse workers summed "
                  f"({'under' if (peak or 0) < MEMORY_TARGET_KIB else 'OVER'} the 2 GiB target).", ""]
        cpu_b, cpu_o = total_cpu(base), total_cpu(ours)
        if cpu_b and cpu_o:
            lines += [f"In CPU time (the loading process and its child processes + the PostgreSQL processes of its "
                      f"database + the server's shared ones), less sensitive to whatever else runs on the machine: "
                      f"ours / baseline = "
                      f"{cpu_o / cpu_b:.2f} ({cpu_o:.1f} s / {cpu_b:.1f} s).", ""]
    else:
        lines += ["**No ratio**: " + ("ours was stopped after the time limit" if ours.timed_out
                                      else "a run failed") + " (see below).", ""]
    lines += ["| | baseline (geopandas sjoin + to_postgis) | ours (`gridgov load`) |", "|---|---:|---:|",
              f"| wall time | {base.seconds:.1f} s | {ours.seconds:.1f} s{' (stopped)' if ours.timed_out else ''} |",
              f"| peak RSS (client process) | {kib(base.peak_rss_kib)} | {kib(ours.peak_rss_kib)} |",
              f"| peak RSS (client process tree, sampled every 0.2 s) | {kib(base.tree_peak_rss_kib)} | "
              f"{kib(ours.tree_peak_rss_kib)} |",
              f"| CPU time, client process | {secs(base.cpu_seconds)} | {secs(ours.cpu_seconds)} |",
              f"| CPU time, its child processes (ours: the parse workers) | {secs(base.tree_cpu_seconds)} | "
              f"{secs(ours.tree_cpu_seconds)} |",
              f"| CPU time, PostgreSQL backends of its database | {secs(base.server_cpu_seconds)} | "
              f"{secs(ours.server_cpu_seconds)} |",
              f"| CPU time, PostgreSQL shared processes meanwhile (checkpointer, WAL writer, …) | "
              f"{secs(base.shared_cpu_seconds)} | {secs(ours.shared_cpu_seconds)} |",
              f"| CPU time, anything else on the machine meanwhile (noise) | {secs(base.other_cpu_seconds)} | "
              f"{secs(ours.other_cpu_seconds)} |",
              f"| exit code | {base.exit_code} | {ours.exit_code} |"]
    bc, oc = ctx["counts"]["baseline"], ctx["counts"]["ours"]
    for t in ("grids", "buildings", "households", "complaints"):
        lines.append(f"| rows in {t} | {'—' if bc.get(t) is None else f'{bc[t]:,}'} | "
                     f"{'—' if oc.get(t) is None else f'{oc[t]:,}'} |")
    q = oc.get("quarantine")
    lines.append(f"| rows in quarantine | — | {'—' if q is None else f'{q:,}'} |")
    lines.append("")
    steps_b, steps_o = baseline_steps(base), ours_steps(ours)
    if steps_b or steps_o:
        lines.append("Per step (seconds, from when the children printed each step; each first step includes "
                     "start-up): baseline " + ", ".join(f"{n} {s:.1f}" for n, s in steps_b)
                     + "; ours " + ", ".join(f"{n} {s:.1f}" for n, s in steps_o) + ".")
        lines.append("")
    lines += ["Checks:", ""]
    for c in ctx["checks"]:
        lines.append(f"- {'ok' if c[0] else 'FAILED'}: {c[1]}")
    if ctx["reasons"]:
        lines += ["", "Quarantine reasons (ours):", "", "| dataset | reason | rows |", "|---|---|---:|"]
        lines += [f"| {d} | {r} | {n:,} |" for d, r, n in ctx["reasons"]]
    if ctx["notes"]:
        lines += ["", "Notes:", ""] + [f"- {n}" for n in ctx["notes"]]
    lines += ["", f"<!-- /bench:{scale_slug(scale)} -->"]
    return "\n".join(lines) + "\n"


HEADER = """# ETL benchmark results

Written by `bench/etl_bench.py` (see bench/README.md). Each section is one scale; rerunning the benchmark at a
scale replaces its section. Speed is the ratio **ours / baseline** measured in the same command on the same
machine and server (< 1: ours is faster); absolute seconds are only for context, machines are noisy.
The target: ours (read, normalise, geocode, validate, place, upsert) at least as fast as the baseline
(geopandas sjoin of already-geocoded points + `GeoDataFrame.to_postgis`), with a peak RSS under 2 GiB.
Peak RSS is the loading process's own (`ru_maxrss`) and, since 2026-11-23 17:00, also that of its whole
process tree (the loader with its parse workers, summed, sampled every 0.2 s); the PostgreSQL server's memory
is not included.

"""


def update_results(section: str, slug: str) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else HEADER
    pattern = re.compile(rf"<!-- bench:{re.escape(slug)} -->.*?<!-- /bench:{re.escape(slug)} -->\n", re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text, encoding="utf-8")


# ----------------------------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="dataset folder (default: bench/out/city[-scale])")
    for k in DEFAULTS:
        parser.add_argument("--" + k.replace("_", "-"), type=int, default=None, dest=k)
    parser.add_argument("--ours-timeout", type=float, default=None,
                        help="stop ours after this many seconds and record that (default: no limit)")
    parser.add_argument("--note", action="append", default=[], help="a note for RESULTS.md (repeatable)")
    parser.add_argument("--no-results", action="store_true", help="do not touch bench/RESULTS.md")
    parser.add_argument("--db-suffix", default="",
                        help="append _SUFFIX to the two databases' names, so that a run does not drop the databases "
                             "another session is using on the same server")
    args = parser.parse_args(argv)
    try:
        import geoalchemy2  # noqa: F401  (the baseline's GeoDataFrame.to_postgis needs it)
    except ImportError:
        raise SystemExit("etl_bench: the baseline needs GeoAlchemy2: "
                         ".venv/bin/python -m pip install -e '.[bench]'") from None

    data: Path | None = args.data
    recorded = None
    if data is not None and (data / "baseline" / "expected.json").exists():
        recorded = json.loads((data / "baseline" / "expected.json").read_text(encoding="utf-8"))["args"]
    scale = {k: (getattr(args, k) if getattr(args, k) is not None else (recorded or DEFAULTS)[k]) for k in DEFAULTS}
    if data is None:
        data = OUT / ("city" if scale == DEFAULTS else f"city-{scale_slug(scale)}")
    data = data.resolve()
    gen_seconds, expected = ensure_data(data, scale)

    url = server_url()
    kind = "GRIDGOV_DATABASE_URL" if os.environ.get("GRIDGOV_DATABASE_URL") else "the private cluster under .gridgov/"
    databases = {k: f"{v}_{args.db_suffix}" if args.db_suffix else v for k, v in DATABASES.items()}
    say(f"fresh databases {', '.join(databases.values())} on {kind}")
    urls = fresh_databases(url, databases)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    logs = OUT / "logs"
    py = sys.executable

    checkpoint(url)
    runs = {
        "baseline": run_child("baseline", [py, str(BENCH / "baseline.py"), str(data)],
                              {**os.environ, "BENCH_DATABASE_URL": urls["baseline"]},
                              logs / f"{stamp}-{scale_slug(scale)}-baseline.log", None, databases["baseline"]),
    }
    checkpoint(url)
    runs["ours"] = run_child("ours", [py, str(BENCH / "run_gridgov.py"), "load", str(data)],
                             {**os.environ, "GRIDGOV_DATABASE_URL": urls["ours"]},
                             logs / f"{stamp}-{scale_slug(scale)}-ours.log", args.ours_timeout, databases["ours"])

    say("checking …")
    counts = {"baseline": table_counts(urls["baseline"], ["grids", "households", "complaints"]),
              "ours": table_counts(urls["ours"], ["grids", "buildings", "households", "complaints", "quarantine"])}
    reasons = quarantine_reasons(urls["ours"])
    files = expected["files"]
    checks: list[tuple[bool, str]] = []
    notes = list(args.note)
    n_grids = files["grids.geojson"]["rows"]
    for side in ("baseline", "ours"):
        checks.append((counts[side]["grids"] == n_grids, f"{side}: {counts[side]['grids']} of {n_grids} grids"))
    for table, file, key in (("households", "households.csv", "household_id"), ("complaints", "complaints.csv",
                                                                                "ticket_id")):
        want = files[file]["loadable"]
        got = counts["ours"][table]
        checks.append((got == want, f"ours: {got if got is not None else 'no'} {table} loaded, the generator made "
                                    f"{want:,} loadable ({files[file]['rows']:,} rows, "
                                    f"{sum(files[file]['bad'].values()):,} deliberately bad)"))
        q = sum(n for d, _, n in reasons if d == table)
        bad = sum(files[file]["bad"].values())
        checks.append((q == bad, f"ours: {q:,} {table} rows quarantined, {bad:,} deliberately bad"))
        want_b = expected["baseline"][file.replace(".csv", "_points.csv")]
        checks.append((counts["baseline"][table] == want_b,
                       f"baseline: {counts['baseline'][table]} {table} loaded of {want_b:,} pre-geocoded points"))
        a = agreement(urls, table, key)
        for ex in a.examples:
            notes.append(f"{table} loaded by ours although its address was spoilt on purpose: " + " · ".join(ex))
        checks.append((a.ok, f"{table}: {a.both:,} rows loaded by both, {a.same_grid:,} in the same grid; "
                             f"{a.grids_differing} grids whose count differs; {a.ours_only:,} rows only in ours "
                             f"(ours {a.ours:,}, baseline {a.baseline:,} rows)"))
    if runs["ours"].timed_out:
        notes.append(f"ours was stopped after {args.ours_timeout:.0f} s (--ours-timeout); its transaction rolled "
                     "back, so its counts are whatever files had finished")
    ctx = {
        "runs": runs, "scale": scale, "expected": expected, "date": subprocess.run(
            ["date"], capture_output=True, text=True).stdout.strip(),
        "machine": machine(), "server": server_facts(urls["ours"]), "server_kind": kind,
        "command": command_line(argv), "data": os.path.relpath(data, REPO), "gen_seconds": gen_seconds,
        "counts": counts, "reasons": reasons, "checks": checks, "notes": notes,
    }
    section = render(ctx)
    print()
    print(section)
    if not args.no_results:
        update_results(section, scale_slug(scale))
        say(f"wrote {os.path.relpath(RESULTS, REPO)}")
    return 0 if all(ok for ok, _ in checks) and runs["baseline"].ok and runs["ours"].ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
