"""Recording a visit (走访) from the grid leader's page, and undoing one: the signed-in leader's, on their connection.

What is written, and how it is traced and audited, is gridgov.visits'. Here
the visit (or its undo) runs on the leader's connection from
dashboard.web.data_access, one transaction under row-level security scoped to
their grids (gridgov.rls), and its audit row goes on the app's own connection
right after that commits: the reader role may not write the audit table, and
the request fails if the row cannot be written. The clock is the community's.
"""

from __future__ import annotations

from datetime import date

from flask import request

from dashboard.grid.scope import leader
from dashboard.web import data_access
from dashboard.web.appctx import pool, settings
from dashboard.web.session import viewer_for
from gridgov import visits
from gridgov.visits import Recorded, Refused, Undone


def today() -> date:
    """Today on the community's clock."""
    return settings().layers.clock().today()


def record(household_id: str, day: date, notes: str | None) -> Recorded:
    """Write one visit by the signed-in grid leader (inputs already checked by dashboard.grid.visit_form)."""
    account = leader()
    with data_access.viewer_connection(viewer_for(account)) as conn:
        visit = visits.record(conn, settings().layers.clock(), account, household_id, day, notes)
    with pool().connection() as conn:
        visits.audit(conn, visit, via=request.path, ip=request.remote_addr)
    return visit


def undo(visit_id: str) -> Undone | Refused:
    """Undo one visit of the signed-in grid leader (gridgov.visits.undo says which they may)."""
    account = leader()
    with data_access.viewer_connection(viewer_for(account)) as conn:
        result = visits.undo(conn, settings().layers.clock(), account, visit_id)
    if isinstance(result, Undone):
        with pool().connection() as conn:
            visits.audit_undo(conn, result, via=request.path, ip=request.remote_addr)
    return result


def undoable() -> dict[str, str]:
    """The signed-in leader's visits they may still undo: household id → visit id."""
    account = leader()
    with data_access.viewer_connection(viewer_for(account)) as conn:
        return visits.undoable(conn, settings().layers.clock(), account)
