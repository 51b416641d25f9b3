"""Recording a visit (走访) from the grid leader's page: one row in visits, under row-level security, audited.

The write runs on the viewer's connection (dashboard.web.data_access), so for a
grid leader it is one transaction as gridgov_grid_reader with their grids set
(gridgov.rls): the household is looked up through the policies (another
grid's household is not there: Forbidden, a 403), its grid_code is copied from
that row, the visit's load run is made by dashboard_visit_run() and the visit
inserted, which the insert policy of migration 011 checks once more. One load
run per recorded visit (dataset 'visits', source_file 'dashboard', loaded_by
the username). The statement trigger of migration 006 bumps the data version,
so the next read of any layer is fresh.

The audit row (action record_visit) is written right after the commit, on the
app's connection: the reader role may not write the audit table. Should that
fail, the request fails, and the visit stays traced by its load run (who, when).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time

from flask import request
from psycopg.types.json import Jsonb

from dashboard.grid.scope import leader
from dashboard.web import data_access
from dashboard.web.appctx import pool, settings
from dashboard.web.session import viewer_for
from gridgov import audit
from gridgov.errors import Forbidden, InputError

RECORD_VISIT = "record_visit"  # the audit action
SOURCE_FILE = "dashboard"  # load_runs.source_file of a recorded visit (migration 011)
NOON = time(12)  # a visit on an earlier day is stored at noon of that day, community time


@dataclass(frozen=True)
class Recorded:
    """A visit as it was written."""

    visit_id: str
    household_id: str
    grid_code: str
    head_name: str | None
    visited_at: datetime


def today() -> date:
    """Today on the community's clock."""
    return settings().clock().today()


def visit_time(day: date) -> datetime:
    """When a visit on `day` is stored: now for today, noon (community time) for an earlier day."""
    clock = settings().clock()
    now = clock.now()
    return now if day == now.date() else datetime.combine(day, NOON, tzinfo=clock.zone)


def _digest(values: dict[str, str | None]) -> str:
    return hashlib.sha256(json.dumps(values, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def record(household_id: str, day: date, notes: str | None) -> Recorded:
    """Write one visit by the signed-in grid leader (inputs already checked by dashboard.grid.visit_form)."""
    account = leader()
    if day > today():
        raise InputError(f"a visit cannot be recorded for a future day ({day})")
    visit_id = "W" + uuid.uuid4().hex
    visited_at = visit_time(day)
    with data_access.viewer_connection(viewer_for(account)) as conn:
        row = conn.execute(
            "SELECT h.grid_code, h.head_name, h.groups && (SELECT coalesce(array_agg(group_key), '{}') FROM visit_rules)"
            " FROM households AS h WHERE h.household_id = %s",
            [household_id],
        ).fetchone()
        if row is None:  # not in the leader's grids, or no such household: the same answer, nothing leaks
            raise Forbidden(f"{household_id} is not a household of grid {', '.join(account.grids)}")
        grid_code, head_name, due = row
        if not due:
            raise InputError(f"household {household_id} is not due visits (no group of visit_rules)")
        trace = {"visit_id": visit_id, "household_id": household_id, "visited_at": visited_at.isoformat(),
                 "visitor": account.username, "notes": notes}
        run = conn.execute("SELECT dashboard_visit_run(%s, %s)", [account.username, _digest(trace)]).fetchone()
        assert run is not None
        conn.execute(
            "INSERT INTO visits (visit_id, household_id, visited_at, visitor, notes, grid_code, extra,"
            " load_run_id, source_row) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 1)",
            [visit_id, household_id, visited_at, account.username, notes, grid_code,
             Jsonb({"recorded_via": SOURCE_FILE}), run[0]],
        )
    with pool().connection() as conn:
        audit.record(
            conn,
            username=account.username,
            action=RECORD_VISIT,
            detail={"visit_id": visit_id, "household_id": household_id, "grid": grid_code,
                    "visited_on": day.isoformat(), "via": request.path},
            ip=request.remote_addr,
        )
    return Recorded(visit_id, household_id, grid_code, head_name, visited_at)
