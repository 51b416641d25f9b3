"""Benchmark the case loop: 50 signed-in grid leaders acting and 20 Open311 filings a second, together.

    .venv/bin/python bench/case_loop_bench.py [--leaders 50] [--seconds 60] [--rate 20] [--note TEXT] [--no-results]

Issue 13's target: server p95 under 150 ms per route, and every action sent is
exactly one stored event (none lost, none doubled).

1. A fresh database `bench_caseloop` on the project's cluster (GRIDGOV_DATABASE_URL's server if set): migrated,
   the demo community loaded with `gridgov load geodata/demo` (10 grids; its 2,000 work orders and 200 hazards
   become cases), the community's clock pinned at the demo's day. N grid-leader accounts, spread over the grids
   (five leaders share a grid, so some act on the same case at once), one more for the baseline, and an intake
   token, all made for this run.
2. `gridgov serve` (waitress, as in production) on a free loopback port.
3. Baseline, in the same command, before the load: one client alone, nothing else running: a leader signs in,
   then rounds of list / read / act, each followed by two filings, each answered before the next is sent.
4. Sign-in: the N leaders at once, each its own session, through /login like a browser (CSRF token from
   GET /api/v1/session); reported apart (it is not the loop, and the password hash is slow on purpose).
5. Load for S seconds: the N signed-in leaders, each repeating: list their open cases
   (GET /api/v1/cases?open=true), read one of the 20 most urgent (GET /api/v1/cases/<id>), act on it
   (POST /api/v1/cases/<id>/events: mostly a note; respond, start or resolve when its state allows), one round
   every 2–3 s (uniform); meanwhile an intake client files R requests a second (POST /open311/v2/requests.json)
   with new order numbers, 7% of them an earlier order number again and 3% a new order sent twice at the same
   moment; 1 in 20 with an address only.
6. Server time of each request from its Server-Timing header (dashboard/web/timing.py: from Flask taking the
   request to its response ready); client time too (which includes waiting for one of the server's threads).
7. Exactly-once (bench/_case_loop_check.py): every event answered 2xx is one stored event found by its marker,
   none refused was stored; every accepted order number is one case, repeats made none.

Prints the section; writes it into bench/RESULTS.md (between its markers, appended the first time). The exit
code is 0 only when every exactly-once check passed and every answer was as expected (no 5xx, none missing).
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import requests
from psycopg import sql

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
BIN = Path(sys.executable).parent
RESULTS = BENCH / "RESULTS.md"
BEGIN, END = "<!-- case-loop-bench -->", "<!-- /case-loop-bench -->"
DATABASE = "bench_caseloop"
DEMO = REPO / "geodata" / "demo"
DEMO_NOW = "2026-10-31T21:00:00"  # the demo was made as of 2026-10-31 (geodata/demo/README.md): a live community
TARGET_MS = 150.0
PACE = (2.0, 3.0)  # seconds between a leader's rounds

sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))
import _case_loop_check as check  # noqa: E402
from _case_loop_clients import (  # noqa: E402
    EVENT,
    FILE,
    LIST,
    ONE,
    Intake,
    Leader,
    Record,
    baseline,
    by_route,
    sign_in_all,
    summary,
    under_load,
)
from _results import preamble, replace_section  # noqa: E402

from gridgov import accounts, tokens  # noqa: E402
from gridgov.database import resolve_url  # noqa: E402
from gridgov.settings import DatabaseSettings  # noqa: E402


def prepare(server: str) -> str:
    """The URL of a fresh bench_caseloop holding the demo community."""
    parts = urlsplit(server)
    url = urlunsplit(parts._replace(path="/" + DATABASE))
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
    env = {**os.environ, "GRIDGOV_DATABASE_URL": url, "GRIDGOV_NOW": DEMO_NOW}
    subprocess.run([str(BIN / "gridgov"), "db", "upgrade"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run([str(BIN / "gridgov"), "load", str(DEMO)], check=True, env=env, stdout=subprocess.DEVNULL)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return url


def make_logins(url: str, leaders: int, run: str) -> tuple[list[tuple[str, str]], tuple[str, str], str, list[str]]:
    """(name, password) of each leader and of the baseline's, the intake token, and the grids (leader i: grid i % n)."""
    with psycopg.connect(url) as conn:
        grids = [r[0] for r in conn.execute("SELECT grid_code FROM grids ORDER BY grid_code")]
        made = []
        for i in range(leaders + 1):
            name, password = f"bench_leader_{i:02d}" if i < leaders else "bench_leader_base", secrets.token_urlsafe(16)
            accounts.add(conn, name, role="grid_leader", password=password, grids=(grids[i % len(grids)],))
            made.append((name, password))
        key = tokens.add(conn, f"bench-intake-{run}", scope="intake", by="bench")
    return made[:-1], made[-1], key, grids


