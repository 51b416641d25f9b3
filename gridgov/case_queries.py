"""Reading the case loop: lists of cases, most urgent first, with their deadlines and who is still awaited.

One query serves the grid leader's phone (their open cases), the secretary's
queue (any filter), the case API and the wall's counts, so "overdue" means one
thing everywhere:

- a case's resolve deadline is the date set on it (a `set_deadline` event or the
  office's file: the end of that day in the community's zone), else its
  received time plus the `resolve_days` of its kind and category in
  `case_deadlines` (the row for its category, else the kind's '*' row);
- a work order must be responded to within `respond_hours` of being received;
- a case is overdue when it is still open and now is past a deadline it has not met;
- it is escalated-and-waiting while a unit it was escalated to has not acknowledged (报到).

Urgency: overdue first, then the nearest deadline, then the oldest. The
functions take the connection to read on: a grid leader's is their row-level
security transaction (gridgov.rls), so their list holds their grids' cases only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import dict_row

from gridgov.case_store import file_key
from gridgov.cases import OPEN, Kind, State
from gridgov.clock import Clock
from gridgov.errors import InputError

MAX_PAGE = 500  # the most cases one request may list

# every case: those with a row (and their escalations, their last event) and those known only from their file
# (migration 025: file_cases, the fold of the one import event their file facts make); a case id asked for
# narrows the file's side to its record's key, so one case is read by the file's primary key
_CASES = """
WITH known AS (
    SELECT c.case_id, c.kind, c.source_id, c.category, c.description, c.address, c.geom, c.grid_code, c.state,
           c.received_at, c.responded_at, c.resolved_at, c.done_at, c.satisfaction, c.deadline, c.events,
           (SELECT count(*) FROM case_escalations AS e
             WHERE e.case_id = c.case_id AND e.acknowledged_at IS NULL) AS waiting_units,
           (SELECT min(e.escalated_at) FROM case_escalations AS e
             WHERE e.case_id = c.case_id AND e.acknowledged_at IS NULL) AS waiting_since,
           (SELECT ev.at FROM case_events AS ev WHERE ev.case_id = c.case_id ORDER BY ev.seq DESC LIMIT 1) AS updated_at
      FROM cases AS c
     WHERE %(case_id)s::text IS NULL OR c.case_id = %(case_id)s
    UNION ALL
    SELECT f.case_id, f.kind, f.source_id, f.category, f.description, f.address, f.geom, f.grid_code, f.state,
           f.received_at, f.responded_at, f.resolved_at, f.done_at, f.satisfaction, f.deadline, f.events,
           0, NULL::timestamptz, f.imported_at
      FROM file_cases AS f
     WHERE %(unit)s::text IS NULL  -- no unit is called in on a case without a row
       AND (%(case_id)s::text IS NULL OR (f.kind = %(file_kind)s AND f.source_id = %(file_source)s))
), timed AS (
    SELECT c.*, ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat,
           CASE WHEN c.kind = 'work_order' AND coalesce(own.respond_hours, any_cat.respond_hours) IS NOT NULL
                THEN c.received_at + coalesce(own.respond_hours, any_cat.respond_hours) * interval '1 hour'
           END AS respond_due_at,
           coalesce(((c.deadline + 1)::timestamp AT TIME ZONE %(tz)s),
                    c.received_at + coalesce(own.resolve_days, any_cat.resolve_days) * interval '1 day') AS due_at
      FROM known AS c
      -- deadline rule per case: its own date, else its kind and category's row, else its kind's '*' row
      LEFT JOIN case_deadlines AS own ON own.kind = c.kind AND own.category = c.category
      LEFT JOIN case_deadlines AS any_cat ON any_cat.kind = c.kind AND any_cat.category = '*'
), flagged AS (
    SELECT t.*, t.state = ANY(%(open)s) AS is_open,
           coalesce(t.state = ANY(%(open)s) AND (
               t.due_at < %(now)s
               OR (t.responded_at IS NULL AND t.state IN ('received', 'assigned') AND t.respond_due_at < %(now)s)
           ), false) AS overdue,
           %(now)s - t.received_at AS age
      FROM timed AS t
)
SELECT case_id, kind, source_id, category, description, address, grid_code, state, received_at, responded_at,
       resolved_at, done_at, satisfaction, deadline, events, lon, lat, respond_due_at, due_at, waiting_units,
       waiting_since, updated_at, is_open, overdue, age
  FROM flagged
 WHERE (%(grids)s::text[] IS NULL OR grid_code = ANY(%(grids)s))
   AND (%(categories)s::text[] IS NULL OR category = ANY(%(categories)s))
   AND (%(states)s::text[] IS NULL OR state = ANY(%(states)s))
   AND (%(kinds)s::text[] IS NULL OR kind = ANY(%(kinds)s))
   AND (%(open_only)s IS FALSE OR is_open)
   AND (%(overdue)s::boolean IS NULL OR overdue = %(overdue)s)
   AND (%(escalated)s::boolean IS NULL OR (waiting_units > 0) = %(escalated)s)
   AND (%(unplaced)s::boolean IS NULL OR (grid_code IS NULL) = %(unplaced)s)
   AND (%(case_id)s::text IS NULL OR case_id = %(case_id)s)
   AND (%(received_from)s::timestamptz IS NULL OR received_at >= %(received_from)s)
   AND (%(received_before)s::timestamptz IS NULL OR received_at < %(received_before)s)
   AND (%(unit)s::text IS NULL OR EXISTS (
           SELECT 1 FROM case_escalations AS e WHERE e.case_id = flagged.case_id AND e.unit = %(unit)s))
 ORDER BY overdue DESC, least(due_at, CASE WHEN responded_at IS NULL THEN respond_due_at END) NULLS LAST,
          received_at, case_id
 LIMIT %(limit)s OFFSET %(offset)s
