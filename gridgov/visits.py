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

A visit recorded here keeps the community clock's time of recording in
`extra.recorded_at`: for 24 hours after it, the leader who recorded it may
`undo` it. An undo is an event, never a deletion: a row in visit_undos
(migration 022, whose insert policy checks the same rule for a leader's
transaction), which the layers then leave out; its audit row (action
undo_visit) says who undid which visit. `undoable` lists the visits a leader
may still undo, for the buttons of their list.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum

import psycopg
from psycopg.types.json import Jsonb

from gridgov import audit as audit_trail
from gridgov.accounts import Account
from gridgov.clock import Clock
from gridgov.errors import Forbidden, InputError

# What each visit count of the layers (layers/visits.py: due, visited, not_yet_visited, overdue per grid) counts,
# as the statuses of its detail rows: the one meaning of 待访 and the others, for the tiles and the lists alike.
# due = visited + not yet visited (待访); the overdue are those not yet visited whose previous period had no visit.
COUNTED_STATUSES: dict[str, tuple[str, ...]] = {
    "due": ("overdue", "due", "visited"),
    "not_yet_visited": ("overdue", "due"),
    "overdue": ("overdue",),
    "visited": ("visited",),
}
RECORD_VISIT = "record_visit"  # the audit action
UNDO_VISIT = "undo_visit"  # the audit action of an undo
UNDO_WITHIN = timedelta(hours=24)  # how long after recording a visit its leader may undo it
SOURCE_FILE = "dashboard"  # load_runs.source_file of a recorded visit (migration 011)
NOON = time(12)  # a visit on an earlier day is stored at noon of that day, community time

_HOUSEHOLD = (
    "SELECT h.grid_code, h.head_name, h.groups && (SELECT coalesce(array_agg(group_key), '{}') FROM visit_rules)"
    " FROM households AS h WHERE h.household_id = %s"
)
# street_code: the grid's street key, which every fact row carries (migration 033)
_INSERT = (
    "INSERT INTO visits (visit_id, household_id, visited_at, visitor, notes, grid_code, extra,"
    " load_run_id, source_row, street_code) VALUES (%(id)s, %(household)s, %(at)s, %(visitor)s, %(notes)s,"
    " %(grid)s, %(extra)s, %(run)s, 1, street_key(%(grid)s))"
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
    recorded_at: datetime | None = None  # the community clock when it was recorded


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
    now = clock.now()
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
        {"id": visit_id, "household": household_id, "at": visited_at, "visitor": account.username, "notes": notes,
         "grid": grid_code, "extra": Jsonb({"recorded_via": SOURCE_FILE, "recorded_at": now.isoformat()}),
         "run": run[0]},
    )
    return Recorded(visit_id, household_id, grid_code, head_name, visited_at, day, account.username, now)


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


class Refusal(Enum):
    """Why a visit cannot be undone; the dashboard says it in the leader's language."""

    NOT_FOUND = "not_found"  # no such visit in the leader's grids (another grid's looks the same: nothing leaks)
    NOT_YOURS = "not_yours"  # recorded by another account
    IMPORTED = "imported"  # loaded from an office's file, not recorded on the dashboard
    TOO_LATE = "too_late"  # recorded UNDO_WITHIN or longer ago
    ALREADY = "already"  # undone before


@dataclass(frozen=True)
class Undone:
    """A visit as it was undone."""

    visit_id: str
    household_id: str
    grid_code: str
    head_name: str | None
    visited_on: date
    recorded_at: datetime
    undone_at: datetime
    undone_by: str


@dataclass(frozen=True)
class Refused:
    """An undo that was refused, with the reason and (for TOO_LATE) when the visit was recorded."""

    reason: Refusal
    recorded_at: datetime | None = None


_VISIT = (
    "SELECT v.household_id, v.grid_code, v.visitor, (v.extra ->> 'recorded_at')::timestamptz,"
    " (v.visited_at AT TIME ZONE %s)::date, h.head_name,"
    " EXISTS (SELECT 1 FROM visit_undos AS u WHERE u.visit_id = v.visit_id)"
    " FROM visits AS v LEFT JOIN households AS h ON h.household_id = v.household_id WHERE v.visit_id = %s"
)
_UNDO = (
    "INSERT INTO visit_undos (visit_id, grid_code, undone_by, undone_at, recorded_at, street_code)"
    " VALUES (%(visit)s, %(grid)s, %(by)s, %(at)s, %(recorded)s, street_key(%(grid)s))"
    " ON CONFLICT (visit_id) DO NOTHING RETURNING visit_id"
)
_UNDOABLE = (
    "SELECT v.household_id, v.visit_id FROM visits AS v"
    " WHERE v.visitor = %(user)s AND v.extra ? 'recorded_at'"
    " AND (v.extra ->> 'recorded_at')::timestamptz > %(since)s"
    " AND NOT EXISTS (SELECT 1 FROM visit_undos AS u WHERE u.visit_id = v.visit_id)"
    " ORDER BY (v.extra ->> 'recorded_at')::timestamptz"
)


def undo(conn: psycopg.Connection, clock: Clock, account: Account, visit_id: str) -> Undone | Refused:
    """Undo `visit_id` for `account`, on `conn`'s transaction: only their own, recorded less than 24 h ago."""
    row = conn.execute(_VISIT, [clock.zone.key, visit_id]).fetchone()
    if row is None:  # not in the leader's grids (row-level security), or no such visit: the same answer
        return Refused(Refusal.NOT_FOUND)
    household_id, grid_code, visitor, recorded_at, visited_on, head_name, undone = row
    if undone:
        return Refused(Refusal.ALREADY)
    if recorded_at is None:
        return Refused(Refusal.IMPORTED)
    if visitor != account.username:
        return Refused(Refusal.NOT_YOURS)
    now = clock.now()
    if now - recorded_at >= UNDO_WITHIN:
        return Refused(Refusal.TOO_LATE, recorded_at.astimezone(clock.zone))
    undo_row = {"visit": visit_id, "grid": grid_code, "by": account.username, "at": now, "recorded": recorded_at}
    if conn.execute(_UNDO, undo_row).fetchone() is None:
        return Refused(Refusal.ALREADY)  # undone at the same moment by another request of theirs
    return Undone(visit_id, household_id, grid_code, head_name, visited_on, recorded_at.astimezone(clock.zone), now,
                  account.username)


def undoable(conn: psycopg.Connection, clock: Clock, account: Account) -> dict[str, str]:
    """The visits `account` may still undo, visible on `conn`: household id → its latest such visit's id."""
    rows = conn.execute(_UNDOABLE, {"user": account.username, "since": clock.now() - UNDO_WITHIN}).fetchall()
    return {household: visit for household, visit in rows}  # in order of recording: the latest one wins


def audit_undo(conn: psycopg.Connection, undone: Undone, *, via: str, ip: str | None) -> None:
    """The audit row of an undo: who undid which visit (on the app's own connection, after the undo's transaction)."""
    audit_trail.record(
        conn,
        username=undone.undone_by,
        action=UNDO_VISIT,
        detail={"visit_id": undone.visit_id, "household_id": undone.household_id, "grid": undone.grid_code,
                "visited_on": undone.visited_on.isoformat(), "recorded_at": undone.recorded_at.isoformat(),
                "undone_at": undone.undone_at.isoformat(), "via": via},
        ip=ip,
    )
