"""Writing the case loop: open a case, append an event, read a case back with its history (migration 020).

Every write is one transaction that locks the case's row, folds its stored
events (gridgov.cases.fold), checks the new event against the result, appends
it with the next sequence number and writes the case's row as the new fold. So
the row is always what its events add up to; two people acting on one case at
once are put one after the other (the second is checked against the first's
result, and refused with what is allowed when it no longer fits); and a stored
event is never changed (the table refuses it).

A work order or hazard no one has acted on has no row: it is read from its
file's row (migration 025, file_cases) under an id made of its kind and record
key (`file_case_id`). The first event appended to it materialises it in the
same transaction: the row and its import event (seq 1) from the file, then the
event (`_materialise`; two first events at once make one row, then go one after
the other as above).

The functions take the connection they write on: a grid leader's comes from
gridgov.rls.grid_reader_transaction, so row-level security decides which cases
they reach (another grid's case is simply not found). An event carries its
time, from the community's clock.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import dict_row

from gridgov.cases import START, Case, Event, Kind, NotAllowed, Source, State, allowed, apply, check, fold
from gridgov.clock import Clock
from gridgov.errors import Forbidden, InputError, NotFound


@dataclass(frozen=True)
class Opening:
    """What a new case is: where it came from and what is known of it."""

    kind: Kind
    category: str | None = None
    description: str | None = None
    address: str | None = None
    lon_lat: tuple[float, float] | None = None  # WGS-84; None: not placed
    grid_code: str | None = None  # None for a work order: not placed yet, it waits in the secretary's queue
    source_id: str | None = None  # the ticket number or hazard id in the office's files


def new_case_id() -> str:
    """A case id no one can guess or count: 'K' and 24 hex digits."""
    return "K" + secrets.token_hex(12)


# a case from a file: its kind's letter, then '-' and the record's key, or '~' and its UTF-8 in hex when the key
# has a character a URL would need escaped (migration 025's file_case_id, which this mirrors)
_FILE_KINDS = {"W": Kind.WORK_ORDER, "H": Kind.HAZARD}
_SAFE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def file_case_id(kind: Kind, source_id: str) -> str:
    """The id of the case of a file's record, the same before and after it has a row."""
    letter = next(k for k, v in _FILE_KINDS.items() if v is kind)
    if _SAFE_KEY.fullmatch(source_id):
        return f"{letter}-{source_id}"
    return f"{letter}~{source_id.encode().hex()}"


def file_key(case_id: str) -> tuple[Kind, str] | None:
    """The kind and record key a file case's id names; None for any other id (a random one, or nonsense)."""
    kind = _FILE_KINDS.get(case_id[:1])
    if kind is None or len(case_id) < 3:
        return None
    if case_id[1] == "-":
        source_id = case_id[2:]
    elif case_id[1] == "~":
        try:
            source_id = bytes.fromhex(case_id[2:]).decode()
        except ValueError:
            return None
    else:
        return None
    return (kind, source_id) if file_case_id(kind, source_id) == case_id and "\x00" not in source_id else None


def _materialise(conn: psycopg.Connection, case_id: str) -> None:
    """Give a case known only from its file its row and import event, when the connection sees its record."""
    key = file_key(case_id)
    if key is None or conn.execute("SELECT 1 FROM cases WHERE case_id = %s", [case_id]).fetchone():
        return
    # the caller's own view (row-level security): a leader materialises only their grids' records
    if conn.execute("SELECT 1 FROM file_cases WHERE kind = %s AND source_id = %s", [key[0].value, key[1]]).fetchone():
        conn.execute("SELECT open_file_case(%s, %s)", [key[0].value, key[1]])


def by_source(conn: psycopg.Connection, kind: Kind, source_id: str) -> tuple[str, str | None] | None:
    """The case (id, grid) of a record of the office's files, with or without a row of its own; None: none."""
    row = conn.execute(
        "SELECT case_id, grid_code FROM cases WHERE kind = %(kind)s AND source_id = %(source)s"
        " UNION ALL SELECT case_id, grid_code FROM file_cases WHERE kind = %(kind)s AND source_id = %(source)s"
        " LIMIT 1",
        {"kind": kind.value, "source": source_id},
    ).fetchone()
    return None if row is None else (str(row[0]), row[1])


