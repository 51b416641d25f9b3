"""The audit trail: sign-ins, failed sign-ins, sign-outs, exports, every view of personal data and of de-identified data.

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
VIEW_DEIDENTIFIED = "view_deidentified"  # a planner's de-identified layer on a map or in the preview, not a file
EXPORT = "export"  # a file or features taken away: a download, the OGC API, `gridgov export`


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