def points(url: str) -> list[tuple[float, float]]:
    """Random points inside the grids (fixed seed), where residents report problems."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT ST_X(p.geom), ST_Y(p.geom) FROM grids AS g,"
            " LATERAL ST_Dump(ST_GeneratePoints(g.geom, 40, 13)) AS p ORDER BY g.grid_code, p.path"
        ).fetchall()
    return [(float(x), float(y)) for x, y in rows]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def serving(url: str, log: Path) -> Iterator[tuple[str, int]]:
    """`gridgov serve` on the database; (its base URL, its process id) while it runs."""
    port = free_port()
    env = {
        **os.environ,
        "GRIDGOV_DATABASE_URL": url,
        "GRIDGOV_SECRET_KEY": secrets.token_urlsafe(48),
        "GRIDGOV_NOW": DEMO_NOW,
        "GRIDGOV_TILE_URL": "",
    }
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(BIN / "gridgov"), "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    base = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(480):
            if server.poll() is not None:
                raise SystemExit(f"gridgov serve stopped: see {log}")
            try:
                if requests.get(base + "login", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.25)
        yield base, server.pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def machine_cpu() -> tuple[float, float]:
    """CPU seconds the machine has been busy (all CPUs: user, nice, system, irq, softirq; guest time is in user),
    and those the hypervisor took from it (steal), from /proc/stat."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    return (fields[0] + fields[1] + fields[2] + fields[5] + fields[6]) / tick, fields[7] / tick


def process_cpu(comm: str | None = None, pids: Sequence[int] = ()) -> dict[int, float]:
    """CPU seconds (user + system) of each process named `comm`, or of `pids`, by process id (/proc)."""
    found = {}
    for entry in Path("/proc").glob("[0-9]*") if comm else (Path(f"/proc/{p}") for p in pids):
        try:
            stat = entry.joinpath("stat").read_text()
        except OSError:
            continue
        name, rest = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()
        if comm is None or name == comm:
            found[int(entry.name)] = (int(rest[11]) + int(rest[12])) / os.sysconf("SC_CLK_TCK")
    return found


def used(before: dict[int, float], after: dict[int, float], pids: Sequence[int] | None = None) -> float:
    """CPU seconds used between the two snapshots by the processes alive at the second (of `pids` if given)."""
    return sum(v - before.get(p, 0.0) for p, v in after.items() if pids is None or p in pids)


def backends(url: str) -> list[int]:
    """The process ids of the PostgreSQL backends connected to the bench's database (the server's pool)."""
    with psycopg.connect(url) as conn:
        return [
            r[0]
            for r in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ]