def open_case(conn: psycopg.Connection, opening: Opening, *, source: Source, actor: str, clock: Clock) -> str:
    """Add a case with its opening event (and, for a work order placed in a grid, its assignment); return its id."""
    start = START[opening.kind]
    if start is not State.RECEIVED and opening.grid_code is None:
        raise NotAllowed(f"a {opening.kind.value} case is opened in a grid", ())
    case_id, now = new_case_id(), clock.now()
    with conn.transaction():
        if opening.grid_code is not None:
            _check_grid(conn, opening.grid_code)
        try:
            _insert_case(conn, case_id, opening, start, now)
        except psycopg.errors.InsufficientPrivilege:  # row-level security: not one of the leader's grids
            raise Forbidden(f"a case may be raised only in one's own grids, not in {opening.grid_code}") from None
        opened: dict[str, Any] = {"kind": opening.kind.value}
        if start is not State.RECEIVED:  # a hazard or a raised case starts in its grid
            opened["grid_code"] = opening.grid_code
        _append(conn, case_id, Event("open", source, now, actor, opened))
        if start is State.RECEIVED and opening.grid_code is not None:
            _append(conn, case_id, Event("assign", source, now, actor, {"grid_code": opening.grid_code}))
    return case_id


def _insert_case(conn: psycopg.Connection, case_id: str, opening: Opening, start: State, now: datetime) -> None:
    lon, lat = opening.lon_lat or (None, None)
    with conn.transaction():  # a savepoint, so a refusal leaves the caller's transaction usable
        conn.execute(
            "INSERT INTO cases (case_id, kind, source_id, category, description, address, geom, grid_code, state,"
            " state_set_at, received_at)"
            " VALUES (%(id)s, %(kind)s, %(source_id)s, %(category)s, %(description)s, %(address)s,"
            " ST_SetSRID(ST_MakePoint(%(lon)s::float8, %(lat)s::float8), 4326),"
            " %(grid)s, %(state)s, %(now)s, %(now)s)",
            {
                "id": case_id, "kind": opening.kind.value, "source_id": opening.source_id,
                "category": opening.category, "description": opening.description, "address": opening.address,
                "lon": lon, "lat": lat, "grid": None if start is State.RECEIVED else opening.grid_code,
                "state": start.value, "now": now,
            },
        )


def append(conn: psycopg.Connection, case_id: str, event: Event) -> Case:
    """Append `event` to the case; the case after it (NotFound: not visible here; NotAllowed: does not fit)."""
    with conn.transaction():
        return _append(conn, case_id, event)


def _append(conn: psycopg.Connection, case_id: str, event: Event) -> Case:
    _materialise(conn, case_id)
    row = conn.execute("SELECT kind, events FROM cases WHERE case_id = %s FOR UPDATE", [case_id]).fetchone()
    if row is None:
        raise NotFound(f"no case {case_id}")
    kind, count = Kind(row[0]), row[1]
    case = fold(kind, events_of(conn, case_id))
    check(case, event)
    after = apply(case, event)
    if event.action in ("assign", "reassign"):
        _check_grid(conn, str(event.detail["grid_code"]))
    if event.action == "escalate":
        _check_units(conn, event.detail["units"])
    elif event.action in ("acknowledge", "report") and not conn.execute(
        "SELECT 1 FROM case_escalations WHERE case_id = %s AND unit = %s", [case_id, str(event.detail["unit"])]
    ).fetchone():
        raise NotAllowed(f"{event.detail['unit']} was not called in on this case", allowed(case, event.source))
    conn.execute(
        "INSERT INTO case_events (case_id, seq, at, actor, source, action, detail) VALUES (%s, %s, %s, %s, %s, %s, %s)",
        [case_id, count + 1, event.at, event.actor, event.source.value, event.action, json.dumps(dict(event.detail))],
    )
    conn.execute(
        "UPDATE cases SET state = %s, grid_code = %s, state_set_at = %s, responded_at = %s, resolved_at = %s,"
        " done_at = %s, satisfaction = %s, deadline = %s, events = %s WHERE case_id = %s",
        [after.state.value, after.grid_code, after.state_set_at, after.responded_at, after.resolved_at,
         after.done_at, after.satisfaction, after.deadline, count + 1, case_id],
    )
    _escalations(conn, case_id, count + 1, event)
    if event.action in ("assign", "reassign") and event.detail.get("lon") is not None:
        # placed by hand with a point: the case is where it was placed (the event keeps the point as well)
        conn.execute(
            "UPDATE cases SET geom = ST_SetSRID(ST_MakePoint(%s::float8, %s::float8), 4326) WHERE case_id = %s",
            [event.detail["lon"], event.detail["lat"], case_id],
        )
    return after


