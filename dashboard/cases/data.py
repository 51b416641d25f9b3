"""The phone's reads and writes of cases: on the leader's row-level-security connection, each action audited.

Reads use the shared list query (gridgov.case_queries), so "overdue" and the
order are the queue's, the wall's and the API's. Writes go through the case
store (gridgov.case_store), which checks each event against the case's state;
they run in one transaction as gridgov_grid_reader with the leader's grids
(dashboard.web.data_access.viewer_connection), so another grid's case is not
found and nothing is written. The audit row (gridgov.case_field: who, which
case, what) goes on the app's own connection once the event has committed,
as a recorded visit's does: the reader role may not write the audit table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import request

from dashboard.web import data_access
from dashboard.web.appctx import pool, settings
from dashboard.web.session import viewer_for
from gridgov import access, audit, case_field, case_links, case_raise, case_store, photos
from gridgov.accounts import Account
from gridgov.case_field import Unit
from gridgov.case_queries import CaseFilter, list_cases, one_case
from gridgov.case_store import Opening
from gridgov.cases import Event, Kind, Source, allowed, fold
from gridgov.clock import Clock
from gridgov.errors import NotFound

LISTED = 200  # open cases a leader's list shows at most


def clock() -> Clock:
    """The community's clock."""
    return settings().layers.clock()


def _audit(account: Account, case_id: str, action: str) -> None:
    with pool().connection() as conn:
        case_field.audit(conn, username=account.username, case_id=case_id, action=action, via=request.path,
                         ip=request.remote_addr)


def open_cases(account: Account) -> list[dict[str, Any]]:
    """The leader's open cases, most urgent first."""
    with data_access.viewer_connection(viewer_for(account)) as conn:
        return list_cases(conn, CaseFilter(open_only=True, limit=LISTED), clock())


@dataclass(frozen=True)
class CaseView:
    """One case as the phone shows it: its row, its history, what the field may do now, whom it may call."""

    row: dict[str, Any]
    events: list[Event]
    allowed: tuple[str, ...]
    units: list[Unit]


def case_view(account: Account, case_id: str) -> CaseView:
    """The case with its history (NotFound when the leader cannot reach it)."""
    with data_access.viewer_connection(viewer_for(account)) as conn:
        row = one_case(conn, case_id, clock())
        if row is None:
            raise NotFound(f"no case {case_id}")
        events = case_store.events_of(conn, case_id)
        units = case_field.units_for(conn, row["category"])
    return CaseView(row, events, allowed(fold(Kind(row["kind"]), events), Source.FIELD), units)


def act(account: Account, case_id: str, action: str, detail: dict[str, Any]) -> dict[str, str]:
    """Append the leader's event to the case (NotFound, NotAllowed), then audit it; an escalation's unit links
    (unit -> URL path, shown once), made on the app's connection as the secretary's queue makes them."""
    with data_access.viewer_connection(viewer_for(account)) as conn:
        case_store.append(conn, case_id, Event(action, Source.FIELD, clock().now(), account.username, detail))
    _audit(account, case_id, action)
    if action != "escalate":
        return {}
    lifetime = timedelta(days=settings().dashboard.unit_link_days)
    with pool().connection() as conn:
        made = case_links.issue(conn, case_id, detail["units"], clock=clock(), lifetime=lifetime, by=account.username)
    return {unit: f"/unit/{token}" for unit, token in made.items()}


def raise_case(account: Account, opening: Opening, lon_lat: tuple[float, float],
               cleaned: Sequence[photos.Photo] = ()) -> str | None:
    """Open a raised case with its photos (cleaned already) in the leader's grid the point lies in, all or nothing
    (gridgov.case_raise); None when the point lies in none of their grids. The opening and each photo are audited."""
    with data_access.viewer_connection(viewer_for(account)) as conn:
        grid = case_field.grid_at(conn, lon_lat[0], lon_lat[1], account.grids)
        if grid is None:
            return None
        placed = Opening(Kind.RAISED, opening.category, opening.description, opening.address, lon_lat, grid)
        case_id, photo_ids = case_raise.open_with_photos(conn, placed, cleaned, source=Source.FIELD,
                                                         actor=account.username, clock=clock())
    _audit(account, case_id, "open")
    for _ in photo_ids:
        _audit(account, case_id, "photo")
    return case_id


def categories(account: Account) -> list[str]:
    """Categories to offer when raising a case."""
    with data_access.viewer_connection(viewer_for(account)) as conn:
        return case_field.categories(conn)


def add_photo(account: Account, case_id: str, photo: photos.Photo) -> str:
    """Store a cleaned photo on the case with its event (NotFound, NotAllowed), then audit it."""
    with data_access.viewer_connection(viewer_for(account)) as conn:
        photo_id = photos.store(conn, case_id, photo, source=Source.FIELD, actor=account.username, clock=clock())
    _audit(account, case_id, "photo")
    return photo_id


def photo(account: Account, photo_id: str) -> photos.Stored | None:
    """The photo if the account may see its case (the policy's cases: a leader's own grids, a secretary's all);
    each photo shown is a view of personal data, audited with who, which case and which photo."""
    if not access.decide(account.role, access.api("cases")).allowed:
        return None
    with data_access.viewer_connection(viewer_for(account)) as conn:
        stored = photos.read(conn, photo_id)
    if stored is not None:
        with pool().connection() as conn:
            audit.record(conn, username=account.username, action=audit.VIEW_PERSONAL, ip=request.remote_addr,
                         detail={"via": request.path, "case_id": stored.case_id, "photo_id": photo_id})
    return stored
