"""What a grid leader's phone needs besides the shared case list: where a tapped point lies, whom to call, the audit.

- `grid_at`: the grid of a point among the leader's own (a case raised in the
  field, 未诉先办, is placed in the grid the point lies in; outside all of them
  it is refused). ST_Covers counts the boundary, the lowest code wins on a
  shared edge: the same rule as the loader's (etl/place.py).
- `units_for`: the active units that take a category (吹哨报到: units with no
  categories take any), for the escalation's choices.
- `categories`: the categories a leader is offered when raising a case: those
  with a deadline rule or a unit, then those already used.
- `audit`: one audit row per action on a case (who, which case, what), written
  on the app's own connection after the event committed, as a visit's is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import psycopg

from gridgov import audit as audit_trail

CASE_ACTION = "case_action"  # the audit action of any event a person adds to a case (detail: case_id, action)


def grid_at(conn: psycopg.Connection, lon: float, lat: float, grids: Sequence[str]) -> str | None:
    """The grid among `grids` that covers the WGS-84 point, or None."""
    row = conn.execute(
        "SELECT grid_code FROM grids WHERE grid_code = ANY(%s)"
        " AND ST_Covers(geom, ST_SetSRID(ST_MakePoint(%s::float8, %s::float8), 4326)) ORDER BY grid_code LIMIT 1",
        [list(grids), lon, lat],
    ).fetchone()
    return None if row is None else str(row[0])


@dataclass(frozen=True)
class Unit:
    """A unit that can be called in on a case."""

    name: str
    kind: str
    contact: str | None


def units_for(conn: psycopg.Connection, category: str | None) -> list[Unit]:
    """The active units that take `category` (or any category), by name."""
    rows = conn.execute(
        "SELECT name, kind, contact FROM units WHERE active"
        " AND (cardinality(categories) = 0 OR %s::text = ANY(categories)) ORDER BY name",
        [category],
    ).fetchall()
    return [Unit(*r) for r in rows]


def categories(conn: psycopg.Connection, limit: int = 50) -> list[str]:
    """Categories to offer: those the rules and units name, then those cases the connection sees use."""
    rows = conn.execute(
        "SELECT category FROM ("
        " SELECT category, 0 AS rank FROM case_deadlines WHERE category <> '*'"
        " UNION ALL SELECT unnest(categories), 0 FROM units WHERE active"
        " UNION ALL SELECT category, 1 FROM cases WHERE category IS NOT NULL"
        " UNION ALL SELECT category, 1 FROM file_cases WHERE category IS NOT NULL"  # known only from files
        ") AS c GROUP BY category ORDER BY min(rank), count(*) DESC, category LIMIT %s",
        [limit],
    ).fetchall()
    return [str(r[0]) for r in rows]


def audit(conn: psycopg.Connection, *, username: str, case_id: str, action: str, via: str, ip: str | None) -> None:
    """The audit row of one action on a case (committed with `conn`'s transaction)."""
    audit_trail.record(conn, username=username, action=CASE_ACTION,
                       detail={"case_id": case_id, "action": action, "via": via}, ip=ip)
