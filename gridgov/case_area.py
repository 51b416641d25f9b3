"""Whether an account limited to an area (a secretary's communities, a street officer's street) may act on a case.

A secretary's or street officer's actions (verify, close, reopen, reassign, place, escalate, …) are not the
field's: the row-level-security role that reads for them (gridgov.rls) takes only a grid leader's field
events, so their events are written on the app's connection, and this module is the check that keeps them
in their area there: the case must be in one of the area's grids, or have no grid yet (waiting to be
placed, which whoever may place cases sees: gridgov.access UNPLACED_CASES), and a case placed or
reassigned must land in one of the area's grids. A case outside is "not found", as it is for every read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import psycopg

from gridgov.case_queries import one_case
from gridgov.clock import Clock
from gridgov.errors import Forbidden, NotFound


def check(
    conn: psycopg.Connection, case_id: str, grids: Sequence[str], clock: Clock, detail: Mapping[str, Any] | None = None
) -> None:
    """NotFound unless the case is in `grids` or unplaced; Forbidden when `detail` moves it out of `grids`.

    `grids` empty: no limit (an account of everything, or a system)."""
    if not grids:
        return
    case = one_case(conn, case_id, clock)
    if case is None or (case["grid_code"] is not None and case["grid_code"] not in grids):
        raise NotFound(f"there is no case {case_id}")
    target = (detail or {}).get("grid_code")
    if target is not None and target not in grids:
        raise Forbidden(f"grid {str(target)[:40]} is outside your area: the street officer can place the case there")
