"""A case as systems and the dashboard's scripts read it (the case API, Open311): whole, or with nothing personal.

The whole case (to the grid leader of its grid, the secretary, a unit called
in) carries what the resident said (`description`), where (`address`, the
point) and every event's detail. De-identified (a system that only files or
reads), a case is its category, grid, state, times and deadlines, with the
point rounded to ROUND_DECIMALS (about 100 m: a block, not a door) and the
events' detail reduced to the fields that name no one (PLAIN_DETAIL); free
text (descriptions, notes, reasons) and who acted are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

import psycopg

from gridgov.cases import Event

ROUND_DECIMALS = 3
PERSONAL = ("description", "address")
PLAIN_DETAIL = frozenset({"kind", "grid_code", "units", "unit", "satisfaction", "deadline", "state"})
FIELDS = (
    "case_id", "kind", "source_id", "category", "grid_code", "state", "is_open", "overdue", "received_at",
    "responded_at", "resolved_at", "done_at", "updated_at", "respond_due_at", "due_at", "deadline", "satisfaction",
    "waiting_units", "waiting_since",
)


def _value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return round(value.total_seconds())
    return value


def case(row: Mapping[str, Any], *, whole: bool) -> dict[str, Any]:
    """A row of gridgov.case_queries as JSON values: whole, or de-identified."""
    out = {name: _value(row.get(name)) for name in FIELDS}
    out["age_seconds"] = _value(row.get("age"))
    lon, lat = row.get("lon"), row.get("lat")
    if whole:
        out |= {name: row.get(name) for name in PERSONAL}
        out |= {"lon": lon, "lat": lat}
    else:
        out |= {
            "lon": None if lon is None else round(lon, ROUND_DECIMALS),
            "lat": None if lat is None else round(lat, ROUND_DECIMALS),
        }
    return out


def event(seq: int, found: Event, *, whole: bool) -> dict[str, Any]:
    """One event as JSON: whole, or without who acted and without free text."""
    detail = dict(found.detail) if whole else {k: v for k, v in found.detail.items() if k in PLAIN_DETAIL}
    out: dict[str, Any] = {"seq": seq, "action": found.action, "source": found.source.value, "at": found.at.isoformat()}
    if whole:
        out["actor"] = found.actor
    out["detail"] = detail
    return out


def photos(conn: psycopg.Connection, case_id: str) -> list[dict[str, Any]]:
    """The case's photos by id (fetched apart: gridgov.photos), oldest first."""
    rows = conn.execute(
        "SELECT photo_id, content_type, added_at FROM case_photos WHERE case_id = %s ORDER BY added_at, photo_id",
        [case_id],
    ).fetchall()
    return [{"photo_id": r[0], "content_type": r[1], "added_at": r[2].isoformat()} for r in rows]
