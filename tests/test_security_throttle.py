"""Attacks on the sign-in throttle (issue 12, finding 6: anyone can lock a user out).

Ten wrong passwords from anywhere locked a real user out for 15 minutes on the
dashboard and the API; throttled tries kept the lock alive; 30 concurrent
tries got 13 password checks instead of 10; nothing limited one address; each
try cost 0.2 s of argon2. Each test sends the attack through the dashboard's
form and the OGC API's HTTP Basic (in process, on a real database) and
asserts the refusal. The window is real time on the database's clock: tests
move it by ageing the throttle's rows, never by sleeping.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import dash
import psycopg
import pytest
from api_client import basic_call, basic_status
from auth_client import User, login
from psycopg_pool import ConnectionPool

from api.auth import Verifier
from gridgov import audit, signin

ATTACKER = "203.0.113.66"
ELSEWHERE = "198.51.100.7"
WRONG = "not the password at all"


@pytest.fixture
def api(db_url: str) -> Iterator[Verifier]:
    """The OGC API's sign-in check, on a pool of the test database (tests/api_client.py sends it requests)."""
    with ConnectionPool(db_url, min_size=1, max_size=8) as pool:
        yield Verifier(pool, cache_seconds=0)


def form(app: dash.Dash, username: str, password: str, ip: str) -> int:
    """The status of a sign-in through the dashboard's form from the address `ip`."""
    client = app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return login(client, username, password).status_code


def reasons(db_url: str, username: str | None = None) -> Counter[str]:
    """How many failed sign-ins the audit table has, by reason."""
    with psycopg.connect(db_url) as conn:
        failed = [e for e in audit.recent(conn, limit=10_000, username=username) if e.action == audit.LOGIN_FAILED]
    return Counter(e.detail["reason"] for e in failed)


def age_failures(db_url: str, minutes: float) -> None:
    """Let `minutes` pass for the throttle: its failures become that much older."""
    with psycopg.connect(db_url) as conn:
        conn.execute("UPDATE signin_failures SET at = at - make_interval(secs => %s)", [minutes * 60])


def test_ten_wrong_passwords_from_elsewhere_lock_nobody_out(
    app: dash.Dash, users: dict[str, User], api: Verifier, db_url: str
) -> None:
    secretary = users["shuji"]
    for i in range(signin.MAX_FAILURES):  # the original attack, half through each front-end
        status = form(app, secretary.username, WRONG, ATTACKER) if i % 2 else basic_status(api, secretary.username, WRONG, ip=ATTACKER)
        assert status == 401
    # the real user, from their own address, through either front-end
    assert form(app, secretary.username, secretary.password, ELSEWHERE) == 302
    assert basic_status(api, secretary.username, secretary.password, ip=ELSEWHERE) == 200
    # the attacker's address is the one locked, right password or not
    assert form(app, secretary.username, secretary.password, ATTACKER) == 429
    assert basic_status(api, secretary.username, secretary.password, ip=ATTACKER) == 429
    assert reasons(db_url) == {"wrong": signin.MAX_FAILURES, "throttled": 2}


@pytest.mark.parametrize("front_end", ["form", "api"])
def test_throttled_tries_do_not_extend_the_lock(
    app: dash.Dash, users: dict[str, User], api: Verifier, db_url: str, front_end: str
) -> None:
    planner = users["guihua"]

    def attempt(password: str) -> int:
        if front_end == "form":
            return form(app, planner.username, password, ATTACKER)
        return basic_status(api, planner.username, password, ip=ATTACKER)

    for _ in range(signin.MAX_FAILURES):
        assert attempt(WRONG) == 401
    age_failures(db_url, signin.FAILURE_WINDOW_MINUTES - 1)
    for password in (WRONG, WRONG, planner.password, WRONG, WRONG):  # kept knocking while locked
        assert attempt(password) == 429
    age_failures(db_url, 2)  # the window has passed over the ten failures, not over the knocking
    assert attempt(planner.password) == (302 if front_end == "form" else 200)
    assert reasons(db_url) == {"wrong": signin.MAX_FAILURES, "throttled": 5}


