"""How long a case may take, per kind and category: hours to respond, days to resolve. Data the administrator edits
(table case_deadlines, migration 020), on /admin; each change audited.

A case's deadlines are its category's row, else its kind's '*' row
(gridgov.case_queries), so what is overdue moves with a change from the next
request on. The '*' rows are kept (changed, never removed): every case has a
deadline to meet. Either deadline may be empty (none to meet), not both. The
functions take a connection and leave committing to the caller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import psycopg

from gridgov import audit
from gridgov.errors import InputError

KINDS = ("work_order", "hazard", "raised")  # the table's CHECK
ANY = "*"
SET = "case_deadline_set"
REMOVED = "case_deadline_removed"
MAX_CATEGORY = 100
MAX_HOURS = 24 * 90
MAX_DAYS = 366
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Deadline:
    """One row: a kind and category (ANY: the kind's default) and its deadlines (None: none)."""

    kind: str
    category: str
    respond_hours: float | None
    resolve_days: float | None


def list_deadlines(conn: psycopg.Connection) -> list[Deadline]:
    """Every row, by kind, the default first."""
    rows = conn.execute(
        "SELECT kind, category, respond_hours, resolve_days FROM case_deadlines"
        " ORDER BY array_position(%s::text[], kind), category <> '*', category",
        [list(KINDS)],
    ).fetchall()
    return [Deadline(k, c, None if r is None else float(r), None if d is None else float(d)) for k, c, r, d in rows]


def _checked(kind: str, category: str, respond_hours: float | None, resolve_days: float | None) -> str:
    if kind not in KINDS:
        raise InputError(f"a case's kind is one of {', '.join(KINDS)}, not {kind[:40]!r}")
    cleaned = category.strip()
    if not cleaned or len(cleaned) > MAX_CATEGORY or _CONTROL.search(cleaned):
        raise InputError(f"a category is 1–{MAX_CATEGORY} characters without control characters ('*': any)")
    if respond_hours is None and resolve_days is None:
        raise InputError("give hours to respond, days to resolve, or both")
    if respond_hours is not None and not 0 < respond_hours <= MAX_HOURS:
        raise InputError(f"the hours to respond are more than 0 and at most {MAX_HOURS}")
    if resolve_days is not None and not 0 < resolve_days <= MAX_DAYS:
        raise InputError(f"the days to resolve are more than 0 and at most {MAX_DAYS}")
    return cleaned


def set_deadline(
    conn: psycopg.Connection, kind: str, category: str, *, respond_hours: float | None, resolve_days: float | None,
    by: str,
) -> Deadline:
    """Set the deadlines of a kind's category (a new row, or the row changed)."""
    category = _checked(kind, category, respond_hours, resolve_days)
    with conn.transaction():
        conn.execute(
            "INSERT INTO case_deadlines (kind, category, respond_hours, resolve_days) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (kind, category) DO UPDATE SET respond_hours = excluded.respond_hours,"
            " resolve_days = excluded.resolve_days",
            [kind, category, respond_hours, resolve_days],
        )
        audit.record(conn, username=by, action=SET, detail={
            "kind": kind, "category": category, "respond_hours": respond_hours, "resolve_days": resolve_days,
        })
    return Deadline(kind, category, respond_hours, resolve_days)


def remove_deadline(conn: psycopg.Connection, kind: str, category: str, *, by: str) -> None:
    """Drop a category's row (its cases then take the kind's default); the default itself is kept."""
    if category == ANY:
        raise InputError("the '*' row is the kind's default: change it, it cannot be removed")
    with conn.transaction():
        if not conn.execute("DELETE FROM case_deadlines WHERE kind = %s AND category = %s", [kind, category]).rowcount:
            raise InputError(f"there is no deadline for {kind} {category[:MAX_CATEGORY]!r}")
        audit.record(conn, username=by, action=REMOVED, detail={"kind": kind, "category": category})
