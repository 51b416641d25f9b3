"""The audit trail: sign-ins, failed sign-ins, sign-outs, exports, every view of personal data and of de-identified data.

One row per event in the `audit` table (migration 010). Callers write the row
before the data leaves: a view that cannot be recorded is not shown. The
administrator reads the trail through `search` (filtered by user, action, grid
and the community's days, a page at a time) and `count`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOGOUT = "logout"
VIEW_PERSONAL = "view_personal"
VIEW_DEIDENTIFIED = "view_deidentified"  # a planner's de-identified layer on a map or in the preview, not a file
EXPORT = "export"  # a file or features taken away: a download, the OGC API, `gridgov export`
DOWNLOADED = "audit_downloaded"  # the administrator took the (filtered) trail away as a file


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


def recent(conn: psycopg.Connection, *, limit: int = 100, username: str | None = None) -> list[Event]:
    """The latest events, newest first (of one user when `username` is given)."""
    rows = conn.execute(
        "SELECT at, username, action, detail, ip FROM audit WHERE %(u)s::text IS NULL OR username = %(u)s"
        " ORDER BY at DESC, id DESC LIMIT %(n)s",
        {"u": username, "n": limit},
    ).fetchall()
    return [Event(*r) for r in rows]


@dataclass(frozen=True)
class Wanted:
    """Which events the administrator asks for; None: any. Days are the community's (`zone`), both included."""

    zone: str
    username: str | None = None
    action: str | None = None
    grid: str | None = None  # an event naming the grid in its detail (grids, grid or grid_code)
    start: date | None = None
    end: date | None = None


_WHERE = """
    (%(u)s::text IS NULL OR username = %(u)s)
    AND (%(a)s::text IS NULL OR action = %(a)s)
    AND (%(g)s::text IS NULL OR detail -> 'grids' ? %(g)s OR detail ->> 'grid' = %(g)s OR detail ->> 'grid_code' = %(g)s)
    AND (%(start)s::date IS NULL OR at >= %(start)s::date::timestamp AT TIME ZONE %(tz)s)
    AND (%(end)s::date IS NULL OR at < (%(end)s::date + 1)::timestamp AT TIME ZONE %(tz)s)
"""


def _params(wanted: Wanted) -> dict[str, Any]:
    return {"u": wanted.username, "a": wanted.action, "g": wanted.grid, "start": wanted.start, "end": wanted.end,
            "tz": wanted.zone}


def search(conn: psycopg.Connection, wanted: Wanted, *, limit: int, offset: int = 0) -> list[Event]:
    """The events `wanted` asks for, newest first, `limit` of them after skipping `offset`."""
    rows = conn.execute(
        f"SELECT at, username, action, detail, ip FROM audit WHERE {_WHERE} ORDER BY at DESC, id DESC"
        " LIMIT %(n)s OFFSET %(skip)s",
        {**_params(wanted), "n": limit, "skip": offset},
    ).fetchall()
    return [Event(*r) for r in rows]


def count(conn: psycopg.Connection, wanted: Wanted) -> int:
    """How many events `wanted` asks for."""
    row = conn.execute(f"SELECT count(*) FROM audit WHERE {_WHERE}", _params(wanted)).fetchone()
    return int(row[0]) if row else 0


def actions(conn: psycopg.Connection) -> list[str]:
    """The actions the trail holds, by name (what the administrator can filter by)."""
    return [r[0] for r in conn.execute("SELECT DISTINCT action FROM audit ORDER BY action")]