def test_thirty_concurrent_tries_through_the_form_get_at_most_the_limit_of_checks(
    app: dash.Dash, users: dict[str, User], db_url: str
) -> None:
    with ThreadPoolExecutor(max_workers=30) as pool:
        statuses = list(pool.map(lambda i: form(app, "shuji", f"{WRONG} {i}", ATTACKER), range(30)))
    counted = reasons(db_url)
    assert 1 <= counted["wrong"] <= signin.MAX_FAILURES, counted
    assert counted["wrong"] + counted["throttled"] + counted["busy"] == 30, counted
    assert (statuses.count(401), statuses.count(429), statuses.count(503)) == (
        counted["wrong"], counted["throttled"], counted["busy"]
    )


def test_thirty_concurrent_tries_through_the_api_get_at_most_the_limit_of_checks(
    users: dict[str, User], api: Verifier, db_url: str
) -> None:
    async def burst() -> list[int]:
        return await asyncio.gather(*(basic_call(api, "guihua", f"{WRONG} {i}", ip=ATTACKER) for i in range(30)))

    statuses = asyncio.run(burst())
    counted = reasons(db_url)
    assert 1 <= counted["wrong"] <= signin.MAX_FAILURES, counted
    assert counted["wrong"] + counted["throttled"] + counted["busy"] == 30, counted
    assert statuses.count(401) == counted["wrong"] and statuses.count(429) == counted["throttled"]


def test_one_address_is_limited_across_usernames(
    app: dash.Dash, users: dict[str, User], api: Verifier, db_url: str
) -> None:
    for i in range(signin.MAX_ADDRESS_FAILURES):  # a spray: one guess for each of many usernames
        assert basic_status(api, f"user{i}", WRONG, ip=ATTACKER) == 401
    assert basic_status(api, "one_more", WRONG, ip=ATTACKER) == 429
    secretary = users["shuji"]
    assert form(app, secretary.username, secretary.password, ATTACKER) == 429  # the address, whoever it names
    assert form(app, secretary.username, secretary.password, ELSEWHERE) == 302
    assert reasons(db_url) == {"wrong": signin.MAX_ADDRESS_FAILURES, "throttled": 2}


def test_an_ipv6_client_is_counted_by_its_network(app: dash.Dash, users: dict[str, User], db_url: str) -> None:
    secretary = users["shuji"]
    for i in range(signin.MAX_FAILURES):  # a new address of the same /64 for each guess
        assert form(app, secretary.username, WRONG, f"2001:db8::{i + 1:x}") == 401
    assert form(app, secretary.username, secretary.password, "2001:db8::beef") == 429
    assert form(app, secretary.username, secretary.password, "2001:db8:0:1::1") == 302  # another network


def test_the_throttles_address_key() -> None:
    assert signin.address_key("203.0.113.5") == "203.0.113.5"
    assert signin.address_key("::ffff:203.0.113.5") == "203.0.113.5"
    assert signin.address_key("2001:db8::1") == signin.address_key("2001:db8::ffff:1") == "2001:db8::/64"
    assert signin.address_key(None) == ""


def test_password_checks_beyond_the_cpu_bound_wait_then_are_refused_uncounted(
    app: dash.Dash, users: dict[str, User], db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(signin, "CHECK_WAIT_SECONDS", 0.5)
    secretary = users["shuji"]
    held = [signin._checking.acquire(timeout=30) for _ in range(signin.CONCURRENT_CHECKS)]  # every slot busy
    assert all(held)
    try:
        for _ in range(signin.MAX_FAILURES + 2):
            assert form(app, secretary.username, WRONG, ATTACKER) == 503
    finally:
        for _ in held:
            signin._checking.release()
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT count(*) FROM signin_failures").fetchone() == (0,)  # nothing hashed, nothing counted
    assert reasons(db_url) == {"busy": signin.MAX_FAILURES + 2}
    assert form(app, secretary.username, secretary.password, ATTACKER) == 302