def measured_load(
    url: str, pid: int, leaders: Sequence[Leader], intake: Intake, args: argparse.Namespace
) -> dict[str, float]:
    """Run the load; the machine's load average and who used how much CPU meanwhile."""
    mine = [pid, os.getpid()]
    load_before, (busy, steal), pg = os.getloadavg()[0], machine_cpu(), process_cpu("postgres")
    procs = process_cpu(pids=mine)
    took = under_load(leaders, intake, args.seconds, args.rate, PACE)
    (busy_after, steal_after), pg_after, procs_after = machine_cpu(), process_cpu("postgres"), process_cpu(pids=mine)
    busy, steal = busy_after - busy, steal_after - steal
    ours = backends(url)
    cpu = {
        "seconds": took,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "machine": busy,
        "steal": steal,
        "server": used(procs, procs_after, [pid]),
        "bench": used(procs, procs_after, [os.getpid()]),
        "backends": used(pg, pg_after, ours),
        "postgres": used(pg, pg_after),
    }
    cpu["others"] = busy - cpu["server"] - cpu["bench"] - cpu["postgres"]
    return cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--leaders", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=20, help="Open311 filings a second")
    parser.add_argument("--baseline-rounds", type=int, default=60)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--note", action="append", default=[])
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args(argv)

    run = f"{int(time.time()):x}"
    print(f"preparing {DATABASE} with the demo community …", flush=True)
    url = prepare(resolve_url(DatabaseSettings()))
    logins, base_login, key, grids = make_logins(url, args.leaders, run)
    spots = points(url)
    record = Record()
    rng = random.Random(args.seed)
    with serving(url, BENCH / "out" / "logs" / "case-loop-serve.log") as (base, pid):
        services = requests.get(base + "open311/v2/services.json", params={"api_key": key}, timeout=60).json()
        intake = Intake(
            base, key, run, record, [s["service_code"] for s in services], spots, random.Random(rng.random())
        )
        # its own marker prefix: the warm-up's events are not the bench's
        warm = Leader(base_login[0], base_login[1], base, run + "w", Record(), random.Random(rng.random()))
        if warm.sign_in("warm-up"):  # the server's first requests (imports, pool) are no one's real wait
            for _ in range(3):
                warm.step("warm-up")
        print("baseline: one client alone …", flush=True)
        baseline(Leader(*base_login, base, run, record, random.Random(rng.random())), intake, args.baseline_rounds)
        leaders = [Leader(name, password, base, run, record, random.Random(rng.random())) for name, password in logins]
        print(f"load: {args.leaders} leaders and {args.rate:g} filings/s for {args.seconds:g} s …", flush=True)
        sign_in_all(leaders)
        cpu = measured_load(url, pid, leaders, intake, args)
    with psycopg.connect(url) as conn:
        results = (
            check.events(conn, run, record.actions)
            + check.filings(conn, run, record.filings)
            + check.folds(conn, sorted({a.case_id for a in record.actions}))
        )
    section = render(args, record, results, cpu, len(grids))
    print(section)
    if not args.no_results:
        replace_section(RESULTS, BEGIN, END, section)
    return 0 if all(ok for ok, _ in results) else 1


ORDER = (LIST, ONE, EVENT, FILE)


def _rank(route: str) -> tuple[int, str]:
    return next((i for i, prefix in enumerate(ORDER) if route.startswith(prefix)), -1), route


def _rows(record: Record) -> tuple[list[str], list[str]]:
    """The table's rows (each route, and all events and all filings together), and the loop's routes over target."""
    load, base = by_route(record.samples, "load"), by_route(record.samples, "baseline")
    for group, prefix in ((f"{EVENT} (all)", EVENT), (f"{FILE} (all)", FILE)):
        for phase in (load, base):
            phase[group] = [
                s for r, ss in phase.items() if r.startswith(prefix) and not r.endswith("(all)") for s in ss
            ]
    lines, missed = [], []
    for route in sorted(load, key=_rank):
        got, ref = summary(load[route]), summary(base.get(route, []))
        statuses = Counter(s.status for s in load[route])
        status = ", ".join(f"{code or 'none'}: {n:,}" for code, n in sorted(statuses.items()))
        ratio = got["p95"] / ref["p95"] if ref["p95"] == ref["p95"] and ref["p95"] else float("nan")
        in_loop = _rank(route)[0] >= 0
        if in_loop and not got["p95"] < TARGET_MS:
            missed.append(route)
        mark = "" if not in_loop else (" ✓" if got["p95"] < TARGET_MS else " ✗")
        lines.append(
            f"| {route} | {got['n']:,} | {got['p50']:.1f} | **{got['p95']:.1f}**{mark} | {got['p99']:.1f} | "
            f"{ref['p95']:.1f} ({ref['n']:.0f}) | {ratio:.1f} | {got['client_p95']:.0f} | {status} |"
        )
    return lines, missed


