"""Benchmark the dashboard at city scale: each callback's server time under 50 concurrent users, and the
wall screen's first full render in Chromium.

    .venv/bin/python bench/dashboard_bench.py [--users 50] [--seconds 60] [--note TEXT] [--no-results]

1. The city (bench/make_city.py) loaded into the database `bench_layers` (as bench/layers_bench.py does;
   loaded if missing, not timed), plus one account per role made for this run with random passwords.
2. `gridgov serve` on a free loopback port (waitress, as users run it; it builds the wall's figures
   before it listens, and the bench reads from its log how long that took). The wall's timers are set
   to WALL_TIMER_SECONDS so that its refresh is recorded too.
3. Record: headless Chromium signs in as each role, opens its page and stays long enough for the page's
   timers to fire; every request the page sends to /_dash-update-component is kept (and written to
   bench/out/dashboard-recorded.json, for profiling). The wall screen's first full render is timed here:
   from navigation to the map's polygons drawn and the network idle, on the first visit after the server
   starts and on a second visit.
4. Replay: N users (threads, each signed in with its own session) repeat their role's recorded callbacks for
   S seconds, as fast as the server answers. The server's part of each request is read from the
   Server-Timing header (dashboard/web/timing.py); the client-side latency is kept too.
5. Baseline in the same run, under the same load: the sign-in page (GET /login: a template and the
   session, no database), whose server time is what any request costs in this server.
Results: p50/p95 per callback (server part; target p95 < 150 ms), the ratio to the baseline's p95, and the
render times (target < 2 s), written to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import secrets
import shlex
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import psycopg
import requests

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
BIN = Path(sys.executable).parent
RESULTS = BENCH / "RESULTS.md"
BEGIN, END = "<!-- dashboard-bench -->", "<!-- /dashboard-bench -->"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]

sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))
from _results import replace_section  # noqa: E402
from layers_bench import prepare  # noqa: E402

from gridgov import accounts  # noqa: E402
from gridgov.database import resolve_url  # noqa: E402
from gridgov.settings import DatabaseSettings  # noqa: E402

PAGES = {"secretary": "/wall", "grid_leader": "/grid", "planner": "/export"}
WALL_TIMER_SECONDS = 3  # refresh and rotation, while recording (the defaults are minutes)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def make_accounts(url: str) -> dict[str, tuple[str, str]]:
    """role -> (username, password) of fresh bench accounts; the grid leader gets the busiest grid."""
    made = {}
    with psycopg.connect(url) as conn:
        busiest = conn.execute("SELECT grid_code FROM complaints GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()
        for role in PAGES:
            username = f"bench_{role}"
            password = secrets.token_urlsafe(16)
            if accounts.get(conn, username) is not None:
                accounts.remove(conn, username)
            grids = (busiest[0],) if role == "grid_leader" and busiest else ()
            accounts.add(conn, username, role=role, password=password, grids=grids)
            made[role] = (username, password)
    return made


def sign_in(base: str, username: str, password: str) -> requests.Session:
    session = requests.Session()
    form = session.get(base + "login", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, "no CSRF token on the sign-in page"
    reply = session.post(
        base + "login",
        data={"csrf_token": token.group(1), "username": username, "password": password},
        allow_redirects=False,
        timeout=30,
    )
    assert reply.status_code == 302, f"sign-in of {username} failed: {reply.status_code}"
    return session


def record(base: str, logins: dict[str, tuple[str, str]], stay: float) -> tuple[dict[str, list[Any]], dict[str, float]]:
    """The callback requests each role's page sends, and the wall's first full render (cold, warm) in seconds."""
    from playwright.sync_api import sync_playwright

    recorded: dict[str, list[Any]] = {}
    render: dict[str, float] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for role, path in PAGES.items():
                context = browser.new_context(viewport={"width": 1920, "height": 1080})
                page = context.new_page()
                bodies: list[Any] = []

                def keep(r: Any, bodies: list[Any] = bodies) -> None:
                    if r.method == "POST" and "_dash-update-component" in r.url:
                        bodies.append(json.loads(r.post_data or "null"))

                page.on("request", keep)
                username, password = logins[role]
                page.goto(base + "login")
                page.locator("input[name=username]").fill(username)
                page.locator("input[name=password]").fill(password)
                page.locator("button[type=submit]").click()
                page.wait_for_url(re.compile(re.escape(path) + "$"), timeout=60_000)
                if role == "secretary":
                    for visit in ("cold", "warm"):
                        started = time.perf_counter()
                        page.goto(base + path.lstrip("/"))
                        page.locator("path.grid-polygon").first.wait_for(state="attached", timeout=60_000)
                        page.wait_for_load_state("networkidle", timeout=60_000)
                        render[visit] = time.perf_counter() - started
                page.wait_for_timeout(stay * 1000)
                recorded[role] = [b for b in bodies if b]
                context.close()
        finally:
            browser.close()
    return recorded, render


def replay(
    base: str, logins: dict[str, tuple[str, str]], recorded: dict[str, list[Any]], users: int, seconds: float
) -> dict[str, list[tuple[float, float]]]:
    """(server ms, client ms) per request kind, N users repeating their role's callbacks and the baseline."""
    samples: dict[str, list[tuple[float, float]]] = defaultdict(list)
    lock = threading.Lock()
    roles = [r for r in PAGES if recorded.get(r)]
    deadline = time.monotonic() + seconds

    def user(i: int) -> None:
        role = roles[i % len(roles)]
        session = sign_in(base, *logins[role])
        while time.monotonic() < deadline:
            for body in [None, *recorded[role]]:  # the baseline first: every user measures it under the same load
                kind = "baseline: GET /login (no database)" if body is None else f"{role}: {body.get('output', '?')}"
                started = time.perf_counter()
                try:
                    if body is None:
                        reply = session.get(base + "login", timeout=120)
                    else:
                        reply = session.post(base + "_dash-update-component", json=body, timeout=120)
                except requests.RequestException as exc:  # a timeout is a result too, not the end of this user
                    with lock:
                        samples[f"{kind} ({type(exc).__name__})"].append(
                            (float("nan"), (time.perf_counter() - started) * 1000)
                        )
                    continue
                client = (time.perf_counter() - started) * 1000
                timing = re.search(r"dur=([\d.]+)", reply.headers.get("Server-Timing", ""))
                if reply.status_code not in (200, 204) or not timing:
                    kind += f" (HTTP {reply.status_code})"
                with lock:
                    samples[kind].append((float(timing.group(1)) if timing else float("nan"), client))

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return samples


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=BENCH / "out" / "city")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--stay", type=float, default=8, help="seconds each recorded page stays open")
    parser.add_argument("--note", action="append", default=[])
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args(argv)

    url = prepare(resolve_url(DatabaseSettings()), args.data)
    logins = make_accounts(url)
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    env = {
        **os.environ,
        "GRIDGOV_DATABASE_URL": url,
        "GRIDGOV_SECRET_KEY": secrets.token_urlsafe(48),
        # the wall's timers fire while its page is recorded, so its refresh is replayed too
        "GRIDGOV_WALL_REFRESH_SECONDS": str(WALL_TIMER_SECONDS),
        "GRIDGOV_WALL_ROTATE_SECONDS": str(WALL_TIMER_SECONDS),
    }
    log = BENCH / "out" / "logs" / "dashboard-serve.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(BIN / "gridgov"), "serve", "--port", str(port)], stdout=out, stderr=subprocess.STDOUT, env=env
        )
    try:
        for _ in range(240):
            try:
                if requests.get(base + "login", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.5)
        recorded, render = record(base, logins, args.stay)
        print({role: len(bodies) for role, bodies in recorded.items()}, "callbacks recorded;", render, flush=True)
        (BENCH / "out" / "dashboard-recorded.json").write_text(json.dumps(recorded, ensure_ascii=False))  # to profile
        samples = replay(base, logins, recorded, args.users, args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
    ready = re.search(r"ready in ([\d.]+) s", log.read_text(errors="replace"))
    render["warm-up"] = float(ready.group(1)) if ready else float("nan")

    section = render_section(args, samples, render)
    print(section)
    if not args.no_results:
        replace_section(RESULTS, BEGIN, END, section)
    return 0


def render_section(
    args: argparse.Namespace, samples: dict[str, list[tuple[float, float]]], render: dict[str, float]
) -> str:
    command = "python bench/dashboard_bench.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    base_key = next((k for k in samples if k.startswith("baseline")), None)
    base_p95 = percentile([s for s, _ in samples[base_key]], 0.95) if base_key else float("nan")
    total = sum(len(v) for v in samples.values())
    threads = os.environ.get("GRIDGOV_SERVE_THREADS") or f"{2 * (os.cpu_count() or 2)} (the default: two per CPU)"
    lines = [
        "## Dashboard at city scale: callbacks under load, and the wall screen's first render",
        "",
        f"- date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; machine: {os.cpu_count()} CPUs, Python {platform.python_version()}",
        f"- command: `{command.strip()}`",
        f"- load: {args.users} concurrent users on loopback for {args.seconds:.0f} s, each repeating the callbacks its "
        "role's page sent in Chromium (recorded in the same run) without pause; "
        f"{total / args.seconds:.0f} requests/s answered in all",
        f"- the server: `gridgov serve` (waitress, {threads} threads); it built the wall's figures in "
        f"{render.get('warm-up', float('nan')):.1f} s before it listened",
        "- server time: the Server-Timing header (from Flask taking the request to the response ready); target p95 < 150 ms",
        "- client time: from sending to the whole response read, so it includes the wait in the server's queue: "
        "users that never pause keep every thread busy",
        *(f"- note: {n}" for n in args.note),
        "",
        "Wall screen's first full render in Chromium (from navigation to the map's polygons drawn and the network idle; "
        f"target < 2 s): the first visit after the server started **{render.get('cold', float('nan')):.2f} s**, "
        f"a second visit **{render.get('warm', float('nan')):.2f} s**.",
        "",
        "| request | n | server p50 (ms) | server p95 (ms) | p95 / baseline p95 | client p95 (ms) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind in sorted(samples, key=lambda k: (not k.startswith("baseline"), k)):
        server = [v for v, _ in samples[kind] if v == v]  # NaN: no answer (a timeout)
        client = [c for _, c in samples[kind]]
        if not server:
            lines.append(f"| {kind} | {len(client)} | — | — | — | {percentile(client, 0.95):.0f} |")
            continue
        p95 = percentile(server, 0.95)
        lines.append(
            f"| {kind} | {len(client)} | {statistics.median(server):.1f} | {p95:.1f} | {p95 / base_p95:.1f} | "
            f"{percentile(client, 0.95):.0f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
