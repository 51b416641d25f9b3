"""The audit trail: sign-ins, failed sign-ins, sign-outs, exports and every view of personal data.

One row per event in the `audit` table (migration 010). Callers write the row
before the data leaves: a view that cannot be recorded is not shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOGOUT = "logout"
VIEW_PERSONAL = "view_personal"
EXPORT = "export"


@dataclass(frozen=True)
class Event:
    """One audit row."""

    at: datetime
    username: str
    action: str
    detail: dict[str, Any]
    ip: str | None


def record(
    conn: psycopg.Connection, *, username: str, action: str, detail: dict[str, Any] | None = None, ip: str | None = None
) -> None:
    """Append one event (committed with the caller's transaction)."""
    conn.execute(
        "INSERT INTO audit (username, action, detail, ip) VALUES (%s, %s, %s, %s)",
        [username, action, Jsonb(detail or {}), ip],
    )


def count_since(conn: psycopg.Connection, *, username: str, action: str, minutes: float) -> int:
    """How many `action` events `username` has had in the last `minutes`."""
    row = conn.execute(
        "SELECT count(*) FROM audit WHERE username = %s AND action = %s AND at > now() - make_interval(secs => %s)",
        [username, action, minutes * 60],
    ).fetchone()
    return int(row[0]) if row else 0


def recent(conn: psycopg.Connection, *, limit: int = 100, username: str | None = None) -> list[Event]:
    """The latest events, newest first (of one user when `username` is given)."""
    rows = conn.execute(
        "SELECT at, username, action, detail, ip FROM audit WHERE %(u)s::text IS NULL OR username = %(u)s"
        " ORDER BY at DESC, id DESC LIMIT %(n)s",
        {"u": username, "n": limit},
    ).fetchall()
    return [Event(*r) for r in rows]
