"""Benchmark the dashboard at city scale with accounts scoped to their areas: each callback's server time under
50 concurrent users spread over the city, and every secretary's wall first render in Chromium.

    .venv/bin/python bench/dashboard_bench.py [--users 50] [--seconds 60] [--secretaries 50] [--cold 10]
        [--officers 3] [--leaders 3] [--note TEXT] [--no-results]

1. The city (bench/make_city.py: 3,300 grids, 336 communities of 34 streets) loaded into the database
   `bench_layers` (as bench/layers_bench.py does; loaded if missing, not timed), plus accounts made for this run
   with random passwords, each scoped to its own area (gridgov.areas): secretaries of one community each, spread
   over the city (every len/N-th community in street order); street officers of streets spread likewise, each
   opening one community of its street from /street; grid leaders of the busiest grids; a planner of one street.
2. `gridgov serve` on a free loopback port (waitress, as users run it). Before it listens it builds one area's
   wall; the walls of the other enabled secretaries and street officers are built in a background thread
   (dashboard/wall/warmup.py). The wall's timers are set to WALL_TIMER_SECONDS so that its refresh is recorded.
3. Every secretary's wall first render in Chromium (a fresh browser context each: no cached assets; signed in
   beforehand, timed from navigating to /wall to the map's polygons drawn and the network idle), the first visit
   of that community's wall since the server started:
   - cold: `--cold` of the secretaries are made only after the server listens, so the warm-up never builds their
     walls; they are visited at once, while the warm-up still runs in the background (the worst first visit);
   - warmed: the others, visited once the server has gone idle (the warm-up done: its CPU time stops growing).
   Then the other kinds of page are recorded: a street officer's /street and a community opened from it (its
   wall), a grid leader's /grid, the planner's /export, each staying long enough for its timers to fire. Every
   request the pages send to /_dash-update-component is kept (bench/out/dashboard-recorded.json, to profile).
4. Replay: N users (threads), each signed in as its own account (so an answer kept for one area never serves
   another), repeat their kind's recorded steps for S seconds, as fast as the server answers. Street officers
   go through /street, then /street/open/<their community>, then that wall's callbacks. The server's part of
   each request is read from the Server-Timing header (dashboard/web/timing.py); the client latency is kept too.
5. Baseline in the same run, under the same load: the sign-in page (GET /login: a template and the session, no
   database), whose server time is what any request costs in this server.
Results: p50/p95 per callback (server part; target p95 < 150 ms) and the ratio to the baseline's p95, the first
renders (target < 2 s), the load average and the server's CPU, written to bench/RESULTS.md.
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

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

from gridgov import accounts, areas  # noqa: E402
from gridgov.database import resolve_url  # noqa: E402
from gridgov.settings import DatabaseSettings  # noqa: E402

PAGES = {"secretary": "/wall", "street_officer": "/street", "grid_leader": "/grid", "planner": "/export"}
WALL_TIMER_SECONDS = 3  # refresh and rotation, while recording (the defaults are minutes)
PREFIX = "bench_"  # every account this bench makes; those of earlier runs are removed first
OPEN = "open"  # a street officer's step that opens their community's wall (a GET, not a callback)


@dataclass(frozen=True)
class Login:
    """One bench account: its kind (role), credentials, the area it answers for, and for a street officer the
    community it opens from /street."""

    kind: str
    username: str
    password: str
    area: str
    opens: str | None = None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def spread(items: list[Any], n: int) -> list[Any]:
    """n items spread evenly over the list (every len/n-th), in its order."""
    n = min(n, len(items))
    return [items[i * len(items) // n] for i in range(n)] if n else []


def _add(conn: psycopg.Connection, login: Login, **scope: Any) -> Login:
    if accounts.get(conn, login.username) is not None:
        accounts.remove(conn, login.username)
    accounts.add(conn, login.username, role=login.kind, password=login.password, **scope)
    return login


def secretaries(conn: psycopg.Connection, n: int, *, taken: frozenset[str] = frozenset(), tag: str = "secretary"
                ) -> list[Login]:
    """n secretaries of one community each, spread over the city's communities other than `taken`."""
    picked = spread([(s, c) for s, c in areas.communities(conn) if c not in taken], n)
    return [
        _add(conn, Login("secretary", f"{PREFIX}{tag}_{i:03d}", secrets.token_urlsafe(16), community),
             communities=[community], street=street)
        for i, (street, community) in enumerate(picked)
    ]


