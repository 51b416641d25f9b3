"""Recording a visit (走访) in the field: one row in visits, written under row-level security, traced and audited.

`record` writes on the connection it is given, which for a grid leader is one
transaction as gridgov_grid_reader with their grids set (gridgov.rls): the
household is looked up through the policies (another grid's household is not
there: Forbidden), its grid_code is copied from that row, the visit's load run
is made by dashboard_visit_run() and the visit inserted, which the insert
policy of migration 011 checks once more. One load run per recorded visit
(dataset 'visits', source_file 'dashboard', loaded_by the username). The
statement trigger of migration 006 bumps the data version, so the next read
of any layer is fresh.

`audit` writes the audit row (action record_visit) once that transaction has
committed, on a connection of the app's own role: the reader role may not
write the audit table. Should that fail, the visit stays traced by its load
run (who, when).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time

import psycopg
from psycopg.types.json import Jsonb

from gridgov import audit as audit_trail
from gridgov.accounts import Account
from gridgov.clock import Clock
from gridgov.errors import Forbidden, InputError

RECORD_VISIT = "record_visit"  # the audit action
SOURCE_FILE = "dashboard"  # load_runs.source_file of a recorded visit (migration 011)
NOON = time(12)  # a visit on an earlier day is stored at noon of that day, community time

_HOUSEHOLD = (
    "SELECT h.grid_code, h.head_name, h.groups && (SELECT coalesce(array_agg(group_key), '{}') FROM visit_rules)"
    " FROM households AS h WHERE h.household_id = %s"
)
_INSERT = (
    "INSERT INTO visits (visit_id, household_id, visited_at, visitor, notes, grid_code, extra,"
    " load_run_id, source_row) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 1)"
)


@dataclass(frozen=True)
class Recorded:
    """A visit as it was written."""

    visit_id: str
    household_id: str
    grid_code: str
    head_name: str | None
    visited_at: datetime
    visited_on: date  # the day the visit was recorded for
    visitor: str  # the username that recorded it


def visit_time(clock: Clock, day: date) -> datetime:
    """When a visit on `day` is stored: now for today, noon (community time) for an earlier day."""
    now = clock.now()
    return now if day == now.date() else datetime.combine(day, NOON, tzinfo=clock.zone)


def _digest(values: dict[str, str | None]) -> str:
    return hashlib.sha256(json.dumps(values, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def record(
    conn: psycopg.Connection, clock: Clock, account: Account, household_id: str, day: date, notes: str | None
) -> Recorded:
    """Write one visit by `account` to `household_id` on `day` (never in the future), on `conn`'s transaction."""
    if day > clock.today():
        raise InputError(f"a visit cannot be recorded for a future day ({day})")
    visit_id = "W" + uuid.uuid4().hex
    visited_at = visit_time(clock, day)
    row = conn.execute(_HOUSEHOLD, [household_id]).fetchone()
    if row is None:  # not in the leader's grids, or no such household: the same answer, nothing leaks
        raise Forbidden(f"{household_id} is not a household of grid {', '.join(account.grids)}")
    grid_code, head_name, due = row
    if not due:
        raise InputError(f"household {household_id} is not due visits (no group of visit_rules)")
    trace = {"visit_id": visit_id, "household_id": household_id, "visited_at": visited_at.isoformat(),
             "visitor": account.username, "notes": notes}
    run = conn.execute("SELECT dashboard_visit_run(%s, %s)", [account.username, _digest(trace)]).fetchone()
    assert run is not None  # the function returns the new run's id
    conn.execute(
        _INSERT,
        [visit_id, household_id, visited_at, account.username, notes, grid_code,
         Jsonb({"recorded_via": SOURCE_FILE}), run[0]],
    )
    return Recorded(visit_id, household_id, grid_code, head_name, visited_at, day, account.username)


def audit(conn: psycopg.Connection, visit: Recorded, *, via: str, ip: str | None) -> None:
    """The audit row of a recorded visit (on the app's own connection, after the visit's transaction)."""
    audit_trail.record(
        conn,
        username=visit.visitor,
        action=RECORD_VISIT,
        detail={"visit_id": visit.visit_id, "household_id": visit.household_id, "grid": visit.grid_code,
                "visited_on": visit.visited_on.isoformat(), "via": via},
        ip=ip,
    )
