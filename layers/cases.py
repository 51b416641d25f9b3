"""The case loop's figures for the wall: open cases, overdue ones, and the units called in still awaited (报到).

Counted with the one list query (gridgov.case_queries), so "overdue" means
here what it means on the phone, in the queue and in the API. The waiting list
is gridgov.case_queries.waiting_units: per unit called in on an open case and
not yet acknowledged, how long it has waited (on the community's clock) and
whether its 报到 deadline has passed; it names the unit, the category and the
grid, never the case's address, text or a person. An answer is kept (layers.answers)
until one of READS changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import psycopg

from gridgov.case_queries import MAX_PAGE, CaseFilter, list_cases, waiting_units
from gridgov.clock import Clock

# what `wall_cases` reads: the list query's tables (the files' rows: the cases known only from them) and grid names
READS = frozenset({"cases", "case_events", "case_escalations", "case_deadlines", "units", "grids", "complaints",
                   "hazards"})


@dataclass(frozen=True)
class Awaited:
    """A unit called in and not yet come, as the wall lists it."""

    unit: str
    category: str | None
    grid_name: str | None
    waited: timedelta
    late: bool  # past its 报到 deadline


@dataclass(frozen=True)
class WallCases:
    """The loop's figures at one moment."""

    open: int
    overdue: int
    escalated: int  # open cases with a unit still awaited
    awaited: tuple[Awaited, ...]  # the longest waiting first, at most `limit`
    awaited_total: int


def _open_cases(conn: psycopg.Connection, clock: Clock) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    while True:
        page = list_cases(conn, CaseFilter(open_only=True, limit=MAX_PAGE, offset=len(rows)), clock)
        rows += page
        if len(page) < MAX_PAGE:
            return rows


def wall_cases(conn: psycopg.Connection, clock: Clock, limit: int = 5) -> WallCases:
    """The open, overdue and escalated-and-waiting cases the connection may see, and the units awaited longest."""
    rows = _open_cases(conn, clock)
    names: dict[str, str] = {r[0]: r[1] for r in conn.execute("SELECT grid_code, grid_name FROM grids")}
    now = clock.now()
    waiting = waiting_units(conn)
    awaited = tuple(
        Awaited(w.unit, w.category, names.get(w.grid_code) if w.grid_code else None, now - w.escalated_at,
                now > w.ack_due_at)
        for w in waiting[:limit]
    )
    return WallCases(
        open=len(rows),
        overdue=sum(1 for r in rows if r["overdue"]),
        escalated=sum(1 for r in rows if r["waiting_units"]),
        awaited=awaited,
        awaited_total=len(waiting),
    )