def sign_ins(record: Record, leaders: int) -> str:
    """A sentence on the sign-ins: every leader at once before the load, against one alone (the baseline)."""
    at_once, alone = by_route(record.samples, "sign-in"), by_route(record.samples, "baseline")
    parts = []
    for route in ("POST /login", "GET /api/v1/session"):
        got, ref = summary(at_once.get(route, [])), summary(alone.get(route, []))
        parts.append(f"{route} server p50 {got['p50']:.0f} ms, p95 {got['p95']:.0f} ms (alone: {ref['p50']:.0f} ms)")
    failed = sum(1 for s in at_once.get("POST /login", []) if s.status != 302)
    return (
        f"Sign-in, all {leaders} leaders at once just before the load (not part of the loop; the password "
        f"hash is slow on purpose): {'; '.join(parts)}; {failed} failed."
    )


def render(
    args: argparse.Namespace, record: Record, results: list[tuple[bool, str]], cpu: dict[str, float], grids: int
) -> str:
    rows, missed = _rows(record)
    load = [s for s in record.samples if s.phase == "load"]
    events = [s for s in load if s.route.startswith(EVENT)]
    idle = sum(s.route == LIST for s in load) - sum(s.route == ONE for s in load)
    filed = [s for s in load if s.route.startswith(FILE)]
    threads = os.environ.get("GRIDGOV_SERVE_THREADS") or f"{2 * (os.cpu_count() or 2)} (the default: two per CPU)"
    passed = all(ok for ok, _ in results)
    fewest, most = args.leaders // grids, -(-args.leaders // grids)
    per_grid = str(fewest) if fewest == most else f"{fewest}–{most}"
    verdict = (
        "**met**: every route of the loop has a server p95 under 150 ms"
        if not missed
        else f"**missed** by {', '.join(missed)}"
    )
    lines = [
        *preamble("The case loop under load: grid leaders acting and Open311 filings together", "case_loop_bench.py"),
        f"- data: the demo community (geodata/demo: {grids} grids, its work orders and hazards as cases), loaded "
        f"fresh into `{DATABASE}`; the clock pinned at {DEMO_NOW}",
        f"- the server: `gridgov serve` (waitress, {threads} threads) on loopback",
        f"- load: {args.leaders} grid leaders ({per_grid} per grid), each "
        f"signed in through /login, one list / read / act round every {PACE[0]:g}–{PACE[1]:g} s; and Open311 filings "
        f"at {args.rate:g} a second; for {cpu['seconds']:.1f} s: {len(load) / cpu['seconds']:.0f} requests/s in all, "
        f"{len(events) / cpu['seconds']:.1f} events/s, {len(filed) / cpu['seconds']:.1f} filings/s; "
        f"{idle:,} rounds found nothing open to act on (the demo starts with ~10 open cases a grid; filings add more)",
        f"- baseline (same command, before the load): one client alone, {args.baseline_rounds} rounds of a leader's "
        "list / read / act, each followed by two filings, each answered before the next was sent",
        "- server time: the Server-Timing header (from Flask taking the request to its response ready); client time: "
        "from sending to the answer read, so it includes the wait for one of the server's threads",
        f"- the machine during the load: load average {cpu['load_before']:.1f} before, {cpu['load_after']:.1f} "
        f"after, on {os.cpu_count()} CPUs; CPU seconds used meanwhile, of {cpu['seconds'] * (os.cpu_count() or 1):.0f}"
        f": {cpu['machine']:.0f} busy (and {cpu['steal']:.0f} taken by the hypervisor); the server {cpu['server']:.1f}, its PostgreSQL backends "
        f"{cpu['backends']:.1f}, the clients {cpu['bench']:.1f}; the cluster's other processes still running at the "
        f"end (other sessions' databases) {cpu['postgres'] - cpu['backends']:.1f}; anything else (other sessions' tests) "
        f"{cpu['others']:.1f}",
        *(f"- note: {n}" for n in args.note),
        "",
        f"Target (server p95 < {TARGET_MS:.0f} ms per route): {verdict}. Exactly once: "
        + ("**every check passed**." if passed else "**FAILED** (see the checks)."),
        "",
        sign_ins(record, args.leaders),
        "",
        "| route | n | server p50 (ms) | server p95 (ms) | server p99 (ms) | baseline p95 (ms) (n) | p95 / baseline "
        "p95 | client p95 (ms) | answers |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
        *rows,
        "",
        "Checks:",
        "",
        *(f"- {'ok' if ok else 'FAILED'}: {what}" for ok, what in results),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
