"""Filing a request from another system (the Open311 intake): converted to WGS-84, placed in its grid, once per order.

- Where: the point is converted from the coordinate system the filer names
  (GCJ-02 and BD-09, as Chinese map services give them; gridgov.coords) and
  placed as the ETL places a point (etl.place): in the grid whose polygon
  covers it, the lowest grid code on a shared edge. A point outside every grid,
  or a request with no point, is accepted all the same: it waits unplaced in
  the secretary's queue (state received), never dropped.
- Once: a request carrying the 12345 order number is the work order of that
  number (cases' UNIQUE (kind, source_id), which the office's files use too):
  filed again, by a retry or a second system, it is the same case, not a new one.
- Who: the resident's contact (name, phone, email, a photo's URL) becomes one
  note on the new case (source intake), for those who may read the case whole.
- What: the categories a request may name (`categories`) are the work orders'
  categories the community knows: those with a deadline rule of their own
  (case_deadlines) and those of the work orders loaded from the office's files.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import numpy as np
import psycopg

from gridgov import case_store, coords
from gridgov.case_store import Opening
from gridgov.cases import Event, Kind, Source
from gridgov.clock import Clock
from gridgov.errors import InputError

FILED = "open311_request"  # the audit action of a request filed (detail: case_id, new, grid_code)
CRS = ("wgs84", "cgcs2000", "gcj02", "bd09")  # cgcs2000 is WGS-84 within centimetres, as the ETL takes it
MAX_TEXT = 4000  # the longest description or address kept
MAX_ORDER_NO = 64


@dataclass(frozen=True)
class Request:
    """A request as filed: its category, where (in `crs`), what, and the 12345 order number that names it."""

    category: str
    lon: float | None = None
    lat: float | None = None
    crs: str = "wgs84"
    address: str | None = None
    description: str | None = None
    order_no: str | None = None
    contact: Mapping[str, str] = field(default_factory=dict)  # the resident's name, phone, …: a note on the case


@dataclass(frozen=True)
class Filed:
    """The case a request is: its id, its grid (None: waiting to be placed) and whether this filing made it."""

    case_id: str
    grid_code: str | None
    new: bool


def categories(conn: psycopg.Connection) -> list[str]:
    """The work orders' categories a request may name, sorted."""
    rows = conn.execute(
        "SELECT category FROM case_deadlines WHERE kind = 'work_order' AND category <> '*'"
        " UNION SELECT DISTINCT category FROM complaints WHERE category IS NOT NULL ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows]


def to_wgs84(lon: float, lat: float, crs: str) -> tuple[float, float]:
    """The point in WGS-84 (InputError for a system not in CRS, or a point off the globe)."""
    if crs not in CRS:
        raise InputError.said("intake_unknown_crs", crs=repr(crs), known=", ".join(CRS))
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InputError.said("intake_off_globe", lon=lon, lat=lat)
    x, y = coords.to_wgs84(np.array([lon]), np.array([lat]), np.array([crs], dtype=object))
    return float(x[0]), float(y[0])


def grid_at(conn: psycopg.Connection, lon: float, lat: float) -> str | None:
    """The grid whose polygon covers the WGS-84 point (the lowest code on a shared edge), or None."""
    row = conn.execute(
        "SELECT grid_code FROM grids WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint(%s::float8, %s::float8), 4326))"
        " ORDER BY grid_code LIMIT 1",
        [lon, lat],
    ).fetchone()
    return None if row is None else str(row[0])


def _existing(conn: psycopg.Connection, order_no: str) -> Filed | None:
    """The case of the order number: one a request opened, or a work order of the office's files (with a row or not)."""
    found = case_store.by_source(conn, Kind.WORK_ORDER, order_no)
    return None if found is None else Filed(found[0], found[1], False)


def file(
    conn: psycopg.Connection, request: Request, *, known: Collection[str], actor: str, clock: Clock
) -> Filed:
    """The case `request` is: the one of its order number if there is one, else a new work order, placed if it can be."""
    texts = (request.category, request.address, request.description, request.order_no, *request.contact.values())
    if any(t is not None and "\x00" in t for t in texts):
        raise InputError.said("intake_nul")
    if request.category not in known:
        raise InputError.said("intake_unknown_service", code=repr(request.category))
    if request.order_no is not None and not 0 < len(request.order_no) <= MAX_ORDER_NO:
        raise InputError.said("intake_order_no", most=MAX_ORDER_NO)
    point = None
    if request.lon is not None and request.lat is not None:
        point = to_wgs84(request.lon, request.lat, request.crs)
    if request.order_no is not None and (found := _existing(conn, request.order_no)):
        return found
    grid = grid_at(conn, *point) if point else None
    opening = Opening(
        Kind.WORK_ORDER, category=request.category, description=(request.description or "")[:MAX_TEXT] or None,
        address=(request.address or "")[:MAX_TEXT] or None, lon_lat=point, grid_code=grid, source_id=request.order_no,
    )
    try:
        with conn.transaction():
            case_id = case_store.open_case(conn, opening, source=Source.INTAKE, actor=actor, clock=clock)
            if request.contact:
                note = "; ".join(f"{name}: {value}" for name, value in request.contact.items())
                case_store.append(conn, case_id, Event("note", Source.INTAKE, clock.now(), actor, {"note": note}))
    except psycopg.errors.UniqueViolation:  # the same order filed at this moment by another request
        found = _existing(conn, request.order_no or "")
        if found is None:
            raise
        return found
    return Filed(case_id, grid, True)
