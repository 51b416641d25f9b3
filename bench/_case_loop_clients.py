"""The case loop benchmark's clients: grid leaders acting on their cases, and the 12345 platform filing requests.

Every request is kept as one Sample (which phase, which route, the answer's
status, the server's time from its Server-Timing header, the client's time),
and every write is kept with what makes it findable in the database
afterwards: an event's note carries a marker no other event has, a filing its
order number and the case id it was answered with. The checks
(bench/_case_loop_check.py) compare these with what was stored.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests

TIMEOUT = 60  # seconds; an answer later than this is recorded as none (and fails the exactly-once check)
LIST = "GET /api/v1/cases"
ONE = "GET /api/v1/cases/<id>"
EVENT = "POST /api/v1/cases/<id>/events"
FILE = "POST /open311/v2/requests.json"


@dataclass(frozen=True)
class Sample:
    phase: str  # "baseline" or "load"
    route: str
    status: int  # 0: no answer (an exception)
    server_ms: float  # NaN: no Server-Timing header
    client_ms: float


@dataclass(frozen=True)
class Action:
    """An event a leader sent: found again by its marker, the only note that carries it."""

    marker: str
    case_id: str
    action: str
    status: int


@dataclass(frozen=True)
class Filing:
    """A request the intake client filed, and the case id the server answered with (None: no 200)."""

    order_no: str
    repeat: bool
    status: int
    case_id: str | None
    notice: str | None


@dataclass
class Record:
    """What every client did, appended to from many threads."""

    samples: list[Sample] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    filings: list[Filing] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, item: Sample | Action | Filing) -> None:
        with self.lock:
            if isinstance(item, Sample):
                self.samples.append(item)
            elif isinstance(item, Action):
                self.actions.append(item)
            else:
                self.filings.append(item)


def timed(record: Record, phase: str, route: str, send: Callable[[], requests.Response]) -> requests.Response | None:
    """Send one request, keep its sample; the response (None when there was none)."""
    started = time.perf_counter()
    try:
        reply = send()
    except requests.RequestException:
        record.add(Sample(phase, route, 0, float("nan"), (time.perf_counter() - started) * 1000))
        return None
    client = (time.perf_counter() - started) * 1000
    found = re.search(r"dur=([\d.]+)", reply.headers.get("Server-Timing", ""))
    record.add(Sample(phase, route, reply.status_code, float(found.group(1)) if found else float("nan"), client))
    return reply


def choose(allowed: Sequence[str], rng: random.Random) -> str:
    """What a leader does next to a case: mostly a note, and moving it along when the state allows."""
    for action, chance in (("respond", 0.6), ("start", 0.3), ("resolve", 0.2)):
        if action in allowed and rng.random() < chance:
            return action
    return "note"


@dataclass
class Leader:
    """One signed-in grid leader: list the open cases, read one of the most urgent, act on it; repeat."""

    name: str
    password: str
    base: str
    run: str
    record: Record
    rng: random.Random
    session: requests.Session = field(default_factory=requests.Session)
    csrf: str = ""
    done: int = 0

    def sign_in(self, phase: str) -> bool:
        """Sign in through /login as a browser does, then take the CSRF token from /api/v1/session."""
        form = timed(self.record, phase, "GET /login", lambda: self.session.get(self.base + "login", timeout=TIMEOUT))
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text if form is not None else "")
        if token is None:
            return False
        signed = timed(
            self.record,
            phase,
            "POST /login",
            lambda: self.session.post(
                self.base + "login",
                data={"csrf_token": token.group(1), "username": self.name, "password": self.password},
                allow_redirects=False,
                timeout=TIMEOUT,
            ),
        )
        if signed is None or signed.status_code != 302:
            return False
        who = timed(
            self.record,
            phase,
            "GET /api/v1/session",
            lambda: self.session.get(self.base + "api/v1/session", timeout=TIMEOUT),
        )
        if who is None or who.status_code != 200:
            return False
        self.csrf = str(who.json()["csrf_token"])
        return True

    def step(self, phase: str) -> bool:
        """One list-read-act round; False when there was nothing to act on (or no answer)."""
        listed = timed(
            self.record, phase, LIST, lambda: self.session.get(self.base + "api/v1/cases?open=true", timeout=TIMEOUT)
        )
        if listed is None or listed.status_code != 200 or not listed.json()["cases"]:
            return False
        case_id = self.rng.choice(listed.json()["cases"][:20])["case_id"]
        shown = timed(
            self.record, phase, ONE, lambda: self.session.get(self.base + f"api/v1/cases/{case_id}", timeout=TIMEOUT)
        )
        if shown is None or shown.status_code != 200:
            return False
        action = choose(shown.json()["allowed"], self.rng)
        self.done += 1
        marker = f"bench {self.run}:{self.name}:{self.done}"
        sent = timed(
            self.record,
            phase,
            f"{EVENT} ({action})",
            lambda: self.session.post(
                self.base + f"api/v1/cases/{case_id}/events",
                json={"action": action, "note": marker},
                headers={"X-CSRF-Token": self.csrf},
                timeout=TIMEOUT,
            ),
        )
        self.record.add(Action(marker, case_id, action, 0 if sent is None else sent.status_code))
        return True

    def loop(self, phase: str, until: float, pace: tuple[float, float]) -> None:
        """Rounds until the monotonic time `until`, one every `pace` seconds (uniform), from a random moment on."""
        time.sleep(self.rng.uniform(0, pace[1]))
        if not self.csrf:  # its sign-in failed (kept as a sample): it does not take part
            return
        while time.monotonic() < until:
            started = time.monotonic()
            self.step(phase)
            time.sleep(max(0.0, self.rng.uniform(*pace) - (time.monotonic() - started)))


@dataclass
class Intake:
    """The 12345 platform: files requests with new order numbers, and some again (a retry, or two systems at once)."""

    base: str
    key: str
    run: str
    record: Record
    services: Sequence[str]
    points: Sequence[tuple[float, float]]
    rng: random.Random
    filed: list[str] = field(default_factory=list)
    local: threading.local = field(default_factory=threading.local)

    def _session(self) -> requests.Session:
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
        session: requests.Session = self.local.session
        return session

    def form(self, order_no: str) -> dict[str, str]:
        """A request as the platform files it: 1 in 20 with an address only (no point: the secretary's queue)."""
        rng = self.rng
        fields = {
            "api_key": self.key,
            "service_code": rng.choice(self.services),
            "description": f"bench {order_no}",
            "attribute[order_no]": order_no,
        }
        if rng.random() < 0.05:
            fields["address_string"] = "甘露园某小区（地址不详）"
        else:
            lon, lat = rng.choice(self.points)
            fields |= {"long": f"{lon:.7f}", "lat": f"{lat:.7f}"}
        if rng.random() < 0.3:
            fields["phone"] = f"138{rng.randrange(10**8):08d}"
        return fields

    def send(self, phase: str, order_no: str, form: dict[str, str], repeat: bool) -> None:
        session = self._session()
        reply = timed(
            self.record,
            phase,
            f"{FILE} ({'repeat' if repeat else 'new'})",
            lambda: session.post(self.base + "open311/v2/requests.json", data=form, timeout=TIMEOUT),
        )
        try:
            answer = reply.json()[0] if reply is not None and reply.status_code == 200 else {}
        except ValueError:  # a 200 that is no Open311 answer: kept as one without a case id
            answer = {}
        self.record.add(
            Filing(
                order_no,
                repeat,
                0 if reply is None else reply.status_code,
                answer.get("service_request_id"),
                answer.get("service_notice"),
            )
        )

    def next_batch(self) -> list[tuple[str, dict[str, str], bool]]:
        """One tick's filings: mostly one new order; sometimes an earlier one again, or one new order sent twice."""
        roll = self.rng.random()
        if roll < 0.07 and self.filed:
            order_no = self.rng.choice(self.filed)
            return [(order_no, self.form(order_no), True)]
        order_no = f"BENCH-{self.run}-{len(self.filed) + 1:06d}"
        self.filed.append(order_no)
        form = self.form(order_no)
        if roll < 0.10:  # the same order from two systems at the same moment
            return [(order_no, form, False), (order_no, dict(form), True)]
        return [(order_no, form, False)]

    def run_at(self, phase: str, rate: float, until: float, workers: int = 16) -> None:
        """File `rate` ticks per second until `until`, each sent by a pool so a slow answer does not slow the rate."""
        with ThreadPoolExecutor(workers, thread_name_prefix="intake") as pool:
            due = time.monotonic()
            while due < until:
                for order_no, form, repeat in self.next_batch():
                    pool.submit(self.send, phase, order_no, form, repeat)
                due += 1 / rate
                time.sleep(max(0.0, due - time.monotonic()))

    def one_by_one(self, phase: str, count: int) -> None:
        """`count` ticks, each answered before the next is sent (the baseline)."""
        for _ in range(count):
            for order_no, form, repeat in self.next_batch():
                self.send(phase, order_no, form, repeat)


def baseline(leader: Leader, intake: Intake, rounds: int) -> None:
    """The same routes from a single client with nothing else running: a sign-in, then rounds of a leader's
    list-read-act and two filings."""
    if not leader.sign_in("baseline"):
        raise SystemExit(f"the baseline's leader {leader.name} could not sign in")
    for _ in range(rounds):
        leader.step("baseline")
        intake.one_by_one("baseline", 2)


def sign_in_all(leaders: Sequence[Leader]) -> None:
    """Every leader signs in at the same moment (phase "sign-in"), as a shift starts."""
    signing = [threading.Thread(target=leader.sign_in, args=("sign-in",)) for leader in leaders]
    for t in signing:
        t.start()
    for t in signing:
        t.join()


def under_load(
    leaders: Sequence[Leader], intake: Intake, seconds: float, rate: float, pace: tuple[float, float]
) -> float:
    """The signed-in leaders and the intake client together for `seconds`; the seconds that took."""
    started = time.monotonic()
    until = started + seconds
    threads = [threading.Thread(target=leader.loop, args=("load", until, pace), name=leader.name) for leader in leaders]
    threads.append(threading.Thread(target=intake.run_at, args=("load", rate, until), name="intake"))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.monotonic() - started


def percentile(values: Sequence[float], q: float) -> float:
    """The q-quantile (nearest rank) of `values`; NaN when empty."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def by_route(samples: Sequence[Sample], phase: str) -> dict[str, list[Sample]]:
    grouped: dict[str, list[Sample]] = {}
    for s in samples:
        if s.phase == phase:
            grouped.setdefault(s.route, []).append(s)
    return grouped


def summary(samples: Sequence[Any]) -> dict[str, float]:
    server = [s.server_ms for s in samples if s.server_ms == s.server_ms]
    return {
        "n": len(samples),
        "p50": percentile(server, 0.5),
        "p95": percentile(server, 0.95),
        "p99": percentile(server, 0.99),
        "client_p95": percentile([s.client_ms for s in samples], 0.95),
    }