def _check_grid(conn: psycopg.Connection, grid_code: str) -> None:
    """A case is placed only in a grid that exists (migration 024 took the foreign key for the load's speed)."""
    if conn.execute("SELECT 1 FROM grids WHERE grid_code = %s", [grid_code]).fetchone() is None:
        raise InputError(f"there is no grid {grid_code}")


def _check_units(conn: psycopg.Connection, units: Any) -> None:
    """An escalation names one or more active units (migration 021), each once."""
    if not isinstance(units, list) or not all(isinstance(u, str) for u in units) or len(set(units)) != len(units):
        raise InputError("escalate: units is a list of distinct unit names")
    known = {r[0] for r in conn.execute("SELECT name FROM units WHERE active AND name = ANY(%s)", [units])}
    unknown = [u for u in units if u not in known]
    if unknown:
        raise InputError(f"escalate: no active unit named {', '.join(unknown)}")


def _escalations(conn: psycopg.Connection, case_id: str, seq: int, event: Event) -> None:
    """Keep case_escalations the fold of the case's escalate / acknowledge / report events."""
    detail = event.detail
    if event.action == "escalate":
        conn.execute(
            "INSERT INTO case_escalations (case_id, seq, unit, reason, escalated_at, ack_due_at)"
            " SELECT %(case)s, %(seq)s, u.name, %(reason)s, %(at)s, %(at)s + u.ack_hours * interval '1 hour'"
            " FROM units AS u WHERE u.name = ANY(%(units)s)",
            {"case": case_id, "seq": seq, "reason": str(detail["reason"]), "at": event.at, "units": detail["units"]},
        )
    elif event.action in ("acknowledge", "report"):
        column = "acknowledged_at" if event.action == "acknowledge" else "reported_at"
        # a report is also an acknowledgement: a unit that reports has come
        extra = ", acknowledged_at = coalesce(acknowledged_at, %(at)s)" if column == "reported_at" else ""
        conn.execute(
            f"UPDATE case_escalations SET {column} = coalesce({column}, %(at)s){extra}"  # column: one of two constants
            " WHERE case_id = %(case)s AND unit = %(unit)s",
            {"case": case_id, "unit": str(detail["unit"]), "at": event.at},
        )


def events_of(conn: psycopg.Connection, case_id: str) -> list[Event]:
    """The case's stored events, in order; a case known only from its file: its one import event."""
    rows = conn.execute(
        "SELECT action, source, at, actor, detail FROM case_events WHERE case_id = %s ORDER BY seq", [case_id]
    ).fetchall()
    if not rows and (key := file_key(case_id)) is not None:
        rows = conn.execute(
            "SELECT 'import', 'import', imported_at, imported_by, detail FROM file_cases"
            " WHERE kind = %s AND source_id = %s",
            [key[0].value, key[1]],
        ).fetchall()
    return [Event(r[0], Source(r[1]), r[2], r[3], r[4]) for r in rows]


def read(conn: psycopg.Connection, case_id: str) -> tuple[Mapping[str, Any], list[Event]]:
    """The case's row and its events (NotFound when the connection cannot see it)."""
    key = file_key(case_id)
    columns = ("case_id, kind, source_id, category, description, address, grid_code, state, received_at,"
               " responded_at, resolved_at, done_at, satisfaction, deadline, events, ST_X(geom) AS lon, ST_Y(geom) AS lat")
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(
            f"SELECT {columns} FROM cases WHERE case_id = %(id)s"  # columns: a constant
            f" UNION ALL SELECT {columns} FROM file_cases WHERE kind = %(kind)s AND source_id = %(source)s LIMIT 1",
            {"id": case_id, "kind": key and key[0].value, "source": key and key[1]},
        ).fetchone()
    if row is None:
        raise NotFound(f"no case {case_id}")
    return row, events_of(conn, case_id)
