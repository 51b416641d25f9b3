"""How a request reaches the data: through the registry, on a connection scoped to the viewer, with an audit row.

Every data URL and Dash callback asks for layer data through these functions,
with the Viewer of the signed-in session (dashboard.session). For a grid
leader the queries run in a transaction as the row-level-security role
(gridgov.rls), so even a bug in a callback cannot return another grid's rows;
others use the app's own connection. A detail view of a layer with personal
data (any detail column in PERSONAL_COLUMNS: household-level rows, names,
phones, complaint text) is written to the audit table before it is returned;
a planner's de-identified download is audited as an export.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from flask import request

from dashboard.appctx import pool, settings
from dashboard.session import current_viewer, require_account
from gridgov import audit
from gridgov.rls import grid_reader_transaction
from layers import export, registry
from layers.registry import Access, Filters, Layer, Role, Viewer

PERSONAL_COLUMNS = frozenset({"household_id", "head_name", "id_number", "phone", "content", "notes", "visitor"})


def personal(layer: Layer) -> bool:
    """Whether the layer's detail features carry personal data."""
    return any(c.name in PERSONAL_COLUMNS for c in layer.detail_columns)


@contextmanager
def viewer_connection(viewer: Viewer) -> Iterator[psycopg.Connection]:
    """A pooled connection in one transaction; for a grid leader, one that sees only their grids' rows."""
    with pool().connection() as conn:
        if viewer.role is Role.GRID_LEADER:
            with grid_reader_transaction(conn, viewer.grid_codes):
                yield conn
        else:
            with conn.transaction():
                yield conn


def _audit(action: str, detail: dict[str, Any]) -> None:
    with pool().connection() as conn:
        audit.record(conn, username=require_account().username, action=action, detail=detail, ip=request.remote_addr)


def aggregate(name: str, filters: Filters, *, download: bool = False) -> dict[str, Any]:
    """The layer's per-grid features the session may see (a planner's de-identified; downloaded, an export)."""
    viewer = current_viewer()
    layer = registry.get(name)
    scoped = registry.scope(layer, viewer, filters)  # Forbidden before any query runs
    # a neighbourhood statistic (Gi*) needs every grid's counts: it runs on the app's connection, and the
    # registry has already narrowed what comes back to the viewer's grids
    with viewer_connection(Viewer(Role.SECRETARY) if layer.whole_area else viewer) as conn:
        if viewer.role is Role.PLANNER:
            result = export.planner_geojson(conn, name, scoped, settings())
        else:
            result = registry.aggregate(conn, name, viewer, scoped, settings())
    if download and viewer.role is Role.PLANNER:
        _audit(audit.EXPORT, {"layer": name, "grids": list(scoped.grids), "format": "geojson", "via": request.path})
    return result


def detail(name: str, filters: Filters) -> dict[str, Any]:
    """The layer's detail features the session may see; audited when they carry personal data."""
    viewer = current_viewer()
    layer = registry.get(name)
    scoped = registry.scope(layer, viewer, filters, level=Access.DETAIL)
    with viewer_connection(viewer) as conn:
        result = registry.detail(conn, name, viewer, scoped, settings())
    if personal(layer):
        # recorded before the rows leave; if this fails the request fails and nothing is shown
        _audit(
            audit.VIEW_PERSONAL,
            {"layer": name, "grids": list(scoped.grids), "features": len(result.get("features", [])), "via": request.path},
        )
    return result