def make_accounts(url: str, args: argparse.Namespace) -> list[Login]:
    """The accounts the server knows when it starts (the cold secretaries come later: `secretaries`)."""
    with psycopg.connect(url) as conn:
        for account in accounts.list_accounts(conn):
            if account.username.startswith(PREFIX):
                accounts.remove(conn, account.username)
        made = secretaries(conn, args.secretaries - args.cold)
        for i, street in enumerate(spread(areas.streets(conn), args.officers)):
            of_street = [c for _, c in areas.communities(conn, street)]
            made.append(_add(conn, Login("street_officer", f"{PREFIX}officer_{i:02d}", secrets.token_urlsafe(16),
                                         street, of_street[len(of_street) // 2]), street=street))
        busiest = conn.execute(
            "SELECT grid_code FROM complaints GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT %s", [args.leaders]
        ).fetchall()
        for i, (grid,) in enumerate(busiest):
            made.append(_add(conn, Login("grid_leader", f"{PREFIX}leader_{i:02d}", secrets.token_urlsafe(16), grid),
                             grids=[grid]))
        street = areas.streets(conn)[0]
        made.append(_add(conn, Login("planner", f"{PREFIX}planner", secrets.token_urlsafe(16), street), street=street))
    return made


def sign_in(base: str, login: Login) -> requests.Session:
    session = requests.Session()
    form = session.get(base + "login", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, "no CSRF token on the sign-in page"
    reply = session.post(
        base + "login",
        data={"csrf_token": token.group(1), "username": login.username, "password": login.password},
        allow_redirects=False,
        timeout=60,
    )
    assert reply.status_code == 302, f"sign-in of {login.username} failed: {reply.status_code}"
    return session


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_idle(pid: int, limit: float = 600) -> float:
    """Wait until the server's CPU stops growing (under 5% of a core for 3 s: its warm-up is done); the quiet
    seconds waited at the end."""
    started = time.monotonic()
    quiet, last = 0, cpu_seconds(pid)
    while quiet < 3 and time.monotonic() - started < limit:
        time.sleep(1)
        now = cpu_seconds(pid)
        quiet = quiet + 1 if now - last < 0.05 else 0
        last = now
    return float(quiet)


QUIET_MS = 500  # Playwright's "networkidle": no request for this long; waited for, but not part of the render


@dataclass(frozen=True)
class Render:
    """A page's first render: until its content was drawn and its last request answered (the user's wait), the
    same plus Playwright's quiet window (how the earlier sections counted), and the server's longest callback."""

    drawn: float
    with_quiet: float
    callback_ms: float


class Browser:
    """Headless Chromium: a fresh context per visit, signed in beforehand, recording the callbacks it sends."""

    def __init__(self, base: str, playwright: Any) -> None:
        self.base = base
        self.browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        self.finished: list[tuple[float, float]] = []  # (when, server ms of a callback or 0) of each answer

    def context(self, login: Login) -> tuple[Any, Any, list[Any]]:
        cookies = sign_in(self.base, login).cookies
        context = self.browser.new_context(viewport={"width": 1920, "height": 1080})
        context.add_cookies([{"name": c.name, "value": c.value or "", "url": self.base} for c in cookies])
        page = context.new_page()
        steps: list[Any] = []

        def keep(r: Any) -> None:
            if r.method == "POST" and "_dash-update-component" in r.url and r.post_data:
                steps.append(json.loads(r.post_data))

        def answered(r: Any) -> None:
            timing = re.search(r"dur=([\d.]+)", (r.response().headers if r.response() else {}).get("server-timing", ""))
            callback = "_dash-update-component" in r.url and timing is not None
            self.finished.append((time.perf_counter(), float(timing.group(1)) if callback and timing else 0.0))

        page.on("request", keep)
        page.on("requestfinished", answered)
        return context, page, steps

    def timed(self, page: Any, path: str, *, wall: bool) -> Render:
        """`path`'s first render: navigation to its content drawn (a wall: the map's polygons) and the network idle."""
        self.finished.clear()
        started = time.perf_counter()
        page.goto(self.base + path.lstrip("/"))
        if wall:
            page.locator("path.grid-polygon").first.wait_for(state="attached", timeout=60_000)
        drawn = time.perf_counter()
        page.wait_for_load_state("networkidle", timeout=60_000)
        idle = time.perf_counter()
        last = max((t for t, _ in self.finished), default=drawn)
        return Render(max(drawn, last) - started, idle - started, max((ms for _, ms in self.finished), default=0.0))

    def first_wall(self, login: Login, stay: float = 0) -> tuple[Render, list[Any]]:
        context, page, steps = self.context(login)
        try:
            render = self.timed(page, "/wall", wall=True)
            page.wait_for_timeout(stay * 1000)
            return render, steps
        finally:
            context.close()

    def officer(self, login: Login, stay: float) -> tuple[dict[str, Render], list[Any]]:
        """/street, then the officer's community opened from it: their render times, and the steps in order."""
        context, page, steps = self.context(login)
        try:
            render = {"/street": self.timed(page, "/street", wall=False)}
            page.wait_for_timeout(stay * 1000)
            steps.append(OPEN)
            render["opened wall"] = self.timed(page, "/street/open/" + quote(login.opens or "", safe=""), wall=True)
            page.wait_for_timeout(stay * 1000)
            return render, steps
        finally:
            context.close()

    def page(self, login: Login, stay: float) -> tuple[Render, list[Any]]:
        context, page, steps = self.context(login)
        try:
            render = self.timed(page, PAGES[login.kind], wall=False)
            page.wait_for_timeout(stay * 1000)
            return render, steps
        finally:
            context.close()


@dataclass
class Recorded:
    steps: dict[str, list[Any]]  # kind -> its recorded callbacks (and OPEN), in order
    cold: dict[str, Render]  # community -> its wall's first render
    warmed: dict[str, Render]
    pages: dict[str, Render]  # other pages' first renders
    cold_started: float  # seconds after the server listened that the cold visits began
    warm_up: float  # seconds after the server listened until it went idle
    warm_up_cpu: float = float("nan")  # the server's CPU seconds from its start until then


def record(base: str, url: str, pid: int, args: argparse.Namespace, made: list[Login]) -> tuple[Recorded, list[Login]]:
    """First renders (cold, then warmed) and each kind of page's callbacks; the cold secretaries made meanwhile."""
    from playwright.sync_api import sync_playwright

    listened = time.monotonic()
    with psycopg.connect(url) as conn:  # after the server read its warm-up list: never warmed
        taken = frozenset(m.area for m in made if m.kind == "secretary")
        cold = secretaries(conn, args.cold, taken=taken, tag="cold")
    out = Recorded({}, {}, {}, {}, 0.0, 0.0)
    with sync_playwright() as p:
        browser = Browser(base, p)
        out.cold_started = time.monotonic() - listened
        for login in cold:
            out.cold[login.area], _ = browser.first_wall(login)
        quiet = wait_idle(pid)
        out.warm_up = time.monotonic() - listened - quiet
        out.warm_up_cpu = cpu_seconds(pid)
        warmed = [m for m in made if m.kind == "secretary"]
        for i, login in enumerate(warmed):
            stay = args.stay if i == len(warmed) - 1 else 0  # the last stays for the timers: its steps are replayed
            out.warmed[login.area], out.steps["secretary"] = browser.first_wall(login, stay)
        for kind in ("street_officer", "grid_leader", "planner"):
            login = next(m for m in made if m.kind == kind)
            if kind == "street_officer":
                render, out.steps[kind] = browser.officer(login, args.stay)
                out.pages.update({f"street officer: {k}": v for k, v in render.items()})
            else:
                out.pages[f"{kind.replace('_', ' ')}: {PAGES[kind]}"], out.steps[kind] = browser.page(login, args.stay)
        browser.browser.close()
    return out, cold


def label(step: dict[str, Any]) -> str:
    """A callback's name in the results: its outputs, and for a page the path it renders (an officer sends two)."""
    output = str(step.get("output", "?"))
    if output == "page.children":
        return f"{output} {next((i.get('value') for i in step.get('inputs', []) if i.get('property') == 'pathname'), '')}"
    return output


def send(session: requests.Session, base: str, step: Any, opened: str) -> requests.Response:
    """One step of a replaying user: the baseline (None), a street officer opening their community, or a callback."""
    if step is None:
        return session.get(base + "login", timeout=120)
    if step == OPEN:
        return session.get(base + opened.lstrip("/"), allow_redirects=False, timeout=120)
    return session.post(base + "_dash-update-component", json=step, timeout=120)


def replay(
    base: str, users: list[Login], steps: dict[str, list[Any]], seconds: float
) -> dict[str, list[tuple[float, float]]]:
    """(server ms, client ms) per request kind, each user (its own account) repeating its kind's steps, and the
    baseline."""
    samples: dict[str, list[tuple[float, float]]] = defaultdict(list)
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def user(login: Login) -> None:
        session = sign_in(base, login)
        opened = "/street/open/" + quote(login.opens or "", safe="")
        while time.monotonic() < deadline:
            for step in [None, *steps[login.kind]]:  # the baseline first: every user measures it under the same load
                kind = (
                    "baseline: GET /login (no database)" if step is None
                    else f"{login.kind}: GET /street/open/<community> (303 to /wall)" if step == OPEN
                    else f"{login.kind}: {label(step)}"
                )
                started = time.perf_counter()
                try:
                    reply = send(session, base, step, opened)
                except requests.RequestException as exc:  # a timeout is a result too, not the end of this user
                    with lock:
                        samples[f"{kind} ({type(exc).__name__})"].append(
                            (float("nan"), (time.perf_counter() - started) * 1000)
                        )
                    continue
                client = (time.perf_counter() - started) * 1000
                timing = re.search(r"dur=([\d.]+)", reply.headers.get("Server-Timing", ""))
                if reply.status_code not in (200, 204, 303) or not timing:
                    kind += f" (HTTP {reply.status_code})"
                with lock:
                    samples[kind].append((float(timing.group(1)) if timing else float("nan"), client))

    threads = [threading.Thread(target=user, args=(login,)) for login in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return samples


def replaying(made: list[Login], cold: list[Login], n: int) -> list[Login]:
    """The accounts the N replaying users sign in as: every street officer, grid leader and planner, and
    secretaries (each of their own community) for the rest; an account twice only when N exceeds them all."""
    others = [m for m in made if m.kind != "secretary"]
    secretaries_ = [m for m in made if m.kind == "secretary"] + cold
    order = others + spread(secretaries_, max(0, n - len(others)))
    everyone = others + secretaries_
    return (order + everyone * n)[:n] if len(order) < n else order[:n]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=BENCH / "out" / "city")
    parser.add_argument("--database", default="bench_layers", help="where --data is loaded (another scale: another)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--secretaries", type=int, default=50, help="secretaries, each of its own community")
    parser.add_argument("--cold", type=int, default=10, help="of them, made after the server started (never warmed)")
    parser.add_argument("--officers", type=int, default=3)
    parser.add_argument("--leaders", type=int, default=3)
    parser.add_argument("--stay", type=float, default=8, help="seconds each recorded page stays open")
    parser.add_argument("--note", action="append", default=[])
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args(argv)

    url = prepare(resolve_url(DatabaseSettings()), args.data, args.database)
    with psycopg.connect(url) as conn:
        args.sizes = conn.execute(
            "SELECT count(*), count(DISTINCT community_name), count(DISTINCT street_name),"
            " (SELECT count(*) FROM households), (SELECT count(*) FROM complaints) FROM grids"
        ).fetchone()
    made = make_accounts(url, args)
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
        for _ in range(480):
            try:
                if requests.get(base + "login", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.5)
        recorded, cold = record(base, url, server.pid, args, made)
        print({kind: len(steps) for kind, steps in recorded.steps.items()}, "steps recorded", flush=True)
        (BENCH / "out" / "dashboard-recorded.json").write_text(json.dumps(recorded.steps, ensure_ascii=False))
        users = replaying(made, cold, args.users)
        load = {"before": os.getloadavg()[0]}
        cpu = cpu_seconds(server.pid)
        samples = replay(base, users, recorded.steps, args.seconds)
        load["after"], load["server cpu"] = os.getloadavg()[0], (cpu_seconds(server.pid) - cpu) / args.seconds
    finally:
        server.terminate()
        server.wait(timeout=30)
    ready = re.search(r"ready in ([\d.]+) s", log.read_text(errors="replace"))
    section = render_section(args, samples, recorded, users, load, float(ready.group(1)) if ready else float("nan"))
    print(section)
    if not args.no_results:
        replace_section(RESULTS, BEGIN, END, section)
    return 0


def _renders(values: dict[str, Render]) -> str:
    if not values:
        return "none"
    drawn = {c: r.drawn for c, r in values.items()}
    over = [f"{c} {s:.2f} s" for c, s in drawn.items() if s >= 2]
    worst = max(drawn, key=drawn.__getitem__)
    return (
        f"{len(values)} communities, median **{statistics.median(drawn.values()):.2f} s**, max "
        f"**{drawn[worst]:.2f} s** ({worst}); {len(values) - len(over)} of {len(values)} under 2 s"
        + (f" (over: {', '.join(over)})" if over else "")
        + f"; with the {QUIET_MS} ms quiet window: median {statistics.median(r.with_quiet for r in values.values()):.2f} s,"
        f" max {max(r.with_quiet for r in values.values()):.2f} s; the slowest callback's server time: median "
        f"{statistics.median(r.callback_ms for r in values.values()):.0f} ms, max "
        f"{max(r.callback_ms for r in values.values()):.0f} ms"
    )


def render_section(
    args: argparse.Namespace,
    samples: dict[str, list[tuple[float, float]]],
    recorded: Recorded,
    users: list[Login],
    load: dict[str, float],
    ready: float,
) -> str:
    command = ".venv/bin/python bench/dashboard_bench.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    base_key = next((k for k in samples if k.startswith("baseline")), None)
    base_p95 = percentile([s for s, _ in samples[base_key]], 0.95) if base_key else float("nan")
    total = sum(len(v) for v in samples.values())
    threads = os.environ.get("GRIDGOV_SERVE_THREADS") or f"{2 * (os.cpu_count() or 2)} (the default: two per CPU)"
    kinds = {k: sum(1 for u in users if u.kind == k) for k in PAGES}
    lines = [
        "## Dashboard at city scale with scoped accounts: callbacks under load, and every secretary's first wall",
        "",
        f"- date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; machine: {os.cpu_count()} CPUs, Python {platform.python_version()}",
        f"- command: `{command.strip()}`",
        "- data: {:,} grids in {:,} communities of {:,} streets, {:,} households, {:,} work orders (`{}`, from {})".format(
            *args.sizes, args.database, args.data.relative_to(REPO) if args.data.is_relative_to(REPO) else args.data),
        f"- load: {len(users)} concurrent users on loopback for {args.seconds:.0f} s, each signed in as its own account "
        f"({', '.join(f'{n} {k}' for k, n in kinds.items())}; every secretary of a different community, spread over "
        "the city), each repeating the steps its kind's page sent in Chromium (recorded in the same run) without "
        f"pause; {total / args.seconds:.0f} requests/s answered in all; the server used "
        f"{load['server cpu']:.2f} CPU (of {os.cpu_count()}), {load['server cpu'] * 1000 / (total / args.seconds):.1f} ms "
        f"of its CPU per answered request; load average {load['before']:.2f} before, {load['after']:.2f} after",
        f"- the server: `gridgov serve` (waitress, {threads} threads); it built the first area's wall in {ready:.1f} s "
        f"before it listened, and went idle (the other walls warmed) {recorded.warm_up:.0f} s after it listened, "
        f"{recorded.warm_up_cpu:.1f} s of its CPU from its start to then (the cold visits' walls included)",
        "- server time: the Server-Timing header (from Flask taking the request to the response ready); target p95 < 150 ms",
        "- client time: from sending to the whole response read, so it includes the wait in the server's queue: "
        "users that never pause keep every thread busy",
        *(f"- note: {n}" for n in args.note),
        "",
        "Each secretary's wall, first render in Chromium (its community's first visit since the server started; a "
        "fresh browser, signed in beforehand, so the scripts are fetched too; from navigation to the map's polygons "
        f"drawn and the last request answered; Playwright then waits {QUIET_MS} ms without a request to call the "
        "network idle, which the earlier sections counted in; target < 2 s):",
        "",
        f"- **cold** (accounts made after the server listened, so the warm-up never built their walls; visited "
        f"{recorded.cold_started:.0f} s after it listened, one after another, while the warm-up ran): "
        + _renders(recorded.cold),
        "- **warmed** (visited once the warm-up was done): " + _renders(recorded.warmed),
        "- other pages, first visit (drawn; with the quiet window): "
        + ", ".join(f"{k} {v.drawn:.2f} s ({v.with_quiet:.2f} s)" for k, v in recorded.pages.items()),
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
