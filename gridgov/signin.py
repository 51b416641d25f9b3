"""The one sign-in check, for the dashboard's form and the OGC API's HTTP Basic alike, with its throttle.

The throttle counts failed password checks (table `signin_failures`,
migration 016) by the client's address, so nobody can lock another person
out from elsewhere:

- per username and address: MAX_FAILURES failures within FAILURE_WINDOW_MINUTES;
- per address, whatever the usernames: MAX_ADDRESS_FAILURES within the window.

An IPv6 client is counted by its /64 network (one machine usually holds a
whole /64), an IPv4-mapped address as the IPv4 one. A try beyond either limit
is refused before its password is looked at, and is not counted: a throttled
try never extends the lock, which ends when the window has passed over the
failures that made it. Deciding and counting are one step: under an advisory
lock per address the failures are counted and, if there is room, a row is
written for this try and committed before the password is checked (removed
again if it was right), so concurrent tries see each other and 30 at once get
at most MAX_FAILURES checks. The window is measured by the database's clock
(real time, not the community's pinned one).

The CPU an anonymous client can spend is bounded twice: by those limits (each
check is one argon2 hash, about 0.2 s of a core), and by CONCURRENT_CHECKS,
the password checks this process runs at once (half the CPUs); a try that
waits CHECK_WAIT_SECONDS for its turn is refused as busy and not counted.

Every refusal is written to the audit table as a failed sign-in with its
reason ("throttled", "wrong" or "busy") and, when given, the front-end it came
through (`via`). `check` takes a way to open a connection, not a connection:
it holds none while it waits or hashes, so sign-ins under attack do not take
the database's connections from everyone else. It commits what it writes; the
caller records a successful sign-in itself where it starts a session (the API
checks on every request and records none).
"""

from __future__ import annotations

import ipaddress
import os
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import psycopg

from gridgov import accounts, audit
from gridgov.accounts import Account

MAX_FAILURES = 10  # per username and client address, within the window
MAX_ADDRESS_FAILURES = 50  # per client address, whatever the usernames, within the window
FAILURE_WINDOW_MINUTES = 15
CONCURRENT_CHECKS = max(1, (os.cpu_count() or 2) // 2)  # argon2 hashes this process runs at once
CHECK_WAIT_SECONDS = 5.0  # how long a try waits for its turn to be checked before it is refused as busy
_LOCK_CLASS = 7_313_016  # the advisory locks' first key; the second is a hash of the address

_checking = threading.BoundedSemaphore(CONCURRENT_CHECKS)

Connect = Callable[[], AbstractContextManager[psycopg.Connection]]
"""Opens a connection for one step, committing it when the block ends (psycopg_pool's `pool.connection`)."""


class Refusal(StrEnum):
    """Why a sign-in was refused, as the audit row's `reason` says."""

    THROTTLED = "throttled"  # too many failures lately: refused before the password is looked at
    WRONG = "wrong"  # wrong password, unknown username or disabled account: the caller cannot tell which
    BUSY = "busy"  # too many password checks running at once: try again in a moment


@dataclass(frozen=True)
class Attempt:
    """One try at signing in: what was typed, from where, and through which front-end (None: the dashboard's form)."""

    username: str
    password: str
    ip: str | None
    via: str | None = None

    def __post_init__(self) -> None:
        # a NUL, which PostgreSQL cannot store, becomes U+FFFD: it names no account, so the try fails and is audited
        object.__setattr__(self, "username", self.username.replace("\x00", "\ufffd"))


def address_key(ip: str | None) -> str:
    """What the throttle counts a client by: its address, an IPv6 one's /64 network; '' when unknown."""
    if not ip:
        return ""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _refuse(conn: psycopg.Connection, attempt: Attempt, reason: Refusal) -> Refusal:
    detail: dict[str, Any] = {"reason": reason.value}
    if attempt.via is not None:
        detail["via"] = attempt.via
    audit.record(conn, username=attempt.username, action=audit.LOGIN_FAILED, detail=detail, ip=attempt.ip)
    return reason


def _reserve(conn: psycopg.Connection, attempt: Attempt, address: str) -> int | None:
    """Count this try as a failure if there is room under both limits: its row's id, or None when throttled."""
    window = {"secs": FAILURE_WINDOW_MINUTES * 60}
    conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_LOCK_CLASS, address])
    conn.execute("DELETE FROM signin_failures WHERE at <= now() - make_interval(secs => %(secs)s)", window)
    row = conn.execute(
        "SELECT count(*) FILTER (WHERE username = %(u)s), count(*) FROM signin_failures"
        " WHERE address = %(a)s AND at > now() - make_interval(secs => %(secs)s)",
        {"u": attempt.username, "a": address, **window},
    ).fetchone()
    mine, everyone = row if row else (0, 0)
    if mine >= MAX_FAILURES or everyone >= MAX_ADDRESS_FAILURES:
        return None
    made = conn.execute(
        "INSERT INTO signin_failures (username, address) VALUES (%s, %s) RETURNING id", [attempt.username, address]
    ).fetchone()
    assert made is not None
    return int(made[0])


def _release(conn: psycopg.Connection, reserved: int) -> None:
    conn.execute("DELETE FROM signin_failures WHERE id = %s", [reserved])


def check(connect: Connect, attempt: Attempt) -> Account | Refusal:
    """The account, or why it was refused (audited, committed on the connections `connect` opens)."""
    with connect() as conn:
        reserved = _reserve(conn, attempt, address_key(attempt.ip))
        if reserved is None:
            return _refuse(conn, attempt, Refusal.THROTTLED)
        stored = accounts.stored_hash(conn, attempt.username)
    # committed: a concurrent try counts this one already, and no connection is held from here to the answer
    if not _checking.acquire(timeout=CHECK_WAIT_SECONDS):
        with connect() as conn:
            _release(conn, reserved)
            return _refuse(conn, attempt, Refusal.BUSY)
    try:
        matches = accounts.password_matches(stored, attempt.password)
    finally:
        _checking.release()
    with connect() as conn:
        found = accounts.accept(conn, attempt.username, stored, attempt.password) if matches else None
        if found is None:
            return _refuse(conn, attempt, Refusal.WRONG)
        _release(conn, reserved)
        return found