"""


@dataclass(frozen=True)
class CaseFilter:
    """Which cases to list. An empty tuple or None: no condition on that field."""

    grids: Sequence[str] | None = None  # None: every grid the connection may see (and unplaced cases)
    categories: Sequence[str] = ()
    states: Sequence[State] = ()
    kinds: Sequence[Kind] = ()
    open_only: bool = False
    overdue: bool | None = None
    escalated: bool | None = None  # True: a unit called in has not yet acknowledged
    unplaced: bool | None = None  # True: waiting in the secretary's queue to be placed by hand
    case_id: str | None = None
    unit: str | None = None  # only the cases this unit was called in on (escalated to it)
    received_from: datetime | None = None  # received at or after
    received_before: datetime | None = None  # received before
    limit: int = 100
    offset: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_PAGE:
            raise InputError(f"limit must be between 1 and {MAX_PAGE}")
        if self.offset < 0:
            raise InputError("offset must not be negative")


def list_cases(conn: psycopg.Connection, wanted: CaseFilter, clock: Clock) -> list[dict[str, Any]]:
    """The cases `wanted` names that the connection may see, most urgent first, each with its deadlines."""
    file = None if wanted.case_id is None else file_key(wanted.case_id)
    params: dict[str, Any] = {
        "tz": clock.zone.key,
        "now": clock.now(),
        "open": [s.value for s in OPEN],
        "grids": list(wanted.grids) if wanted.grids is not None else None,
        "categories": list(wanted.categories) or None,
        "states": [State(s).value for s in wanted.states] or None,
        "kinds": [Kind(k).value for k in wanted.kinds] or None,
        "open_only": wanted.open_only,
        "overdue": wanted.overdue,
        "escalated": wanted.escalated,
        "unplaced": wanted.unplaced,
        "case_id": wanted.case_id,
        "file_kind": file and file[0].value,
        "file_source": file and file[1],
        "unit": wanted.unit,
        "received_from": wanted.received_from,
        "received_before": wanted.received_before,
        "limit": wanted.limit,
        "offset": wanted.offset,
    }
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(_CASES, params).fetchall()


def one_case(conn: psycopg.Connection, case_id: str, clock: Clock) -> dict[str, Any] | None:
    """One case as the lists show it (None when the connection cannot see it)."""
    rows = list_cases(conn, CaseFilter(case_id=case_id, limit=1), clock)
    return rows[0] if rows else None


@dataclass(frozen=True)
class Waiting:
    """A unit called in on a case that has not yet acknowledged (报到)."""

    case_id: str
    unit: str
    reason: str
    escalated_at: datetime
    ack_due_at: datetime
    grid_code: str | None
    category: str | None


def waiting_units(conn: psycopg.Connection, grids: Sequence[str] | None = None) -> list[Waiting]:
    """Every escalation still waiting for its unit on an open case, the longest waiting first."""
    rows = conn.execute(
        "SELECT e.case_id, e.unit, e.reason, e.escalated_at, e.ack_due_at, c.grid_code, c.category"
        " FROM case_escalations AS e JOIN cases AS c USING (case_id)"
        " WHERE e.acknowledged_at IS NULL AND c.state = ANY(%s)"
        " AND (%s::text[] IS NULL OR c.grid_code = ANY(%s))"
        " ORDER BY e.escalated_at, e.case_id, e.unit",
        [[s.value for s in OPEN], None if grids is None else list(grids), None if grids is None else list(grids)],
    ).fetchall()
    return [Waiting(*r) for r in rows]
